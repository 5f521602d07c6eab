package dev.cipsec.transport.dtls;

import dev.cipsec.transport.io.DatagramPort;
import dev.cipsec.transport.io.DatagramPortStats;
import dev.cipsec.transport.io.DatagramReceiver;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.transport.io.ReceiveCoalescing;
import dev.cipsec.transport.io.ReceivePacer;
import dev.cipsec.transport.tls.CipTlsServer;
import dev.cipsec.transport.tls.TlsHandshakeException;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsSessionInfo;
import org.bouncycastle.tls.DTLSRequest;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DTLSVerifier;
import org.bouncycastle.tls.DatagramSender;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A DTLS 1.2 listener (UDP 2221) that is a {@link DatagramPort}: the receiver sees decrypted
 * application datagrams and their peer, {@link #send} encrypts through the peer's session.
 *
 * <p>One platform thread receives, through a selector, on the port's socket and on the sessions'
 * own sockets (below), and routes every datagram by its source address. A datagram
 * from a peer with a session goes to that
 * session's bounded queue (dropped and counted when full), so a flooding peer only fills its own
 * queue. Any other datagram must be a ClientHello carrying a valid cookie ({@link DTLSVerifier},
 * secret rotated every {@link #COOKIE_ROTATION}, the previous secret still accepted): until then
 * nothing is kept for the peer, and a ClientHello without one gets a HelloVerifyRequest. A verified
 * ClientHello, within the limits, creates the session and its virtual thread, which runs the
 * handshake with the same server logic as TLS ({@link CipTlsServer}) from that queue. Once the
 * session is established its thread ends: the port's receive thread decrypts the session's
 * records itself and hands the datagrams to the receiver. Handing every I/O packet to a session
 * thread (a queue, a timed park, a wake-up through the virtual thread scheduler) cost more CPU
 * than decrypting it, and its wake-ups were the largest part of the I/O lateness over DTLS. The
 * receiver is called by one thread at a time.
 *
 * <p>Each session gets a socket of its own, bound to the port's address and connected to the peer
 * ({@code SO_REUSEPORT}, set on the port's socket after it is bound, so that a second listener on
 * the same port still fails to bind, and an ephemeral port is never shared). The kernel then
 * delivers that peer's datagrams to it, and the session sends through it: a connected socket
 * keeps its route, so an 84-byte I/O packet costs the sending core less than through the shared
 * socket (DTLS added about 0.5 µs per datagram instead of about 0.65, measured), and a flood on the port's
 * socket no longer shares a queue with established sessions. Two details keep every datagram:
 * <ul>
 *   <li>the socket is opened before the server's first flight, while the peer waits for it: the
 *       JDK's {@code connect()} discards what the socket received by the time it returns, and a
 *       peer that sent right after its handshake lost that datagram (seen in tests: a close_notify,
 *       the first record after a new handshake);</li>
 *   <li>it is an IPv6 (dual-stack) socket: between its bind and its connect the kernel prefers the
 *       port's IPv4 socket for every datagram, where an IPv4 one would share the port's reuse
 *       group and receive a share of other peers' datagrams, which the connect would discard.</li>
 * </ul>
 * A session that cannot have one (beyond {@link #MAX_OWN_SOCKETS}, out of file descriptors, no
 * IPv6 or no {@code SO_REUSEPORT}) sends and receives through the port's socket as before.
 *
 * <p>A session that received nothing for the idle timeout is closed. A new ClientHello with a
 * valid cookie from the address of an established session replaces that session (the peer lost
 * it: RFC 6347 §4.2.8). {@link #setPolicy} applies to handshakes that start afterwards.
 */
public final class DtlsServerPort implements DatagramPort {
    /** How often the cookie secret changes; a cookie from the previous secret stays valid. */
    public static final Duration COOKIE_ROTATION = Duration.ofMinutes(2);
    /** Largest application payload: one DTLS record carries at most 2^14 bytes of plaintext. */
    public static final int MAX_PAYLOAD = 16_384;
    /** Room for the record header, explicit IV, MAC and padding beyond the payload. */
    static final int RECORD_OVERHEAD = 256;
    private static final Logger LOG = LoggerFactory.getLogger(DtlsServerPort.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** Queued to wake a session thread that must end. */
    private static final byte[] WAKE_UP = new byte[0];
    private static final TlsCrypto COOKIE_CRYPTO = new JcaTlsCryptoProvider().create(new SecureRandom());
    /** Sessions with a socket of their own at most; the rest share the port's (file descriptors are finite). */
    static final int MAX_OWN_SOCKETS = 1024;
    /** Datagrams read from one socket before the next ready socket gets its turn. */
    private static final int BATCH = 16;
    /** The longest the receive thread waits in the selector before it looks at {@link #closed}. */
    private static final long SELECT_TICK_MILLIS = 250;

    private final DatagramChannel channel;
    private final Selector selector;
    /** Whether sessions may have sockets of their own (the port's socket has SO_REUSEPORT). */
    private volatile boolean ownSockets;
    private final AtomicInteger ownSocketCount = new AtomicInteger();
    /** Sessions whose own socket the receive thread is to register. */
    private final ConcurrentLinkedQueue<Session> toRegister = new ConcurrentLinkedQueue<>();
    /** Receive thread only: its buffers and the state of the select in progress. */
    private final ByteBuffer rx;
    private final byte[] rxArray;
    private long selectStart;
    private boolean firstOfSelect;
    private final InetSocketAddress localAddress;
    private final int maxDatagramSize;
    private final int wireLimit;
    private final DatagramReceiver receiver;
    private final DtlsLimits limits;
    private final ReceivePacer pacer;
    /** The limits' idle timeout until {@link #setIdleTimeout} changes it; sessions read it live. */
    private volatile Duration idleTimeout;
    /** What an inline decryption tells Bouncy Castle it may wait (it never does: see Session.decrypt). */
    static final int INLINE_WAIT_MILLIS = 1000;
    /** Idle sessions are looked for this often (so a new idle timeout applies within it). */
    private static final long SWEEP_NANOS = 250_000_000L;
    private final Thread receiveThread;
    private final Thread sweeper;
    private final ConcurrentHashMap<InetSocketAddress, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final ReentrantLock receiverLock = new ReentrantLock();
    private final DtlsStats stats = new DtlsStats();
    private volatile TlsPolicy policy;
    private volatile boolean closed;

    private DTLSVerifier verifier = new DTLSVerifier(COOKIE_CRYPTO);
    private DTLSVerifier previousVerifier;
    private long rotateAt;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong droppedOversize = new AtomicLong();
    private final AtomicLong receiverFailures = new AtomicLong();
    private final AtomicLong receiveErrors = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();

    /**
     * HelloVerifyRequests waiting for a thread that sends anyway. Every send on the socket takes the
     * channel's write lock; a HelloVerifyRequest sent by the receive thread while the I/O scheduler
     * sends made the scheduler park on that lock and wait for a wake-up (JFR: 734 parks of 176 µs
     * on average in 15 s of a 500/s ClientHello flood, which multiplied the p99 lateness of the
     * T->O packets by 8.7). So while sessions are sending, the answers to cookie-less ClientHellos
     * are queued and sent by the next session send, after its own datagram. When nothing has been
     * sent for {@link #SENDING_NANOS} the receive thread sends at once: nobody contends then.
     */
    private final ConcurrentLinkedQueue<HelloVerifyReply> helloVerifyOutbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger helloVerifiesQueued = new AtomicInteger();
    /** When a session last sent; read by the receive thread to tell whether anyone is sending. */
    private volatile long lastSendNanos = System.nanoTime() - Long.MAX_VALUE / 2;
    /** A send this recent means that sessions are sending, and will pick up a queued answer soon. */
    static final long SENDING_NANOS = 2_000_000L;
    /** A queued answer older than this is sent by the receive thread (or the idle sweeper) itself. */
    static final long HELLO_VERIFY_MAX_DELAY_NANOS = 20_000_000L;
    /** Beyond this many queued answers, the receive thread sends its own: the outbox stays small. */
    static final int MAX_QUEUED_HELLO_VERIFIES = 256;
    /** {@link #SENDING_NANOS} and {@link #HELLO_VERIFY_MAX_DELAY_NANOS}, changed only by tests. */
    private volatile long sendingNanos = SENDING_NANOS;
    private volatile long helloVerifyMaxDelayNanos = HELLO_VERIFY_MAX_DELAY_NANOS;
    /** HelloVerifyRequests queued, and those of them a session's send took along (for tests). */
    final AtomicLong helloVerifiesDeferred = new AtomicLong();
    final AtomicLong helloVerifiesSentBySessions = new AtomicLong();

    private record HelloVerifyReply(byte[] message, InetSocketAddress to, long queuedNanos) {
    }

    private DtlsServerPort(DatagramChannel channel, Selector selector, boolean ownSockets, int maxDatagramSize, String name,
                           TlsPolicy policy, DtlsLimits limits, DatagramReceiver receiver, ReceivePacer pacer) throws IOException {
        this.channel = channel;
        this.selector = selector;
        this.ownSockets = ownSockets;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.maxDatagramSize = maxDatagramSize;
        this.wireLimit = Math.min(65_507, maxDatagramSize + RECORD_OVERHEAD);
        // One byte more than the limit, so an oversize datagram shows instead of being cut.
        this.rx = ByteBuffer.allocateDirect(wireLimit + 1);
        this.rxArray = new byte[wireLimit + 1];
        this.receiver = receiver;
        this.limits = limits;
        this.pacer = pacer;
        this.idleTimeout = limits.idleTimeout();
        this.policy = policy;
        this.rotateAt = System.nanoTime() + COOKIE_ROTATION.toNanos();
        this.receiveThread = Thread.ofPlatform().daemon().name(name + "-dtls-rx-" + localAddress.getPort())
                .unstarted(this::receiveLoop);
        receiveThread.setPriority(Thread.MAX_PRIORITY);
        this.sweeper = Thread.ofVirtual().name(name + "-dtls-idle-" + localAddress.getPort()).unstarted(this::sweep);
    }

    /**
     * Binds {@code bind} (port 0 picks an ephemeral port) and starts receiving.
     *
     * @param maxDatagramSize largest application payload received or sent
     * @param name            names the threads
     */
    public static DtlsServerPort open(InetSocketAddress bind, int maxDatagramSize, String name, TlsPolicy policy,
                                      DtlsLimits limits, DatagramReceiver receiver) throws IOException {
        return open(bind, maxDatagramSize, name, policy, limits, receiver, ReceiveCoalescing.defaults());
    }

    /**
     * As {@link #open(InetSocketAddress, int, String, TlsPolicy, DtlsLimits, DatagramReceiver)}, the
     * receive thread paced by {@code coalescing}.
     */
    public static DtlsServerPort open(InetSocketAddress bind, int maxDatagramSize, String name, TlsPolicy policy,
                                      DtlsLimits limits, DatagramReceiver receiver, ReceiveCoalescing coalescing)
            throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(coalescing, "coalescing");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(receiver, "receiver");
        checkServes(policy);
        if (maxDatagramSize < 1 || maxDatagramSize > MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxDatagramSize must be in 1.." + MAX_PAYLOAD + ": " + maxDatagramSize);
        }
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        Selector selector = null;
        DtlsServerPort port;
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            // Bound without SO_REUSEPORT: a port in use fails here as before, and port 0 gets a
            // port nobody else holds. Set afterwards, it lets the sessions' own sockets bind too.
            channel.bind(bind);
            boolean ownSockets = allowSharing(channel);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            port = new DtlsServerPort(channel, selector, ownSockets, maxDatagramSize, name, policy, limits, receiver,
                    coalescing.pacer());
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        port.receiveThread.start();
        port.sweeper.start();
        LOG.debug("DTLS port on {}", port.localAddress);
        return port;
    }

    private static boolean allowSharing(DatagramChannel channel) {
        if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
            return false;
        }
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("no SO_REUSEPORT ({}): sessions share the port's socket", e.toString());
            return false;
        }
    }

    /**
     * Opens DTLS server ports under {@code policy} and {@code limits}, for an I/O runtime. A
     * requested maximum datagram size beyond {@link #MAX_PAYLOAD} (a runtime sized for plain UDP) is
     * lowered to it.
     */
    public static DatagramTransport transport(TlsPolicy policy, DtlsLimits limits) {
        checkServes(policy);
        Objects.requireNonNull(limits, "limits");
        return (bind, max, name, receiver) -> open(bind, Math.min(max, MAX_PAYLOAD), name, policy, limits, receiver);
    }

    private static void checkServes(TlsPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        if (policy.serverSuites().isEmpty()) {
            throw new IllegalArgumentException("the TLS policy can serve no suite: PSK suites need a PSK for a server, "
                    + "certificate suites an identity with the matching key type; allowed: " + policy.suites());
        }
    }

    /** Handshakes from now on use {@code policy}; established sessions keep theirs. */
    public void setPolicy(TlsPolicy policy) {
        checkServes(policy);
        this.policy = policy;
    }

    public TlsPolicy policy() {
        return policy;
    }

    /** The limits in force, with the current idle timeout. */
    public DtlsLimits limits() {
        return limits.withIdleTimeout(idleTimeout);
    }

    /**
     * Changes the idle timeout of every session, established ones included (within a quarter of a
     * second): the DTLS timeout of the EtherNet/IP Security Object is applied live.
     */
    public void setIdleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + timeout);
        }
        this.idleTimeout = timeout;
    }

    /**
     * Ends every session: established ones with close_notify, so that their peers handshake again
     * (under the policy in force by then) as soon as they send; handshakes in flight are dropped.
     * This is what Apply_Config's "close existing connections" does to DTLS.
     *
     * @return the sessions ended
     */
    public int endSessions() {
        int n = 0;
        for (Session s : sessions.values()) {
            s.end();
            n++;
        }
        return n;
    }

    public DtlsStats.Snapshot dtlsStats() {
        return stats.snapshot();
    }

    /** Sessions now, handshaking ones included. */
    public int sessionCount() {
        return sessions.size();
    }

    public int handshakesInFlight() {
        return handshakes.get();
    }

    /** For tests: sessions from now on send and receive through the port's socket, as on a host without SO_REUSEPORT. */
    void shareThePortSocket() {
        ownSockets = false;
    }

    /** For tests: whether the session with {@code peer} has a socket of its own. */
    boolean hasOwnSocket(InetSocketAddress peer) {
        Session s = sessions.get(peer);
        return s != null && s.own.get() != null;
    }

    /** For tests: sessions with a socket of their own. */
    int ownSocketCount() {
        return ownSocketCount.get();
    }

    private static void closeQuietly(DatagramChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.trace("closing a session socket: {}", e.toString());
            }
        }
    }

    /** What the session with {@code peer} negotiated, when it has an established one. */
    public Optional<TlsSessionInfo> session(InetSocketAddress peer) {
        Session s = sessions.get(peer);
        return s == null || s.dtls == null ? Optional.empty() : Optional.ofNullable(s.server.info());
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
     * Encrypts and sends through the session with {@code to}.
     *
     * @throws IOException when {@code to} has no established session
     */
    @Override
    public void send(byte[] buf, int off, int len, InetSocketAddress to) throws IOException {
        Objects.requireNonNull(to, "to");
        Session s = sessions.get(to);
        if (s == null) {
            sendErrors.incrementAndGet();
            throw new IOException("no DTLS session with " + to);
        }
        s.sendApplication(buf, off, len);
    }

    /** A peer bound to the session with {@code to} when the peer is used (the session may be replaced meanwhile). */
    @Override
    public Peer peer(InetSocketAddress to) {
        Objects.requireNonNull(to, "to");
        return new Peer() {
            private Session session;

            @Override
            public InetSocketAddress address() {
                return to;
            }

            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                Session s = session;
                if (s == null || s.closed) {
                    s = sessions.get(to);
                    if (s == null) {
                        sendErrors.incrementAndGet();
                        throw new IOException("no DTLS session with " + to);
                    }
                    session = s;
                }
                s.sendApplication(buf, off, len);
            }
        };
    }

    @Override
    public DatagramPortStats stats() {
        return new DatagramPortStats(received.get(), droppedOversize.get(), receiverFailures.get(), receiveErrors.get(),
                sent.get(), sendErrors.get(), pacer.pauses());
    }

    private void receiveLoop() {
        while (!closed) {
            try {
                Session s;
                while ((s = toRegister.poll()) != null) {
                    s.registerOwnSocket();
                }
                selectStart = System.nanoTime();
                firstOfSelect = true;
                selector.select(this::ready, selectTimeoutMillis(selectStart));
                pacer.handled();
                flushStaleHelloVerifies(System.nanoTime());
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                // A bug or a broken selector must not end receiving for every peer.
                receiveErrors.incrementAndGet();
                LOG.debug("DTLS {}: receive loop: {}", localAddress, e.toString(), e);
            }
        }
    }

    /**
     * Until the oldest queued HelloVerifyRequest is due, so that it goes out within
     * {@link #HELLO_VERIFY_MAX_DELAY_NANOS} even when nothing else happens; waiting for the idle
     * sweeper instead held a handshake up to a quarter of a second whenever its ClientHello came
     * right after a session's last send (a client's close_notify answered, say): handshakes one
     * after another from one client ran at 5 a second.
     */
    private long selectTimeoutMillis(long now) {
        HelloVerifyReply oldest = helloVerifyOutbox.peek();
        if (oldest == null) {
            return SELECT_TICK_MILLIS;
        }
        long due = oldest.queuedNanos() + helloVerifyMaxDelayNanos - now;
        return Math.clamp(due / 1_000_000 + 1, 1, SELECT_TICK_MILLIS);
    }

    /**
     * Reads up to {@link #BATCH} datagrams from a ready socket, the port's or a session's, and routes
     * each by its source, whichever socket it came from.
     */
    private void ready(SelectionKey key) {
        DatagramChannel ch = (DatagramChannel) key.channel();
        for (int i = 0; i < BATCH; i++) {
            InetSocketAddress from;
            rx.clear();
            try {
                from = (InetSocketAddress) ch.receive(rx);
            } catch (ClosedChannelException e) {
                // A session's socket closed as its session ended (the port's: the port is closing).
                return;
            } catch (PortUnreachableException e) {
                // An ICMP error on a session's connected socket, for an earlier send: the peer's port is
                // closed (it went away, or will handshake again). The shared socket is never told of
                // these, so they are not receive errors here either.
                return;
            } catch (IOException e) {
                receiveErrors.incrementAndGet();
                LOG.trace("DTLS {}: receive failed: {}", localAddress, e.toString());
                return;
            }
            if (from == null) {
                return;
            }
            if (pacer.enabled()) {
                long now = System.nanoTime();
                pacer.arrived(now, firstOfSelect && now - selectStart > ReceivePacer.WAITED_NANOS);
            }
            firstOfSelect = false;
            int len = rx.flip().remaining();
            if (len > wireLimit) {
                droppedOversize.incrementAndGet();
                continue;
            }
            rx.get(rxArray, 0, len);
            try {
                route(rxArray, len, from);
            } catch (RuntimeException e) {
                // A bug here must not stop the listener for every other peer.
                receiveErrors.incrementAndGet();
                LOG.debug("DTLS {}: routing a datagram from {} failed", localAddress, from, e);
            }
        }
    }

    private void route(byte[] buf, int len, InetSocketAddress from) {
        Session s = sessions.get(from);
        boolean hello = DtlsRecords.isClientHello(buf, 0, len);
        if (s != null && !(hello && s.dtls != null)) {
            if (s.inline) {
                s.receiveInline(buf, len);
                return;
            }
            if (!s.enqueue(Arrays.copyOf(buf, len))) {
                stats.drop(DtlsStats.Drop.QUEUE_FULL);
            }
            if (s.inline) {
                // Established while this was being queued, after its thread had looked at the queue.
                s.drainQueued();
            }
            return;
        }
        if (!hello) {
            stats.drop(DtlsStats.Drop.GARBAGE);
            return;
        }
        DTLSRequest request = verify(buf, len, from);
        if (request == null) {
            return;
        }
        if (s != null) {
            LOG.debug("DTLS {}: new handshake from {} replaces its session", localAddress, from);
            stats.replaced();
            s.closeSession();
        }
        if (sessions.size() >= limits.maxSessions()) {
            stats.drop(DtlsStats.Drop.TOO_MANY_SESSIONS);
            return;
        }
        if (handshakes.incrementAndGet() > limits.maxHandshakesInFlight()) {
            handshakes.decrementAndGet();
            stats.drop(DtlsStats.Drop.HANDSHAKES_BUSY);
            return;
        }
        Session session = new Session(from, policy);
        sessions.put(from, session);
        Thread.ofVirtual().name("dtls-" + from).start(() -> session.run(request));
    }

    /** Ends established sessions that received nothing for the idle timeout (with close_notify). */
    private void sweep() {
        while (!closed) {
            LockSupport.parkNanos(this, SWEEP_NANOS);
            long now = System.nanoTime();
            // Sessions stopped sending right after these were queued, and no ClientHello came since.
            flushStaleHelloVerifies(now);
            Duration idle = idleTimeout;
            for (Session s : sessions.values()) {
                if (s.inline && !s.closed && now - s.lastActivityNanos > idle.toNanos()) {
                    stats.idleClosed();
                    LOG.debug("DTLS {}: idle for {}, session closed", s.peer, idle);
                    s.endInline();
                }
            }
        }
    }

    /**
     * The verified request, or null: a HelloVerifyRequest was sent (missing or stale cookie) or the
     * ClientHello was malformed. A cookie made with the previous secret is still accepted, so a
     * rotation in the middle of a handshake does not fail it.
     */
    private DTLSRequest verify(byte[] buf, int len, InetSocketAddress from) {
        long now = System.nanoTime();
        if (now - rotateAt >= 0) {
            previousVerifier = verifier;
            verifier = new DTLSVerifier(COOKIE_CRYPTO);
            rotateAt = now + COOKIE_ROTATION.toNanos();
        }
        byte[] clientId = clientId(from);
        HelloVerifySender answer = new HelloVerifySender();
        DTLSRequest r = verifier.verifyRequest(clientId, buf, 0, len, answer);
        if (r == null && previousVerifier != null) {
            r = previousVerifier.verifyRequest(clientId, buf, 0, len, new HelloVerifySender());
        }
        if (r != null) {
            return r;
        }
        if (answer.message == null) {
            stats.drop(DtlsStats.Drop.GARBAGE);
            return null;
        }
        stats.drop(DtlsStats.Drop.NO_COOKIE);
        // Counted first, so that a peer that has the answer also sees it counted.
        stats.cookieSent();
        replyHelloVerify(answer.message, from, now);
        return null;
    }

    /** On the receive thread: sends or queues a HelloVerifyRequest (see {@link #helloVerifyOutbox}). */
    private void replyHelloVerify(byte[] message, InetSocketAddress to, long now) {
        flushStaleHelloVerifies(now);
        if (now - lastSendNanos < sendingNanos) {
            if (helloVerifiesQueued.incrementAndGet() <= MAX_QUEUED_HELLO_VERIFIES) {
                helloVerifyOutbox.add(new HelloVerifyReply(message, to, now));
                helloVerifiesDeferred.incrementAndGet();
                return;
            }
            helloVerifiesQueued.decrementAndGet();
        }
        sendHelloVerify(message, to);
    }

    /** Sends the queued HelloVerifyRequests when the oldest waited too long: sessions stopped sending. */
    private void flushStaleHelloVerifies(long now) {
        HelloVerifyReply oldest = helloVerifyOutbox.peek();
        if (oldest != null && now - oldest.queuedNanos() > helloVerifyMaxDelayNanos) {
            flushHelloVerifies(false);
        }
    }

    /** Sends every queued HelloVerifyRequest; any thread, concurrently too (each is taken once). */
    private void flushHelloVerifies(boolean bySession) {
        HelloVerifyReply r;
        while ((r = helloVerifyOutbox.poll()) != null) {
            helloVerifiesQueued.decrementAndGet();
            if (bySession) {
                helloVerifiesSentBySessions.incrementAndGet();
            }
            sendHelloVerify(r.message(), r.to());
        }
    }

    /** For tests: how recent a send defers a HelloVerifyRequest, and how long one may wait. */
    void tuneHelloVerifyDeferral(Duration sending, Duration maxDelay) {
        this.sendingNanos = sending.toNanos();
        this.helloVerifyMaxDelayNanos = maxDelay.toNanos();
    }

    private void sendHelloVerify(byte[] message, InetSocketAddress to) {
        try {
            if (channel.send(ByteBuffer.wrap(message), to) == 0) {
                // Non-blocking and the socket's send buffer full: lost, as on the wire (the client retransmits).
                sendErrors.incrementAndGet();
            }
        } catch (IOException e) {
            sendErrors.incrementAndGet();
            LOG.trace("DTLS {}: HelloVerifyRequest to {} failed: {}", localAddress, to, e.toString());
        }
    }

    /** The cookie binds the peer's address and port. */
    private static byte[] clientId(InetSocketAddress from) {
        byte[] a = from.getAddress().getAddress();
        byte[] id = Arrays.copyOf(a, a.length + 2);
        id[a.length] = (byte) (from.getPort() >>> 8);
        id[a.length + 1] = (byte) from.getPort();
        return id;
    }

    /** Keeps the HelloVerifyRequest the verifier wants to send, so that it goes out only when no secret accepts the cookie. */
    private final class HelloVerifySender implements DatagramSender {
        byte[] message;

        @Override
        public int getSendLimit() {
            return wireLimit;
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            message = Arrays.copyOfRange(buf, off, off + len);
        }
    }

    /** One peer: its queue, its handshake, then its decrypted datagrams; one virtual thread. */
    private final class Session implements org.bouncycastle.tls.DatagramTransport {
        final InetSocketAddress peer;
        final CipTlsServer server;
        final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(limits.maxQueuedPerPeer());
        /** Bytes in {@link #queue}: added by the port's receive thread, taken off by the session's. */
        private final java.util.concurrent.atomic.AtomicInteger queuedBytes = new java.util.concurrent.atomic.AtomicInteger();

        /** Queues a datagram within both per-peer limits (count and bytes); false when it does not fit. */
        boolean enqueue(byte[] d) {
            if (queuedBytes.addAndGet(d.length) > limits.maxQueuedBytesPerPeer() || !queue.offer(d)) {
                queuedBytes.addAndGet(-d.length);
                return false;
            }
            return true;
        }
        volatile DTLSTransport dtls;
        /** The session's own connected socket, from the start of its handshake (see the class comment); null: the port's. */
        final AtomicReference<DatagramChannel> own = new AtomicReference<>();
        volatile boolean closed;
        /** Until accept() returns or throws. */
        volatile boolean handshaking = true;
        /** Asked to end with close_notify ({@link #endSessions}). */
        volatile boolean ending;
        /** The last datagram handed to Bouncy Castle was application data it has not yet returned. */
        private boolean pendingApplicationData;
        /**
         * Established: records are decrypted by whoever holds {@link #recordLock}, the port's receive
         * thread (and once, the session thread draining what was queued before).
         */
        volatile boolean inline;
        final Object recordLock = new Object();
        /** The datagram being handed to Bouncy Castle, under {@link #recordLock}. */
        private final HandOver handOver = new HandOver();
        private byte[] plain;
        volatile long lastActivityNanos;

        Session(InetSocketAddress peer, TlsPolicy policy) {
            this.peer = peer;
            this.server = CipTlsServer.forDatagrams(policy, peer);
        }

        void run(DTLSRequest request) {
            // Before the server's first flight: the peer sends nothing until it has that, and the
            // JDK's connect() discards whatever the socket has received when it returns.
            openOwnSocket();
            DTLSTransport t;
            try {
                t = new DTLSServerProtocol().accept(server, this, request);
            } catch (IOException | RuntimeException e) {
                TlsHandshakeException failure = server.failure(e instanceof IOException x ? x : new IOException(e));
                stats.failed(failure);
                LOG.info("{}", failure.getMessage());
                t = null;
            } finally {
                handshakes.decrementAndGet();
                handshaking = false;
            }
            if (t == null) {
                // After the count above: whoever sees the session gone sees its handshake gone too.
                closeSession();
                return;
            }
            stats.completed();
            TlsSessionInfo info = server.info();
            LOG.debug("DTLS {}: {} {}", peer, info.version(), info.suite().name());
            lastActivityNanos = System.nanoTime();
            dtls = t;
            if (ending) {
                endInline();
                return;
            }
            inline = true;
            // What arrived before the switch; from now on the receive thread decrypts (see route).
            drainQueued();
        }

        /**
         * Gives the session a socket of its own (see the class comment). Until the receive thread
         * registers it, what arrives there waits in its buffer; the handshake's datagrams arrive
         * there too and are routed by their source like any other.
         */
        private void openOwnSocket() {
            if (!ownSockets || closed) {
                return;
            }
            if (ownSocketCount.incrementAndGet() > MAX_OWN_SOCKETS) {
                ownSocketCount.decrementAndGet();
                return;
            }
            DatagramChannel c = null;
            try {
                // IPv6 (dual stack), so that between its bind and its connect the kernel prefers the
                // port's IPv4 socket for every datagram: the JDK's connect() discards what the socket
                // received before it, and a datagram hashed to it by SO_REUSEPORT in that window (the
                // same address family would share the port's reuse group) would be lost.
                c = DatagramChannel.open(StandardProtocolFamily.INET6);
                c.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                c.bind(localAddress.getAddress().isAnyLocalAddress()
                        ? new InetSocketAddress(java.net.Inet6Address.getByName("::"), localAddress.getPort())
                        : localAddress);
                c.connect(peer);
                c.configureBlocking(false);
            } catch (IOException | RuntimeException e) {
                ownSocketCount.decrementAndGet();
                closeQuietly(c);
                LOG.debug("DTLS {}: no socket of its own, it shares the port's: {}", peer, e.toString());
                return;
            }
            own.set(c);
            if (closed) {
                // Ended meanwhile, after closeSession looked for a socket to close.
                closeOwnSocket();
                return;
            }
            toRegister.add(this);
            selector.wakeup();
        }

        /** On the receive thread. */
        void registerOwnSocket() {
            DatagramChannel c = own.get();
            if (c == null) {
                return;
            }
            try {
                c.register(selector, SelectionKey.OP_READ);
            } catch (ClosedChannelException e) {
                // The session ended first.
            }
        }

        /** Idempotent; the selector lets go of the socket at its next select, hence the wake-up. */
        private void closeOwnSocket() {
            DatagramChannel c = own.getAndSet(null);
            if (c != null) {
                ownSocketCount.decrementAndGet();
                closeQuietly(c);
                selector.wakeup();
            }
        }

        void end() {
            ending = true;
            if (dtls == null) {
                closeSession();
                return;
            }
            endInline();
        }

        /** Sends close_notify (unless the session or the port is closed already) and closes the session. */
        void endInline() {
            synchronized (recordLock) {
                if (!closed && !DtlsServerPort.this.closed) {
                    try {
                        dtls.close();
                    } catch (IOException | RuntimeException e) {
                        LOG.trace("DTLS {}: close_notify failed: {}", peer, e.toString());
                    }
                }
                closeSession();
            }
        }

        /** On the receive thread: decrypts {@code buf[0, len)} (the loop's own buffer) and delivers it. */
        void receiveInline(byte[] buf, int len) {
            synchronized (recordLock) {
                if (queuedBytes.get() > 0) {
                    drainQueuedLocked();
                }
                decrypt(buf, len);
            }
        }

        void drainQueued() {
            synchronized (recordLock) {
                drainQueuedLocked();
            }
        }

        private void drainQueuedLocked() {
            byte[] d;
            while ((d = queue.poll()) != null) {
                if (d != WAKE_UP) {
                    queuedBytes.addAndGet(-d.length);
                    decrypt(d, d.length);
                }
            }
        }

        /**
         * Hands one datagram to Bouncy Castle and delivers every application record in it. Bouncy
         * Castle asks the transport for another datagram once it has used up this one; {@link #receive}
         * answers with {@link Drained}, which Bouncy Castle passes up without failing the session.
         */
        private void decrypt(byte[] d, int len) {
            if (closed) {
                return;
            }
            if (plain == null) {
                plain = new byte[wireLimit];
            }
            handOver.hand(d, len);
            try {
                while (!closed) {
                    int n;
                    try {
                        // Never waited for (the transport answers at once); long enough that Bouncy
                        // Castle, after discarding a record, always comes back for the next datagram.
                        n = dtls.receive(plain, 0, plain.length, INLINE_WAIT_MILLIS);
                    } catch (Drained e) {
                        break;
                    }
                    if (n < 0) {
                        break;
                    }
                    pendingApplicationData = false;
                    lastActivityNanos = System.nanoTime();
                    if (n > maxDatagramSize) {
                        droppedOversize.incrementAndGet();
                        continue;
                    }
                    deliver(plain, n);
                }
            } catch (IOException | RuntimeException e) {
                // A fatal alert, sent or received: the session is over (Bouncy Castle told the peer).
                LOG.debug("DTLS {}: session ended: {}", peer, e.toString());
                closeSession();
            } finally {
                handOver.clear();
                if (pendingApplicationData) {
                    // Discarded (bad MAC, replay, old epoch) without asking for another datagram.
                    stats.drop(DtlsStats.Drop.DECRYPT_FAILURE);
                    pendingApplicationData = false;
                }
            }
        }

        private void deliver(byte[] buf, int n) {
            received.incrementAndGet();
            receiverLock.lock();
            try {
                receiver.datagram(buf, 0, n, peer);
            } catch (RuntimeException e) {
                if (receiverFailures.getAndIncrement() == 0) {
                    LOG.debug("receiver on {} failed for {} (later failures at TRACE)", localAddress, peer, e);
                } else {
                    LOG.trace("receiver on {} failed for {}", localAddress, peer, e);
                }
            } finally {
                receiverLock.unlock();
            }
        }

        void sendApplication(byte[] buf, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, buf.length);
            if (len > maxDatagramSize) {
                throw new IllegalArgumentException("datagram of " + len + " bytes exceeds the maximum of " + maxDatagramSize);
            }
            DTLSTransport t = dtls;
            if (t == null || closed) {
                sendErrors.incrementAndGet();
                throw new IOException("no established DTLS session with " + peer);
            }
            try {
                t.send(buf, off, len);
            } catch (IOException | RuntimeException e) {
                sendErrors.incrementAndGet();
                throw e;
            }
            sent.incrementAndGet();
        }

        /**
         * Idempotent; wakes the session thread, which ends. Never by interrupting it: an interrupt
         * during its sends would close the channel every session shares.
         */
        void closeSession() {
            if (closed) {
                return;
            }
            closed = true;
            sessions.remove(peer, this);
            closeOwnSocket();
            queue.offer(WAKE_UP);
        }

        // org.bouncycastle.tls.DatagramTransport: the session's side of the shared socket.

        @Override
        public int getReceiveLimit() {
            // Called by the thread holding recordLock, inside dtls.receive.
            return inline ? handOver.receiveLimit(wireLimit) : wireLimit;
        }

        @Override
        public int getSendLimit() {
            return wireLimit;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            if (pendingApplicationData) {
                // Bouncy Castle asks for the next datagram without returning the last one's data: it
                // discarded the record (bad MAC, or a replay), as RFC 6347 §4.1.2.7 prescribes.
                stats.drop(DtlsStats.Drop.DECRYPT_FAILURE);
                pendingApplicationData = false;
            }
            if (closed) {
                throw new IOException("DTLS session with " + peer + " closed");
            }
            if (inline) {
                int n = handOver.take(buf, off, len);
                pendingApplicationData = DtlsRecords.firstType(buf, off, n) == DtlsRecords.APPLICATION_DATA;
                return n;
            }
            byte[] d;
            try {
                d = queue.poll(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                throw new InterruptedIOException("DTLS session with " + peer + " closed");
            }
            if (d == null || d == WAKE_UP) {
                if (closed) {
                    throw new IOException("DTLS session with " + peer + " closed");
                }
                return -1;
            }
            queuedBytes.addAndGet(-d.length);
            int n = Math.min(len, d.length);
            System.arraycopy(d, 0, buf, off, n);
            pendingApplicationData = dtls != null && DtlsRecords.firstType(d, 0, d.length) == DtlsRecords.APPLICATION_DATA;
            return n;
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(buf, off, len);
            DatagramChannel c = own.get();
            int n;
            boolean shared = c == null;
            if (shared) {
                n = channel.send(b, peer);
            } else {
                try {
                    n = writeOwn(c, b);
                } catch (ClosedByInterruptException e) {
                    // Not through the port's socket with the interrupt still pending: that would close it for every peer.
                    throw e;
                } catch (ClosedChannelException e) {
                    // The session's socket closed as the session ends (close_notify is sent after): the port's reaches the peer too.
                    n = channel.send(b, peer);
                    shared = true;
                }
            }
            if (n == 0) {
                // Non-blocking and the socket's send buffer full: lost, as on the wire.
                sendErrors.incrementAndGet();
            }
            if (shared) {
                // Only sends on the port's socket contend with the receive thread's HelloVerifyRequests.
                lastSendNanos = System.nanoTime();
            }
            if (helloVerifiesQueued.get() > 0) {
                flushHelloVerifies(true);
            }
        }

        /**
         * A connected socket reports an ICMP error (the peer's port was closed for a while) at the
         * next send, which it then drops; the port's unconnected socket is never told. Sent again
         * once, so that a peer that came back sees no difference between the two.
         */
        private static int writeOwn(DatagramChannel c, ByteBuffer b) throws IOException {
            try {
                return c.write(b);
            } catch (PortUnreachableException e) {
                return c.write(b);
            }
        }

        @Override
        public void close() {
            // Bouncy Castle closes the transport when a handshake fails, before accept() throws: the session is
            // removed by run() once the handshake is no longer counted, so nobody sees it gone while counted.
            if (dtls == null && handshaking) {
                return;
            }
            closeSession();
        }
    }

    /** Stops receiving, ends every session and releases the sockets; idempotent. */
    @Override
    public void close() {
        boolean first = !closed;
        closed = true;
        LockSupport.unpark(sweeper);
        sessions.values().forEach(Session::closeSession);
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", localAddress, e.toString());
        }
        selector.wakeup();
        if (receiveThread != Thread.currentThread()) {
            try {
                receiveThread.join(CLOSE_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            // Lets go of every socket still registered (their descriptors close with it).
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", localAddress, e.toString());
        }
        if (first) {
            LOG.debug("DTLS port on {} closed", localAddress);
        }
    }
}
