package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.CipherSuite.Protection;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.Purpose;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKIdentity;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKIdentity;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Hashtable;
import java.util.List;

/**
 * Bouncy Castle's client callbacks, answered from one {@link TlsPolicy}. One instance per handshake.
 * Public so that the DTLS layer ({@code dev.cipsec.transport.dtls}) runs the same logic over
 * {@code DTLSClientProtocol} ({@link #forDatagrams}).
 */
public final class CipTlsClient extends DefaultTlsClient {
    private static final Logger LOG = LoggerFactory.getLogger(CipTlsClient.class);

    private final TlsPolicy policy;
    private final String peer;
    /** The address or host name connected to, for the subject alternative name check; null: unknown. */
    private final String host;
    private final SessionCache<String> sessions;
    private final List<CipherSuite> offered;
    private List<X509Certificate> serverChain = List.of();
    private TlsSessionInfo info;
    private final Alerts alerts;
    private final ProtocolVersion[] versions;

    /**
     * @param peer     names the server in logs and keys the session cache (host:port)
     * @param sessions sessions to resume, shared by the connections of one connector
     */
    CipTlsClient(TlsPolicy policy, String peer, String host, SessionCache<String> sessions) {
        this(policy, peer, host, sessions, ProtocolVersion.TLSv12);
    }

    private CipTlsClient(TlsPolicy policy, String peer, String host, SessionCache<String> sessions,
                         ProtocolVersion version) {
        super(TlsSupport.crypto());
        this.versions = version.only();
        this.policy = policy;
        this.peer = peer;
        this.alerts = new Alerts(peer);
        this.host = host;
        this.sessions = sessions;
        this.offered = policy.clientSuites();
        if (offered.isEmpty()) {
            throw new IllegalArgumentException("the TLS policy offers no suite: it needs a PSK for PSK suites, or trust for "
                    + "certificate suites");
        }
    }

    /**
     * The client side of one DTLS 1.2 handshake with {@code peer} ("host:port", for logs), checking
     * the server's certificate against {@code host} when the policy asks for the subject alternative
     * name check. No session resumption (see {@link CipTlsServer#forDatagrams}).
     */
    public static CipTlsClient forDatagrams(TlsPolicy policy, String peer, String host) {
        return new CipTlsClient(policy, peer, host, new SessionCache<>(0), ProtocolVersion.DTLSv12);
    }

    /**
     * The client side of one TLS 1.2 handshake over a transport the caller drives itself (e.g. Bouncy
     * Castle's non-blocking {@code TlsClientProtocol}, as {@code cipsec bench} does in memory); no session
     * resumption. {@link TlsConnector} is the way to open connections.
     */
    public static CipTlsClient forStreams(TlsPolicy policy, String peer, String host) {
        return new CipTlsClient(policy, peer, host, new SessionCache<>(0));
    }

    /** What the handshake negotiated; null until it completes. */
    public TlsSessionInfo info() {
        return info;
    }

    /** Whether the peer has sent close_notify: the connection ended in order, not by an error. */
    public boolean closedByPeer() {
        return alerts.closeNotifyReceived();
    }

    /** Turns what the handshake threw into a report naming the alert (ours or the peer's) or the timeout. */
    public TlsHandshakeException failure(IOException e) {
        return Handshakes.failure(versions[0].isDTLS() ? "DTLS client" : "TLS client", peer, e, alerts, null,
                policy.handshakeTimeout());
    }

    /** The fatal alerts of this handshake, for reporting a failure. */
    Alerts alerts() {
        return alerts;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return versions.clone();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return offered.stream().mapToInt(CipherSuite::id).toArray();
    }

    /** P-256 first, for the reason given on {@link CipTlsServer#getSupportedGroups()}. */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected java.util.Vector getSupportedGroups(java.util.Vector namedGroupRoles) {
        java.util.Vector groups = new java.util.Vector();
        for (int g : TlsSupport.GROUPS) {
            groups.add(g);
        }
        return groups;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, policy.handshakeTimeout().toMillis());
    }

    /**
     * Encrypt-then-MAC only when a CBC suite is offered: OpenSSL servers answer the extension even
     * when they pick a NULL suite, and BC then aborts with illegal_parameter (java-stack.md, C1).
     */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
        Hashtable ext = super.getClientExtensions();
        if (offered.stream().noneMatch(s -> s.protection() == Protection.CBC) && ext != null) {
            ext.remove(TlsExtensionsUtils.EXT_encrypt_then_mac);
        }
        return ext;
    }

    @Override
    public TlsPSKIdentity getPSKIdentity() {
        return policy.clientPsk().map(p -> new BasicTlsPSKIdentity(p.identity().toArray(), p.key().toArray()))
                .orElse(null);
    }

    @Override
    public TlsSession getSessionToResume() {
        return sessions.get(peer);
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                if (serverCertificate == null || serverCertificate.getCertificate() == null
                        || serverCertificate.getCertificate().isEmpty()) {
                    throw new TlsFatalAlert(AlertDescription.bad_certificate, "server sent no certificate");
                }
                List<X509Certificate> chain = TlsSupport.x509Chain(serverCertificate.getCertificate());
                try {
                    policy.peerVerifier().verify(chain, Purpose.SERVER);
                    if (policy.checkSubjectAltName()) {
                        if (host == null) {
                            throw new dev.cipsec.transport.tls.cert.CertificateRejectedException(
                                    dev.cipsec.transport.tls.cert.CertificateRejectedException.Check.SUBJECT_ALT_NAME,
                                    "no host name or address to check against", chain.getFirst());
                        }
                        dev.cipsec.transport.tls.cert.SubjectAltNames.check(chain.getFirst(), host);
                    }
                } catch (CertificateException e) {
                    LOG.warn("TLS {}: server certificate refused: {}", peer, e.getMessage());
                    throw TlsSupport.refused(e);
                }
                serverChain = chain;
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                Identity id = policy.identity().orElse(null);
                if (id == null) {
                    return null;
                }
                short wanted = id.keyType().isEc() ? ClientCertificateType.ecdsa_sign : ClientCertificateType.rsa_sign;
                for (short t : request.getCertificateTypes()) {
                    if (t == wanted) {
                        return TlsSupport.signer(context, id, policy.sendChain(), request.getSupportedSignatureAlgorithms());
                    }
                }
                LOG.debug("TLS {}: the server accepts no {} client certificate; sending none", peer, id.keyType());
                return null;
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        info = TlsSupport.completed(context, policy, serverChain);
        TlsSession session = context.getSession();
        if (!info.resumed() && session != null) {
            sessions.put(peer, session);
        }
    }

    /** A failed handshake's session must not be resumed later. */
    @Override
    public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
        if (alerts.raised(level, description, message)) {
            sessions.remove(peer);
        }
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
        if (alerts.received(level, description)) {
            sessions.remove(peer);
        }
    }
}
