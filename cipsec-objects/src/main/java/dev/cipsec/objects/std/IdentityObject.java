package dev.cipsec.objects.std;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.CipDataType;
import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.objects.CipInstance;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;

import static dev.cipsec.objects.CipDataTypes.SHORT_STRING;
import static dev.cipsec.objects.CipDataTypes.UDINT;
import static dev.cipsec.objects.CipDataTypes.UINT;
import static dev.cipsec.objects.CipDataTypes.USINT;
import static dev.cipsec.objects.CipDataTypes.WORD;

/**
 * Identity object (class 0x01, reference §3.1), instance 1: attributes 1–10 from a
 * {@link DeviceIdentity}, status and state updatable by the application, and Reset (0x05).
 *
 * <p>Get_Attributes_All answers attributes 1–7 in order, exactly as OpENer does (fixture
 * opener-explicit frame 23, 24 bytes for "OpENer PC").
 *
 * <p>Reset takes an optional type USINT (none means 0); a type outside the supported set is 0x20
 * invalid parameter, more than one byte 0x15. The reset handler runs only after the reply has
 * been sent ({@link RequestContext#runAfterReply}), because a reset may tear down the very
 * connection the reply travels on.
 */
public final class IdentityObject {
    public static final int CLASS_ID = 0x01;
    /** Status bit 0: an I/O connection owns the device. */
    public static final int STATUS_OWNED = 0x0001;
    /** Status bit 2: configured (differs from the out-of-box configuration). */
    public static final int STATUS_CONFIGURED = 0x0004;

    /** Performs a reset of the given type; called after the Reset reply has been sent. */
    @FunctionalInterface
    public interface ResetHandler {
        void reset(int type);

        /**
         * Refuses a reset before it is acknowledged, e.g. a factory reset over plain TCP of a device whose
         * security configuration may only change over TLS (0x0F). Accepts everything by default.
         */
        default void check(int type, RequestContext ctx) throws CipServiceException {
        }
    }

    /** Major and minor revision (attribute 4). */
    public record Revision(int major, int minor) {
        public static final CipDataType<Revision> TYPE = CipDataTypes.fixedStruct("Revision", 2,
                (r, w) -> w.u8(r.major()).u8(r.minor()),
                r -> new Revision(r.u8("major revision"), r.u8("minor revision")));
    }

    private final AtomicReference<DeviceIdentity> identity;
    private final int configurationConsistencyValue;
    private volatile int heartbeatInterval;
    private final CipClass<IdentityObject> cipClass;

    /**
     * @param identity           the initial identity
     * @param resetHandler       performs resets; null means Reset is not supported (0x08)
     * @param supportedResetTypes reset types accepted, a subset of {0, 1, 2}
     */
    public IdentityObject(DeviceIdentity identity, ResetHandler resetHandler, Set<Integer> supportedResetTypes) {
        this.identity = new AtomicReference<>(Objects.requireNonNull(identity, "identity"));
        this.configurationConsistencyValue = 0;
        for (int t : supportedResetTypes) {
            if (t < 0 || t > 2) {
                throw new IllegalArgumentException("reset types are 0, 1, 2: " + t);
            }
        }
        Set<Integer> resetTypes = Set.copyOf(supportedResetTypes);
        CipClass.Builder<IdentityObject> b = CipClass.<IdentityObject>builder(CLASS_ID, "Identity").revision(1)
                .attributes(
                        Attribute.get(1, "Vendor ID", UINT, (IdentityObject o) -> o.identity().vendorId()).inGetAll(),
                        Attribute.get(2, "Device Type", UINT, (IdentityObject o) -> o.identity().deviceType()).inGetAll(),
                        Attribute.get(3, "Product Code", UINT, (IdentityObject o) -> o.identity().productCode()).inGetAll(),
                        Attribute.get(4, "Revision", Revision.TYPE, (IdentityObject o) -> o.revision()).inGetAll(),
                        Attribute.get(5, "Status", WORD, (IdentityObject o) -> o.identity().status()).inGetAll(),
                        Attribute.get(6, "Serial Number", UDINT, (IdentityObject o) -> o.identity().serialNumber()).inGetAll(),
                        Attribute.get(7, "Product Name", SHORT_STRING, (IdentityObject o) -> o.identity().productName()).inGetAll(),
                        Attribute.get(8, "State", USINT, (IdentityObject o) -> o.identity().state()),
                        Attribute.get(9, "Configuration Consistency Value", UINT, (IdentityObject o) -> o.configurationConsistencyValue),
                        Attribute.getSet(10, "Heartbeat Interval", USINT, (IdentityObject o) -> o.heartbeatInterval,
                                (o, v, ctx) -> o.heartbeatInterval = v))
                .instance(1, this);
        if (resetHandler != null) {
            b.instanceService(ServiceCodes.RESET, (target, req, ctx) -> reset(resetHandler, resetTypes, req, ctx));
        }
        this.cipClass = b.build();
    }

    /** Supports Reset types 0 and 1 through {@code resetHandler}. */
    public IdentityObject(DeviceIdentity identity, ResetHandler resetHandler) {
        this(identity, resetHandler, Set.of(0, 1));
    }

    private static MessageRouterResponse reset(ResetHandler handler, Set<Integer> types, MessageRouterRequest req,
                                               RequestContext ctx) throws CipServiceException {
        Bytes data = req.data();
        if (data.length() > 1) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, "Reset takes at most a type byte");
        }
        int type = data.isEmpty() ? 0 : data.get(0);
        if (!types.contains(type)) {
            throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "reset type " + type);
        }
        handler.check(type, ctx);
        ctx.runAfterReply(() -> handler.reset(type));
        return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
    }

    public CipClass<IdentityObject> cipClass() {
        return cipClass;
    }

    /** The current identity, status and state included (what ListIdentity reports). */
    public DeviceIdentity identity() {
        return identity.get();
    }

    public Revision revision() {
        DeviceIdentity id = identity.get();
        return new Revision(id.revisionMajor(), id.revisionMinor());
    }

    /** Updates the status word atomically (e.g. set the "owned" bit when an I/O connection opens). */
    public void updateStatus(IntUnaryOperator update) {
        withInstanceLock(() -> identity.updateAndGet(i -> i.withStatus(update.applyAsInt(i.status()) & 0xFFFF)));
    }

    public void setState(int state) {
        withInstanceLock(() -> identity.updateAndGet(i -> i.withState(state)));
    }

    public int heartbeatInterval() {
        return heartbeatInterval;
    }

    /** Serialises with attribute reads so a Get_Attributes_All never shows half an update. */
    private void withInstanceLock(Runnable r) {
        CipInstance<IdentityObject> inst = cipClass.typedInstance(1);
        inst.lock().lock();
        try {
            r.run();
        } finally {
            inst.lock().unlock();
        }
    }
}
