package dev.cipsec.commission.deploy;

import dev.cipsec.commission.policy.Authentication;
import dev.cipsec.commission.policy.DevicePolicy;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.IdentityInfo;
import dev.cipsec.scanner.Target;
import dev.cipsec.scanner.security.FileTransfer;
import dev.cipsec.scanner.security.SecurityClient;
import dev.cipsec.scanner.security.SecurityServiceException;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.AtomicFiles;
import dev.cipsec.transport.tls.cert.CertificateRejectedException;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.PinnedCertificate;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CertificateList;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.CsrRequest;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskEntry;
import dev.cipsec.wire.security.PskList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Drives one device to its {@link DevicePolicy} over TLS on 2221 (reference §8.1 and §6.6), writing each step
 * to the device's {@link DeviceJournal} before going on:
 *
 * <ol>
 *   <li>connect with the device's default credentials, checked against the pinned fingerprint or the vendor CA
 *       (or with its current, plant-CA credentials when the journal says it was configured), and check its
 *       Identity object against the inventory;</li>
 *   <li>Begin_Config on 0x5D and 0x5E (Kick_Timer keeps the session alive between steps);</li>
 *   <li>certificate devices: Create_CSR on a 0x5F instance of ours, sign it with the plant CA, download the
 *       certificate and the CA certificate, Verify_Certificate;</li>
 *   <li>write suites, PSKs, active certificate, trusted authority, CRL and flags; Apply_Config; End_Config;</li>
 *   <li>close plain EtherNet/IP when the policy says so;</li>
 *   <li>verify with a fresh TLS session on the new credentials and a read of the security objects.</li>
 * </ol>
 *
 * <p>Resuming: a step the device keeps (an issued certificate, Apply_Config, End_Config, the port closure, the
 * verification) is never done twice; a configuration session the device still holds for this host is taken
 * up again with Kick_Timer; writes inside a session the device dropped are sent again, since the device
 * discarded them. When the tool died between "applying" and the answer, the device decides: if it presents
 * the issued certificate and says Configured, the apply happened.
 */
public final class Commissioner {
    private static final Logger log = LoggerFactory.getLogger(Commissioner.class);

    /** Name of the Certificate Management (0x5F) instance that holds the plant-CA certificate on each device. */
    public static final String INSTANCE_NAME = "cipsec plant certificate";
    private static final Pattern FILE_SAFE = Pattern.compile("[A-Za-z0-9._-]+");

    private final Path stateDir;
    private final CertificateAuthority ca;
    private final Identity tool;
    private final DeploymentOptions options;

    /**
     * @param stateDir the deployment's state directory: journals ({@code devices/<name>.journal}), issued
     *                 certificates, reports, the tool's identity
     */
    public Commissioner(Path stateDir, CertificateAuthority ca, Identity tool, DeploymentOptions options) {
        this.stateDir = stateDir;
        this.ca = ca;
        this.tool = tool;
        this.options = options;
    }

    /** Where a device's journal lives; device names are checked to be file-name safe. */
    public static Path journalFile(Path stateDir, String device) {
        return deviceDir(stateDir, device).resolve("journal");
    }

    static Path deviceDir(Path stateDir, String device) {
        if (!FILE_SAFE.matcher(device).matches() || device.startsWith(".")) {
            throw new IllegalArgumentException("device name must be letters, digits, '.', '_' or '-': " + device);
        }
        return stateDir.resolve("devices").resolve(device);
    }

    /**
     * What the journal records as deployed: the policy's hash, the plant CA and the CRL devices get. A new CA or
     * a new CRL is a change too, so a differential deployment hands a fresh CRL to every device.
     */
    String deployedHash(DevicePolicy p) throws IOException {
        Optional<X509CRL> crl = ca.crl();
        String crlNumber = "none";
        if (crl.isPresent()) {
            byte[] ext = crl.get().getExtensionValue(org.bouncycastle.asn1.x509.Extension.cRLNumber.getId());
            crlNumber = ext == null ? crl.get().getThisUpdate().toInstant().toString()
                    : java.util.HexFormat.of().formatHex(ext);
        }
        String text = p.configHash() + "|" + CredentialFiles.sha256Fingerprint(ca.certificate()) + "|" + crlNumber;
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deploys {@code policy} to its device; never throws for a device-side problem (the report says it). */
    public DeviceReport deploy(DevicePolicy policy) throws IOException {
        DeviceJournal journal = DeviceJournal.open(journalFile(stateDir, policy.name()));
        Run run = new Run(policy, journal);
        return run.execute();
    }

    /** What the journal says about earlier runs of the same configuration since it was last completed. */
    record Facts(boolean everDone, String doneHash, boolean applying, boolean applied, boolean ended,
                 boolean plainClosed, boolean verified, String issuedSerial, long issuedInstance) {
        static Facts of(DeviceJournal journal, String hash) {
            List<DeviceJournal.Entry> all = journal.entries();
            int lastDone = -1;
            for (int i = all.size() - 1; i >= 0; i--) {
                if (all.get(i).event().equals(Events.DONE)) {
                    lastDone = i;
                    break;
                }
            }
            String doneHash = lastDone >= 0 ? all.get(lastDone).field("hash") : "";
            boolean applying = false;
            boolean applied = false;
            boolean ended = false;
            boolean plainClosed = false;
            boolean verified = false;
            String serial = "";
            long instance = -1;
            boolean sameConfig = false;
            for (int i = lastDone + 1; i < all.size(); i++) {
                DeviceJournal.Entry e = all.get(i);
                switch (e.event()) {
                    case Events.START -> {
                        sameConfig = e.field("hash").equals(hash);
                        if (!sameConfig) {
                            // A run of another configuration: what it left half-done does not count for this one.
                            applying = applied = ended = plainClosed = verified = false;
                            serial = "";
                            instance = -1;
                        }
                    }
                    case Events.ISSUED -> {
                        if (sameConfig && e.field("instance").matches("[0-9]{1,9}")) {
                            serial = e.field("serial");
                            instance = Long.parseLong(e.field("instance"));
                        }
                    }
                    case Events.APPLYING -> applying |= sameConfig;
                    case Events.APPLIED -> applied |= sameConfig;
                    case Events.ENDED -> ended |= sameConfig;
                    case Events.PLAIN_CLOSED -> plainClosed |= sameConfig;
                    case Events.VERIFIED -> verified |= sameConfig;
                    default -> {
                    }
                }
            }
            return new Facts(lastDone >= 0, doneHash, applying, applied, ended, plainClosed, verified, serial, instance);
        }
    }

    /** A step failed: the report's failure and the journal's "failed" line. */
    private static final class StepFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient DeviceReport.Failure failure;
        final DeviceReport.Result result;

        StepFailure(DeviceReport.Result result, DeviceReport.Failure failure, Throwable cause) {
            super(failure.message(), cause);
            this.result = result;
            this.failure = failure;
        }
    }

    /** An open session with what it took to open it. */
    private record Connected(CipClient client, SecurityClient security, boolean current, X509Certificate presented) {
    }

    private final class Run {
        private final DevicePolicy p;
        private final DeviceJournal journal;
        private final String hash;
        private final List<String> steps = new ArrayList<>();
        private final List<String> changes = new ArrayList<>();
        private final long started = System.nanoTime();
        private String step = Events.START;
        private String presentedFingerprint = "";
        private String deviceFingerprint = "";
        private volatile boolean inSession;
        private volatile boolean eipInSession;
        private Thread kicker;

        Run(DevicePolicy p, DeviceJournal journal) throws IOException {
            this.p = p;
            this.journal = journal;
            this.hash = deployedHash(p);
        }

        /**
         * Journal first, then the step list. A journal that cannot be written stops the whole deployment
         * (unchecked, so that it is not mistaken for a device's I/O error): going on would make resuming blind.
         */
        private void record(String event, String... kv) {
            try {
                journal.append(event, kv);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write the journal " + journal.file(), e);
            }
            steps.add(event);
        }

        private DeviceReport report(DeviceReport.Result result, DeviceReport.Failure failure) {
            return new DeviceReport(p.name(), p.host() + ":" + p.tlsPort(), result, steps, changes, presentedFingerprint,
                    deviceFingerprint, failure, Duration.ofNanos(System.nanoTime() - started));
        }

        DeviceReport execute() throws IOException {
            Facts facts = Facts.of(journal, hash);
            if (options.differential() && facts.everDone() && facts.doneHash().equals(hash)) {
                deviceFingerprint = journal.last(Events.VERIFIED).map(e -> e.field("fingerprint")).orElse("");
                if (!options.checkUnchanged()) {
                    return report(DeviceReport.Result.UNCHANGED, null);
                }
                String changed = stillDeployed();
                if (changed == null) {
                    return report(DeviceReport.Result.UNCHANGED, null);
                }
                // Replaced or factory reset: a device that matches the entry's identity gets its policy again.
                log.info("{}: {}; deploying it again", p.name(), changed);
                changes.add(changed + ": deployed again");
                deviceFingerprint = "";
            }
            record(Events.START, "hash", hash, "mode", options.differential() ? "differential" : "full",
                    "resumed", Boolean.toString(facts.applying() || !facts.issuedSerial().isEmpty()));
            try {
                if (!facts.verified()) {
                    configure(facts);
                } else {
                    deviceFingerprint = journal.last(Events.VERIFIED).map(e -> e.field("fingerprint")).orElse("");
                }
                step = Events.DONE;
                record(Events.DONE, "hash", hash);
                return report(DeviceReport.Result.CONFIGURED, null);
            } catch (StepFailure f) {
                return failed(f);
            } catch (IOException e) {
                // The device or the network: no answer in time, connection reset or closed.
                return failed(new StepFailure(DeviceReport.Result.FAILED, new DeviceReport.Failure(step,
                        "the device stopped answering: " + describe(e), -1, List.of()), e));
            }
        }

        private DeviceReport failed(StepFailure f) {
            log.warn("{}: {} failed: {}", p.name(), f.failure.step(), f.failure.message());
            record(Events.FAILED, "step", f.failure.step(), "error", f.failure.message(), "status",
                    f.failure.generalStatus() < 0 ? "" : String.format("0x%02X", f.failure.generalStatus()));
            steps.removeLast();
            return report(f.result, f.failure);
        }

        /**
         * Null when the device still presents the certificate the journal verified (or, for a PSK device, still
         * completes a handshake with its PSK); otherwise what differs.
         */
        private String stillDeployed() {
            AtomicReference<X509Certificate> seen = new AtomicReference<>();
            try (CipClient client = CipClient.connect(new Target(p.host(), p.tlsPort(), true),
                    clientOptions(currentVerifier(seen), true))) {
                if (p.authentication() == Authentication.CERTIFICATE) {
                    String now = seen.get() == null ? "" : CredentialFiles.sha256Fingerprint(seen.get());
                    if (!now.equals(deviceFingerprint)) {
                        return "the device presents sha256 " + now + ", not the certificate deployed to it";
                    }
                }
                return null;
            } catch (IOException e) {
                X509Certificate presented = seen.get();
                return "the device no longer accepts its deployed credentials (" + describe(e)
                        + (presented == null ? "" : "; presents sha256 " + CredentialFiles.sha256Fingerprint(presented)) + ")";
            }
        }

        private void configure(Facts facts) throws StepFailure, IOException {
            boolean configuredBefore = facts.everDone() || facts.applying() || facts.applied();
            step = Events.CONNECTED;
            Connected c = connect(configuredBefore);
            try {
                checkIdentity(c);
                boolean applied = facts.applied();
                if (!applied && facts.applying()) {
                    applied = appliedOnDevice(c, facts);
                    if (applied) {
                        record(Events.APPLIED, "recovered", "true");
                    }
                }
                if (!applied) {
                    beginSession(c);
                    try {
                        long instance = -1;
                        if (p.authentication() == Authentication.CERTIFICATE) {
                            instance = installCertificate(c, facts);
                        }
                        writeAttributes(c, instance);
                        apply(c);
                    } catch (StepFailure | IOException | RuntimeException e) {
                        abort(c);
                        throw e;
                    }
                }
                if (!facts.ended()) {
                    endSession(c);
                }
                if (p.closePlainPort() && !options.keepPlainPort() && !facts.plainClosed()) {
                    closePlainPort(c);
                }
            } finally {
                stopKicking();
                c.client().close();
            }
            verify();
        }

        // ------------------------------------------------------------ connecting

        private Connected connect(boolean currentFirst) throws StepFailure, IOException {
            List<String> attempts = new ArrayList<>();
            IOException last = null;
            boolean defaultRefused = false;
            for (boolean current : currentFirst ? new boolean[]{true, false} : new boolean[]{false, true}) {
                if (!current && !canUseDefaults()) {
                    attempts.add("default credentials: no fingerprint pinned for this device, no vendor CA, "
                            + "and unknown default certificates are not accepted (--accept-unknown)");
                    continue;
                }
                AtomicReference<X509Certificate> seen = new AtomicReference<>();
                try {
                    CipClient client = CipClient.connect(new Target(p.host(), p.tlsPort(), true),
                            clientOptions(current ? currentVerifier(seen) : defaultVerifier(seen), current));
                    X509Certificate presented = seen.get();
                    if (presented != null) {
                        presentedFingerprint = CredentialFiles.sha256Fingerprint(presented);
                    }
                    record(Events.CONNECTED, "credentials", current ? "current" : "default", "fingerprint", presentedFingerprint);
                    return new Connected(client, new SecurityClient(client), current, presented);
                } catch (IOException e) {
                    last = e;
                    X509Certificate presented = seen.get();
                    String fp = presented == null ? "" : " (presented sha256 " + CredentialFiles.sha256Fingerprint(presented) + ")";
                    attempts.add((current ? "current credentials" : "default credentials") + ": " + describe(e) + fp);
                    defaultRefused |= !current && rejected(e) != null;
                    if (rejected(e) == null) {
                        // Not a trust decision (refused, timed out, reset): the other credentials would meet the same wall.
                        break;
                    }
                }
            }
            // Refused only when the device's default certificate was checked and is not the one expected; without
            // a pin or vendor CA the operator has to say how to trust it, which is a failure to fix, not a spoof.
            boolean trustRefusal = defaultRefused;
            throw new StepFailure(trustRefusal ? DeviceReport.Result.REFUSED : DeviceReport.Result.FAILED,
                    new DeviceReport.Failure(Events.CONNECTED,
                            (trustRefusal ? "device not trusted: it is not the device the inventory pins, or not ours; " : "cannot connect: ")
                                    + String.join("; ", attempts), -1, List.of()), last);
        }

        private boolean canUseDefaults() {
            return !p.expectFingerprint().isEmpty() || options.vendorTrust() != null || options.acceptUnknown();
        }

        private ClientOptions clientOptions(PeerVerifier verifier, boolean current) {
            TlsPolicy.Builder b = TlsPolicy.builder().allSuites().peerVerifier(verifier).identity(tool)
                    .handshakeTimeout(options.connectTimeout());
            if (current && !p.psks().isEmpty()) {
                b.psk(p.psks().getFirst());
            }
            return ClientOptions.defaults().withConnectTimeout(options.connectTimeout())
                    .withRequestTimeout(options.requestTimeout()).withTls(b.build());
        }

        private PeerVerifier defaultVerifier(AtomicReference<X509Certificate> seen) {
            PeerVerifier inner;
            if (!p.expectFingerprint().isEmpty()) {
                inner = new PinnedCertificate(PinnedCertificate.parse(p.expectFingerprint()));
            } else if (options.vendorTrust() != null) {
                inner = PeerVerifier.trusting(options.vendorTrust(), false);
            } else {
                inner = (chain, role) -> log.warn("{}: accepting unknown default certificate sha256 {} (--accept-unknown)",
                        p.name(), CredentialFiles.sha256Fingerprint(chain.getFirst()));
            }
            return recording(inner, seen);
        }

        private PeerVerifier currentVerifier(AtomicReference<X509Certificate> seen) {
            TrustStore plant = TrustStore.of(List.of(ca.certificate()), List.of(), List.of());
            return recording(PeerVerifier.trusting(plant, false), seen);
        }

        private PeerVerifier recording(PeerVerifier inner, AtomicReference<X509Certificate> seen) {
            return new PeerVerifier() {
                @Override
                public void verify(List<X509Certificate> chain, dev.cipsec.transport.tls.cert.Purpose role)
                        throws CertificateException {
                    seen.set(chain.getFirst());
                    inner.verify(chain, role);
                }

                @Override
                public List<X509Certificate> acceptableIssuers() {
                    return inner.acceptableIssuers();
                }

                @Override
                public boolean canTrustAnything() {
                    return inner.canTrustAnything();
                }
            };
        }

        private void checkIdentity(Connected c) throws StepFailure, IOException {
            step = Events.IDENTITY;
            IdentityInfo id;
            try {
                id = c.client().identity();
            } catch (CipServiceException e) {
                throw cip(e);
            }
            record(Events.IDENTITY, "vendor", Integer.toString(id.vendorId()), "type", Integer.toString(id.deviceType()),
                    "product", Integer.toString(id.productCode()),
                    "revision", id.revisionMajor() + "." + id.revisionMinor(),
                    "serial", String.format("0x%08X", id.serialNumber()));
            if (!p.expected().matches(id.vendorId(), id.deviceType(), id.productCode(), id.revisionMajor(), id.serialNumber())) {
                throw new StepFailure(DeviceReport.Result.REFUSED, new DeviceReport.Failure(Events.IDENTITY,
                        "identity mismatch: the device says vendor " + id.vendorId() + ", type " + id.deviceType()
                                + ", product " + id.productCode() + ", revision " + id.revisionMajor() + "." + id.revisionMinor()
                                + ", serial " + String.format("0x%08X", id.serialNumber()) + "; the inventory expects "
                                + p.expected(), -1, List.of()), null);
            }
        }

        /** After a kill between "applying" and the answer: the device presents what we issued and says Configured. */
        private boolean appliedOnDevice(Connected c, Facts facts) throws StepFailure, IOException {
            if (!c.current()) {
                return false;
            }
            if (p.authentication() == Authentication.CERTIFICATE) {
                Optional<X509Certificate> issued = issuedCertificate(facts.issuedSerial());
                if (issued.isEmpty() || c.presented() == null || !issued.get().equals(c.presented())) {
                    return false;
                }
            }
            try {
                return c.security().eip().state() == SecurityClient.Eip.CONFIGURED;
            } catch (SecurityServiceException e) {
                throw cip(e);
            }
        }

        // ------------------------------------------------------------ the configuration session

        private void beginSession(Connected c) throws StepFailure, IOException {
            step = Events.SESSION;
            SecurityClient s = c.security();
            try {
                // A session this host still holds (the tool died inside it) is taken up again: Kick_Timer
                // succeeds only for its owner, and the device keeps the writes made so far.
                if (s.cip().state() == SecurityClient.Cip.CONFIGURATION_IN_PROGRESS) {
                    s.cip().kickTimer();
                } else {
                    s.cip().beginConfig();
                }
                if (s.eip().state() == SecurityClient.Eip.CONFIGURATION_IN_PROGRESS) {
                    s.eip().kickTimer();
                } else {
                    s.eip().beginConfig();
                }
            } catch (SecurityServiceException e) {
                throw cip(e);
            }
            startKicking(s);
            record(Events.SESSION);
        }

        /**
         * Kick_Timer on 0x5D (and on 0x5E until Apply_Config ends its session) every kick interval, from a thread
         * of its own: a step may take longer than the device's 10 s (a CA key on a slow token, a large file), and
         * the client serializes the kicks with the steps' requests.
         */
        private void startKicking(SecurityClient s) {
            inSession = true;
            eipInSession = true;
            kicker = Thread.ofVirtual().name("kick-" + p.name()).start(() -> {
                while (inSession) {
                    java.util.concurrent.locks.LockSupport.parkNanos(options.kickInterval().toNanos());
                    if (!inSession) {
                        return;
                    }
                    try {
                        s.cip().kickTimer();
                        if (eipInSession) {
                            s.eip().kickTimer();
                        }
                    } catch (IOException | SecurityServiceException e) {
                        // The step that runs meanwhile meets the same problem and reports it.
                        log.debug("{}: Kick_Timer: {}", p.name(), e.getMessage());
                    }
                }
            });
        }

        private void stopKicking() {
            inSession = false;
            Thread k = kicker;
            if (k != null) {
                java.util.concurrent.locks.LockSupport.unpark(k);
            }
        }

        private long installCertificate(Connected c, Facts facts) throws StepFailure, IOException {
            SecurityClient s = c.security();
            try {
                long instance = ourInstance(s);
                if (!facts.issuedSerial().isEmpty() && facts.issuedInstance() == instance) {
                    Optional<X509Certificate> issued = issuedCertificate(facts.issuedSerial());
                    if (issued.isPresent()) {
                        try {
                            install(s, instance, issued.get());
                            return instance;
                        } catch (SecurityServiceException e) {
                            // The device no longer holds the key of that CSR (reset or replaced): ask for a new one.
                            log.info("{}: certificate {} no longer fits instance {} ({}); new CSR", p.name(),
                                    facts.issuedSerial(), instance, e.getMessage());
                        }
                    }
                }
                step = Events.CSR;
                CsrSubject sub = p.subject();
                EPath csrFile = s.certificates().createCsr(instance, new CsrRequest(sub.commonName(), sub.organization(),
                        sub.organizationalUnit(), sub.locality(), sub.stateOrProvince(), sub.country(), sub.email(),
                        sub.serialNumber(), String.join(", ", sub.subjectAltNames())));
                record(Events.CSR, "instance", Long.toString(instance));
                Bytes csr = s.files().upload(csrFile.instanceId());
                step = Events.ISSUED;
                X509Certificate cert;
                try {
                    cert = ca.issue(csr.toArray(), sub, p.validityDays());
                } catch (GeneralSecurityException e) {
                    throw new StepFailure(DeviceReport.Result.FAILED, new DeviceReport.Failure(Events.ISSUED,
                            "the plant CA refused the device's CSR: " + e.getMessage(), -1, List.of()), e);
                }
                String serial = cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
                // The certificate is on disk before the journal names it, so a resumed run always finds it.
                AtomicFiles.write(issuedFile(serial), CredentialFiles.pem(List.of(cert)).toArray(), false);
                record(Events.ISSUED, "serial", serial, "instance", Long.toString(instance), "fingerprint",
                        CredentialFiles.sha256Fingerprint(cert));
                changes.add("device certificate: serial " + serial + ", " + CredentialFiles.subject(cert)
                        + " issued by the plant CA");
                install(s, instance, cert);
                return instance;
            } catch (SecurityServiceException e) {
                throw cip(e);
            }
        }

        private long ourInstance(SecurityClient s) throws IOException, SecurityServiceException {
            List<CertificateList.Entry> entries;
            try {
                entries = s.certificates().list().entries();
            } catch (SecurityServiceException e) {
                // Class attribute 9 is missing on some devices: then every deployment creates its instance
                // (Object_Cleanup at Apply_Config removes the one no longer referenced).
                log.debug("{}: no 0x5F Certificate List ({}); creating an instance", p.name(), e.getMessage());
                entries = List.of();
            }
            for (CertificateList.Entry e : entries) {
                if (e.name().equals(INSTANCE_NAME)) {
                    return e.path().instanceId();
                }
            }
            return s.certificates().create(INSTANCE_NAME);
        }

        private void install(SecurityClient s, long instance, X509Certificate cert) throws IOException, SecurityServiceException {
            step = Events.INSTALLED;
            long certFile = newFile(s, INSTANCE_NAME + " " + instance + " device", FileTransfer.ENCODING_PEM_CERTIFICATE);
            s.files().download(certFile, "device.pem", CredentialFiles.pem(List.of(cert)));
            long caFile = newFile(s, INSTANCE_NAME + " " + instance + " CA", FileTransfer.ENCODING_PEM_CERTIFICATE);
            s.files().download(caFile, "ca.pem", CredentialFiles.pem(List.of(ca.certificate())));
            s.certificates().setDeviceCertificate(instance, FileTransfer.path(certFile));
            s.certificates().setCaCertificate(instance, FileTransfer.path(caFile));
            s.certificates().verify(instance, SecurityClient.Certificates.VERIFY_ALL);
            record(Events.INSTALLED, "instance", Long.toString(instance));
        }

        /**
         * A new File instance under a name no other instance has (names are unique on the device, and an earlier,
         * interrupted run may have left its files: Apply_Config's Object_Cleanup removes those).
         */
        private long newFile(SecurityClient s, String base, int encoding) throws IOException, SecurityServiceException {
            java.util.Set<String> taken = new java.util.HashSet<>();
            for (dev.cipsec.wire.file.FileDirectory.Entry e : s.files().directory().entries()) {
                taken.add(e.instanceName().text());
            }
            String name = base;
            for (int n = 2; taken.contains(name); n++) {
                name = base + " " + n;
            }
            return s.files().create(name, encoding);
        }

        private void writeAttributes(Connected c, long instance) throws StepFailure, IOException {
            step = Events.WRITTEN;
            SecurityClient s = c.security();
            try {
                SecurityClient.Eip eip = s.eip();
                eip.setAllowedSuites(new CipherSuiteList(p.allowedSuites()));
                changes.add("allowed suites: " + p.allowedSuites().stream().map(id -> String.format("0x%04X", id)).toList());
                List<PskEntry> psks = new ArrayList<>();
                for (PskCredential k : p.psks()) {
                    psks.add(new PskEntry(k.identity(), k.key(), OptionalInt.of(k.usage().ordinal())));
                }
                eip.setPsks(new PskList(psks));
                changes.add("PSKs: " + p.psks().stream().map(PskCredential::identityText).toList() + " (keys not shown)");
                if (instance >= 0) {
                    EPath ours = SecurityClient.Certificates.path(instance);
                    eip.setActiveCertificates(EPathList.of(ours));
                    eip.setTrustedAuthorities(EPathList.of(ours));
                    changes.add("active certificate and trusted authority: 0x5F instance " + instance + " (plant CA "
                            + CredentialFiles.subject(ca.certificate()) + ")");
                }
                Optional<X509CRL> crl = ca.crl();
                if (crl.isPresent()) {
                    long crlFile = newFile(s, INSTANCE_NAME + " CRL", FileTransfer.ENCODING_PEM_CRL);
                    s.files().download(crlFile, "plant.crl", Bytes.of(pem("X509 CRL", crl.get().getEncoded())));
                    eip.setCrl(FileTransfer.path(crlFile));
                    changes.add("CRL: " + crl.get().getRevokedCertificates().size() + " revoked, next update "
                            + crl.get().getNextUpdate().toInstant());
                }
                eip.setVerifyClientCertificate(p.verifyClientCertificate());
                eip.setSendCertificateChain(p.sendCertificateChain());
                eip.setCheckExpiration(p.checkExpiration());
                eip.setDtlsTimeout(p.dtlsTimeoutSeconds());
                changes.add("verify client certificate " + p.verifyClientCertificate() + ", send chain " + p.sendCertificateChain()
                        + ", check expiration " + p.checkExpiration() + ", DTLS timeout " + p.dtlsTimeoutSeconds() + " s");
            } catch (SecurityServiceException e) {
                throw cip(e);
            } catch (java.security.cert.CRLException e) {
                throw new StepFailure(DeviceReport.Result.FAILED, new DeviceReport.Failure(step, "CRL: " + e.getMessage(), -1,
                        List.of()), e);
            }
            record(Events.WRITTEN);
        }

        private void apply(Connected c) throws StepFailure, IOException {
            step = Events.APPLIED;
            int flags = ApplyConfigRequest.OBJECT_CLEANUP | (options.resetConnections() ? ApplyConfigRequest.CLOSE_EXISTING : 0);
            record(Events.APPLYING, "flags", String.format("0x%04X", flags));
            // Apply_Config ends the 0x5E session (Kick_Timer would answer 0x0C from now on).
            eipInSession = false;
            try {
                c.security().eip().applyConfig(new ApplyConfigRequest(flags, (int) options.closeDelay().toMillis()));
            } catch (SecurityServiceException e) {
                throw cip(e);
            }
            record(Events.APPLIED);
            changes.add(options.resetConnections() ? "applied; existing connections closed after "
                    + options.closeDelay().toMillis() + " ms" : "applied; existing connections kept");
        }

        /**
         * After a failure inside the session: Abort_Config on 0x5E, so that the device drops the half-written
         * configuration at once rather than when its session times out (0x5D has no abort; its session expires
         * to Incomplete Configuration). Best effort: a device that stopped answering drops it by itself.
         */
        private void abort(Connected c) {
            if (!inSession) {
                return;
            }
            stopKicking();
            try {
                if (c.security().eip().state() == SecurityClient.Eip.CONFIGURATION_IN_PROGRESS) {
                    c.security().eip().abortConfig();
                    record(Events.ABORTED);
                }
            } catch (IOException | SecurityServiceException e) {
                log.info("{}: Abort_Config after the failure did not go through: {}", p.name(), e.getMessage());
            }
        }

        private void endSession(Connected c) throws StepFailure, IOException {
            step = Events.ENDED;
            SecurityClient s = c.security();
            try {
                int state = s.cip().state();
                if (state == SecurityClient.Cip.CONFIGURED && !inSession) {
                    record(Events.ENDED, "recovered", "true");
                    return;
                }
                if (state == SecurityClient.Cip.CONFIGURATION_IN_PROGRESS) {
                    s.cip().kickTimer();
                } else {
                    // The session expired while the tool was away (state 3): a short one to end it properly.
                    s.cip().beginConfig();
                }
                stopKicking();
                s.cip().endConfig();
            } catch (SecurityServiceException e) {
                throw cip(e);
            }
            record(Events.ENDED);
        }

        private void closePlainPort(Connected c) throws IOException, StepFailure {
            step = Events.PLAIN_CLOSED;
            try {
                c.security().setPlainTcpPort(false);
                record(Events.PLAIN_CLOSED);
                changes.add("plain EtherNet/IP on TCP 44818 closed");
            } catch (SecurityServiceException e) {
                if (e.generalStatus() == GeneralStatus.SERVICE_NOT_SUPPORTED
                        || e.generalStatus() == GeneralStatus.ATTRIBUTE_NOT_SUPPORTED) {
                    // Port admin is optional (TCP/IP attribute 14): say so rather than fail a configured device.
                    changes.add("plain EtherNet/IP could not be closed: the device does not support Set_Port_Admin_State ("
                            + e.getMessage() + ")");
                    return;
                }
                throw cip(e);
            }
        }

        private void verify() throws StepFailure, IOException {
            step = Events.VERIFIED;
            AtomicReference<X509Certificate> seen = new AtomicReference<>();
            CipClient client;
            try {
                client = CipClient.connect(new Target(p.host(), p.tlsPort(), true), clientOptions(currentVerifier(seen), true));
            } catch (IOException e) {
                throw new StepFailure(DeviceReport.Result.FAILED, new DeviceReport.Failure(Events.VERIFIED,
                        "a new TLS session with the new credentials failed: " + describe(e), -1, List.of()), e);
            }
            try (client) {
                SecurityClient s = new SecurityClient(client);
                if (p.authentication() == Authentication.CERTIFICATE) {
                    X509Certificate presented = seen.get();
                    Facts now = Facts.of(journal, hash);
                    Optional<X509Certificate> issued = issuedCertificate(now.issuedSerial());
                    if (presented == null || issued.isEmpty() || !presented.equals(issued.get())) {
                        throw new StepFailure(DeviceReport.Result.FAILED, new DeviceReport.Failure(Events.VERIFIED,
                                "the device does not present the certificate issued for it (presents "
                                        + (presented == null ? "none" : CredentialFiles.sha256Fingerprint(presented)) + ")",
                                -1, List.of()), null);
                    }
                    deviceFingerprint = CredentialFiles.sha256Fingerprint(presented);
                }
                int eipState = s.eip().state();
                int cipState = s.cip().state();
                List<Integer> suites = s.eip().allowedSuites().ids();
                if (eipState != SecurityClient.Eip.CONFIGURED || cipState != SecurityClient.Cip.CONFIGURED
                        || !suites.equals(p.allowedSuites())) {
                    throw new StepFailure(DeviceReport.Result.FAILED, new DeviceReport.Failure(Events.VERIFIED,
                            "read back differs: 0x5D state " + cipState + ", 0x5E state " + eipState + ", allowed suites "
                                    + suites, -1, List.of()), null);
                }
            } catch (SecurityServiceException e) {
                throw cip(e);
            }
            record(Events.VERIFIED, "fingerprint", deviceFingerprint);
        }

        // ------------------------------------------------------------ helpers

        private Path issuedFile(String serial) {
            return deviceDir(stateDir, p.name()).resolve("issued-" + serial + ".pem");
        }

        private Optional<X509Certificate> issuedCertificate(String serial) throws IOException {
            if (serial.isEmpty() || !Files.exists(issuedFile(serial))) {
                return Optional.empty();
            }
            List<X509Certificate> certs = CredentialFiles.readCertificates(issuedFile(serial));
            return certs.isEmpty() ? Optional.empty() : Optional.of(certs.getFirst());
        }

        private StepFailure cip(CipServiceException e) {
            List<Integer> ext = new ArrayList<>();
            for (int w : e.additionalStatus()) {
                ext.add(w);
            }
            return new StepFailure(DeviceReport.Result.FAILED,
                    new DeviceReport.Failure(step, e.getMessage(), e.generalStatus(), ext), e);
        }
    }

    private static CertificateRejectedException rejected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateRejectedException r) {
                return r;
            }
        }
        return null;
    }

    private static String describe(Throwable e) {
        CertificateRejectedException r = rejected(e);
        if (r != null) {
            return "certificate refused (" + r.check() + "): " + r.getMessage();
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static byte[] pem(String type, byte[] der) {
        String b64 = java.util.Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
