package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One row of an object's attribute table: id, name, data type, access rules and the accessors that
 * bind it to the instance state {@code S}. Immutable; the {@code with...} methods return copies,
 * so a table reads like the specification:
 *
 * <pre>{@code
 * Attribute.get(1, "Vendor ID", UINT, DeviceIdentity::vendorId).inGetAll(1)
 * Attribute.getSet(13, "Encapsulation Inactivity Timeout", UINT, S::timeout, S::setTimeout).validIf(v -> v <= 3600)
 * }</pre>
 *
 * <p>Access is checked in this order when setting: settable (0x0E), privilege (0x0F), value decode
 * (0x13 not enough data, 0x09 invalid value), trailing bytes (0x15), validator (0x09), then the
 * setter, which may throw its own status.
 *
 * @param <S> the instance state the accessors read and write
 * @param <T> the value's Java type
 */
public final class Attribute<S, T> {

    /** Writes a validated value into the instance state. */
    @FunctionalInterface
    public interface Setter<S, T> {
        void set(S state, T value, RequestContext ctx) throws CipServiceException;
    }

    private final int id;
    private final String name;
    private final CipDataType<T> type;
    private final Function<S, T> getter;
    private final Setter<S, T> setter;
    private final Predicate<T> validator;
    private final Predicate<RequestContext> setPrivilege;
    private final int getAllPosition;
    private final boolean singleGettable;

    private Attribute(int id, String name, CipDataType<T> type, Function<S, T> getter, Setter<S, T> setter,
                      Predicate<T> validator, Predicate<RequestContext> setPrivilege, int getAllPosition,
                      boolean singleGettable) {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("attribute id must be a UINT: " + id);
        }
        this.id = id;
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.getter = getter;
        this.setter = setter;
        this.validator = Objects.requireNonNull(validator, "validator");
        this.setPrivilege = Objects.requireNonNull(setPrivilege, "setPrivilege");
        this.getAllPosition = getAllPosition;
        this.singleGettable = singleGettable;
    }

    /** A gettable, not settable attribute. */
    public static <S, T> Attribute<S, T> get(int id, String name, CipDataType<T> type, Function<S, T> getter) {
        return new Attribute<>(id, name, type, Objects.requireNonNull(getter, "getter"), null, v -> true, c -> true, -1, true);
    }

    /** A gettable and settable attribute. */
    public static <S, T> Attribute<S, T> getSet(int id, String name, CipDataType<T> type, Function<S, T> getter,
                                                Setter<S, T> setter) {
        return new Attribute<>(id, name, type, Objects.requireNonNull(getter, "getter"),
                Objects.requireNonNull(setter, "setter"), v -> true, c -> true, -1, true);
    }

    /**
     * A placeholder that only fills its slot in Get_Attributes_All (a single get answers 0x14), as
     * OpENer does for the optional class attributes 4 and 5 so that the reply keeps the layout
     * decoders such as Wireshark expect.
     */
    public static <S, T> Attribute<S, T> getAllFiller(int id, String name, CipDataType<T> type, T value) {
        return new Attribute<S, T>(id, name, type, s -> value, null, v -> true, c -> true, id, false);
    }

    /** Settable values must satisfy {@code validator}, else the set answers 0x09 invalid attribute value. */
    public Attribute<S, T> validIf(Predicate<T> validator) {
        return new Attribute<>(id, name, type, getter, setter, this.validator.and(validator), setPrivilege, getAllPosition, singleGettable);
    }

    /** Sets are refused with 0x0F privilege violation unless {@code allowed} accepts the request context. */
    public Attribute<S, T> setAllowedIf(Predicate<RequestContext> allowed) {
        return new Attribute<>(id, name, type, getter, setter, validator, setPrivilege.and(allowed), getAllPosition, singleGettable);
    }

    /**
     * Includes the attribute in Get_Attributes_All at {@code position}: the reply concatenates the
     * included attributes by ascending position.
     */
    public Attribute<S, T> inGetAll(int position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position");
        }
        return new Attribute<>(id, name, type, getter, setter, validator, setPrivilege, position, singleGettable);
    }

    /** Includes the attribute in Get_Attributes_All at the position of its id. */
    public Attribute<S, T> inGetAll() {
        return inGetAll(id);
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public CipDataType<T> type() {
        return type;
    }

    public boolean settable() {
        return setter != null;
    }

    /** False for {@link #getAllFiller} placeholders. */
    public boolean singleGettable() {
        return singleGettable;
    }

    public boolean inGetAttributesAll() {
        return getAllPosition >= 0;
    }

    /** Position in Get_Attributes_All, or -1 when not included. */
    public int getAllPosition() {
        return getAllPosition;
    }

    /** The current value read from {@code state}. */
    public T value(S state) {
        return getter.apply(state);
    }

    /** The current value encoded. */
    public Bytes encode(S state) {
        return Bytes.of(type.toArray(getter.apply(state)));
    }

    /** A decoded value waiting to be checked and stored (Set_Attribute_List decodes every entry first). */
    @FunctionalInterface
    public interface PendingSet<S> {
        void apply(S state, RequestContext ctx) throws CipServiceException;
    }

    /**
     * Decodes a value from {@code data}, validates it and stores it. When {@code wholeRequest} is
     * true the value must use up {@code data} (Set_Attribute_Single).
     */
    public void set(S state, WireReader data, boolean wholeRequest, RequestContext ctx) throws CipServiceException {
        checkSettable(ctx);
        T value = decodeValue(data);
        if (wholeRequest && data.hasRemaining()) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, name + ": " + data.remaining() + " extra bytes");
        }
        store(state, value, ctx);
    }

    /**
     * Reads this attribute's value from a list entry without storing it, so that the next entry
     * can be found even when this one is refused; 0x13 or 0x09 when the bytes are no such value.
     */
    public PendingSet<S> decodeForSet(WireReader data) throws CipServiceException {
        T value = decodeValue(data);
        return (state, ctx) -> {
            checkSettable(ctx);
            store(state, value, ctx);
        };
    }

    private void checkSettable(RequestContext ctx) throws CipServiceException {
        if (setter == null) {
            throw new CipServiceException(GeneralStatus.ATTRIBUTE_NOT_SETTABLE, "attribute " + id + " " + name);
        }
        if (!setPrivilege.test(ctx)) {
            throw new CipServiceException(GeneralStatus.PRIVILEGE_VIOLATION, "set attribute " + id + " " + name);
        }
    }

    private T decodeValue(WireReader data) throws CipServiceException {
        try {
            return type.decode(data);
        } catch (WireFormatException e) {
            throw new CipServiceException(statusFor(e), name + ": " + e.getMessage());
        }
    }

    private void store(S state, T value, RequestContext ctx) throws CipServiceException {
        if (!validator.test(value)) {
            throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, name + ": " + value);
        }
        setter.set(state, value, ctx);
    }

    private static int statusFor(WireFormatException e) {
        return switch (e.reason()) {
            case TRUNCATED, LENGTH_MISMATCH, COUNT_TOO_LARGE -> GeneralStatus.NOT_ENOUGH_DATA;
            case TOO_MUCH_DATA -> GeneralStatus.TOO_MUCH_DATA;
            default -> GeneralStatus.INVALID_ATTRIBUTE_VALUE;
        };
    }

    @Override
    public String toString() {
        return "Attribute[" + id + " " + name + ": " + type.name() + (settable() ? ", get/set" : ", get")
                + (inGetAttributesAll() ? ", GAA@" + getAllPosition : "") + "]";
    }
}
