package dev.cipsec.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link StreamConnection} over a connected {@link Socket}, without any protection. */
public final class PlainTcpConnection implements StreamConnection {
    /**
     * Per direction. Every connection of a device pays for both while idle, so they are sized for
     * the frames explicit messaging really sends (well under 1 KiB) and for a TLS record (16 KiB
     * plus overhead) to pass in two reads; a maximal 64 KiB encapsulation frame takes eight
     * syscalls. At 16 KiB an idle TLS session cost 58 KiB of heap, at 8 KiB about 42
     * ({@code ./run-bench tls}).
     */
    private static final int BUFFER_SIZE = 8 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final InetSocketAddress peer;
    private final InetSocketAddress local;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Takes ownership of a connected socket and turns on TCP_NODELAY: requests and replies are
     * small and latency-bound, and we flush whole messages ourselves.
     */
    public PlainTcpConnection(Socket socket) throws IOException {
        this.socket = Objects.requireNonNull(socket, "socket");
        if (!socket.isConnected()) {
            throw new IllegalArgumentException("socket is not connected");
        }
        socket.setTcpNoDelay(true);
        this.peer = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.local = (InetSocketAddress) socket.getLocalSocketAddress();
        this.in = new BufferedInputStream(socket.getInputStream(), BUFFER_SIZE);
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_SIZE);
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
        return peer;
    }

    @Override
    public InetSocketAddress local() {
        return local;
    }

    @Override
    public boolean secure() {
        return false;
    }

    @Override
    public void setReadTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout(toSoTimeout(timeout));
    }

    /** SO_TIMEOUT in ms where 0 means forever, so a positive sub-millisecond timeout rounds up. */
    static int toSoTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative read timeout: " + timeout);
        }
        if (timeout.isZero()) {
            return 0;
        }
        if (timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) >= 0) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(1, timeout.plusNanos(999_999).toMillis());
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // The descriptor is released either way; nothing the caller could do.
            }
        }
    }

    @Override
    public String toString() {
        return "tcp " + local + " <-> " + peer;
    }
}
