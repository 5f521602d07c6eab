package dev.cipsec.transport.tls;

import dev.cipsec.transport.StreamConnection;
import org.bouncycastle.tls.TlsProtocol;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link StreamConnection} whose bytes travel inside TLS: what {@link TlsServerHandler} hands to
 * the inner handler and what {@link TlsConnector} returns. Users see plain streams; {@link #info()}
 * says what the handshake negotiated.
 *
 * <p>Closing: the thread that owns the connection (the one that ran the handshake) sends
 * close_notify before the socket closes. Any other thread closes the socket only: the alert would
 * be written under Bouncy Castle's record lock, which a reader blocked in the socket may hold.
 */
public final class TlsStreamConnection implements StreamConnection {
    /** One encapsulation frame is usually far below this; larger writes go straight through. */
    private static final int OUT_BUFFER = 4096;
    /** Application data already decrypted by Bouncy Castle; small, it only has to support mark. */
    private static final int IN_BUFFER = 2048;

    private final StreamConnection plain;
    private final TlsProtocol protocol;
    private final TlsSessionInfo info;
    private final Thread owner;
    private final InputStream in;
    private final OutputStream out;
    private final AtomicBoolean closed = new AtomicBoolean();

    TlsStreamConnection(StreamConnection plain, TlsProtocol protocol, TlsSessionInfo info) {
        this.plain = Objects.requireNonNull(plain, "plain");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.info = Objects.requireNonNull(info, "info");
        this.owner = Thread.currentThread();
        // Buffered so that it supports mark/reset: the adapter waits for a frame's first byte with an
        // untimed read and mark/reset, and without mark it falls back to a timed read per frame,
        // which on a virtual thread arms and cancels a timer every time (a third of a round trip).
        this.in = new java.io.BufferedInputStream(protocol.getInputStream(), IN_BUFFER);
        this.out = new BufferedOutputStream(protocol.getOutputStream(), OUT_BUFFER);
    }

    /** What the handshake negotiated: version, suite, peer certificates or PSK identity, resumption. */
    public TlsSessionInfo info() {
        return info;
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public InetSocketAddress peer() {
        return plain.peer();
    }

    @Override
    public InetSocketAddress local() {
        return plain.local();
    }

    @Override
    public boolean secure() {
        return true;
    }

    @Override
    public void setReadTimeout(Duration timeout) throws IOException {
        plain.setReadTimeout(timeout);
    }

    @Override
    public boolean isClosed() {
        return closed.get() || plain.isClosed();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (Thread.currentThread() == owner && !plain.isClosed()) {
                protocol.close();
            }
        } catch (IOException | RuntimeException e) {
            // The peer may be gone already; the socket closes below either way.
        } finally {
            plain.close();
        }
    }

    @Override
    public String toString() {
        return "TLS " + info.version() + " " + info.suite().name() + " " + plain;
    }
}
