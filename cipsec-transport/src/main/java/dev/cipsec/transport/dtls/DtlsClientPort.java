package dev.cipsec.transport.dtls;

import dev.cipsec.transport.io.DatagramPort;
import dev.cipsec.transport.io.DatagramPortStats;
import dev.cipsec.transport.io.DatagramReceiver;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.transport.tls.CipTlsClient;
import dev.cipsec.transport.tls.TlsHandshakeException;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsSessionInfo;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A DTLS 1.2 client that is a {@link DatagramPort} towards one server: a UDP socket connected to
 * it, the handshake done by {@link #connect} (Bouncy Castle retransmits lost flights), then
 * encrypted sends and decrypted datagrams for the receiver on one receive thread.
 *
 * <p>When the session dies (an alert, a receive failure, or nothing received for the idle
 * timeout) the receive thread handshakes again, with a back-off between failed attempts that
 * doubles from {@link #MIN_BACKOFF} to {@link #MAX_BACKOFF}; sends fail until a session is back.
 */
public final class DtlsClientPort implements DatagramPort {
    public static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(DtlsClientPort.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** Socket receive buffer asked for: about 8,000 I/O records, 125 ms of 64 connections at RPI 1 ms. */
    static final int RECEIVE_BUFFER_BYTES = 1 << 20;
    /** The receive thread looks at {@link #closed} at least this often, so close() can stop it first. */
    private static final long RECEIVE_POLL_MILLIS = 100;

    private final DatagramSocket socket;
    private final InetSocketAddress localAddress;
    private final InetSocketAddress server;
    private final String serverName;
    private final int maxDatagramSize;
    private final int wireLimit;
    private final TlsPolicy policy;
    private final Duration idleTimeout;
    private final DatagramReceiver receiver;
    private final SocketTransport transport;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread receiveThread;
    private volatile Established session;
    private volatile boolean closed;

    private final AtomicLong handshakes = new AtomicLong();
    private final AtomicLong handshakeFailures = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong droppedOversize = new AtomicLong();
    private final AtomicLong receiverFailures = new AtomicLong();
    private final AtomicLong receiveErrors = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();

    private record Established(DTLSTransport dtls, TlsSessionInfo info) {
    }

    private DtlsClientPort(DatagramSocket socket, InetSocketAddress server, int maxDatagramSize, String name,
                           TlsPolicy policy, Duration idleTimeout, DatagramReceiver receiver) {
        this.socket = socket;
        this.localAddress = (InetSocketAddress) socket.getLocalSocketAddress();
        this.server = server;
        this.serverName = server.getHostString() + ":" + server.getPort();
        this.maxDatagramSize = maxDatagramSize;
        this.wireLimit = Math.min(65_507, maxDatagramSize + DtlsServerPort.RECORD_OVERHEAD);
        this.policy = policy;
        this.idleTimeout = idleTimeout;
        this.receiver = receiver;
        this.transport = new SocketTransport();
        this.receiveThread = Thread.ofPlatform().daemon().name(name + "-dtls-rx-" + localAddress.getPort())
                .unstarted(this::receiveLoop);
    }

    /**
     * Binds {@code bind}, completes a handshake with {@code server} within the policy's handshake
     * timeout, and starts receiving.
     *
     * @param idleTimeout a session that received nothing for this long is replaced by a new handshake
     * @throws TlsHandshakeException when the first handshake fails (named alert or timeout)
     */
    public static DtlsClientPort connect(InetSocketAddress bind, InetSocketAddress server, int maxDatagramSize,
                                         String name, TlsPolicy policy, Duration idleTimeout,
                                         DatagramReceiver receiver) throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(receiver, "receiver");
        checkOffers(policy);
        if (maxDatagramSize < 1 || maxDatagramSize > DtlsServerPort.MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxDatagramSize must be in 1.." + DtlsServerPort.MAX_PAYLOAD + ": "
                    + maxDatagramSize);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeout);
        }
        DatagramSocket socket = new DatagramSocket(bind);
        DtlsClientPort port;
        try {
            // One thread decrypts everything this session carries (all bundled connections): a burst
            // while it is descheduled must wait in the kernel, not be dropped there. Best effort: the
            // kernel caps it at net.core.rmem_max.
            socket.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
            socket.connect(server);
            port = new DtlsClientPort(socket, server, maxDatagramSize, name, policy, idleTimeout, receiver);
            port.session = port.handshake();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        port.receiveThread.start();
        return port;
    }

    /**
     * Opens DTLS client ports towards {@code server}, for an I/O runtime: each port's
     * {@link #send} accepts {@code server} as the only destination. A requested maximum datagram
     * size beyond {@link DtlsServerPort#MAX_PAYLOAD} is lowered to it.
     */
    public static DatagramTransport transport(TlsPolicy policy, InetSocketAddress server, Duration idleTimeout) {
        checkOffers(policy);
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        return (bind, max, name, receiver) -> connect(bind, server, Math.min(max, DtlsServerPort.MAX_PAYLOAD), name,
                policy, idleTimeout, receiver);
    }

    private static void checkOffers(TlsPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        if (policy.clientSuites().isEmpty()) {
            throw new IllegalArgumentException("the TLS policy offers no suite as a client: PSK suites need a PSK for a "
                    + "client, certificate suites trust anchors; allowed: " + policy.suites());
        }
    }

    private Established handshake() throws IOException {
        CipTlsClient client = CipTlsClient.forDatagrams(policy, serverName, server.getAddress().getHostAddress());
        transport.alive = true;
        try {
            DTLSTransport t = new DTLSClientProtocol().connect(client, transport);
            handshakes.incrementAndGet();
            LOG.debug("DTLS {}: {} {}", serverName, client.info().version(), client.info().suite().name());
            return new Established(t, client.info());
        } catch (IOException | RuntimeException e) {
            handshakeFailures.incrementAndGet();
            throw client.failure(e instanceof IOException x ? x : new IOException(e));
        }
    }

    public InetSocketAddress server() {
        return server;
    }

    /** What the current session negotiated; empty while there is none. */
    public Optional<TlsSessionInfo> session() {
        Established s = session;
        return s == null ? Optional.empty() : Optional.of(s.info());
    }

    /** Handshakes completed, the first one included. */
    public long handshakesCompleted() {
        return handshakes.get();
    }

    public long handshakesFailed() {
        return handshakeFailures.get();
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    /**
     * Encrypts and sends to the server.
     *
     * @throws IllegalArgumentException when {@code to} is not the server, or {@code len} is too long
     * @throws IOException              while there is no session (a new handshake is under way)
     */
    @Override
    public void send(byte[] buf, int off, int len, InetSocketAddress to) throws IOException {
        if (!server.equals(to)) {
            throw new IllegalArgumentException("this DTLS port sends to " + server + " only, not " + to);
        }
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len > maxDatagramSize) {
            throw new IllegalArgumentException("datagram of " + len + " bytes exceeds the maximum of " + maxDatagramSize);
        }
        Established s = session;
        if (s == null) {
            sendErrors.incrementAndGet();
            throw new IOException("no DTLS session with " + serverName + " (handshaking again)");
        }
        try {
            s.dtls().send(buf, off, len);
        } catch (IOException | RuntimeException e) {
            sendErrors.incrementAndGet();
            throw e;
        }
        sent.incrementAndGet();
    }

    @Override
    public DatagramPortStats stats() {
        return new DatagramPortStats(received.get(), droppedOversize.get(), receiverFailures.get(), receiveErrors.get(),
                sent.get(), sendErrors.get());
    }

    private void receiveLoop() {
        byte[] buf = new byte[wireLimit];
        long backoff = MIN_BACKOFF.toMillis();
        while (!closed) {
            Established s = session;
            if (s == null) {
                try {
                    session = handshake();
                    backoff = MIN_BACKOFF.toMillis();
                } catch (IOException e) {
                    if (closed) {
                        return;
                    }
                    LOG.info("{}", e.getMessage());
                    if (await(backoff)) {
                        return;
                    }
                    backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
                }
                continue;
            }
            readSession(s, buf);
            session = null;
        }
    }

    /**
     * Reads one session until it dies or idles out. This thread receives each datagram itself and
     * hands it to Bouncy Castle (see {@link SocketTransport#slotMode}): Bouncy Castle allocates a
     * record buffer of the transport's receive limit on every call, which is then the datagram's
     * size instead of the port's 16 KiB limit, and its timed-receive loop (a timeout and a clock read
     * per call) is not in the path of every I/O packet.
     */
    private void readSession(Established s, byte[] buf) {
        long idleNanos = idleTimeout.toNanos();
        long last = System.nanoTime();
        byte[] raw = new byte[wireLimit];
        java.net.DatagramPacket packet = new java.net.DatagramPacket(raw, raw.length);
        transport.slotMode = true;
        try {
            socket.setSoTimeout((int) RECEIVE_POLL_MILLIS);
            while (!closed && transport.alive) {
                long left = idleNanos - (System.nanoTime() - last);
                if (left <= 0) {
                    LOG.debug("DTLS {}: nothing received for {}, handshaking again", serverName, idleTimeout);
                    return;
                }
                packet.setLength(raw.length);
                try {
                    socket.receive(packet);
                } catch (java.net.SocketTimeoutException | java.net.PortUnreachableException e) {
                    continue;
                }
                transport.handOver.hand(raw, packet.getLength());
                while (transport.alive) {
                    int n;
                    try {
                        n = s.dtls().receive(buf, 0, buf.length, DtlsServerPort.INLINE_WAIT_MILLIS);
                    } catch (Drained e) {
                        break;
                    }
                    if (n < 0) {
                        break;
                    }
                    last = System.nanoTime();
                    if (n > maxDatagramSize) {
                        droppedOversize.incrementAndGet();
                        continue;
                    }
                    received.incrementAndGet();
                    try {
                        receiver.datagram(buf, 0, n, server);
                    } catch (RuntimeException e) {
                        if (receiverFailures.getAndIncrement() == 0) {
                            LOG.debug("receiver on {} failed (later failures at TRACE)", localAddress, e);
                        } else {
                            LOG.trace("receiver on {} failed", localAddress, e);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                receiveErrors.incrementAndGet();
                LOG.debug("DTLS {}: session ended: {}", serverName, e.toString());
            }
        } finally {
            transport.slotMode = false;
            transport.handOver.reset();
        }
    }

    /** @return whether the port closed meanwhile */
    private boolean await(long millis) {
        try {
            return closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return true;
        }
    }

    /** The connected socket as Bouncy Castle's transport; its close() ends the session, not the socket. */
    private final class SocketTransport extends SocketDatagramTransport {
        volatile boolean alive = true;
        /**
         * Established: the receive thread reads the socket and hands each datagram over
         * ({@link #hand}); Bouncy Castle gets it once, then {@link Drained}. Handshakes read the
         * socket through Bouncy Castle as usual. Receive thread only.
         */
        boolean slotMode;
        final HandOver handOver = new HandOver();

        SocketTransport() {
            super(socket, wireLimit);
        }

        @Override
        public int getReceiveLimit() {
            return slotMode ? handOver.receiveLimit(super.getReceiveLimit()) : super.getReceiveLimit();
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            if (!alive) {
                throw new IOException("DTLS session with " + serverName + " closed");
            }
            if (slotMode) {
                return handOver.take(buf, off, len);
            }
            return super.receive(buf, off, len, waitMillis);
        }

        @Override
        public void close() {
            alive = false;
        }
    }

    /**
     * Stops the receive thread, sends close_notify when a session is up, then releases the socket;
     * idempotent.
     *
     * <p>The receive thread is stopped <em>before</em> close_notify: Bouncy Castle's record layer is
     * not made for a receive and a close on two threads at once, and their race sent a stray record
     * after close_notify about once in 150 closes, which a server that reads every client from one
     * socket (openssl s_server) took into its next client's handshake and failed it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        // Taken first: the receive thread clears the field as it leaves a session.
        Established s = session;
        closed = true;
        closing.countDown();
        boolean stopped = receiveThread == Thread.currentThread() || join(Duration.ofMillis(3 * RECEIVE_POLL_MILLIS));
        if (stopped && s != null) {
            try {
                s.dtls().close();
            } catch (IOException e) {
                LOG.trace("close_notify to {}: {}", serverName, e.toString());
            }
        }
        // A receive thread still busy is in a new handshake: closing the socket ends it.
        socket.close();
        if (!stopped) {
            join(CLOSE_WAIT);
        }
    }

    /** @return whether the receive thread ended within {@code wait} */
    private boolean join(Duration wait) {
        try {
            return receiveThread.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
