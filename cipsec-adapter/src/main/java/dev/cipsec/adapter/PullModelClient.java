package dev.cipsec.adapter;

import dev.cipsec.objects.security.EipSecurityObject;
import dev.cipsec.objects.security.EstServerSetting;
import dev.cipsec.objects.security.SecurityObjects;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.CACertsResponse;
import org.bouncycastle.est.ESTException;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.EnrollmentResponse;
import org.bouncycastle.est.jcajce.JcaJceUtils;
import org.bouncycastle.est.jcajce.JsseESTServiceBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The device side of the CIP Security pull model: an EST client (Bouncy Castle's {@link ESTService})
 * on a virtual thread. While the pull model is enabled and no tool configured the device, it walks
 * the EtherNet/IP Security Object from factory default through Pull Model In Progress (3) to Pull
 * Model Completed (4): /cacerts, a new key, /simpleenroll (waiting out 202 Retry-After), then the
 * certificate and CA are installed and applied through {@link SecurityObjects#pullInstall}. In state
 * 4 it re-enrols (/simplereenroll, authenticated by the plant certificate) when the certificate comes
 * within the re-enrol margin of its notAfter. Failures retry with a doubling backoff. Every step is
 * persisted, so a restart in state 3 starts over and one in state 4 keeps its certificate.
 *
 * <p>Pull Model Status (0x5E attribute 14) codes; their meaning is not public, so these are ours:
 * {@link #STATUS_IDLE} 0, {@link #STATUS_CA_CERTS} 1, {@link #STATUS_ENROLLING} 2,
 * {@link #STATUS_AWAITING_APPROVAL} 3, {@link #STATUS_INSTALLING} 4, {@link #STATUS_COMPLETED} 5,
 * {@link #STATUS_REENROLLING} 6, and after a failed attempt (retrying) {@link #STATUS_UNREACHABLE}
 * 0x8001, {@link #STATUS_REFUSED} 0x8002 (the server answered an error), {@link #STATUS_INSTALL_FAILED}
 * 0x8003; 0xFFFF is "pull model disabled".
 */
final class PullModelClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PullModelClient.class);

    static final int STATUS_IDLE = 0;
    static final int STATUS_CA_CERTS = 1;
    static final int STATUS_ENROLLING = 2;
    static final int STATUS_AWAITING_APPROVAL = 3;
    static final int STATUS_INSTALLING = 4;
    static final int STATUS_COMPLETED = 5;
    static final int STATUS_REENROLLING = 6;
    static final int STATUS_UNREACHABLE = 0x8001;
    static final int STATUS_REFUSED = 0x8002;
    static final int STATUS_INSTALL_FAILED = 0x8003;

    private final DeviceSecurity security;
    private final SecurityObjects objects;
    /** The device's own EST configuration (profile, command line), or null: then only one set over CIP is used. */
    private final EstSettings configured;
    private final Duration reenrolMargin;
    private final Duration retryInitial;
    private final Duration retryMax;
    private final Duration revocationCheck;
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean closed;
    private volatile Thread thread;
    /** When this run last re-enrolled: re-enrolments are at least one initial retry apart. */
    private Instant lastInstalled = Instant.MIN;
    /** When the next /cacerts fetch looks for our certificate in the plant CA's CRL (null: from now on). */
    private Instant nextRevocationCheck;
    /** Our certificate was found revoked (or a re-enrolment refused): enrol afresh with the default identity. */
    private boolean replaceRevoked;

    /** Thrown to wait before the next attempt: after {@code after} when the server said so, else the backoff. */
    private static final class Retry extends Exception {
        final Duration after;

        Retry(String message, Duration after) {
            super(message, null, false, false);
            this.after = after;
        }
    }

    /** The pull model stopped wanting this enrolment (reset, disabled, configured by a tool, closed). */
    private static final class Abandoned extends Exception {
        Abandoned() {
            super(null, null, false, false);
        }
    }

    /** Where to enrol now and what to trust for it. */
    private record Server(URI uri, X509TrustManager[] trust) {
    }

    PullModelClient(DeviceSecurity security, EstSettings configured) {
        this.security = security;
        this.objects = security.objects();
        this.configured = configured;
        this.reenrolMargin = configured == null ? EstSettings.DEFAULT_REENROL_MARGIN : configured.reenrolMargin();
        this.retryInitial = configured == null ? EstSettings.DEFAULT_RETRY_INITIAL : configured.retryInitial();
        this.retryMax = configured == null ? EstSettings.DEFAULT_RETRY_MAX : configured.retryMax();
        this.revocationCheck = configured == null ? EstSettings.DEFAULT_REVOCATION_CHECK : configured.revocationCheck();
    }

    /**
     * The EST server set over CIP (0x5E attributes 100/101) wins over the device's own configuration,
     * part by part: a URI set over CIP with no fingerprint is trusted through the configured anchors.
     * Null when no server is known at all.
     */
    private Server server() throws Retry, Abandoned {
        EstServerSetting remote = objects.eip().estServer();
        URI uri = remote.hasUri() ? URI.create(remote.uri()) : configured != null ? configured.server() : null;
        if (uri == null) {
            return null;
        }
        if (!remote.trustAnchorSha256().isEmpty()) {
            return new Server(uri, new X509TrustManager[] {new PinnedChainTrustManager(remote.trustAnchorSha256().toArray())});
        }
        if (configured == null) {
            throw failed(STATUS_UNREACHABLE, "no trust anchor for the EST server " + uri
                    + ": set 0x5E attribute 101 (its SHA-256) or configure the device's EST trust anchors");
        }
        Set<TrustAnchor> anchors = configured.trustAnchors().stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet());
        // Bouncy Castle's EST trust manager looks its CertPath code up as provider "BC": a device JVM has nobody
        // else to register it (the tests did, through the EST server in the same JVM).
        dev.cipsec.transport.tls.Providers.bouncyCastleAppended();
        return new Server(uri, JcaJceUtils.getCertPathTrustManager(anchors, null));
    }

    void start() {
        security.onChange(this::wake);
        thread = Thread.ofVirtual().name("est-pull-model").start(this::run);
    }

    /** Re-reads the security objects now (a commit changed them). */
    void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        wake();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Duration backoff = retryInitial;
        while (!closed) {
            try {
                EipSecurityObject eip = objects.eip();
                int state = eip.state();
                if (!eip.pullModelEnabled() || !(state == EipSecurityObject.FACTORY_DEFAULT
                        || state == EipSecurityObject.PULL_MODEL_IN_PROGRESS || state == EipSecurityObject.PULL_MODEL_COMPLETED)) {
                    waitFor(null);
                    continue;
                }
                if (state == EipSecurityObject.PULL_MODEL_COMPLETED) {
                    Identity current = security.livePolicy().identity().orElse(null);
                    if (current == null) {
                        waitFor(null);
                        continue;
                    }
                    Instant notAfter = current.certificate().getNotAfter().toInstant();
                    Duration lifetime = Duration.between(current.certificate().getNotBefore().toInstant(), notAfter);
                    // A margin at least as long as the certificate lives (30 days against a 1-day certificate) would
                    // re-enrol at once, again and again: then re-enrol after two thirds of the lifetime instead.
                    Duration margin = reenrolMargin.compareTo(lifetime) < 0 ? reenrolMargin : lifetime.dividedBy(3);
                    Instant due = notAfter.minus(margin);
                    // A margin longer than the certificate's lifetime would otherwise re-enrol in a tight loop.
                    Instant earliest = lastInstalled.equals(Instant.MIN) ? due : lastInstalled.plus(retryInitial);
                    due = due.isBefore(earliest) ? earliest : due;
                    Instant now = Instant.now();
                    if (nextRevocationCheck == null) {
                        nextRevocationCheck = now.plus(revocationCheck);
                    }
                    if (!replaceRevoked) {
                        Instant next = due.isBefore(nextRevocationCheck) ? due : nextRevocationCheck;
                        Duration left = Duration.between(now, next);
                        if (left.isPositive()) {
                            waitFor(left);
                            continue;
                        }
                    }
                    Server server = server();
                    if (server == null) {
                        waitFor(null);
                        continue;
                    }
                    if (replaceRevoked) {
                        // The revoked certificate cannot authenticate a re-enrolment: enrol afresh with the default
                        // identity, as a new device would (the inventory entry pinning it enrols it at once).
                        enrol(server, null, EipSecurityObject.PULL_MODEL_COMPLETED);
                    } else if (!now.isBefore(due)) {
                        enrol(server, current, EipSecurityObject.PULL_MODEL_COMPLETED);
                    } else {
                        nextRevocationCheck = now.plus(revocationCheck);
                        replaceRevoked = revoked(server, current);
                        continue;
                    }
                } else {
                    Server server = server();
                    if (server == null) {
                        waitFor(null);
                        continue;
                    }
                    enrol(server, null, EipSecurityObject.PULL_MODEL_IN_PROGRESS);
                }
                backoff = retryInitial;
            } catch (Retry r) {
                Duration wait = r.after != null ? r.after : backoff;
                LOG.info("pull model: {}; next attempt in {} s", r.getMessage(), wait.toSeconds());
                if (r.after == null) {
                    backoff = backoff.multipliedBy(2).compareTo(retryMax) > 0 ? retryMax : backoff.multipliedBy(2);
                }
                sleep(wait);
            } catch (Abandoned a) {
                LOG.info("pull model: enrolment abandoned (state {}, pull model {})", objects.eip().state(),
                        objects.eip().pullModelEnabled() ? "enabled" : "disabled");
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("pull model: unexpected failure", e);
                sleep(backoff);
            }
        }
    }

    /**
     * One enrolment with the default identity ({@code current} null) or re-enrolment authenticated by
     * {@code current}; abandoned when the 0x5E state leaves {@code wantedState} meanwhile.
     */
    private void enrol(Server server, Identity current, int wantedState) throws Retry, Abandoned, InterruptedException {
        boolean reenrol = current != null;
        status(reenrol ? STATUS_REENROLLING : STATUS_CA_CERTS);
        ESTService service = service(server, reenrol ? current : security.defaultIdentity());
        List<X509Certificate> caCerts;
        DeviceSecurity.PullKey key;
        PKCS10CertificationRequest csr;
        try {
            caCerts = certificates(service.getCACerts().getCertificateStore());
            if (caCerts.isEmpty()) {
                throw failed(STATUS_REFUSED, "/cacerts returned no certificate");
            }
            key = security.newPullKey(reenrol ? current.certificate() : null);
            csr = new PKCS10CertificationRequest(der(key.csrPem()));
        } catch (ESTException e) {
            throw failed(e.getStatusCode() > 0 ? STATUS_REFUSED : STATUS_UNREACHABLE, "/cacerts: " + e.getMessage());
        } catch (IOException e) {
            throw failed(STATUS_UNREACHABLE, "/cacerts: " + e.getMessage());
        }
        if (!reenrol) {
            status(STATUS_ENROLLING);
        }
        X509Certificate issued;
        while (true) {
            EnrollmentResponse r;
            try {
                r = service.simpleEnroll(reenrol, csr, null);
            } catch (ESTException e) {
                if (reenrol && e.getStatusCode() == 403) {
                    // Our server refuses a revoked (or unknown) certificate with 403: the next attempt enrols afresh.
                    replaceRevoked = true;
                }
                throw failed(e.getStatusCode() > 0 ? STATUS_REFUSED : STATUS_UNREACHABLE,
                        (reenrol ? "/simplereenroll: " : "/simpleenroll: ") + e.getMessage());
            } catch (IOException e) {
                throw failed(STATUS_UNREACHABLE, "/simpleenroll: " + e.getMessage());
            }
            if (r.isCompleted()) {
                List<X509Certificate> certs = certificates(r.getStore());
                if (certs.isEmpty()) {
                    throw failed(STATUS_REFUSED, "the enrolment response holds no certificate");
                }
                issued = certs.get(0);
                break;
            }
            status(STATUS_AWAITING_APPROVAL);
            Duration wait = Duration.ofMillis(Math.max(0, r.getNotBefore() - System.currentTimeMillis()));
            LOG.info("pull model: the EST server holds the request for approval; asking again in {} ms", wait.toMillis());
            sleep(wait);
            stillWanted(wantedState);
        }
        status(STATUS_INSTALLING);
        stillWanted(wantedState);
        try {
            long id = objects.pullInstall(CredentialFiles.pem(List.of(issued)), CredentialFiles.pem(caCerts),
                    instance -> security.bindKey(instance, new Identity(key.key().key(), List.of(issued))), STATUS_COMPLETED);
            if (wantedState == EipSecurityObject.PULL_MODEL_COMPLETED) {
                lastInstalled = Instant.now();
            }
            replaceRevoked = false;
            nextRevocationCheck = null;
            LOG.info("pull model: installed certificate {} (serial {}, until {}) as 0x5F instance {}",
                    issued.getSubjectX500Principal(), issued.getSerialNumber().toString(16), issued.getNotAfter().toInstant(), id);
        } catch (CipServiceException e) {
            throw failed(STATUS_INSTALL_FAILED, "install: " + e.getMessage());
        }
    }

    /**
     * Whether the CRL that our EST server sends with /cacerts (signed by the CA that issued {@code current})
     * lists {@code current}. A failed fetch or an unusable CRL counts as "not revoked": the check runs again
     * at the next interval, and nothing else depends on it.
     */
    private boolean revoked(Server server, Identity current) {
        X509Certificate cert = current.certificate();
        try {
            CACertsResponse r = service(server, current).getCACerts();
            LOG.debug("pull model: revocation check of serial {}: /cacerts {} CRLs", cert.getSerialNumber().toString(16),
                    r.hasCRLs() ? "with" : "without");
            if (!r.hasCRLs()) {
                return false;
            }
            List<X509Certificate> cas = certificates(r.getCertificateStore());
            JcaX509CRLConverter conv = new JcaX509CRLConverter();
            for (X509CRLHolder h : r.getCrlStore().getMatches(null)) {
                X509CRL crl = conv.getCRL(h);
                for (X509Certificate ca : cas) {
                    if (!ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())
                            || !ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
                        continue;
                    }
                    try {
                        cert.verify(ca.getPublicKey());
                        crl.verify(ca.getPublicKey());
                    } catch (GeneralSecurityException e) {
                        continue;
                    }
                    if (crl.isRevoked(cert)) {
                        LOG.warn("pull model: certificate {} (serial {}) is revoked by the plant CA's CRL; enrolling afresh",
                                cert.getSubjectX500Principal(), cert.getSerialNumber().toString(16));
                        return true;
                    }
                }
            }
        } catch (ESTException e) {
            LOG.info("pull model: revocation check: /cacerts: {}", e.getMessage());
        } catch (IOException | GeneralSecurityException | Retry e) {
            LOG.info("pull model: revocation check failed: {}", e.getMessage());
        }
        return false;
    }

    private void stillWanted(int want) throws Abandoned {
        EipSecurityObject eip = objects.eip();
        if (closed || !eip.pullModelEnabled() || eip.state() != want) {
            throw new Abandoned();
        }
    }

    private void status(int status) throws Abandoned {
        try {
            if (!objects.pullProgress(status)) {
                throw new Abandoned();
            }
        } catch (CipServiceException e) {
            LOG.warn("pull model: cannot record status {}: {}", status, e.getMessage());
        }
    }

    private Retry failed(int status, String message) throws Abandoned {
        status(status);
        return new Retry(message, null);
    }

    private static ESTService service(Server server, Identity client) {
        JsseESTServiceBuilder b = new JsseESTServiceBuilder(EstSettings.authority(server.uri()), server.trust())
                .withKeyManagers(keyManagers(client));
        String label = EstSettings.label(server.uri());
        if (!label.isEmpty()) {
            b.withLabel(label);
        }
        return b.build();
    }

    private static KeyManager[] keyManagers(Identity id) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "pull".toCharArray();
            ks.setKeyEntry("device", id.key(), pw, id.chain().toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the device key cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> certificates(org.bouncycastle.util.Store<X509CertificateHolder> store) throws Retry {
        List<X509Certificate> out = new ArrayList<>();
        if (store == null) {
            return out;
        }
        try {
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            for (X509CertificateHolder h : ESTService.storeToArray(store)) {
                out.add(conv.getCertificate(h));
            }
        } catch (GeneralSecurityException e) {
            throw new Retry("unreadable certificate from the EST server: " + e.getMessage(), null);
        }
        return out;
    }

    private static byte[] der(byte[] pem) throws IOException {
        try (PemReader r = new PemReader(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            return r.readPemObject().getContent();
        }
    }

    /** Waits {@code d} (null: until woken) or until a commit or close wakes it. */
    private void waitFor(Duration d) throws InterruptedException {
        long deadline = d == null ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, d.toNanos());
        synchronized (signal) {
            while (!woken && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                signal.wait(d == null ? 0 : Math.max(1, left / 1_000_000));
            }
            woken = false;
        }
    }

    /** A wait that commits do not cut short (backoff, Retry-After); only close does. */
    private void sleep(Duration d) {
        long deadline = System.nanoTime() + Math.max(0, d.toNanos());
        synchronized (signal) {
            while (!closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    signal.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }
}
