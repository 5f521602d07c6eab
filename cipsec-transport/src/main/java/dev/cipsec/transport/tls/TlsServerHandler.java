package dev.cipsec.transport.tls;

import dev.cipsec.transport.StreamConnection;
import dev.cipsec.transport.tcp.ConnectionHandler;
import org.bouncycastle.tls.TlsServerProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes a plain {@link ConnectionHandler} a TLS one: runs the server handshake on the
 * connection's own thread under the current {@link TlsPolicy}, then hands the inner handler a
 * {@link TlsStreamConnection}. Put it in a {@link dev.cipsec.transport.tcp.TcpServer} on port 2221;
 * the server's connection limits (total and per address) bound sessions per peer, this class
 * bounds handshakes in flight and their duration.
 *
 * <p>{@link #setPolicy} swaps the policy atomically (Apply_Config): handshakes that start later use
 * the new one, sessions already established keep theirs, and the session cache starts empty so no
 * session negotiated under the old policy is resumed.
 */
public final class TlsServerHandler implements ConnectionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(TlsServerHandler.class);

    private record State(TlsPolicy policy, SessionCache<ByteBuffer> sessions) {
    }

    private final ConnectionHandler inner;
    private final TlsStats stats = new TlsStats();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile State state;

    public TlsServerHandler(TlsPolicy policy, ConnectionHandler inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
        setPolicy(policy);
    }

    /** Handshakes from now on use {@code policy}; see the class comment. */
    public void setPolicy(TlsPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        if (policy.serverSuites().isEmpty()) {
            throw new IllegalArgumentException("the TLS policy can serve no suite: PSK suites need a PSK for a server, "
                    + "certificate suites an identity with the matching key type; allowed: " + policy.suites());
        }
        state = new State(policy, new SessionCache<>(policy.sessionCacheSize()));
    }

    public TlsPolicy policy() {
        return state.policy();
    }

    public TlsStats stats() {
        return stats;
    }

    /** Handshakes running now. */
    public int handshakesInFlight() {
        return inFlight.get();
    }

    @Override
    public void handle(StreamConnection plain) throws IOException {
        State s = state;
        TlsPolicy policy = s.policy();
        if (inFlight.incrementAndGet() > policy.maxHandshakesInFlight()) {
            inFlight.decrementAndGet();
            stats.refusedBusy();
            LOG.debug("TLS {}: {} handshakes in flight, connection closed", plain.peer(), policy.maxHandshakesInFlight());
            plain.close();
            return;
        }
        TlsServerProtocol protocol = new TlsServerProtocol(Handshakes.uncloseable(plain.in()), Handshakes.flushing(plain.out()));
        CipTlsServer server = new CipTlsServer(policy, plain.peer(), s.sessions());
        Handshakes.Deadline deadline = new Handshakes.Deadline(plain, policy.handshakeTimeout());
        try {
            plain.setReadTimeout(policy.handshakeTimeout());
            protocol.accept(server);
        } catch (IOException | RuntimeException e) {
            IOException io = e instanceof IOException x ? x : new IOException(e);
            TlsHandshakeException failure = Handshakes.failure("TLS server", plain.peer(), io, server.alerts(),
                    deadline, policy.handshakeTimeout());
            stats.failed(failure);
            LOG.info("{}", failure.getMessage());
            if (Handshakes.timedOut(io, deadline)) {
                plain.close();
            } else {
                Handshakes.lingerAndClose(plain);
            }
            return;
        } finally {
            deadline.cancel();
            inFlight.decrementAndGet();
        }
        if (deadline.fired()) {
            plain.close();
            return;
        }
        TlsSessionInfo info = server.info();
        stats.completed(info.resumed());
        LOG.debug("TLS {}: {} {}{}", plain.peer(), info.version(), info.suite().name(), info.resumed() ? " (resumed)" : "");
        plain.setReadTimeout(Duration.ZERO);
        TlsStreamConnection tls = new TlsStreamConnection(plain, protocol, info);
        try {
            inner.handle(tls);
        } finally {
            tls.close();
        }
    }
}
