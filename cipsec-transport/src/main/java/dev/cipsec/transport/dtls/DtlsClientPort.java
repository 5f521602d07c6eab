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
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A DTLS 1.2 client that is a {@link DatagramPort} towards one server: a UDP socket connected to
 * it, the handshake done by {@link #connect} (Bouncy Castle retransmits lost flights), then
 * encrypted sends and decrypted datagrams for the receiver.
 *
 * <p>An established session is received by the {@link DtlsClientReceiveLoop}, one thread for every
 * client session of the JVM; the port's own (virtual) thread only handshakes. When the session
 * dies (an alert, a receive failure, or nothing received for the idle timeout) that thread
 * handshakes again, with a back-off between failed attempts that doubles from
 * {@link #MIN_BACKOFF} to {@link #MAX_BACKOFF}; sends fail until a session is back.
 */
public final class DtlsClientPort implements DatagramPort {
    public static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(DtlsClientPort.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** Socket receive buffer asked for: about 8,000 I/O records, 125 ms of 64 connections at RPI 1 ms. */
    static final int RECEIVE_BUFFER_BYTES = 1 << 20;
    /** How long close() waits for the receive loop to give the session up before close_notify. */
    private static final Duration STOP_WAIT = Duration.ofMillis(300);

    private final DatagramChannel channel;
    /** The channel's socket, for handshakes (blocking mode, receive timeouts). */
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
    private final DtlsClientReceiveLoop loop = DtlsClientReceiveLoop.shared();
    private final LoopSession loopSession;
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

    private record Established(DTLSTransport dtls, CipTlsClient client) {
    }

    private DtlsClientPort(DatagramChannel channel, InetSocketAddress server, int maxDatagramSize, String name,
                           TlsPolicy policy, Duration idleTimeout, DatagramReceiver receiver) throws IOException {
        this.channel = channel;
        this.socket = channel.socket();
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.server = server;
        this.serverName = server.getHostString() + ":" + server.getPort();
        this.maxDatagramSize = maxDatagramSize;
        this.wireLimit = Math.min(65_507, maxDatagramSize + DtlsServerPort.RECORD_OVERHEAD);
        this.policy = policy;
        this.idleTimeout = idleTimeout;
        this.receiver = receiver;
        this.transport = new SocketTransport();
        this.loopSession = new LoopSession();
        this.receiveThread = Thread.ofVirtual().name(name + "-dtls-" + localAddress.getPort())
                .unstarted(this::sessionLoop);
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
        DatagramChannel channel = DatagramChannel.open();
        DtlsClientPort port;
        try {
            // One thread decrypts everything the client sessions carry: a burst while it is
            // descheduled must wait in the kernel, not be dropped there. Best effort: the kernel
            // caps it at net.core.rmem_max.
            channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
            channel.bind(bind);
            channel.connect(server);
            port = new DtlsClientPort(channel, server, maxDatagramSize, name, policy, idleTimeout, receiver);
            port.session = port.handshake();
        } catch (IOException | RuntimeException e) {
            channel.close();
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
            return new Established(t, client);
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
        return s == null ? Optional.empty() : Optional.of(s.client().info());
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
                sent.get(), sendErrors.get(), 0);
    }

    /** The port's thread: handshakes, then lends the session to the receive loop until it ends. */
    private void sessionLoop() {
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
            readSession(s);
            session = null;
        }
    }

    /**
     * Lends the established session to the receive loop and waits until the loop hands it back:
     * the session died or idled out, or the port is closing. The channel is non-blocking meanwhile
     * (a selector needs it so) and blocking again for the next handshake.
     */
    private void readSession(Established s) {
        loopSession.start(s);
        transport.slotMode = true;
        try {
            channel.configureBlocking(false);
            loop.register(loopSession);
            loopSession.awaitHandedBack();
            channel.configureBlocking(true);
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

    /** The established session as the receive loop sees it; its methods run on the loop's thread. */
    private final class LoopSession implements DtlsClientReceiveLoop.Session {
        private Established reading;
        private final byte[] plain = new byte[wireLimit];
        private volatile long lastReceived;
        private volatile CountDownLatch handedBack = new CountDownLatch(0);

        void start(Established s) {
            reading = s;
            lastReceived = System.nanoTime();
            handedBack = new CountDownLatch(1);
        }

        void awaitHandedBack() {
            boolean interrupted = false;
            while (true) {
                try {
                    handedBack.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public DatagramChannel channel() {
            return channel;
        }

        @Override
        public boolean datagram(byte[] raw, int len) {
            if (closed || !transport.alive) {
                return false;
            }
            if (len > wireLimit) {
                droppedOversize.incrementAndGet();
                return true;
            }
            transport.handOver.hand(raw, len);
            try {
                while (transport.alive) {
                    int n;
                    try {
                        n = reading.dtls().receive(plain, 0, plain.length, DtlsServerPort.INLINE_WAIT_MILLIS);
                    } catch (Drained e) {
                        break;
                    }
                    if (n < 0) {
                        break;
                    }
                    lastReceived = System.nanoTime();
                    if (n > maxDatagramSize) {
                        droppedOversize.incrementAndGet();
                        continue;
                    }
                    received.incrementAndGet();
                    try {
                        receiver.datagram(plain, 0, n, server);
                    } catch (RuntimeException e) {
                        if (receiverFailures.getAndIncrement() == 0) {
                            LOG.debug("receiver on {} failed (later failures at TRACE)", localAddress, e);
                        } else {
                            LOG.trace("receiver on {} failed", localAddress, e);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    if (reading.client().closedByPeer()) {
                        // Bouncy Castle closes the transport on the peer's close_notify, and its next read
                        // of the transport then fails: an orderly end, not a receive error.
                        LOG.debug("DTLS {}: the server ended the session (close_notify)", serverName);
                    } else {
                        receiveErrors.incrementAndGet();
                        LOG.debug("DTLS {}: session ended: {}", serverName, e.toString());
                    }
                }
                return false;
            } finally {
                transport.handOver.clear();
            }
            return transport.alive;
        }

        @Override
        public boolean alive(long nowNanos) {
            if (closed || !transport.alive) {
                return false;
            }
            if (nowNanos - lastReceived > idleTimeout.toNanos()) {
                LOG.debug("DTLS {}: nothing received for {}, handshaking again", serverName, idleTimeout);
                return false;
            }
            return true;
        }

        @Override
        public void handedBack() {
            handedBack.countDown();
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
         * Established: the receive loop reads the channel and hands each datagram over
         * ({@link HandOver#hand}); Bouncy Castle gets it once, then {@link Drained}. Handshakes read
         * the socket through Bouncy Castle as usual.
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
        public void send(byte[] buf, int off, int len) throws IOException {
            // The channel, not its socket: the socket refuses to send while the channel is
            // non-blocking (established), and the channel is connected, so no address per datagram.
            if (channel.write(ByteBuffer.wrap(buf, off, len)) == 0) {
                // Non-blocking and the socket's send buffer full: lost, as on the wire.
                sendErrors.incrementAndGet();
            }
        }

        @Override
        public void close() {
            alive = false;
        }
    }

    /**
     * Takes the session back from the receive loop, sends close_notify when a session is up, then
     * releases the socket; idempotent.
     *
     * <p>Receiving is stopped <em>before</em> close_notify: Bouncy Castle's record layer is
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
        loop.handBackSoon();
        // A receiver closing its port runs on the loop, which cannot hand the session back while it
        // waits here; it is not inside Bouncy Castle's receive then, so close_notify is safe.
        boolean stopped = receiveThread == Thread.currentThread() || loop.onLoopThread() || join(STOP_WAIT);
        if (stopped && s != null) {
            try {
                s.dtls().close();
            } catch (IOException e) {
                LOG.trace("close_notify to {}: {}", serverName, e.toString());
            }
        }
        // A thread still busy is in a new handshake: closing the channel ends it.
        try {
            channel.close();
        } catch (IOException e) {
            LOG.trace("closing {}: {}", localAddress, e.toString());
        }
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
