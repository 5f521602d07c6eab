package dev.cipsec.adapter;

import dev.cipsec.adapter.state.StateDirectory;
import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.objects.file.FileInstanceInfo;
import dev.cipsec.objects.file.FileObject;
import dev.cipsec.objects.security.CertificateEntry;
import dev.cipsec.objects.security.CertificateManagementObject;
import dev.cipsec.objects.security.EipSecurityConfig;
import dev.cipsec.objects.security.EipSecurityObject;
import dev.cipsec.objects.security.SecurityHooks;
import dev.cipsec.objects.security.SecurityObjects;
import dev.cipsec.objects.security.SecurityStateCodec;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.transport.StreamConnection;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsServerHandler;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.DeviceCredentials;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.CsrRequest;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskEntry;
import dev.cipsec.wire.security.PskList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The device side of the security objects: turns what the EtherNet/IP Security Object holds into the
 * TLS listener's policy, keeps the private keys, and makes every change durable in the state
 * directory in one all-or-nothing commit (security objects, File instances, keys).
 *
 * <p>State directory files: {@code security.bin} (objects, PSKs included; owner-only),
 * {@code files.bin} (File instances with their contents), {@code keys.p12} (the default identity when
 * the device generated it, and the key of every Certificate Management instance; owner-only) and
 * {@code keys.pass}, the PKCS#12 password (owner-only). The password adds nothing against someone
 * who can read the directory; it exists because PKCS#12 requires one. Keys that must not be readable
 * by the host belong on a PKCS#11 token.
 */
final class DeviceSecurity implements SecurityHooks {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSecurity.class);

    static final String SECURITY_FILE = "security.bin";
    static final String FILES_FILE = "files.bin";
    static final String KEYS_FILE = "keys.p12";
    static final String KEYS_PASSWORD_FILE = "keys.pass";
    static final String PORTS_FILE = "ports.bin";
    static final long DEFAULT_CERT_FILE = 1;
    static final long DEFAULT_CA_FILE = 2;
    private static final String DEFAULT_ALIAS = "default";
    private static final int MAX_CERTIFICATE_INSTANCES = 8;

    private final DeviceRuntime runtime;
    private final TlsPolicy base;
    private final StateDirectory store;
    private final SecureRandom random = new SecureRandom();
    private final Identity defaultIdentity;
    private final boolean defaultGenerated;
    private final Map<Long, Identity> instanceKeys = new ConcurrentHashMap<>();
    private final char[] keysPassword;
    private final FileObject files;
    private final SecurityObjects objects;
    private final ScheduledExecutorService timer;
    private final TlsPolicy factoryPolicy;
    private volatile TlsPolicy live;
    private volatile TlsServerHandler handler;
    /**
     * The keys file as last written, reused until a key changes: PKCS#12 runs PBKDF2 for every entry,
     * which would otherwise cost every Apply_Config hundreds of milliseconds on a small device.
     */
    private Bytes keysFile;
    private final Optional<Boolean> savedPlainTcpOpen;
    private volatile Runnable changeListener = () -> { };

    private DeviceSecurity(DeviceRuntime runtime, ScheduledExecutorService timer) throws IOException {
        this.runtime = runtime;
        this.timer = timer;
        SecuritySettings settings = runtime.profile().security();
        this.base = settings.tls().orElseThrow();
        this.store = settings.stateDirectory().isPresent() ? StateDirectory.open(settings.stateDirectory().get()) : null;
        Map<String, Bytes> saved = store == null ? Map.of() : store.load();
        try {
            Map<String, Identity> keys = Map.of();
            if (saved.containsKey(KEYS_FILE) && saved.containsKey(KEYS_PASSWORD_FILE)) {
                keysPassword = new String(saved.get(KEYS_PASSWORD_FILE).toArray(), StandardCharsets.US_ASCII).toCharArray();
                keys = DeviceCredentials.readPkcs12(saved.get(KEYS_FILE), keysPassword).identities();
                keysFile = saved.get(KEYS_FILE);
            } else {
                byte[] pw = new byte[24];
                random.nextBytes(pw);
                keysPassword = Base64.getEncoder().withoutPadding().encodeToString(pw).toCharArray();
            }
            keys.forEach((alias, id) -> {
                if (alias.startsWith("cm-")) {
                    instanceKeys.put(Long.parseLong(alias.substring(3)), id);
                }
            });
            if (base.identity().isPresent()) {
                defaultIdentity = base.identity().get();
                defaultGenerated = false;
            } else if (keys.containsKey(DEFAULT_ALIAS)) {
                defaultIdentity = keys.get(DEFAULT_ALIAS);
                defaultGenerated = true;
            } else {
                DeviceIdentity id = runtime.profile().identity();
                defaultIdentity = DeviceCredentials.generateDefault(id.productName(),
                        String.format("%08X", id.serialNumber()), random);
                defaultGenerated = true;
                LOG.info("created the default device identity, SHA-256 {}", CredentialFiles.sha256Fingerprint(defaultIdentity.certificate()));
            }
            this.files = new FileObject(FileObject.Limits.defaults(), InstantSource.system(), timer, new FileObject.Listener() {
                @Override
                public void changed(FileInstanceInfo info, Bytes contents) {
                    persistAfterTransfer();
                }

                @Override
                public void deleted(long id) {
                    // Deletions through the File Object's own Delete service are persisted like transfers.
                    persistAfterTransfer();
                }
            });
            if (saved.containsKey(FILES_FILE)) {
                restoreFiles(saved.get(FILES_FILE));
            }
            installDefaultFiles();
            this.factoryPolicy = defaultGenerated || base.identity().isEmpty() ? base.toBuilder().identity(defaultIdentity).build() : base;
            SecurityObjects.Options options = new SecurityObjects.Options(available(), factoryConfig(base),
                    DEFAULT_CERT_FILE, DEFAULT_CA_FILE, settings.sessionTimeout(), MAX_CERTIFICATE_INSTANCES);
            this.objects = new SecurityObjects(options, files, this, timer);
            if (saved.containsKey(SECURITY_FILE)) {
                objects.restore(SecurityStateCodec.decode(saved.get(SECURITY_FILE)));
            }
            savedPlainTcpOpen = saved.containsKey(PORTS_FILE) ? PortAdmin.decodePlainOpen(saved.get(PORTS_FILE)) : Optional.empty();
            this.live = policyFor(objects.eip().applied());
        } catch (WireFormatException | CipServiceException e) {
            throw new IOException("the saved security state is unreadable: " + e.getMessage(), e);
        }
        if (store != null && !saved.containsKey(SECURITY_FILE)) {
            try {
                persist();
            } catch (CipServiceException e) {
                throw new IOException("cannot write the state directory " + store.path() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Opens (or creates) the device's security state and its objects. */
    static DeviceSecurity open(DeviceRuntime runtime, ScheduledExecutorService timer) throws IOException {
        return new DeviceSecurity(runtime, timer);
    }

    SecurityObjects objects() {
        return objects;
    }

    /** Whether plain TCP 44818 was left open (Set_Port_Admin_State), when a state directory says so. */
    Optional<Boolean> savedPlainTcpOpen() {
        return savedPlainTcpOpen;
    }

    /** Persists the current state now; call under the objects' lock. */
    void persistNow() throws CipServiceException {
        persist();
    }

    /** Whether configuration changes now need TLS. */
    boolean configured() {
        return objects.configured();
    }

    Identity defaultIdentity() {
        return defaultIdentity;
    }

    /**
     * DTLS limits with the idle timeout of 0x5E attribute 15 as applied when the listener starts (the
     * DTLS listener's limits are fixed while it runs; a new timeout applies from the next start).
     */
    dev.cipsec.transport.dtls.DtlsLimits dtlsLimits() {
        return dev.cipsec.transport.dtls.DtlsLimits.defaults()
                .withIdleTimeout(java.time.Duration.ofSeconds(objects.eip().applied().dtlsTimeoutSeconds()));
    }

    /** The policy new TLS sessions get. */
    TlsPolicy livePolicy() {
        return live;
    }

    void attach(TlsServerHandler h) {
        this.handler = h;
        h.setPolicy(live);
    }

    void close() {
        if (store != null) {
            store.close();
        }
    }

    // ---- the factory configuration -------------------------------------------------------------

    private static CipherSuiteList available() {
        return new CipherSuiteList(Arrays.stream(CipherSuite.values()).map(CipherSuite::id).sorted().toList());
    }

    /** The 0x5E attributes that describe {@code policy}: what the device does before anyone configures it. */
    private static EipSecurityConfig factoryConfig(TlsPolicy policy) {
        List<PskEntry> psks = new ArrayList<>();
        for (PskCredential p : policy.psks()) {
            psks.add(new PskEntry(p.identity(), p.key(), p.usage() == PskCredential.Usage.ANY ? OptionalInt.empty()
                    : OptionalInt.of(p.usage().ordinal())));
        }
        return EipSecurityConfig.of(new CipherSuiteList(policy.suites().stream().map(CipherSuite::id).toList()),
                        new PskList(psks), EPathList.of(CertificateManagementObject.path(CertificateManagementObject.DEFAULT_INSTANCE)))
                .withVerifyClientCertificate(policy.requireClientCertificate())
                .withSendCertificateChain(policy.sendChain())
                .withCheckSubjectAltName(policy.checkSubjectAltName());
    }

    private void installDefaultFiles() {
        Bytes cert = CredentialFiles.pem(List.of(defaultIdentity.certificate()));
        List<X509Certificate> chain = defaultIdentity.chain();
        Bytes ca = CredentialFiles.pem(List.of(chain.get(chain.size() - 1)));
        for (long id : List.of(DEFAULT_CERT_FILE, DEFAULT_CA_FILE)) {
            Bytes want = id == DEFAULT_CERT_FILE ? cert : ca;
            if (!files.contents(id).map(want::equals).orElse(false)) {
                files.delete(id);
                files.create(id, id == DEFAULT_CERT_FILE ? "Device Certificate" : "CA Certificate", 2, want, true);
            }
        }
    }

    // ---- policy ---------------------------------------------------------------------------------

    /** The TLS policy that {@code config} means; the factory configuration gives the factory policy. */
    TlsPolicy policyFor(EipSecurityConfig config) throws CipServiceException {
        if (config.equals(factoryConfig(base))) {
            return factoryPolicy;
        }
        List<CipherSuite> suites = new ArrayList<>();
        for (int id : config.allowedSuites().ids()) {
            CipherSuite.byId(id).ifPresent(suites::add);
        }
        if (suites.isEmpty()) {
            throw new CipServiceException(EipSecurityObject.APPLY_FAILED, "no cipher suite", EipSecurityObject.FAILURE_NO_SUITE);
        }
        List<PskCredential> psks = new ArrayList<>();
        for (PskEntry e : config.psks().entries()) {
            PskCredential.Usage usage = e.usage().isEmpty() ? PskCredential.Usage.ANY
                    : PskCredential.Usage.values()[Math.min(2, e.usage().getAsInt())];
            psks.add(new PskCredential(e.identity(), e.key(), usage));
        }
        TlsPolicy.Builder b = base.toBuilder().suites(suites).psks(psks)
                .sendChain(config.sendCertificateChain())
                .requireClientCertificate(config.verifyClientCertificate())
                .checkSubjectAltName(config.checkSubjectAltName());
        Optional<Identity> identity = activeIdentity(config);
        if (identity.isPresent()) {
            b.identity(identity.get());
        } else {
            b.noIdentity();
        }
        b.peerVerifier(verifier(config));
        return b.build();
    }

    /** The identity the first active certificate names, when its certificate and key are usable. */
    private Optional<Identity> activeIdentity(EipSecurityConfig config) {
        if (config.activeCertificates().paths().isEmpty()) {
            return Optional.empty();
        }
        EPath p = config.activeCertificates().paths().get(0);
        if (p.classId() != CertificateManagementObject.CLASS_ID) {
            return Optional.empty();
        }
        long instance = p.instanceId();
        if (instance == CertificateManagementObject.DEFAULT_INSTANCE) {
            return Optional.of(defaultIdentity);
        }
        CertificateEntry entry = objects.certificates().entry(instance);
        Identity key = instanceKeys.get(instance);
        if (entry == null || key == null || entry.state() != CertificateEntry.VERIFIED) {
            return Optional.empty();
        }
        try {
            Bytes device = objects.fileContents(entry.device().path());
            if (device == null) {
                return Optional.empty();
            }
            List<X509Certificate> chain = new ArrayList<>(DeviceCredentials.parseCertificates(device));
            if (chain.isEmpty() || !DeviceCredentials.matches(chain.get(0), key.key())) {
                return Optional.empty();
            }
            Bytes ca = entry.ca().path().segments().isEmpty() ? null : objects.fileContents(entry.ca().path());
            if (ca != null) {
                for (X509Certificate c : DeviceCredentials.parseCertificates(ca)) {
                    if (!chain.contains(c)) {
                        chain.add(c);
                    }
                }
            }
            return Optional.of(new Identity(key.key(), chain));
        } catch (IOException | RuntimeException e) {
            LOG.warn("certificate instance {} is not usable: {}", instance, e.getMessage());
            return Optional.empty();
        }
    }

    private PeerVerifier verifier(EipSecurityConfig config) {
        List<X509Certificate> anchors = new ArrayList<>();
        List<X509CRL> crls = new ArrayList<>();
        for (EPath p : config.trustedAuthorities().paths()) {
            addCertificates(objects.certificateFile(p, true), anchors);
        }
        for (EPath p : config.trustedIdentities().paths()) {
            addCertificates(objects.certificateFile(p, false), anchors);
        }
        for (EPath p : config.crls().paths()) {
            Bytes b = objects.fileContents(p);
            if (b != null) {
                try {
                    crls.addAll(DeviceCredentials.parseCrls(b));
                } catch (IOException e) {
                    LOG.warn("CRL at {} is not usable: {}", p, e.getMessage());
                }
            }
        }
        if (anchors.isEmpty()) {
            return PeerVerifier.trusting(TrustStore.empty(), config.checkExpiration());
        }
        return PeerVerifier.trusting(TrustStore.of(anchors, List.of(), crls), config.checkExpiration());
    }

    private static void addCertificates(Bytes data, List<X509Certificate> out) {
        if (data == null) {
            return;
        }
        try {
            out.addAll(DeviceCredentials.parseCertificates(data));
        } catch (IOException e) {
            LOG.warn("trusted certificate is not usable: {}", e.getMessage());
        }
    }

    // ---- SecurityHooks --------------------------------------------------------------------------

    @Override
    public int validate(EipSecurityConfig config, SecurityObjects o) {
        if (config.allowedSuites().ids().isEmpty()) {
            return EipSecurityObject.FAILURE_NO_SUITE;
        }
        TlsPolicy policy;
        try {
            policy = policyFor(config);
        } catch (CipServiceException e) {
            return e.additionalStatus().length > 0 ? e.additionalStatus()[0] : EipSecurityObject.FAILURE_NO_SUITE;
        } catch (IllegalArgumentException e) {
            return EipSecurityObject.FAILURE_NO_SUITE;
        }
        if (!policy.serverSuites().isEmpty()) {
            return 0;
        }
        boolean anyPsk = policy.suites().stream().anyMatch(s -> !s.keyExchange().usesCertificates());
        boolean anyCert = policy.suites().stream().anyMatch(s -> s.keyExchange().usesCertificates());
        if (anyPsk && !anyCert) {
            return EipSecurityObject.FAILURE_NO_PSK;
        }
        return policy.identity().isEmpty() ? EipSecurityObject.FAILURE_NO_CERTIFICATE : EipSecurityObject.FAILURE_KEY_TYPE;
    }

    @Override
    public void commit(SecurityObjects o, boolean policyChanged, ApplyConfigRequest apply) throws CipServiceException {
        TlsPolicy next = policyChanged ? policyFor(o.eip().applied()) : null;
        persist();
        DtlsListener dtls = runtime.dtls();
        if (dtls != null) {
            // The DTLS timeout (attribute 15) applies to the sessions that exist too, not from the next start.
            dtls.port().setIdleTimeout(java.time.Duration.ofSeconds(o.eip().applied().dtlsTimeoutSeconds()));
        }
        if (next != null) {
            List<StreamConnection> existing = apply != null && apply.closeExisting()
                    ? runtime.connectionsNow().stream().filter(StreamConnection::secure).toList() : List.of();
            live = next;
            TlsServerHandler h = handler;
            if (h != null) {
                h.setPolicy(next);
            }
            if (dtls != null) {
                dtls.setPolicy(next);
            }
            boolean closeExisting = apply != null && apply.closeExisting();
            if (closeExisting) {
                // The delay lets the Apply_Config reply (and whatever the tool sends next) through first.
                // DTLS sessions end with close_notify, so their peers handshake again under the new policy.
                timer.schedule(() -> {
                    existing.forEach(StreamConnection::close);
                    if (dtls != null) {
                        dtls.port().endSessions();
                    }
                }, apply.closeDelayMillis(), TimeUnit.MILLISECONDS);
            }
            LOG.info("security configuration applied: {}", o.eip().applied());
        }
        changeListener.run();
    }

    @Override
    public Bytes createCsr(long instance, CsrRequest request) throws CipServiceException {
        DeviceIdentity dev = runtime.profile().identity();
        Identity key = instanceKeys.computeIfAbsent(instance, i -> {
            keysFile = null;
            return DeviceCredentials.generateDefault(request.commonName().isEmpty() ? dev.productName() : request.commonName(),
                    String.format("%08X", dev.serialNumber()), random);
        });
        List<String> sans = request.subjectAltName().isBlank() ? List.of()
                : Arrays.stream(request.subjectAltName().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        CsrSubject subject = new CsrSubject(request.commonName().isEmpty() ? dev.productName() : request.commonName(),
                request.organization(), request.organizationalUnit(), request.locality(), request.stateOrProvince(),
                request.country().toUpperCase(java.util.Locale.ROOT), request.email(),
                request.serialNumber().isEmpty() ? String.format("%08X", dev.serialNumber()) : request.serialNumber(), sans);
        try {
            return Bytes.of(DeviceCredentials.createCsrPem(key, subject));
        } catch (IOException | IllegalArgumentException e) {
            throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "Create_CSR: " + e.getMessage());
        }
    }

    /**
     * A new key and its CSR (PEM) for the pull model, made as Create_CSR makes them; the EST server's
     * policy decides the certificate's names, so an enrolment carries the product name and serial only
     * and a re-enrolment ({@code renewing} not null) the subject of the certificate it renews.
     */
    PullKey newPullKey(X509Certificate renewing) throws IOException {
        DeviceIdentity dev = runtime.profile().identity();
        String serial = String.format("%08X", dev.serialNumber());
        Identity key = DeviceCredentials.generateDefault(dev.productName(), serial, random);
        if (renewing == null) {
            byte[] csr = DeviceCredentials.createCsrPem(key, new CsrSubject(dev.productName(), "", "", "", "", "", "", serial, List.of()));
            return new PullKey(key, csr);
        }
        // Re-enrolment must ask for exactly the current subject (RFC 7030 §4.2.2), in its own RDN order.
        try {
            var request = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                            renewing.getSubjectX500Principal(), key.certificate().getPublicKey())
                    .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(key.key()));
            String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(request.getEncoded())
                    + "\n-----END CERTIFICATE REQUEST-----\n";
            return new PullKey(key, pem.getBytes(StandardCharsets.US_ASCII));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("cannot sign the re-enrolment request: " + e.getMessage(), e);
        }
    }

    /** A pull-model key and its PEM certificate request. */
    record PullKey(Identity key, byte[] csrPem) {
    }

    /** Gives Certificate Management instance {@code instance} its key; under the objects' lock, before the commit. */
    void bindKey(long instance, Identity key) {
        instanceKeys.put(instance, key);
        keysFile = null;
    }

    /** Called after every committed change of the security objects (the pull model wakes on it). */
    void onChange(Runnable listener) {
        this.changeListener = listener;
    }

    @Override
    public String verify(long instance, Bytes deviceCertificate, Bytes caCertificate) {
        try {
            List<X509Certificate> ca = caCertificate == null ? List.of() : DeviceCredentials.parseCertificates(caCertificate);
            if (caCertificate != null && ca.isEmpty()) {
                return "the CA certificate file holds no certificate";
            }
            if (deviceCertificate == null) {
                return null;
            }
            List<X509Certificate> chain = DeviceCredentials.parseCertificates(deviceCertificate);
            if (chain.isEmpty()) {
                return "the device certificate file holds no certificate";
            }
            X509Certificate leaf = chain.get(0);
            Identity key = instance == CertificateManagementObject.DEFAULT_INSTANCE ? defaultIdentity : instanceKeys.get(instance);
            if (key == null) {
                return "instance " + instance + " has no key: Create_CSR first";
            }
            if (!DeviceCredentials.matches(leaf, key.key())) {
                return "the device certificate does not belong to this instance's key";
            }
            if (!ca.isEmpty()) {
                boolean issued = false;
                for (X509Certificate c : ca) {
                    try {
                        leaf.verify(c.getPublicKey());
                        issued = true;
                        break;
                    } catch (java.security.GeneralSecurityException e) {
                        // try the next one
                    }
                }
                if (!issued) {
                    return "the device certificate was not issued by the CA certificate";
                }
            }
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    @Override
    public void instanceDeleted(long instance) {
        if (instanceKeys.remove(instance) != null) {
            keysFile = null;
        }
    }

    // ---- persistence ----------------------------------------------------------------------------

    private void persistAfterTransfer() {
        try {
            objects.locked(() -> {
                persist();
                return null;
            });
        } catch (CipServiceException e) {
            LOG.error("could not persist a file transfer: {}", e.getMessage());
        }
    }

    private void persist() throws CipServiceException {
        if (store == null) {
            return;
        }
        try {
            Map<String, Bytes> out = new LinkedHashMap<>();
            out.put(SECURITY_FILE, SecurityStateCodec.encode(objects.state()));
            out.put(FILES_FILE, encodeFiles());
            if (keysFile == null) {
                Map<String, Identity> ids = new HashMap<>();
                if (defaultGenerated) {
                    ids.put(DEFAULT_ALIAS, defaultIdentity);
                }
                instanceKeys.forEach((id, k) -> ids.put("cm-" + id, k));
                keysFile = DeviceCredentials.writePkcs12(ids, Map.of(), keysPassword);
            }
            out.put(KEYS_FILE, keysFile);
            out.put(KEYS_PASSWORD_FILE, Bytes.of(new String(keysPassword).getBytes(StandardCharsets.US_ASCII)));
            out.put(PORTS_FILE, PortAdmin.encode(runtime.objects().tcpIp().ports()));
            store.commit(out, Set.of(SECURITY_FILE, KEYS_FILE, KEYS_PASSWORD_FILE));
        } catch (IOException e) {
            // An interrupted writer (the device closing) gets ClosedByInterruptException, whose message is null.
            throw new CipServiceException(GeneralStatus.STORE_OPERATION_FAILURE, "cannot persist the security state: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private Bytes encodeFiles() {
        List<byte[]> parts = new ArrayList<>();
        int total = 0;
        for (FileInstanceInfo f : files.instances()) {
            Bytes contents = files.contents(f.id()).orElse(Bytes.EMPTY);
            int len = 4 + CipDataTypes.SHORT_STRING.encodedLength(f.name()) + 2 + 4 + contents.length();
            WireWriter w = WireWriter.ofSize(len);
            w.u32(f.id());
            CipDataTypes.SHORT_STRING.encode(f.name(), w);
            w.u8(f.encoding());
            w.u8(f.readOnly() ? 1 : 0);
            w.u32(contents.length());
            w.bytes(contents);
            parts.add(w.array());
            total += len;
        }
        byte[] out = new byte[total];
        int off = 0;
        for (byte[] b : parts) {
            System.arraycopy(b, 0, out, off, b.length);
            off += b.length;
        }
        return Bytes.of(out);
    }

    private void restoreFiles(Bytes data) throws WireFormatException {
        WireReader r = WireReader.of(data.toArray());
        while (r.hasRemaining()) {
            long id = r.u32("file id");
            String name = CipDataTypes.SHORT_STRING.decode(r);
            int encoding = r.u8("encoding");
            boolean readOnly = r.u8("read only") != 0;
            long len = r.u32("file length");
            if (len > r.remaining()) {
                throw new WireFormatException(WireFormatException.Reason.LENGTH_MISMATCH, "file " + id + " of " + len + " bytes");
            }
            Bytes contents = r.bytes((int) len, "file contents");
            files.create(id, name, encoding, contents, readOnly);
        }
    }
}
