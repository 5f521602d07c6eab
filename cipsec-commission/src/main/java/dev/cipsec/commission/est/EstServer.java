package dev.cipsec.commission.est;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.cipsec.commission.ca.CaException;
import dev.cipsec.commission.ca.IssuedCertificate;
import dev.cipsec.commission.policy.DevicePolicy;
import dev.cipsec.commission.policy.PolicyException;
import dev.cipsec.commission.policy.PolicyFile;
import dev.cipsec.commission.policy.PolicyModel;
import dev.cipsec.commission.policy.PskSecrets;
import dev.cipsec.transport.tls.cert.CertificateRejectedException;
import dev.cipsec.transport.tls.cert.CertificateVerifier;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.Purpose;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.transport.tls.cert.VerifyOptions;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.est.AttrOrOID;
import org.bouncycastle.asn1.est.CsrAttrs;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * An EST server (RFC 7030) for the pull model: devices fetch the plant CA ({@code /cacerts}) and get their
 * certificates signed by it ({@code /simpleenroll}, {@code /simplereenroll}) with the subject the policy model
 * gives them. HTTP is the JDK's {@link HttpsServer}; TLS (1.2 and 1.3) is Bouncy Castle's JSSE provider.
 *
 * <p>Who may enrol, in this order: a client certificate issued by the plant CA (re-enrolment; not revoked, and
 * per RFC 7030 §4.2.2 the CSR keeps its subject); a client certificate whose SHA-256 an inventory entry pins
 * (that entry's subject, at once); a client certificate from a vendor CA, or HTTP basic credentials, for the
 * entry the CSR's common name names (at once, unless that entry pins another certificate). Everyone else with
 * a client certificate or basic credentials is held for approval (202 + Retry-After, {@link PendingStore});
 * without either the answer is 401. Whatever is refused, nothing is issued.
 */
public final class EstServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EstServer.class);
    /** RFC 7030 §3.2.2. */
    public static final String PATH_PREFIX = "/.well-known/est/";
    static final String PKCS7_CERTS_ONLY = "application/pkcs7-mime; smime-type=certs-only";
    static final String CSRATTRS = "application/csrattrs";
    static final String PKCS10 = "application/pkcs10";

    private final EstServerConfig config;
    private final PendingStore pending;
    private final Identity identity;
    private final HttpsServer http;
    private final ExecutorService executor;
    private final Semaphore permits;
    private final CertificateVerifier plantVerifier;
    private final Optional<CertificateVerifier> vendorVerifier;
    private Inventory inventory;
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

    private EstServer(EstServerConfig config, PendingStore pending, Identity identity, HttpsServer http,
                      ExecutorService executor, Inventory inventory) {
        this.config = config;
        this.pending = pending;
        this.identity = identity;
        this.http = http;
        this.executor = executor;
        this.inventory = inventory;
        this.permits = new Semaphore(config.maxConcurrent());
        this.plantVerifier = new CertificateVerifier(TrustStore.of(List.of(config.ca().certificate()), List.of(), List.of()));
        this.vendorVerifier = config.vendorCa().map(CertificateVerifier::new);
    }

    /**
     * Starts serving: loads the policy (it must be valid), gets the server's TLS certificate from the state
     * directory or has the plant CA issue one, and listens.
     */
    public static EstServer start(EstServerConfig config) throws IOException {
        Inventory inventory = Inventory.load(config.policyFile());
        PendingStore pending = PendingStore.open(config.stateDir(), config.maxPending());
        Identity identity;
        try {
            identity = ServerIdentity.loadOrIssue(config.ca(), config.stateDir(),
                    ServerIdentity.names(config.bind().getAddress(), config.serverNames()));
        } catch (CaException e) {
            throw new IOException("the plant CA cannot issue the server certificate: " + e.getMessage(), e);
        }
        SSLContext tls = sslContext(identity);
        HttpsServer http = HttpsServer.create(config.bind(), 64);
        http.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = tls.getDefaultSSLParameters();
                p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                // Wanted, not needed: basic-auth clients and /cacerts come without one (RFC 7030 §3.3.2).
                p.setWantClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        EstServer server = new EstServer(config, pending, identity, http, executor, inventory);
        http.createContext(PATH_PREFIX, server::handle);
        http.start();
        LOG.info("EST server on {} (certificate {})", server.baseUri(), server.serverFingerprint());
        return server;
    }

    /** Where it listens (the real port when bound to port 0). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** {@code https://host:port/.well-known/est/}. */
    public URI baseUri() {
        InetSocketAddress a = address();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("https://" + host + ":" + a.getPort() + PATH_PREFIX);
    }

    /** The server's TLS certificate (issued by the plant CA). */
    public X509Certificate serverCertificate() {
        return identity.certificate();
    }

    /** Its SHA-256 fingerprint, as openssl prints it. */
    public String serverFingerprint() {
        return CredentialFiles.sha256Fingerprint(identity.certificate());
    }

    /** HTTP requests received since the server started, refused ones included. */
    public long requestCount() {
        return requests.get();
    }

    /** The held requests. */
    public PendingStore pending() {
        return pending;
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    private static SSLContext sslContext(Identity id) throws IOException {
        try {
            // BCJSSE's crypto draws its nonce generator ("DEFAULT") from the BC provider; appended, never first,
            // so the JDK's providers keep doing the rest (as the transport's TLS does).
            dev.cipsec.transport.tls.Providers.bouncyCastleAppended();
            BouncyCastleJsseProvider bcjsse = new BouncyCastleJsseProvider();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] transientPassword = "est".toCharArray();
            ks.setKeyEntry("server", id.key(), transientPassword, id.chain().toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", bcjsse);
            kmf.init(ks, transientPassword);
            SSLContext ctx = SSLContext.getInstance("TLS", bcjsse);
            ctx.init(kmf.getKeyManagers(), new X509ExtendedTrustManager[] {new AnyClientTrustManager()}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    // ---- HTTP ----

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            if (!permits.tryAcquire()) {
                send(ex, Reply.refuse(503, "too many requests at once").retryAfter(config.retryAfterSeconds()));
                return;
            }
            Reply reply;
            try {
                reply = dispatch(ex);
            } catch (Refusal r) {
                reply = r.reply;
            } catch (ClientGone e) {
                // The connection failed or was closed under us (a request over the server's time limit): nobody
                // to answer, and nothing worth a stack trace.
                LOG.info("EST {} {} from {}: request not received: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(),
                        ex.getRemoteAddress(), e.getCause().toString());
                return;
            } catch (RuntimeException | IOException e) {
                LOG.warn("EST {} {} from {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(),
                        ex.getRemoteAddress(), e);
                reply = Reply.refuse(500, "internal error");
            } finally {
                permits.release();
            }
            if (reply.status >= 400) {
                LOG.info("EST {} {} from {}: {} {}", ex.getRequestMethod(), ex.getRequestURI().getPath(),
                        ex.getRemoteAddress(), reply.status, new String(reply.body, StandardCharsets.UTF_8).strip());
            }
            send(ex, reply);
        }
    }

    private Reply dispatch(HttpExchange ex) throws IOException, Refusal, ClientGone {
        String op = ex.getRequestURI().getRawPath().substring(PATH_PREFIX.length());
        String method = ex.getRequestMethod();
        return switch (op) {
            case "cacerts" -> {
                requireMethod(method, "GET");
                // The plant CA's last CRL rides along in the SignedData's crls field: a pull-model device has
                // no other channel to learn that its certificate was revoked (a push tool would make it state 2).
                yield Reply.ok(PKCS7_CERTS_ONLY, base64(certsOnly(List.of(config.ca().certificate()),
                        config.ca().lastCrl().map(List::of).orElse(List.of()))));
            }
            case "csrattrs" -> {
                requireMethod(method, "GET");
                yield Reply.ok(CSRATTRS, base64(csrAttributes()));
            }
            case "simpleenroll" -> {
                requireMethod(method, "POST");
                yield enrol(ex, false);
            }
            case "simplereenroll" -> {
                requireMethod(method, "POST");
                yield enrol(ex, true);
            }
            case "serverkeygen", "fullcmc" -> throw new Refusal(501, op + " is not offered by this server");
            default -> throw new Refusal(404, "no such EST operation: " + op);
        };
    }

    private static void requireMethod(String method, String allowed) throws Refusal {
        if (!allowed.equals(method)) {
            Refusal r = new Refusal(405, method + " not allowed, use " + allowed);
            r.reply.header("Allow", allowed);
            throw r;
        }
    }

    private static void send(HttpExchange ex, Reply r) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", r.contentType);
        for (String[] kv : r.headers) {
            h.set(kv[0], kv[1]);
        }
        if (r.base64) {
            h.set("Content-Transfer-Encoding", "base64");
        }
        // 202 and 401 go without a body: Bouncy Castle's EST client retries (or answers the challenge) without
        // reading one and then fails on the unread bytes. The reason is in the server's log.
        byte[] body = r.status == 202 || r.status == 401 ? new byte[0] : r.body;
        ex.sendResponseHeaders(r.status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    // ---- enrolment ----

    private Reply enrol(HttpExchange ex, boolean reenrol) throws IOException, Refusal, ClientGone {
        String contentType = Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Type")).orElse("");
        if (!mediaType(contentType).equals(PKCS10)) {
            throw new Refusal(415, "Content-Type must be " + PKCS10 + ", not '" + contentType + "'");
        }
        byte[] body = readBody(ex);
        List<X509Certificate> chain = peerChain(ex);
        String user = basicUser(ex);
        PKCS10CertificationRequest csr = decodeCsr(body);
        String peer = String.valueOf(ex.getRemoteAddress());
        Optional<X509Certificate> plant = chain.isEmpty() ? Optional.empty() : plantCertificate(chain);
        if (reenrol || plant.isPresent()) {
            if (chain.isEmpty()) {
                throw unauthorized("re-enrolment needs the current certificate as TLS client certificate");
            }
            X509Certificate current = plant.orElseThrow(() -> new Refusal(403,
                    "the client certificate was not issued by the plant CA: re-enrolment refused"));
            return reenrol(current, csr, peer);
        }
        if (chain.isEmpty() && user == null) {
            throw unauthorized("a TLS client certificate or HTTP basic credentials are needed");
        }
        Inventory inv = inventory();
        String clientFp = chain.isEmpty() ? "" : fingerprintHex(chain.getFirst());
        if (!clientFp.isEmpty()) {
            Optional<DevicePolicy> pinned = inv.byFingerprint(clientFp);
            if (pinned.isPresent()) {
                return issue(csr, pinned.get().subject(), pinned.get().validityDays(), pinned.get().name(), peer);
            }
        }
        boolean vendorApproved = !chain.isEmpty() && vendorApproved(chain);
        String cn = commonName(csr.getSubject());
        if (vendorApproved || user != null) {
            Optional<DevicePolicy> named = inv.byCommonName(cn);
            if (named.isPresent() && named.get().expectFingerprint().isEmpty()) {
                return issue(csr, named.get().subject(), named.get().validityDays(), named.get().name(), peer);
            }
        }
        return onboard(chain, user, csr, cn, peer, inv);
    }

    private Reply reenrol(X509Certificate current, PKCS10CertificationRequest csr, String peer) throws IOException, Refusal {
        IssuedCertificate record = config.ca().list().stream()
                .filter(c -> c.serial().equals(current.getSerialNumber())).findFirst()
                .orElseThrow(() -> new Refusal(403, "the client certificate is not in the plant CA's database"));
        if (record.status() != IssuedCertificate.Status.VALID) {
            throw new Refusal(403, "the client certificate (serial " + record.serialHex() + ") is "
                    + record.status().name().toLowerCase(Locale.ROOT));
        }
        X500Name currentSubject = X500Name.getInstance(current.getSubjectX500Principal().getEncoded());
        if (!csr.getSubject().equals(currentSubject)) {
            throw new Refusal(403, "re-enrolment keeps the subject (RFC 7030 §4.2.2): the CSR asks for '"
                    + csr.getSubject() + "', the certificate is '" + currentSubject + "'");
        }
        DevicePolicy device = inventory().byCommonName(commonName(currentSubject))
                .orElseThrow(() -> new Refusal(403, "'" + commonName(currentSubject) + "' is no longer in the policy"));
        return issue(csr, device.subject(), device.validityDays(), device.name(), peer);
    }

    private Reply onboard(List<X509Certificate> chain, String user, PKCS10CertificationRequest csr, String cn,
                          String peer, Inventory inv) throws IOException, Refusal {
        X509Certificate client = chain.isEmpty() ? null : chain.getFirst();
        String clientFp = client == null ? "" : fingerprintHex(client);
        String keyFp = keyFingerprint(csr);
        String id = HexFormat.of().formatHex(sha256((clientFp + "|" + (user == null ? "" : user) + "|" + keyFp)
                .getBytes(StandardCharsets.UTF_8)), 0, 8);
        PendingRequest request;
        try {
            request = pending.submit(new PendingRequest(id, PendingRequest.Status.PENDING, Instant.now(), peer,
                    client == null ? "" : CredentialFiles.subject(client),
                    client == null ? "" : CredentialFiles.issuer(client),
                    clientFp, user == null ? "" : user, csr.getSubject().toString(), keyFp, ""));
        } catch (PendingStore.PendingFullException e) {
            throw new Refusal(503, e.getMessage()).retryAfter(config.retryAfterSeconds());
        }
        switch (request.status()) {
            case PENDING -> {
                LOG.info("EST enrolment request {} from {} ({}) held for approval", id, peer,
                        client == null ? "user " + user : CredentialFiles.subject(client));
                return Reply.refuse(202, "request " + id + " waits for approval: cipsec est-server approve " + id)
                        .retryAfter(config.retryAfterSeconds());
            }
            case DENIED -> throw new Refusal(403, "request " + id + " was denied");
            default -> {
                DevicePolicy device;
                CsrSubject subject;
                int days;
                String name;
                if (!request.device().isEmpty()) {
                    device = inv.byName(request.device()).orElseThrow(() -> new Refusal(403,
                            "request " + id + " was approved for device '" + request.device() + "', which is not in the policy"));
                    subject = device.subject();
                    days = device.validityDays();
                    name = device.name();
                } else if ((device = inv.byCommonName(cn).orElse(null)) != null) {
                    subject = device.subject();
                    days = device.validityDays();
                    name = device.name();
                } else {
                    subject = inv.fallbackSubject(cn);
                    days = inv.settings().validityDays();
                    name = "(not in the policy) " + cn;
                }
                Reply reply = issue(csr, subject, days, name, peer);
                pending.remove(id);
                return reply;
            }
        }
    }

    private Reply issue(PKCS10CertificationRequest csr, CsrSubject subject, int days, String device, String peer)
            throws IOException, Refusal {
        X509Certificate cert;
        try {
            cert = config.ca().issue(csr.getEncoded(), subject, days);
        } catch (CaException e) {
            throw new Refusal(400, e.getMessage());
        }
        LOG.info("EST issued serial {} to {} for {} ({})", cert.getSerialNumber().toString(16), peer, device,
                CredentialFiles.subject(cert));
        return Reply.ok(PKCS7_CERTS_ONLY, base64(certsOnly(List.of(cert), List.of())));
    }

    // ---- authentication ----

    private Refusal unauthorized(String why) {
        Refusal r = new Refusal(401, why);
        if (config.basicAuth().isPresent()) {
            r.reply.header("WWW-Authenticate", "Basic realm=\"cipsec EST\", charset=\"UTF-8\"");
        }
        return r;
    }

    private static List<X509Certificate> peerChain(HttpExchange ex) {
        if (!(ex instanceof HttpsExchange https)) {
            return List.of();
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : https.getSSLSession().getPeerCertificates()) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** The verified basic user, null when none was sent; 401 for credentials that do not verify. */
    private String basicUser(HttpExchange ex) throws Refusal {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null) {
            return null;
        }
        if (config.basicAuth().isEmpty() || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw unauthorized("these credentials are not accepted here");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(auth.substring(6).strip());
        } catch (IllegalArgumentException e) {
            throw unauthorized("malformed basic credentials");
        }
        String text = new String(decoded, StandardCharsets.UTF_8);
        Arrays.fill(decoded, (byte) 0);
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw unauthorized("malformed basic credentials");
        }
        String user = text.substring(0, colon);
        char[] password = text.substring(colon + 1).toCharArray();
        try {
            if (!config.basicAuth().get().verify(user, password)) {
                throw unauthorized("user or password wrong");
            }
        } finally {
            Arrays.fill(password, '\0');
        }
        return user;
    }

    /** The leaf when the chain verifies to the plant CA (revocation is checked against the CA's database later). */
    private Optional<X509Certificate> plantCertificate(List<X509Certificate> chain) throws Refusal {
        X509Certificate leaf = chain.getFirst();
        if (!leaf.getIssuerX500Principal().equals(config.ca().certificate().getSubjectX500Principal())) {
            return Optional.empty();
        }
        try {
            plantVerifier.verify(chain, VerifyOptions.of(Purpose.CLIENT, true));
            return Optional.of(leaf);
        } catch (CertificateRejectedException e) {
            if (e.check() == CertificateRejectedException.Check.UNTRUSTED
                    || e.check() == CertificateRejectedException.Check.SIGNATURE) {
                // Same name, another key: a foreign CA, not ours.
                return Optional.empty();
            }
            throw new Refusal(403, "the plant certificate is refused: " + e.getMessage());
        }
    }

    private boolean vendorApproved(List<X509Certificate> chain) throws Refusal {
        if (vendorVerifier.isEmpty()) {
            return false;
        }
        try {
            vendorVerifier.get().verify(chain, VerifyOptions.of(Purpose.CLIENT, true));
            return true;
        } catch (CertificateRejectedException e) {
            if (e.check() == CertificateRejectedException.Check.UNTRUSTED) {
                return false;
            }
            // A vendor certificate that fails a check (revoked, expired, altered) is not an unknown device.
            throw new Refusal(403, "the client certificate is refused: " + e.getMessage());
        }
    }

    // ---- codecs ----

    private byte[] readBody(HttpExchange ex) throws Refusal, ClientGone {
        int max = config.maxBodyBytes();
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > max) {
                    throw new Refusal(413, "request body over " + max + " bytes");
                }
            } catch (NumberFormatException e) {
                throw new Refusal(400, "malformed Content-Length");
            }
        }
        byte[] body;
        try {
            body = ex.getRequestBody().readNBytes(max + 1);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        if (body.length > max) {
            throw new Refusal(413, "request body over " + max + " bytes");
        }
        return body;
    }

    /** Base64 (RFC 7030 §4.2.1: Content-Transfer-Encoding base64) of a DER PKCS#10 whose signature verifies. */
    static PKCS10CertificationRequest decodeCsr(byte[] body) throws Refusal {
        StringBuilder b64 = new StringBuilder(body.length);
        for (byte c : body) {
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                b64.append((char) (c & 0xFF));
            }
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(b64.toString());
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "the body is not base64: " + e.getMessage());
        }
        if (der.length == 0) {
            throw new Refusal(400, "empty request");
        }
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new Refusal(400, "not a PKCS#10 request");
        }
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw new Refusal(400, "the CSR's signature does not verify");
            }
        } catch (OperatorCreationException | PKCSException | RuntimeException e) {
            throw new Refusal(400, "the CSR's signature cannot be checked");
        }
        return csr;
    }

    /** A degenerate SignedData holding just the certificates and CRLs (RFC 7030 §4.1.3, "certs-only"). */
    static byte[] certsOnly(List<X509Certificate> certs, List<java.security.cert.X509CRL> crls) throws IOException {
        try {
            CMSSignedDataGenerator g = new CMSSignedDataGenerator();
            g.addCertificates(new JcaCertStore(certs));
            if (!crls.isEmpty()) {
                g.addCRLs(new org.bouncycastle.cert.jcajce.JcaCRLStore(crls));
            }
            return g.generate(new CMSAbsentContent()).getEncoded();
        } catch (CMSException | java.security.cert.CRLException | CertificateException e) {
            throw new IOException("cannot encode the certificates: " + e.getMessage(), e);
        }
    }

    /** The CSR attributes we ask for: the signature algorithm CIP Security devices use with our CA. */
    private byte[] csrAttributes() throws IOException {
        ASN1ObjectIdentifier sigAlg = config.ca().certificate().getPublicKey().getAlgorithm().equals("EC")
                ? X9ObjectIdentifiers.ecdsa_with_SHA256
                : PKCSObjectIdentifiers.sha256WithRSAEncryption;
        return new CsrAttrs(new AttrOrOID(sigAlg)).getEncoded("DER");
    }

    private static byte[] base64(byte[] der) {
        return Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(der);
    }

    static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    static String commonName(X500Name name) {
        RDN[] cns = name.getRDNs(BCStyle.CN);
        return cns.length == 0 ? "" : IETFUtils.valueToString(cns[0].getFirst().getValue());
    }

    private static String keyFingerprint(PKCS10CertificationRequest csr) throws IOException {
        return HexFormat.of().withUpperCase().formatHex(sha256(csr.getSubjectPublicKeyInfo().getEncoded()));
    }

    static String fingerprintHex(X509Certificate c) {
        return CredentialFiles.sha256Fingerprint(c).replace(":", "");
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized Inventory inventory() {
        inventory = inventory.refresh();
        return inventory;
    }

    @Override
    public String toString() {
        return "EstServer[" + address() + "]";
    }

    // ---- helpers ----

    /** An HTTP answer. */
    static final class Reply {
        final int status;
        final String contentType;
        final byte[] body;
        final boolean base64;
        final List<String[]> headers = new ArrayList<>();

        private Reply(int status, String contentType, byte[] body, boolean base64) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
            this.base64 = base64;
        }

        static Reply ok(String contentType, byte[] base64Body) {
            return new Reply(200, contentType, base64Body, true);
        }

        static Reply refuse(int status, String message) {
            return new Reply(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8), false);
        }

        Reply header(String name, String value) {
            headers.add(new String[] {name, value});
            return this;
        }

        Reply retryAfter(int seconds) {
            return header("Retry-After", Integer.toString(seconds));
        }
    }

    /** A request refused with a status; nothing was issued. */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Reply reply;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.reply = Reply.refuse(status, message);
        }

        Refusal retryAfter(int seconds) {
            reply.retryAfter(seconds);
            return this;
        }
    }

    /** The request could not be read: the client went away or the server's request time limit closed it. */
    private static final class ClientGone extends Exception {
        private static final long serialVersionUID = 1L;

        ClientGone(IOException cause) {
            super(cause);
        }
    }

    /**
     * Accepts any client certificate at the TLS layer: the handshake proves the client holds the key; whether
     * the certificate is worth anything is decided per request (pinned, vendor, plant, or held for approval),
     * where the answer can be an HTTP status instead of a broken handshake.
     */
    private static final class AnyClientTrustManager extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("empty client chain");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this trust manager is for clients only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** The policy's devices, re-read when the file changes (a new pin takes effect without a restart). */
    private record Inventory(Path file, FileTime modified, long size, List<DevicePolicy> devices,
                             PolicyModel.Settings settings) {
        static Inventory load(Path file) throws IOException {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            PolicyModel model = PolicyFile.load(file);
            try {
                // A preview: the secrets file is never written by the EST server.
                List<DevicePolicy> devices = model.resolve(PskSecrets.preview(PskSecrets.defaultFileFor(file)));
                return new Inventory(file, modified, size, devices, model.settings());
            } catch (PolicyException e) {
                throw new IOException(file + ": the policy has errors: " + e.getMessage(), e);
            }
        }

        Inventory refresh() {
            try {
                if (Files.getLastModifiedTime(file).equals(modified) && Files.size(file) == size) {
                    return this;
                }
                Inventory fresh = load(file);
                LOG.info("EST: re-read {} ({} devices)", file, fresh.devices.size());
                return fresh;
            } catch (IOException e) {
                LOG.warn("EST: keeping the previous policy: {}", e.getMessage());
                return this;
            }
        }

        Optional<DevicePolicy> byFingerprint(String hex) {
            return devices.stream().filter(d -> d.expectFingerprint().equalsIgnoreCase(hex)).findFirst();
        }

        Optional<DevicePolicy> byName(String name) {
            return devices.stream().filter(d -> d.name().equals(name)).findFirst();
        }

        Optional<DevicePolicy> byCommonName(String cn) {
            if (cn.isEmpty()) {
                return Optional.empty();
            }
            Optional<DevicePolicy> bySubject = devices.stream().filter(d -> d.subject().commonName().equals(cn)).findFirst();
            return bySubject.isPresent() ? bySubject : byName(cn);
        }

        CsrSubject fallbackSubject(String cn) throws Refusal {
            if (cn.isEmpty()) {
                throw new Refusal(400, "the CSR names no common name and no device was assigned");
            }
            try {
                return new CsrSubject(cn, settings.organization(), settings.organizationalUnit(), settings.locality(),
                        settings.state(), settings.country(), "", "", List.of());
            } catch (IllegalArgumentException e) {
                throw new Refusal(400, "the CSR's common name cannot be used: " + e.getMessage());
            }
        }
    }
}
