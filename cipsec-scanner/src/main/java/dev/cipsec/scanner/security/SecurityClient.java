package dev.cipsec.scanner.security;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CertificateList;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.CsrRequest;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskList;

import java.io.IOException;
import java.util.Objects;

/**
 * Typed access to a target's CIP Security objects over an existing {@link CipClient}: CIP Security
 * (0x5D, {@link #cip()}), EtherNet/IP Security (0x5E, {@link #eip()}), Certificate Management (0x5F,
 * {@link #certificates()}) and the File object that carries certificates and CSRs (0x37,
 * {@link #files()}). Every refusal is a {@link SecurityServiceException} naming the service; a reply
 * that does not decode is an {@link IOException}.
 *
 * <p>A configured device accepts configuration changes only over TLS, and a configuration session
 * belongs to the host that began it (see docs/security-objects.md).
 */
public final class SecurityClient {
    public static final int CIP_SECURITY_CLASS = 0x5D;
    public static final int EIP_SECURITY_CLASS = 0x5E;
    public static final int CERTIFICATE_MANAGEMENT_CLASS = 0x5F;

    /** Services shared by 0x5D and 0x5E (0x4D is End_Config on 0x5D, Apply_Config on 0x5E). */
    static final int BEGIN_CONFIG = 0x4B;
    static final int KICK_TIMER = 0x4C;
    static final int END_OR_APPLY = 0x4D;
    static final int CLEANUP_OR_ABORT = 0x4E;
    static final int CREATE_CSR = 0x4B;
    static final int VERIFY_CERTIFICATE = 0x4C;

    private final CipClient client;
    private final Cip cip = new Cip();
    private final Eip eip = new Eip();
    private final Certificates certificates = new Certificates();
    private final FileTransfer files;

    public SecurityClient(CipClient client) {
        this.client = Objects.requireNonNull(client, "client");
        this.files = new FileTransfer(client);
    }

    public CipClient client() {
        return client;
    }

    public Cip cip() {
        return cip;
    }

    public Eip eip() {
        return eip;
    }

    public Certificates certificates() {
        return certificates;
    }

    public FileTransfer files() {
        return files;
    }

    private Bytes call(String name, int service, EPath path, Bytes data) throws IOException, SecurityServiceException {
        return Calls.call(client, name, service, path, data);
    }

    private Bytes get(int classId, long instance, int attribute, String name) throws IOException, SecurityServiceException {
        return call(String.format("0x%02X Get_Attribute_Single %s", classId, name), ServiceCodes.GET_ATTRIBUTE_SINGLE,
                EPath.classInstanceAttribute(classId, instance, attribute), Bytes.EMPTY);
    }

    private <T> T get(int classId, long instance, int attribute, String name, Calls.Decoder<T> d)
            throws IOException, SecurityServiceException {
        return Calls.decode(name, get(classId, instance, attribute, name), d);
    }

    private void set(int classId, long instance, int attribute, String name, Bytes value)
            throws IOException, SecurityServiceException {
        call(String.format("0x%02X Set_Attribute_Single %s", classId, name), ServiceCodes.SET_ATTRIBUTE_SINGLE,
                EPath.classInstanceAttribute(classId, instance, attribute), value);
    }

    private static boolean readBool(WireReader r) throws WireFormatException {
        return r.u8("BOOL") != 0;
    }

    /**
     * TCP/IP Interface (0xF5) Set_Port_Admin_State for plain EtherNet/IP on TCP 44818 (reference §3.5, §8.1
     * step 7): closed, the device is reachable only over TLS on 2221.
     */
    public void setPlainTcpPort(boolean open) throws IOException, SecurityServiceException {
        byte[] data = {1, (byte) 0x12, (byte) 0xAF, 6, (byte) (open ? 1 : 0)};
        call("0xF5 Set_Port_Admin_State", 0x4C, EPath.classInstance(0xF5, 1), Bytes.of(data));
    }

    /** CIP Security Object, class 0x5D, instance 1. */
    public final class Cip {
        public static final int FACTORY_DEFAULT = 0;
        public static final int CONFIGURATION_IN_PROGRESS = 1;
        public static final int CONFIGURED = 2;
        public static final int INCOMPLETE_CONFIGURATION = 3;

        private static final EPath INSTANCE = EPath.classInstance(CIP_SECURITY_CLASS, 1);

        private Cip() {
        }

        /** Attribute 1: 0 factory default, 1 configuration in progress, 2 configured, 3 incomplete. */
        public int state() throws IOException, SecurityServiceException {
            return get(CIP_SECURITY_CLASS, 1, 1, "State", r -> r.u8("state"));
        }

        /** Attribute 2: the profiles the device implements (bit 1: EtherNet/IP Confidentiality). */
        public int securityProfiles() throws IOException, SecurityServiceException {
            return get(CIP_SECURITY_CLASS, 1, 2, "Security Profiles", r -> r.u16("profiles"));
        }

        /** Attribute 3: the profiles configured. */
        public int securityProfilesConfigured() throws IOException, SecurityServiceException {
            return get(CIP_SECURITY_CLASS, 1, 3, "Security Profiles Configured", r -> r.u16("profiles"));
        }

        public void beginConfig() throws IOException, SecurityServiceException {
            call("0x5D Begin_Config", BEGIN_CONFIG, INSTANCE, Bytes.EMPTY);
        }

        public void kickTimer() throws IOException, SecurityServiceException {
            call("0x5D Kick_Timer", KICK_TIMER, INSTANCE, Bytes.EMPTY);
        }

        public void endConfig() throws IOException, SecurityServiceException {
            call("0x5D End_Config", END_OR_APPLY, INSTANCE, Bytes.EMPTY);
        }

        /** Reset: every security object back to factory default. */
        public void reset() throws IOException, SecurityServiceException {
            call("0x5D Reset", ServiceCodes.RESET, INSTANCE, Bytes.EMPTY);
        }

        /** Object_Cleanup (class level): deletes certificate and File instances nothing refers to. */
        public void objectCleanup() throws IOException, SecurityServiceException {
            call("0x5D Object_Cleanup", CLEANUP_OR_ABORT, EPath.classInstance(CIP_SECURITY_CLASS, 0), Bytes.EMPTY);
        }
    }

    /** EtherNet/IP Security Object, class 0x5E, instance 1. */
    public final class Eip {
        public static final int FACTORY_DEFAULT = 0;
        public static final int CONFIGURATION_IN_PROGRESS = 1;
        public static final int CONFIGURED = 2;

        private static final EPath INSTANCE = EPath.classInstance(EIP_SECURITY_CLASS, 1);

        private Eip() {
        }

        private <T> T attr(int id, String name, Calls.Decoder<T> d) throws IOException, SecurityServiceException {
            return get(EIP_SECURITY_CLASS, 1, id, name, d);
        }

        private void put(int id, String name, Bytes value) throws IOException, SecurityServiceException {
            set(EIP_SECURITY_CLASS, 1, id, name, value);
        }

        /** Attribute 1: 0 factory default, 1 configuration in progress, 2 configured, 3-5 pull model. */
        public int state() throws IOException, SecurityServiceException {
            return attr(1, "State", r -> r.u8("state"));
        }

        /** Attribute 2. */
        public long capabilityFlags() throws IOException, SecurityServiceException {
            return attr(2, "Capability Flags", r -> r.u32("flags"));
        }

        /** Attribute 3: what the device's TLS stack can run. */
        public CipherSuiteList availableSuites() throws IOException, SecurityServiceException {
            return attr(3, "Available Cipher Suites", CipherSuiteList::decode);
        }

        /** Attribute 4. */
        public CipherSuiteList allowedSuites() throws IOException, SecurityServiceException {
            return attr(4, "Allowed Cipher Suites", CipherSuiteList::decode);
        }

        /** Attribute 5: identities and usages; the device never returns the keys (size 0). */
        public PskList psks() throws IOException, SecurityServiceException {
            return attr(5, "Pre-Shared Keys", PskList::decode);
        }

        /** Attribute 6: 0x5F instance paths. */
        public EPathList activeCertificates() throws IOException, SecurityServiceException {
            return attr(6, "Active Device Certificates", EPathList::decode);
        }

        /** Attribute 7: 0x5F or File instance paths. */
        public EPathList trustedAuthorities() throws IOException, SecurityServiceException {
            return attr(7, "Trusted Authorities", EPathList::decode);
        }

        /**
         * Attribute 8 in the single form {USINT size, padded EPATH} the device answers with
         * (docs/security-objects.md); {@link EPath#EMPTY} when no CRL is configured.
         */
        public EPath crl() throws IOException, SecurityServiceException {
            return attr(8, "Certificate Revocation List", r -> {
                int words = r.u8("CRL path size");
                return EPath.decode(r, words);
            });
        }

        public boolean verifyClientCertificate() throws IOException, SecurityServiceException {
            return attr(9, "Verify Client Certificate", SecurityClient::readBool);
        }

        public boolean sendCertificateChain() throws IOException, SecurityServiceException {
            return attr(10, "Send Certificate Chain", SecurityClient::readBool);
        }

        public boolean checkExpiration() throws IOException, SecurityServiceException {
            return attr(11, "Check Expiration", SecurityClient::readBool);
        }

        /** Attribute 12: 0x5F instance paths. */
        public EPathList trustedIdentities() throws IOException, SecurityServiceException {
            return attr(12, "Trusted Identities", EPathList::decode);
        }

        public boolean pullModelEnabled() throws IOException, SecurityServiceException {
            return attr(13, "Pull Model Enable", SecurityClient::readBool);
        }

        public int pullModelStatus() throws IOException, SecurityServiceException {
            return attr(14, "Pull Model Status", r -> r.u16("status"));
        }

        /** Attribute 15, seconds. */
        public int dtlsTimeout() throws IOException, SecurityServiceException {
            return attr(15, "DTLS Timeout", r -> r.u16("timeout"));
        }

        public int udpOnlyPolicy() throws IOException, SecurityServiceException {
            return attr(16, "UDP-only Policy", r -> r.u8("policy"));
        }

        public boolean checkSubjectAltName() throws IOException, SecurityServiceException {
            return attr(17, "Check Subject Alternative Name", SecurityClient::readBool);
        }

        public void setAllowedSuites(CipherSuiteList suites) throws IOException, SecurityServiceException {
            put(4, "Allowed Cipher Suites", suites.toBytes());
        }

        public void setPsks(PskList psks) throws IOException, SecurityServiceException {
            put(5, "Pre-Shared Keys", psks.toBytes());
        }

        public void setActiveCertificates(EPathList paths) throws IOException, SecurityServiceException {
            put(6, "Active Device Certificates", paths.toBytes());
        }

        public void setTrustedAuthorities(EPathList paths) throws IOException, SecurityServiceException {
            put(7, "Trusted Authorities", paths.toBytes());
        }

        /** Attribute 8 in the single form; {@link EPath#EMPTY} removes the CRL. */
        public void setCrl(EPath path) throws IOException, SecurityServiceException {
            byte[] out = new byte[1 + path.encodedLength()];
            out[0] = (byte) path.words();
            System.arraycopy(path.toBytes().toArray(), 0, out, 1, path.encodedLength());
            put(8, "Certificate Revocation List", Bytes.of(out));
        }

        public void setVerifyClientCertificate(boolean on) throws IOException, SecurityServiceException {
            put(9, "Verify Client Certificate", Calls.bool(on));
        }

        public void setSendCertificateChain(boolean on) throws IOException, SecurityServiceException {
            put(10, "Send Certificate Chain", Calls.bool(on));
        }

        public void setCheckExpiration(boolean on) throws IOException, SecurityServiceException {
            put(11, "Check Expiration", Calls.bool(on));
        }

        public void setTrustedIdentities(EPathList paths) throws IOException, SecurityServiceException {
            put(12, "Trusted Identities", paths.toBytes());
        }

        /** Attribute 15, 1..3600 s. */
        public void setDtlsTimeout(int seconds) throws IOException, SecurityServiceException {
            if (seconds < 0 || seconds > 0xFFFF) {
                throw new IllegalArgumentException("DTLS timeout is a UINT: " + seconds);
            }
            put(15, "DTLS Timeout", Calls.u16(seconds));
        }

        public void setUdpOnlyPolicy(int policy) throws IOException, SecurityServiceException {
            if (policy < 0 || policy > 0xFF) {
                throw new IllegalArgumentException("UDP-only policy is a USINT: " + policy);
            }
            put(16, "UDP-only Policy", Calls.u8(policy));
        }

        public void setCheckSubjectAltName(boolean on) throws IOException, SecurityServiceException {
            put(17, "Check Subject Alternative Name", Calls.bool(on));
        }

        /**
         * Our vendor-specific attribute 100: the EST server of the pull model ({@code https://host[:port]/.well-known/est}),
         * empty when none was set over CIP. Other devices answer 0x14 (attribute not supported).
         */
        public String estServerUri() throws IOException, SecurityServiceException {
            return attr(100, "EST Server URI", r -> {
                String s = r.ascii(r.u16("STRING length"), "EST Server URI");
                r.expectEnd("EST Server URI");
                return s;
            });
        }

        /** Our vendor-specific attribute 101: the SHA-256 of a certificate in the EST server's chain, or empty. */
        public byte[] estTrustAnchorSha256() throws IOException, SecurityServiceException {
            return attr(101, "EST Server Trust Anchor", r -> r.bytes(r.u8("length"), "fingerprint").toArray());
        }

        /** Sets attribute 100 (takes effect and persists at once; empty clears it). */
        public void setEstServerUri(String uri) throws IOException, SecurityServiceException {
            byte[] chars = uri.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (chars.length > 0xFFFF) {
                throw new IllegalArgumentException("a STRING holds at most 65535 characters");
            }
            byte[] out = new byte[2 + chars.length];
            out[0] = (byte) chars.length;
            out[1] = (byte) (chars.length >>> 8);
            System.arraycopy(chars, 0, out, 2, chars.length);
            put(100, "EST Server URI", Bytes.of(out));
        }

        /** Sets attribute 101: 32 bytes, or none to trust the device's own EST anchors. */
        public void setEstTrustAnchorSha256(byte[] fingerprint) throws IOException, SecurityServiceException {
            if (fingerprint.length != 0 && fingerprint.length != 32) {
                throw new IllegalArgumentException("a SHA-256 fingerprint is 32 bytes");
            }
            byte[] out = new byte[1 + fingerprint.length];
            out[0] = (byte) fingerprint.length;
            System.arraycopy(fingerprint, 0, out, 1, fingerprint.length);
            put(101, "EST Server Trust Anchor", Bytes.of(out));
        }

        public void beginConfig() throws IOException, SecurityServiceException {
            call("0x5E Begin_Config", BEGIN_CONFIG, INSTANCE, Bytes.EMPTY);
        }

        public void kickTimer() throws IOException, SecurityServiceException {
            call("0x5E Kick_Timer", KICK_TIMER, INSTANCE, Bytes.EMPTY);
        }

        /**
         * Apply_Config: the device validates what was set and puts it in force for new TLS sessions.
         * A refusal is 0xD0 with the failure code as additional status (1 no PSK, 2 no certificate,
         * 3 key type, 4 no suite).
         */
        public void applyConfig(ApplyConfigRequest request) throws IOException, SecurityServiceException {
            call("0x5E Apply_Config", END_OR_APPLY, INSTANCE, request.toBytes());
        }

        public void abortConfig() throws IOException, SecurityServiceException {
            call("0x5E Abort_Config", CLEANUP_OR_ABORT, INSTANCE, Bytes.EMPTY);
        }

        /** Reset to factory default; {@code enablePullModel} false disables the pull model. */
        public void reset(boolean enablePullModel) throws IOException, SecurityServiceException {
            call("0x5E Reset", ServiceCodes.RESET, INSTANCE, Calls.bool(enablePullModel));
        }
    }

    /** Certificate Management Object, class 0x5F. */
    public final class Certificates {
        /** Attribute 2 values. */
        public static final int CREATED = 1;
        public static final int CONFIGURING = 2;
        public static final int VERIFIED = 3;
        public static final int INVALID = 4;
        /** Verify_Certificate parameter: both, device certificate, CA certificate. */
        public static final int VERIFY_ALL = 0;
        public static final int VERIFY_DEVICE = 1;
        public static final int VERIFY_CA = 2;
        public static final long DEFAULT_INSTANCE = 1;

        private Certificates() {
        }

        public static EPath path(long instance) {
            return EPath.classInstance(CERTIFICATE_MANAGEMENT_CLASS, instance);
        }

        private <T> T attr(long instance, int id, String name, Calls.Decoder<T> d) throws IOException, SecurityServiceException {
            return get(CERTIFICATE_MANAGEMENT_CLASS, instance, id, name, d);
        }

        /** Class attribute 8 (bit 0 push model, bit 1 pull model). */
        public long capabilityFlags() throws IOException, SecurityServiceException {
            return attr(0, 8, "Capability Flags", r -> r.u32("flags"));
        }

        /** Class attribute 9: every instance with its name. */
        public CertificateList list() throws IOException, SecurityServiceException {
            return attr(0, 9, "Certificate List", CertificateList::decode);
        }

        /** Class attribute 10 (bit 0 PEM, bit 1 PKCS#7). */
        public long encodingsFlag() throws IOException, SecurityServiceException {
            return attr(0, 10, "Certificate Encodings Flag", r -> r.u32("flags"));
        }

        public String name(long instance) throws IOException, SecurityServiceException {
            return attr(instance, 1, "Name", r -> Calls.readShortString(r, "name"));
        }

        /** Attribute 2: 1 created, 2 configuring, 3 verified, 4 invalid. */
        public int state(long instance) throws IOException, SecurityServiceException {
            return attr(instance, 2, "State", r -> r.u8("state"));
        }

        public CertificateReference deviceCertificate(long instance) throws IOException, SecurityServiceException {
            return attr(instance, 3, "Device Certificate", CertificateReference::decode);
        }

        public CertificateReference caCertificate(long instance) throws IOException, SecurityServiceException {
            return attr(instance, 4, "CA Certificate", CertificateReference::decode);
        }

        /** Attribute 5: 0 PEM, 1 PKCS#7. */
        public int encoding(long instance) throws IOException, SecurityServiceException {
            return attr(instance, 5, "Certificate Encoding", r -> r.u8("encoding"));
        }

        /** Points attribute 3 at a File instance holding the device certificate; the device marks it not verified. */
        public void setDeviceCertificate(long instance, EPath file) throws IOException, SecurityServiceException {
            set(CERTIFICATE_MANAGEMENT_CLASS, instance, 3, "Device Certificate",
                    new CertificateReference(CertificateReference.NOT_VERIFIED, file).toBytes());
        }

        /** Points attribute 4 at a File instance holding the CA certificate. */
        public void setCaCertificate(long instance, EPath file) throws IOException, SecurityServiceException {
            set(CERTIFICATE_MANAGEMENT_CLASS, instance, 4, "CA Certificate",
                    new CertificateReference(CertificateReference.NOT_VERIFIED, file).toBytes());
        }

        /** Create (class service): a new instance named {@code name}; returns its instance number. */
        public long create(String name) throws IOException, SecurityServiceException {
            Bytes reply = call("0x5F Create", ServiceCodes.CREATE, EPath.classInstance(CERTIFICATE_MANAGEMENT_CLASS, 0),
                    Calls.shortString(name));
            return Calls.decode("0x5F Create", reply, r -> (long) r.u16("instance"));
        }

        public void delete(long instance) throws IOException, SecurityServiceException {
            call("0x5F Delete", ServiceCodes.DELETE, path(instance), Bytes.EMPTY);
        }

        /** Create_CSR: the device generates a key for the instance and a CSR; returns the File instance path holding it. */
        public EPath createCsr(long instance, CsrRequest request) throws IOException, SecurityServiceException {
            Bytes reply = call("0x5F Create_CSR", CREATE_CSR, path(instance), request.toBytes());
            return Calls.decode("0x5F Create_CSR", reply, r -> EPath.decode(r, r.u8("path size")));
        }

        /** Verify_Certificate with {@link #VERIFY_ALL}, {@link #VERIFY_DEVICE} or {@link #VERIFY_CA}; refused with 0xD0 when the check fails. */
        public void verify(long instance, int which) throws IOException, SecurityServiceException {
            if (which < 0 || which > 0xFFFF) {
                throw new IllegalArgumentException("Verify_Certificate takes a UINT: " + which);
            }
            call("0x5F Verify_Certificate", VERIFY_CERTIFICATE, path(instance), Calls.u16(which));
        }
    }
}
