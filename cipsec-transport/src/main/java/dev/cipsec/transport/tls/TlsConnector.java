package dev.cipsec.transport.tls;

import dev.cipsec.transport.StreamConnection;
import dev.cipsec.transport.tcp.TcpConnector;
import org.bouncycastle.tls.TlsClientProtocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Opens TLS connections under one {@link TlsPolicy}, resuming earlier sessions with the same peer
 * when it can (its cache is per connector: share a connector to share sessions).
 */
public final class TlsConnector {
    private final TlsPolicy policy;
    private final SessionCache<String> sessions;

    public TlsConnector(TlsPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        if (policy.clientSuites().isEmpty()) {
            throw new IllegalArgumentException("the TLS policy offers no suite as a client: PSK suites need a PSK for a "
                    + "client, certificate suites trust anchors; allowed: " + policy.suites());
        }
        this.sessions = new SessionCache<>(policy.sessionCacheSize());
    }

    public TlsPolicy policy() {
        return policy;
    }

    /**
     * Connects and completes the handshake within the policy's handshake timeout.
     *
     * @throws TlsHandshakeException naming the alert or the timeout when the handshake fails
     */
    public TlsStreamConnection connect(InetSocketAddress remote, Duration connectTimeout) throws IOException {
        StreamConnection plain = TcpConnector.connect(remote, connectTimeout);
        return handshake(plain, remote.getHostString() + ":" + remote.getPort(), remote.getHostString());
    }

    /** Runs the client handshake over an already connected stream (e.g. a test's own socket). */
    public TlsStreamConnection handshake(StreamConnection plain, String peerName) throws IOException {
        return handshake(plain, peerName, null);
    }

    /**
     * @param host the address or host name connected to, for {@link TlsPolicy#checkSubjectAltName()}; null
     *             when unknown (the check then fails)
     */
    public TlsStreamConnection handshake(StreamConnection plain, String peerName, String host) throws IOException {
        TlsClientProtocol protocol = new TlsClientProtocol(Handshakes.uncloseable(plain.in()), Handshakes.flushing(plain.out()));
        CipTlsClient client = new CipTlsClient(policy, peerName, host, sessions);
        Handshakes.Deadline deadline = new Handshakes.Deadline(plain, policy.handshakeTimeout());
        try {
            plain.setReadTimeout(policy.handshakeTimeout());
            protocol.connect(client);
        } catch (IOException | RuntimeException e) {
            plain.close();
            IOException io = e instanceof IOException x ? x : new IOException(e);
            throw Handshakes.failure("TLS client", peerName, io, client.alerts(), deadline,
                    policy.handshakeTimeout());
        } finally {
            deadline.cancel();
        }
        if (deadline.fired()) {
            plain.close();
            throw TlsHandshakeException.timeout("TLS handshake with " + peerName + " timed out", null);
        }
        plain.setReadTimeout(Duration.ZERO);
        return new TlsStreamConnection(plain, protocol, client.info());
    }
}
