package dev.cipsec.objects.security;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.CipDataType;
import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.objects.CipInstance;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskEntry;
import dev.cipsec.wire.security.PskList;

import java.util.List;
import java.util.function.Function;

import static dev.cipsec.objects.CipDataTypes.BOOL;
import static dev.cipsec.objects.CipDataTypes.BYTE;
import static dev.cipsec.objects.CipDataTypes.DWORD;
import static dev.cipsec.objects.CipDataTypes.UINT;
import static dev.cipsec.objects.CipDataTypes.USINT;

/**
 * EtherNet/IP Security Object, class 0x5E, instance 1 (reference §5): the (D)TLS policy of the
 * device's EtherNet/IP interface. Settable attributes are written inside a configuration session
 * (Begin_Config ... Apply_Config or Abort_Config) into a pending copy; reads during the session show
 * the pending values, so a tool can check what it wrote; Apply_Config validates the copy and hands
 * it to the device, which persists it and swaps it into its TLS listener atomically.
 *
 * <p>Decisions where the public sources are silent or disagree (also in {@code docs/security-objects.md}):
 * <ul>
 *   <li>Apply_Config failures answer general status 0xD0 (object-specific) with the failure code
 *       (1 no PSK, 2 no certificate, 3 no suite for the key type, 4 no suite) as the one additional
 *       status word: the reference names the codes but not the general status.</li>
 *   <li>Attribute 8 (CRL) is read as a list (USINT count + sized EPATHs, as Wireshark master decodes
 *       it; an empty list is the same single 00 byte OpENer sends); a Set also accepts OpENer's and
 *       Hilscher's single {USINT size, EPATH} when that is the only exact reading of the bytes.</li>
 *   <li>Get_Attributes_All carries attributes 1-16 in order, as OpENer does, then 17: a reader that
 *       stops after 16 still decodes the rest correctly.</li>
 *   <li>Attribute 16 (UDP-only policy) accepts only 0: the UDP-only transport profile is not implemented
 *       and its value semantics are not public, so storing other values would promise a behaviour we lack.</li>
 *   <li>Begin_Config from Configured (and from the pull-model states 4, 5) re-configures the device; it
 *       is accepted only over TLS. Abort_Config or a session timeout return to the state before
 *       Begin_Config, not to factory default as OpENer does, because the applied policy still rules.</li>
 *   <li>Reset is refused (0x0F) over plain TCP once configured; its optional BOOL chooses the pull model.</li>
 *   <li>Vendor-specific attributes 100 (EST Server URI, STRING) and 101 (EST Server Trust Anchor: USINT
 *       length 0 or 32 + the SHA-256 of a certificate in the EST server's chain) tell the pull model where
 *       to enrol: how a device finds its EST server is not public. They are set directly, not inside a
 *       configuration session (they are not part of the (D)TLS policy that Apply_Config validates), take
 *       effect and are persisted at once, follow Reset's access rule (plain TCP only in factory default)
 *       and are cleared by Reset. They stay out of Get_Attributes_All, whose layout decoders know.</li>
 * </ul>
 */
public final class EipSecurityObject {
    public static final int CLASS_ID = 0x5E;
    public static final int REVISION = 7;

    public static final int FACTORY_DEFAULT = 0;
    public static final int CONFIGURATION_IN_PROGRESS = 1;
    public static final int CONFIGURED = 2;
    public static final int PULL_MODEL_IN_PROGRESS = 3;
    public static final int PULL_MODEL_COMPLETED = 4;
    public static final int PULL_MODEL_DISABLED = 5;

    public static final int BEGIN_CONFIG = 0x4B;
    public static final int KICK_TIMER = 0x4C;
    public static final int APPLY_CONFIG = 0x4D;
    public static final int ABORT_CONFIG = 0x4E;

    /** General status of an Apply_Config refusal; the failure code follows as additional status. */
    public static final int APPLY_FAILED = 0xD0;
    public static final int FAILURE_NO_PSK = 0x0001;
    public static final int FAILURE_NO_CERTIFICATE = 0x0002;
    public static final int FAILURE_KEY_TYPE = 0x0003;
    public static final int FAILURE_NO_SUITE = 0x0004;

    /** Attribute 2 bit 0: secure renegotiation (RFC 5746) supported. Bouncy Castle's TLS implements it. */
    public static final long CAPABILITY_SECURE_RENEGOTIATION = 0x1;
    /** Class attribute 9: usages 0 server, 1 client and 2 any are all stored (bits 0-2). */
    public static final int PSK_USAGES_SUPPORTED = 0x07;
    public static final int PULL_STATUS_DISABLED = 0xFFFF;

    public static final int MAX_PSKS = 16;
    public static final int MAX_ACTIVE_CERTIFICATES = 1;
    public static final int MAX_PATHS = 8;

    private static final CipDataType<CipherSuiteList> SUITES = CipDataTypes.struct("cipher suite list",
            CipherSuiteList::encodedLength, (v, w) -> v.encode(w), CipherSuiteList::decode);
    private static final CipDataType<PskList> PSKS = CipDataTypes.struct("PSK list",
            PskList::encodedLength, (v, w) -> v.encode(w), PskList::decode);
    private static final CipDataType<EPathList> PATHS = CipDataTypes.struct("EPATH list",
            EPathList::encodedLength, (v, w) -> v.encode(w), EPathList::decode);
    private static final CipDataType<Bytes> FINGERPRINT = CipDataTypes.struct("SHA-256 fingerprint (USINT length)",
            b -> 1 + b.length(), (b, w) -> w.u8(b.length()).bytes(b), r -> {
                int n = r.u8("fingerprint length");
                if (n != 0 && n != EstServerSetting.FINGERPRINT_LENGTH) {
                    throw new WireFormatException(WireFormatException.Reason.INVALID_VALUE,
                            "a SHA-256 fingerprint is 32 bytes (0: none): " + n);
                }
                return r.bytes(n, "fingerprint");
            });
    public static final int ATTR_EST_SERVER_URI = 100;
    public static final int ATTR_EST_TRUST_ANCHOR = 101;
    private static final CipDataType<EPathList> CRL_PATH = CipDataTypes.struct("CRL EPATH",
            EipSecurityObject::crlLength, EipSecurityObject::encodeCrl, EipSecurityObject::decodeCrl);

    private final SecurityObjects objects;
    private final ConfigSession session;
    private final CipClass<EipSecurityObject> cipClass;
    private volatile int state = FACTORY_DEFAULT;
    private volatile EipSecurityConfig applied;
    private volatile EipSecurityConfig pending;
    private int stateBeforeConfig;
    private volatile boolean pullModelEnabled = true;
    private final java.util.concurrent.atomic.AtomicLong applies = new java.util.concurrent.atomic.AtomicLong();
    private volatile int pullModelStatus;
    private volatile EstServerSetting estServer = EstServerSetting.NONE;

    EipSecurityObject(SecurityObjects objects) {
        this.objects = objects;
        this.applied = objects.factoryConfig();
        this.session = new ConfigSession(objects.timer(), objects.sessionTimeout(), this::expire);
        this.cipClass = CipClass.<EipSecurityObject>builder(CLASS_ID, "EtherNet/IP Security").revision(REVISION)
                .classAttribute(Attribute.<CipClass<EipSecurityObject>, Integer>get(8, "Number of PSKs Supported", UINT, c -> MAX_PSKS).inGetAll())
                .classAttribute(Attribute.<CipClass<EipSecurityObject>, Integer>get(9, "PSK Usages Supported", BYTE, c -> PSK_USAGES_SUPPORTED).inGetAll())
                .attributes(
                        Attribute.get(1, "State", USINT, (EipSecurityObject o) -> o.state).inGetAll(),
                        Attribute.get(2, "Capability Flags", DWORD, (EipSecurityObject o) -> CAPABILITY_SECURE_RENEGOTIATION).inGetAll(),
                        Attribute.get(3, "Available Cipher Suites", SUITES, (EipSecurityObject o) -> o.objects.availableSuites()).inGetAll(),
                        settable(4, "Allowed Cipher Suites", SUITES, EipSecurityConfig::allowedSuites, this::setAllowedSuites),
                        settable(5, "Pre-Shared Keys", PSKS, c -> c.psks().redacted(), this::setPsks),
                        settable(6, "Active Device Certificates", PATHS, EipSecurityConfig::activeCertificates,
                                (c, v) -> c.withActiveCertificates(checkPaths(v, MAX_ACTIVE_CERTIFICATES, true, false, "active certificate"))),
                        settable(7, "Trusted Authorities", PATHS, EipSecurityConfig::trustedAuthorities,
                                (c, v) -> c.withTrustedAuthorities(checkPaths(v, MAX_PATHS, true, true, "trusted authority"))),
                        settable(8, "Certificate Revocation List", CRL_PATH, EipSecurityConfig::crls,
                                (c, v) -> c.withCrls(checkPaths(v, 1, false, true, "CRL"))),
                        settable(9, "Verify Client Certificate", BOOL, EipSecurityConfig::verifyClientCertificate,
                                EipSecurityConfig::withVerifyClientCertificate),
                        settable(10, "Send Certificate Chain", BOOL, EipSecurityConfig::sendCertificateChain,
                                EipSecurityConfig::withSendCertificateChain),
                        settable(11, "Check Expiration", BOOL, EipSecurityConfig::checkExpiration,
                                EipSecurityConfig::withCheckExpiration),
                        settable(12, "Trusted Identities", PATHS, EipSecurityConfig::trustedIdentities,
                                (c, v) -> c.withTrustedIdentities(checkPaths(v, MAX_PATHS, true, false, "trusted identity"))),
                        Attribute.get(13, "Pull Model Enable", BOOL, (EipSecurityObject o) -> o.pullModelEnabled).inGetAll(),
                        Attribute.get(14, "Pull Model Status", UINT, (EipSecurityObject o) -> o.pullModelStatus).inGetAll(),
                        settable(15, "DTLS Timeout", UINT, EipSecurityConfig::dtlsTimeoutSeconds, (c, v) -> {
                            if (v < 1 || v > EipSecurityConfig.MAX_DTLS_TIMEOUT) {
                                throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, "DTLS timeout 1..3600 s: " + v);
                            }
                            return c.withDtlsTimeoutSeconds(v);
                        }),
                        settable(16, "UDP-only Policy", USINT, EipSecurityConfig::udpOnlyPolicy, (c, v) -> {
                            if (v != 0) {
                                throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE,
                                        "UDP-only policy: only 0 is supported (the UDP-only profile is not implemented)");
                            }
                            return c.withUdpOnlyPolicy(v);
                        }),
                        settable(17, "Check Subject Alternative Name", BOOL, EipSecurityConfig::checkSubjectAltName,
                                EipSecurityConfig::withCheckSubjectAltName),
                        Attribute.getSet(ATTR_EST_SERVER_URI, "EST Server URI", CipDataTypes.STRING,
                                (EipSecurityObject o) -> o.estServer.uri(), (EipSecurityObject o, String v, RequestContext ctx) -> {
                                    String problem = v.isEmpty() ? null : EstServerSetting.uriProblem(v);
                                    if (problem != null) {
                                        throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, problem);
                                    }
                                    o.setEstServer(ctx, "EST Server URI", e -> e.withUri(v));
                                }),
                        Attribute.getSet(ATTR_EST_TRUST_ANCHOR, "EST Server Trust Anchor", FINGERPRINT,
                                (EipSecurityObject o) -> o.estServer.trustAnchorSha256(),
                                (EipSecurityObject o, Bytes v, RequestContext ctx) ->
                                        o.setEstServer(ctx, "EST Server Trust Anchor", e -> e.withTrustAnchorSha256(v))))
                .withoutInstanceService(ServiceCodes.SET_ATTRIBUTE_LIST)
                .instanceService(BEGIN_CONFIG, this::beginConfig)
                .instanceService(KICK_TIMER, this::kickTimer)
                .instanceService(APPLY_CONFIG, this::applyConfig)
                .instanceService(ABORT_CONFIG, this::abortConfig)
                .instanceService(ServiceCodes.RESET, this::reset)
                .instance(1, this)
                .build();
    }

    /** Edits the pending configuration; refuses outside a session (0x0C) and from other clients (0x0F). */
    @FunctionalInterface
    private interface Edit<T> {
        EipSecurityConfig apply(EipSecurityConfig config, T value) throws CipServiceException;
    }

    private <T> Attribute<EipSecurityObject, T> settable(int id, String name, CipDataType<T> type,
                                                        Function<EipSecurityConfig, T> read, Edit<T> edit) {
        return Attribute.getSet(id, name, type, (EipSecurityObject o) -> read.apply(o.visible()),
                (EipSecurityObject o, T v, RequestContext ctx) -> o.edit(ctx, name, c -> edit.apply(c, v))).inGetAll();
    }

    @FunctionalInterface
    private interface Change {
        EipSecurityConfig apply(EipSecurityConfig c) throws CipServiceException;
    }

    private void edit(RequestContext ctx, String name, Change change) throws CipServiceException {
        objects.locked(() -> {
            if (state != CONFIGURATION_IN_PROGRESS) {
                throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT,
                        name + " can only be set in a configuration session (Begin_Config first)");
            }
            session.checkOwner(ctx, "Set " + name);
            pending = change.apply(pending);
            return null;
        });
    }

    private void setEstServer(RequestContext ctx, String what, java.util.function.UnaryOperator<EstServerSetting> change)
            throws CipServiceException {
        objects.locked(() -> {
            objects.requireSecureIfConfigured(ctx, configured() || objects.cip().state() == CipSecurityObject.CONFIGURED,
                    "Set " + what);
            EstServerSetting before = estServer;
            estServer = change.apply(before);
            try {
                objects.commit(false, null);
            } catch (CipServiceException e) {
                estServer = before;
                throw e;
            }
            return null;
        });
    }

    private EipSecurityConfig setAllowedSuites(EipSecurityConfig c, CipherSuiteList v) throws CipServiceException {
        List<Integer> available = objects.availableSuites().ids();
        for (int id : v.ids()) {
            if (!available.contains(id)) {
                throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE,
                        String.format("cipher suite 0x%04X is not available on this device", id));
            }
        }
        if (v.ids().stream().distinct().count() != v.ids().size()) {
            throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, "a cipher suite is listed twice");
        }
        return c.withAllowedSuites(v);
    }

    private EipSecurityConfig setPsks(EipSecurityConfig c, PskList v) throws CipServiceException {
        if (v.entries().size() > MAX_PSKS) {
            throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, "at most " + MAX_PSKS + " PSKs: " + v.entries().size());
        }
        for (PskEntry e : v.entries()) {
            if (e.identity().isEmpty() || e.key().isEmpty()) {
                throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, "a PSK needs an identity and a key");
            }
            if (e.usage().isPresent() && e.usage().getAsInt() > 2) {
                throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, "PSK usage must be 0, 1 or 2: " + e.usage().getAsInt());
            }
        }
        if (v.entries().stream().map(PskEntry::identity).distinct().count() != v.entries().size()) {
            throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, "a PSK identity is listed twice");
        }
        return c.withPsks(v);
    }

    private EPathList checkPaths(EPathList v, int max, boolean certificateManagement, boolean file, String what)
            throws CipServiceException {
        if (v.paths().size() > max) {
            throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, "at most " + max + " " + what + " entries");
        }
        for (EPath p : v.paths()) {
            if (!objects.pathExists(p, certificateManagement, file)) {
                throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, what + " path leads nowhere: " + p);
            }
        }
        return v;
    }

    /**
     * Attribute 8 in the single {USINT size, padded EPATH} form (size 0: no CRL), as OpENer, Hilscher
     * and tshark 4.0 read it. A Set also accepts Wireshark master's list form (USINT count + sized
     * EPATHs) with at most one entry. The two cannot both fit the same bytes: a single form starting
     * with byte n is exactly 1 + 2n bytes, while a list of n entries, whose paths are never empty, is
     * at least 1 + 3n.
     */
    static EPathList decodeCrl(WireReader r) throws WireFormatException {
        int remaining = r.remaining();
        int first = r.peekU8(0, "CRL");
        if (remaining == 1 + 2 * first) {
            r.u8("CRL path size");
            if (first == 0) {
                return EPathList.empty();
            }
            try {
                return EPathList.of(EPath.decode(r, first));
            } catch (IllegalArgumentException e) {
                throw new WireFormatException(WireFormatException.Reason.PATH_SEGMENT_ERROR, "CRL: " + e.getMessage());
            }
        }
        EPathList list = EPathList.decode(r);
        if (list.paths().size() > 1) {
            throw new WireFormatException(WireFormatException.Reason.INVALID_VALUE, "at most one CRL path");
        }
        return list;
    }

    static int crlLength(EPathList l) {
        return l.paths().isEmpty() ? 1 : 1 + l.paths().get(0).encodedLength();
    }

    static void encodeCrl(EPathList l, dev.cipsec.wire.buf.WireWriter w) {
        if (l.paths().isEmpty()) {
            w.u8(0);
        } else {
            EPath p = l.paths().get(0);
            w.u8(p.words());
            p.encode(w);
        }
    }

    public CipClass<EipSecurityObject> cipClass() {
        return cipClass;
    }

    public int state() {
        return state;
    }

    /** Successful Apply_Config services since the device started: a commissioning tool must not apply twice. */
    public long applyCount() {
        return applies.get();
    }

    /** The configuration the device runs with. */
    public EipSecurityConfig applied() {
        return applied;
    }

    /** The configuration being edited, or null outside a session. */
    public EipSecurityConfig pending() {
        return pending;
    }

    public boolean pullModelEnabled() {
        return pullModelEnabled;
    }

    public int pullModelStatus() {
        return pullModelStatus;
    }

    /** The EST server set over CIP (attributes 100 and 101), {@link EstServerSetting#NONE} when none was. */
    public EstServerSetting estServer() {
        return estServer;
    }

    boolean configuring() {
        return state == CONFIGURATION_IN_PROGRESS;
    }

    /** Whether a configuration was applied (by push or pull): configuration changes then need TLS. */
    boolean configured() {
        int s = state == CONFIGURATION_IN_PROGRESS ? stateBeforeConfig : state;
        return s == CONFIGURED || s == PULL_MODEL_COMPLETED;
    }

    private EipSecurityConfig visible() {
        EipSecurityConfig p = pending;
        return p != null ? p : applied;
    }

    void restore(int state, EipSecurityConfig applied, boolean pullModelEnabled, int pullModelStatus, EstServerSetting estServer) {
        this.estServer = estServer;
        this.state = state == CONFIGURATION_IN_PROGRESS ? CONFIGURED : state;
        this.applied = applied;
        this.pending = null;
        this.pullModelEnabled = pullModelEnabled;
        this.pullModelStatus = pullModelStatus;
    }

    /** Restored sessions are never open; a persisted state 1 means the device died mid-session. */
    int persistedState() {
        return state == CONFIGURATION_IN_PROGRESS ? stateBeforeConfig : state;
    }

    private MessageRouterResponse beginConfig(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        CipSecurityObject.noData(req);
        return objects.locked(() -> {
            if (state == CONFIGURATION_IN_PROGRESS || state == PULL_MODEL_IN_PROGRESS) {
                throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT, "Begin_Config in state " + state);
            }
            objects.requireSecureIfConfigured(ctx, configured() || objects.cip().state() == CipSecurityObject.CONFIGURED,
                    "Begin_Config");
            stateBeforeConfig = state;
            pending = applied;
            state = CONFIGURATION_IN_PROGRESS;
            session.begin(ctx);
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private MessageRouterResponse kickTimer(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        CipSecurityObject.noData(req);
        return objects.locked(() -> {
            requireSession(ctx, "Kick_Timer");
            session.kick();
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private MessageRouterResponse applyConfig(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        ApplyConfigRequest apply;
        try {
            apply = ApplyConfigRequest.decode(WireReader.of(req.data().toArray()));
        } catch (WireFormatException e) {
            throw new CipServiceException(e.reason().generalStatus(), "Apply_Config: " + e.getMessage());
        }
        return objects.locked(() -> {
            requireSession(ctx, "Apply_Config");
            EipSecurityConfig candidate = pending;
            int failure = objects.hooks().validate(candidate, objects);
            if (failure != 0) {
                throw new CipServiceException(APPLY_FAILED, "Apply_Config refused: " + failureName(failure), failure);
            }
            EipSecurityConfig before = applied;
            applied = candidate;
            pending = null;
            state = CONFIGURED;
            try {
                objects.commit(true, apply);
            } catch (CipServiceException e) {
                applied = before;
                pending = candidate;
                state = CONFIGURATION_IN_PROGRESS;
                throw e;
            }
            session.end();
            applies.incrementAndGet();
            if (apply.objectCleanup()) {
                objects.cleanupQuietly();
            }
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private MessageRouterResponse abortConfig(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        CipSecurityObject.noData(req);
        return objects.locked(() -> {
            requireSession(ctx, "Abort_Config");
            endSession();
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private MessageRouterResponse reset(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        Bytes data = req.data();
        if (data.length() > 1) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, "Reset takes at most one BOOL");
        }
        if (data.length() == 1 && data.get(0) > 1) {
            throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "Reset: pull model enable must be 0 or 1");
        }
        boolean enablePull = data.isEmpty() || data.get(0) == 1;
        return objects.locked(() -> {
            objects.requireSecureIfConfigured(ctx, configured() || objects.cip().state() == CipSecurityObject.CONFIGURED,
                    "Reset");
            objects.resetToFactory(false, !enablePull);
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    /** Pull model progress (the device's EST client), under the lock; the facade commits. */
    void pullProgress(int newState, int status) {
        state = newState;
        pullModelStatus = status;
    }

    /** A configuration the pull model obtained, under the lock; the facade validated it and commits. */
    void pullApplied(EipSecurityConfig config, int status) {
        applied = config;
        pending = null;
        state = PULL_MODEL_COMPLETED;
        pullModelStatus = status;
    }

    /** Counts an apply once it is committed (the TLS listener has the new policy). */
    void countApply() {
        applies.incrementAndGet();
    }

    /** Factory values, under the lock; the facade commits. */
    void resetState(boolean pullDisabled) {
        session.end();
        pending = null;
        applied = objects.factoryConfig();
        pullModelEnabled = !pullDisabled;
        estServer = EstServerSetting.NONE;
        pullModelStatus = pullDisabled ? PULL_STATUS_DISABLED : 0;
        state = pullDisabled ? PULL_MODEL_DISABLED : FACTORY_DEFAULT;
    }

    private void endSession() {
        session.end();
        pending = null;
        state = stateBeforeConfig;
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
                endSession();
            }
        });
    }

    static String failureName(int code) {
        return switch (code) {
            case FAILURE_NO_PSK -> "only PSK suites are allowed but no PSK is configured (0x0001)";
            case FAILURE_NO_CERTIFICATE -> "only certificate suites are allowed but no device certificate is configured (0x0002)";
            case FAILURE_KEY_TYPE -> "no allowed certificate suite matches the device key type (0x0003)";
            case FAILURE_NO_SUITE -> "no cipher suite is allowed (0x0004)";
            default -> String.format("failure 0x%04X", code);
        };
    }
}
