package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One instance of a {@link CipClass} (instance 0 is the class itself), holding the state its
 * attribute table reads and writes.
 *
 * <p>Thread-safety: attribute reads and writes on one instance are serialised by that instance's
 * own lock, so a Get_Attributes_All sees one consistent state and a validated set is atomic;
 * requests to different instances never contend. Handlers that touch state outside the
 * attribute table can use {@link #lock()} for the same guarantee.
 *
 * @param <S> the state type
 */
public final class CipInstance<S> {
    private final CipClass<?> cipClass;
    private final long id;
    private final S state;
    private final NavigableMap<Integer, Attribute<S, ?>> attributes;
    private final List<Attribute<S, ?>> getAll;
    private final ReentrantLock lock = new ReentrantLock();

    CipInstance(CipClass<?> cipClass, long id, S state, NavigableMap<Integer, Attribute<S, ?>> attributes) {
        this.cipClass = cipClass;
        this.id = id;
        this.state = Objects.requireNonNull(state, "state");
        this.attributes = attributes;
        List<Attribute<S, ?>> gaa = new ArrayList<>();
        for (Attribute<S, ?> a : attributes.values()) {
            if (a.inGetAttributesAll()) {
                gaa.add(a);
            }
        }
        gaa.sort((a, b) -> Integer.compare(a.getAllPosition(), b.getAllPosition()));
        this.getAll = List.copyOf(gaa);
    }

    public CipClass<?> cipClass() {
        return cipClass;
    }

    public int classId() {
        return cipClass.classId();
    }

    public long id() {
        return id;
    }

    public boolean isClassInstance() {
        return id == 0;
    }

    public S state() {
        return state;
    }

    /** The per-instance lock under which attribute access runs. */
    public ReentrantLock lock() {
        return lock;
    }

    public boolean hasAttribute(int attributeId) {
        return attributes.containsKey(attributeId);
    }

    /** Highest attribute id in this instance's table, 0 when there is none. */
    public int maxAttributeId() {
        return attributes.isEmpty() ? 0 : attributes.lastKey();
    }

    /** Whether any attribute takes part in Get_Attributes_All. */
    public boolean supportsGetAll() {
        return !getAll.isEmpty();
    }

    /** The attribute's encoded value; 0x14 when the table has no such attribute. */
    public Bytes getAttribute(int attributeId) throws CipServiceException {
        Attribute<S, ?> a = attribute(attributeId);
        if (!a.singleGettable()) {
            throw new CipServiceException(GeneralStatus.ATTRIBUTE_NOT_SUPPORTED, "attribute " + attributeId + " is a placeholder");
        }
        lock.lock();
        try {
            return a.encode(state);
        } finally {
            lock.unlock();
        }
    }

    /** Sets one attribute from {@code data}; see {@link Attribute#set} for the statuses. */
    public void setAttribute(int attributeId, WireReader data, boolean wholeRequest, RequestContext ctx)
            throws CipServiceException {
        Attribute<S, ?> a = attribute(attributeId);
        lock.lock();
        try {
            a.set(state, data, wholeRequest, ctx);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Decodes one Set_Attribute_List entry's value (0x14 unknown attribute, 0x13/0x09 bad value)
     * and returns the write, to be run by {@link #apply}.
     */
    public Attribute.PendingSet<S> decodeForSet(int attributeId, WireReader data) throws CipServiceException {
        return attribute(attributeId).decodeForSet(data);
    }

    /** Runs a decoded write under this instance's lock. */
    public void apply(Attribute.PendingSet<S> pending, RequestContext ctx) throws CipServiceException {
        lock.lock();
        try {
            pending.apply(state, ctx);
        } finally {
            lock.unlock();
        }
    }

    /** The Get_Attributes_All body: the included attributes by position, read under one lock. */
    public Bytes getAttributesAll() throws CipServiceException {
        if (getAll.isEmpty()) {
            throw new CipServiceException(GeneralStatus.SERVICE_NOT_SUPPORTED, "no Get_Attributes_All for " + this);
        }
        List<Bytes> parts = new ArrayList<>(getAll.size());
        int total = 0;
        lock.lock();
        try {
            for (Attribute<S, ?> a : getAll) {
                Bytes b = a.encode(state);
                parts.add(b);
                total += b.length();
            }
        } finally {
            lock.unlock();
        }
        WireWriter w = WireWriter.ofSize(total);
        parts.forEach(w::bytes);
        return Bytes.of(w.array());
    }

    private Attribute<S, ?> attribute(int attributeId) throws CipServiceException {
        Attribute<S, ?> a = attributes.get(attributeId);
        if (a == null) {
            throw new CipServiceException(GeneralStatus.ATTRIBUTE_NOT_SUPPORTED,
                    String.format("class 0x%02X instance %d attribute %d", classId(), id, attributeId));
        }
        return a;
    }

    @Override
    public String toString() {
        return String.format("%s (0x%02X) instance %d", cipClass.name(), classId(), id);
    }
}
