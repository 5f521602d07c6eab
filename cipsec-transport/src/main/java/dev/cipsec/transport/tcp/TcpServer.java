package dev.cipsec.transport.tcp;

import dev.cipsec.transport.PlainTcpConnection;
import dev.cipsec.transport.StreamConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP listener that admits connections within {@link TcpServerLimits} and serves each on its
 * own virtual thread through a {@link ConnectionHandler}.
 *
 * <p>Admission runs on the accept thread before any byte is read, so a flood of connections costs
 * one accept and one close each. Handler failures are logged at DEBUG with the peer and never
 * reach the accept loop. {@link #close()} stops accepting, closes every live connection and waits
 * a bounded time for the handler threads to finish.
 */
public final class TcpServer implements AutoCloseable {
    /** How long {@link #close()} waits for the accept thread and the handlers to finish. */
    public static final Duration DEFAULT_CLOSE_WAIT = Duration.ofSeconds(5);

    private static final Duration ACCEPT_RETRY_PAUSE = Duration.ofMillis(100);
    private static final Logger log = LoggerFactory.getLogger(TcpServer.class);

    private final InetSocketAddress bindAddress;
    private final TcpServerLimits limits;
    private final ConnectionHandler handler;

    /** Live connections and the threads serving them. */
    private final Map<StreamConnection, Thread> live = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejectedTotal = new AtomicLong();
    private final AtomicLong rejectedPerAddress = new AtomicLong();
    private final AtomicLong handlerFailures = new AtomicLong();

    private final Object lifecycle = new Object();
    private ServerSocket serverSocket;
    private Thread acceptThread;
    private volatile boolean closed;

    public TcpServer(InetSocketAddress bindAddress, TcpServerLimits limits, ConnectionHandler handler) {
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Binds (port 0 picks an ephemeral port) and starts accepting. */
    public TcpServer start() throws IOException {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("server is closed");
            }
            if (serverSocket != null) {
                throw new IllegalStateException("server already started");
            }
            ServerSocket ss = new ServerSocket();
            try {
                // Restart on the same port while old connections sit in TIME_WAIT.
                ss.setReuseAddress(true);
                ss.bind(bindAddress, limits.acceptBacklog());
            } catch (IOException | RuntimeException e) {
                ss.close();
                throw e;
            }
            serverSocket = ss;
            acceptThread = Thread.ofVirtual()
                    .name("cipsec-tcp-accept-" + ss.getLocalPort())
                    .start(() -> acceptLoop(ss));
            log.info("TCP listener on {} ({})", ss.getLocalSocketAddress(), limits);
            return this;
        }
    }

    /** The bound address, with the actual port when bound to port 0. */
    public InetSocketAddress localAddress() {
        synchronized (lifecycle) {
            if (serverSocket == null) {
                throw new IllegalStateException("server not started");
            }
            return (InetSocketAddress) serverSocket.getLocalSocketAddress();
        }
    }

    public TcpServerLimits limits() {
        return limits;
    }

    public TcpServerStats stats() {
        return new TcpServerStats(accepted.get(), rejectedTotal.get(), rejectedPerAddress.get(),
                live.size(), handlerFailures.get());
    }

    private void acceptLoop(ServerSocket ss) {
        while (!closed) {
            Socket socket;
            try {
                socket = ss.accept();
            } catch (IOException e) {
                if (!closed) {
                    // accept() fails for reasons like EMFILE; keep serving the live connections.
                    log.warn("accept on {} failed: {}", ss.getLocalSocketAddress(), e.toString());
                    if (ss.isClosed()) {
                        return;
                    }
                    pauseAfterAcceptFailure();
                }
                continue;
            }
            admit(socket);
        }
    }

    /** Out of descriptors, accept() fails at once until some close: don't spin on it. */
    private static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(ACCEPT_RETRY_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void admit(Socket socket) {
        InetSocketAddress peer = (InetSocketAddress) socket.getRemoteSocketAddress();
        InetAddress address = peer.getAddress();
        // Only this thread adds connections, so the size can only shrink between check and add.
        if (live.size() >= limits.maxConnections()) {
            rejectedTotal.incrementAndGet();
            log.debug("rejected {}: {} connections open (limit)", peer, limits.maxConnections());
            closeQuietly(socket);
            return;
        }
        if (!reserveAddressSlot(address)) {
            rejectedPerAddress.incrementAndGet();
            log.debug("rejected {}: {} connections from this address open (limit)", peer,
                    limits.maxConnectionsPerAddress());
            closeQuietly(socket);
            return;
        }
        StreamConnection connection;
        try {
            connection = new PlainTcpConnection(socket);
        } catch (IOException e) {
            releaseAddressSlot(address);
            log.debug("dropped {} before admission: {}", peer, e.toString());
            closeQuietly(socket);
            return;
        }
        Thread thread = Thread.ofVirtual().name("cipsec-tcp-" + peer)
                .unstarted(() -> serve(connection, address));
        live.put(connection, thread);
        accepted.incrementAndGet();
        if (closed) {
            // close() may have swept the live set before this entry went in.
            connection.close();
        }
        thread.start();
    }

    private void serve(StreamConnection connection, InetAddress address) {
        MDC.put("peer", connection.peer().toString());
        try {
            log.debug("connection from {} on {}", connection.peer(), connection.local());
            handler.handle(connection);
        } catch (Exception e) {
            handlerFailures.incrementAndGet();
            if (log.isDebugEnabled()) {
                log.debug("handler for {} ended with an exception", connection.peer(), e);
            }
        } finally {
            connection.close();
            // Slot first: once a connection no longer counts as active, its address slot is free.
            releaseAddressSlot(address);
            live.remove(connection);
            log.debug("connection from {} closed", connection.peer());
            MDC.remove("peer");
        }
    }

    private boolean reserveAddressSlot(InetAddress address) {
        boolean[] reserved = {false};
        perAddress.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= limits.maxConnectionsPerAddress()) {
                return n;
            }
            reserved[0] = true;
            return count + 1;
        });
        return reserved[0];
    }

    private void releaseAddressSlot(InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** Closes with {@link #DEFAULT_CLOSE_WAIT}. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_WAIT);
    }

    /**
     * Stops accepting, closes every live connection and waits up to {@code wait} for the accept
     * thread and all handler threads to end. Idempotent.
     *
     * @return whether every thread ended within {@code wait}
     */
    public boolean close(Duration wait) {
        ServerSocket ss;
        Thread accept;
        boolean first;
        synchronized (lifecycle) {
            first = !closed;
            closed = true;
            ss = serverSocket;
            accept = acceptThread;
        }
        if (ss == null) {
            return true;
        }
        closeQuietly(ss);
        long deadline = System.nanoTime() + wait.toNanos();
        boolean ended = join(accept, deadline);
        // The accept thread has stopped adding (or will close what it adds), so the sweep is complete.
        for (StreamConnection c : live.keySet()) {
            c.close();
        }
        for (Thread t : live.values()) {
            ended &= join(t, deadline);
        }
        if (!ended && Thread.currentThread().isInterrupted()) {
            // The caller was interrupted (e.g. a command being stopped): it did not wait, nothing hung.
            log.info("TCP listener on {} closed; interrupted before its threads ended", ss.getLocalSocketAddress());
        } else if (!ended) {
            log.warn("TCP listener on {} closed; {} handler(s) still running after {}",
                    ss.getLocalSocketAddress(), live.size(), wait);
        } else if (first) {
            log.info("TCP listener on {} closed", ss.getLocalSocketAddress());
        }
        return ended;
    }

    private static boolean join(Thread t, long deadline) {
        try {
            long left = deadline - System.nanoTime();
            return left > 0 ? t.join(Duration.ofNanos(left)) : !t.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !t.isAlive();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Releasing the descriptor is all we wanted.
        }
    }
}
