package dev.cipsec.objects.security;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.CipInstance;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;

import static dev.cipsec.objects.CipDataTypes.USINT;
import static dev.cipsec.objects.CipDataTypes.WORD;

/**
 * CIP Security Object, class 0x5D, instance 1 (reference §4): the device-wide security state and
 * the configuration session that frames a commissioning (Begin_Config ... End_Config).
 *
 * <p>States: 0 factory default, 1 configuration in progress, 2 configured, 3 incomplete
 * configuration (the session timed out). Decisions where the public sources are silent:
 * <ul>
 *   <li>Begin_Config and Reset on a configured device are accepted only over TLS (0x0F otherwise);
 *       in states 0 and 3 they are also accepted over plain TCP, as OpENer does, because a device in
 *       factory default has no configuration to protect yet.</li>
 *   <li>End_Config while the EtherNet/IP Security Object still has an open configuration session
 *       (changes neither applied nor aborted) answers 0x0C: ending would otherwise drop them silently.</li>
 *   <li>Security Profiles Configured (attr 3, and the ListIdentity item) is 0 until the first
 *       End_Config, then the Confidentiality profile (0x0002); a Reset clears it.</li>
 * </ul>
 */
public final class CipSecurityObject {
    public static final int CLASS_ID = 0x5D;
    public static final int REVISION = 3;

    public static final int FACTORY_DEFAULT = 0;
    public static final int CONFIGURATION_IN_PROGRESS = 1;
    public static final int CONFIGURED = 2;
    public static final int INCOMPLETE_CONFIGURATION = 3;

    /** Attribute 2: the profiles this stack implements (EtherNet/IP Confidentiality). */
    public static final int PROFILE_CONFIDENTIALITY = 0x0002;

    public static final int BEGIN_CONFIG = 0x4B;
    public static final int KICK_TIMER = 0x4C;
    public static final int END_CONFIG = 0x4D;
    public static final int OBJECT_CLEANUP = 0x4E;
    /** Object_Cleanup found nothing to delete. */
    public static final int NO_ORPHAN_OBJECTS = 0xD0;

    private final SecurityObjects objects;
    private final ConfigSession session;
    private final CipClass<CipSecurityObject> cipClass;
    private volatile int state = FACTORY_DEFAULT;
    private volatile int configuredProfiles;

    CipSecurityObject(SecurityObjects objects) {
        this.objects = objects;
        this.session = new ConfigSession(objects.timer(), objects.sessionTimeout(), this::expire);
        this.cipClass = CipClass.<CipSecurityObject>builder(CLASS_ID, "CIP Security").revision(REVISION)
                .attributes(
                        Attribute.get(1, "State", USINT, (CipSecurityObject o) -> o.state).inGetAll(),
                        Attribute.get(2, "Security Profiles", WORD, (CipSecurityObject o) -> PROFILE_CONFIDENTIALITY).inGetAll(),
                        Attribute.get(3, "Security Profiles Configured", WORD, (CipSecurityObject o) -> o.configuredProfiles))
                .withoutInstanceService(ServiceCodes.SET_ATTRIBUTE_SINGLE)
                .withoutInstanceService(ServiceCodes.SET_ATTRIBUTE_LIST)
                .withoutClassService(ServiceCodes.SET_ATTRIBUTE_SINGLE)
                .withoutClassService(ServiceCodes.SET_ATTRIBUTE_LIST)
                .instanceService(BEGIN_CONFIG, this::beginConfig)
                .instanceService(KICK_TIMER, this::kickTimer)
                .instanceService(END_CONFIG, this::endConfig)
                .instanceService(ServiceCodes.RESET, this::reset)
                .classService(OBJECT_CLEANUP, this::objectCleanup)
                .instance(1, this)
                .build();
    }

    public CipClass<CipSecurityObject> cipClass() {
        return cipClass;
    }

    public int state() {
        return state;
    }

    public int configuredProfiles() {
        return configuredProfiles;
    }

    void restore(int state, int configuredProfiles) {
        // A session cannot survive a restart: a device that stopped mid-configuration comes back incomplete.
        this.state = state == CONFIGURATION_IN_PROGRESS ? INCOMPLETE_CONFIGURATION : state;
        this.configuredProfiles = configuredProfiles;
    }

    private MessageRouterResponse beginConfig(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        noData(req);
        return objects.locked(() -> {
            if (state == CONFIGURATION_IN_PROGRESS) {
                throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT, "a configuration session is already open");
            }
            objects.requireSecureIfConfigured(ctx, state == CONFIGURED, "Begin_Config");
            int before = state;
            state = CONFIGURATION_IN_PROGRESS;
            try {
                objects.commit(false, null);
            } catch (CipServiceException e) {
                state = before;
                throw e;
            }
            session.begin(ctx);
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private MessageRouterResponse kickTimer(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        noData(req);
        return objects.locked(() -> {
            requireSession(ctx, "Kick_Timer");
            session.kick();
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private MessageRouterResponse endConfig(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        noData(req);
        return objects.locked(() -> {
            requireSession(ctx, "End_Config");
            if (objects.eip().configuring()) {
                throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT,
                        "End_Config: the EtherNet/IP Security Object still has unapplied changes (Apply_Config or Abort_Config first)");
            }
            int profiles = configuredProfiles;
            state = CONFIGURED;
            configuredProfiles = PROFILE_CONFIDENTIALITY;
            try {
                objects.commit(false, null);
            } catch (CipServiceException e) {
                state = CONFIGURATION_IN_PROGRESS;
                configuredProfiles = profiles;
                throw e;
            }
            session.end();
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private MessageRouterResponse reset(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        if (!req.data().isEmpty()) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, "Reset of the CIP Security Object takes no data");
        }
        return objects.locked(() -> {
            objects.requireSecureIfConfigured(ctx, state == CONFIGURED || objects.eip().configured(), "Reset");
            objects.resetToFactory(true, false);
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private MessageRouterResponse objectCleanup(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        noData(req);
        return objects.locked(() -> {
            objects.requireSecureIfConfigured(ctx, state == CONFIGURED || objects.eip().configured(), "Object_Cleanup");
            if (objects.cleanup() == 0) {
                throw new CipServiceException(NO_ORPHAN_OBJECTS, "Object_Cleanup: no orphan objects");
            }
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    /** Called by the facade's factory reset, under the lock. */
    void resetState() {
        session.end();
        state = FACTORY_DEFAULT;
        configuredProfiles = 0;
    }

    private void requireSession(RequestContext ctx, String what) throws CipServiceException {
        if (state != CONFIGURATION_IN_PROGRESS) {
            throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT, what + ": no configuration session (state " + state + ")");
        }
        session.checkOwner(ctx, what);
    }

    private void expire(long epoch) {
        objects.lockedQuietly(() -> {
            if (session.expired(epoch) && state == CONFIGURATION_IN_PROGRESS) {
                session.end();
                state = INCOMPLETE_CONFIGURATION;
                objects.commitQuietly();
            }
        });
    }

    static void noData(MessageRouterRequest req) throws CipServiceException {
        if (!req.data().isEmpty()) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, "this service takes no request data");
        }
    }
}
