package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.Purpose;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.KeyExchangeAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKIdentityManager;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.jcajce.JceDefaultTlsCredentialedDecryptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Vector;

/**
 * Bouncy Castle's server callbacks, answered from one {@link TlsPolicy}. One instance per handshake.
 * Public so that the DTLS layer ({@code dev.cipsec.transport.dtls}) runs the same logic over
 * {@code DTLSServerProtocol} ({@link #forDatagrams}).
 */
public final class CipTlsServer extends DefaultTlsServer {
    private static final Logger LOG = LoggerFactory.getLogger(CipTlsServer.class);

    private final TlsPolicy policy;
    private final InetSocketAddress peer;
    private final SessionCache<ByteBuffer> sessions;
    private final int[] suites;
    private List<X509Certificate> clientChain = List.of();
    private TlsSessionInfo info;
    private final Alerts alerts;
    private final ProtocolVersion[] versions;

    CipTlsServer(TlsPolicy policy, InetSocketAddress peer, SessionCache<ByteBuffer> sessions) {
        this(policy, peer, sessions, ProtocolVersion.TLSv12);
    }

    private CipTlsServer(TlsPolicy policy, InetSocketAddress peer, SessionCache<ByteBuffer> sessions,
                         ProtocolVersion version) {
        super(TlsSupport.crypto());
        this.versions = version.only();
        this.policy = policy;
        this.peer = peer;
        this.alerts = new Alerts(peer);
        this.sessions = sessions;
        this.suites = policy.serverSuites().stream().mapToInt(CipherSuite::id).toArray();
    }

    /**
     * The server side of one DTLS 1.2 handshake with {@code peer}, under {@code policy}. No session
     * resumption: a DTLS session lives as long as its peer keeps sending, and a peer that lost it
     * does a full handshake.
     */
    public static CipTlsServer forDatagrams(TlsPolicy policy, InetSocketAddress peer) {
        return new CipTlsServer(policy, peer, new SessionCache<>(0), ProtocolVersion.DTLSv12);
    }

    /**
     * The server side of one TLS 1.2 handshake over a transport the caller drives itself (e.g. Bouncy
     * Castle's non-blocking {@code TlsServerProtocol}); no session resumption. {@link TlsServerHandler}
     * is the way to serve connections.
     */
    public static CipTlsServer forStreams(TlsPolicy policy, InetSocketAddress peer) {
        return new CipTlsServer(policy, peer, new SessionCache<>(0));
    }

    /** What the handshake negotiated; null until it completes. */
    public TlsSessionInfo info() {
        return info;
    }

    /** Turns what the handshake threw into a report naming the alert (ours or the peer's) or the timeout. */
    public TlsHandshakeException failure(IOException e) {
        return Handshakes.failure(versions[0].isDTLS() ? "DTLS server" : "TLS server", peer, e, alerts, null,
                policy.handshakeTimeout());
    }

    Alerts alerts() {
        return alerts;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return versions.clone();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return suites.clone();
    }

    /** Our order wins: the policy lists suites by preference (AEAD first by default). */
    @Override
    protected boolean preferLocalCipherSuites() {
        return true;
    }

    /**
     * P-256 first, and ours wins over the client's order: OpenSSL clients list x25519 first, and
     * the JDK's X25519 is plain Java, several times slower than its P-256, which has intrinsics (a
     * profile of full handshakes from {@code openssl s_time} spent most of its time in X25519).
     * P-256 is also the curve CIP Security devices' ECDSA keys use.
     */
    @Override
    public int[] getSupportedGroups() {
        return TlsSupport.GROUPS.clone();
    }

    @Override
    public boolean preferLocalSupportedGroups() {
        return true;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, policy.handshakeTimeout().toMillis());
    }

    @Override
    public TlsCredentials getCredentials() throws IOException {
        int ke = TlsUtils.getKeyExchangeAlgorithm(selectedCipherSuite);
        Identity id = policy.identity().orElse(null);
        switch (ke) {
            case KeyExchangeAlgorithm.ECDHE_PSK:
                return null;
            case KeyExchangeAlgorithm.ECDHE_ECDSA:
                return TlsSupport.signer(context, requireIdentity(id), policy.sendChain(),
                        context.getSecurityParametersHandshake().getClientSigAlgs());
            case KeyExchangeAlgorithm.RSA:
                return new JceDefaultTlsCredentialedDecryptor(TlsSupport.crypto(),
                        TlsSupport.presented(requireIdentity(id), policy.sendChain()), id.key());
            default:
                throw new TlsFatalAlert(AlertDescription.internal_error, "no credentials for key exchange " + ke);
        }
    }

    private static Identity requireIdentity(Identity id) throws TlsFatalAlert {
        if (id == null) {
            throw new TlsFatalAlert(AlertDescription.internal_error, "certificate suite selected without an identity");
        }
        return id;
    }

    @Override
    public TlsPSKIdentityManager getPSKIdentityManager() {
        return new TlsPSKIdentityManager() {
            @Override
            public byte[] getHint() {
                return null;
            }

            @Override
            public byte[] getPSK(byte[] identity) {
                for (PskCredential p : policy.psks()) {
                    if (p.usage().allowsServer() && java.util.Arrays.equals(p.identity().toArray(), identity)) {
                        return p.key().toArray();
                    }
                }
                // BC answers unknown_psk_identity for a null key.
                LOG.debug("TLS {}: unknown PSK identity {}", peer, TlsSupport.printable(identity));
                return null;
            }
        };
    }

    @Override
    public CertificateRequest getCertificateRequest() throws IOException {
        if (!policy.requireClientCertificate()
                || TlsUtils.getKeyExchangeAlgorithm(selectedCipherSuite) == KeyExchangeAlgorithm.ECDHE_PSK) {
            return null;
        }
        short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
        Vector<X500Name> authorities = new Vector<>();
        for (X509Certificate ca : policy.peerVerifier().acceptableIssuers()) {
            authorities.add(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()));
        }
        return new CertificateRequest(types, TlsUtils.getDefaultSupportedSignatureAlgorithms(context),
                authorities.isEmpty() ? null : authorities);
    }

    @Override
    public void notifyClientCertificate(Certificate certificate) throws IOException {
        if (certificate == null || certificate.isEmpty()) {
            if (policy.requireClientCertificate()) {
                throw new TlsFatalAlert(AlertDescription.handshake_failure, "client certificate required");
            }
            return;
        }
        List<X509Certificate> chain = TlsSupport.x509Chain(certificate);
        try {
            policy.peerVerifier().verify(chain, Purpose.CLIENT);
        } catch (CertificateException e) {
            LOG.warn("TLS {}: client certificate refused: {}", peer, e.getMessage());
            throw TlsSupport.refused(e);
        }
        clientChain = chain;
    }

    @Override
    public byte[] getNewSessionID() {
        return policy.sessionCacheSize() == 0 ? null : context.getNonceGenerator().generateNonce(32);
    }

    @Override
    public TlsSession getSessionToResume(byte[] sessionID) {
        TlsSession s = sessions.get(ByteBuffer.wrap(sessionID));
        if (s != null && !resumable(s)) {
            return null;
        }
        return s;
    }

    /** A cached session resumes only with a suite the current policy still serves. */
    private boolean resumable(TlsSession s) {
        int suite = s.exportSessionParameters().getCipherSuite();
        for (int allowed : suites) {
            if (allowed == suite) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        info = TlsSupport.completed(context, policy, clientChain);
        TlsSession session = context.getSession();
        if (!info.resumed() && session != null && session.getSessionID().length > 0) {
            sessions.put(ByteBuffer.wrap(session.getSessionID().clone()), session);
        }
    }

    /**
     * Accepts a client that does not send the RFC 5746 indication (nmap's ssl-enum-ciphers, old
     * stacks) instead of Bouncy Castle's default handshake_failure: the attack the indication guards
     * against needs a server that renegotiates, and ours never does (Bouncy Castle refuses every
     * renegotiation with no_renegotiation). {@link TlsSessionInfo#secureRenegotiation()} records which it was.
     */
    @Override
    public void notifySecureRenegotiation(boolean secureRenegotiation) {
        if (!secureRenegotiation) {
            LOG.debug("TLS {}: client without the RFC 5746 indication (we never renegotiate)", peer);
        }
    }

    @Override
    public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
        alerts.raised(level, description, message);
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
        alerts.received(level, description);
    }

}
