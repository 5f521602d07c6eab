package dev.cipsec.scanner.io;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.scanner.UcmmChannel;
import dev.cipsec.transport.dtls.DtlsClientPort;
import dev.cipsec.transport.dtls.DtlsServerPort;
import dev.cipsec.transport.io.DatagramPortStats;
import dev.cipsec.transport.io.DatagramReceiver;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.transport.tls.TlsConnector;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsSessionInfo;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cpf.CpfItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.SequencedAddressItem;
import dev.cipsec.wire.cpf.UnconnectedMessageUdpItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One DTLS 1.2 session with a CIP Security target's UDP 2221 (reference §9): unconnected requests
 * in item 0x8003 ({@link UcmmChannel}) and the class 0/1 I/O of every connection opened through it
 * with {@link IoRuntime#open(DtlsTarget, IoSettings, InputHandler, IoListener)}.
 *
 * <p>Bundling is the caller's choice: connections opened through one target share its session;
 * one target per connection gives each its own. The session is Bouncy Castle's
 * ({@link DtlsClientPort}): lost handshake flights are retransmitted, and a session that dies (an
 * alert, or nothing received for the idle timeout) is replaced by a new handshake from the same
 * local port, so the target finds its connections again under the same peer address.
 *
 * <p>UDP loses requests and replies, so a request is sent again after 250 ms, then after doubling
 * intervals (at most 2 s), with the <em>same</em> transaction id until the request timeout of the
 * {@link ClientOptions}. Our adapter answers a repeated transaction id from its reply cache instead
 * of running the service twice, so a repeated Forward_Open does not become a duplicate
 * connection; a target without such a cache may refuse the repetition with 0x0100, which the
 * caller sees as the refusal it is.
 *
 * <p>Close the connections before the target: closing the target ends the session.
 */
public final class DtlsTarget implements UcmmChannel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsTarget.class);
    /** The default DTLS timeout of the EtherNet/IP Security Object (attribute 15). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(12);
    static final Duration FIRST_RETRANSMIT = Duration.ofMillis(250);
    static final Duration MAX_RETRANSMIT = Duration.ofSeconds(2);
    /** Requests awaiting replies at once; more fail at once rather than queue unboundedly. */
    public static final int MAX_PENDING = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Target target;
    private final ClientOptions options;
    private final InetSocketAddress server;
    private final ConcurrentHashMap<Long, CompletableFuture<CpfPacket>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextTransaction = new AtomicLong(RANDOM.nextInt() & 0xFFFF_FFFFL);
    private volatile DtlsClientPort port;
    private IoEndpoint endpoint;
    private volatile boolean closed;

    private final LongAdder requests = new LongAdder();
    private final LongAdder retransmissions = new LongAdder();
    private final LongAdder replies = new LongAdder();
    private final LongAdder unmatchedReplies = new LongAdder();
    private final LongAdder malformed = new LongAdder();

    private DtlsTarget(Target target, ClientOptions options, InetSocketAddress server) {
        this.target = target;
        this.options = options;
        this.server = server;
    }

    /**
     * Handshakes with {@code target} (its port is the UDP port, 2221 for a CIP Security device) using
     * the TLS policy of {@code options}, with the {@linkplain #DEFAULT_IDLE_TIMEOUT default idle timeout}.
     *
     * @throws IllegalArgumentException when {@code options} has no TLS policy
     * @throws dev.cipsec.transport.tls.TlsHandshakeException when the handshake fails
     */
    public static DtlsTarget connect(Target target, ClientOptions options) throws IOException {
        return connect(target, options, DEFAULT_IDLE_TIMEOUT);
    }

    /** @param idleTimeout a session that received nothing for this long is replaced by a new handshake */
    public static DtlsTarget connect(Target target, ClientOptions options, Duration idleTimeout) throws IOException {
        Objects.requireNonNull(target, "target");
        TlsPolicy policy = options.tls().map(TlsConnector::policy).orElseThrow(() -> new IllegalArgumentException(
                "DTLS to " + target + " needs CIP Security credentials (ClientOptions.withTls)"));
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(target.host()), target.port());
        DtlsTarget t = new DtlsTarget(target, options, server);
        DatagramTransport transport = (bind, max, name, ioReceiver) -> {
            DtlsClientPort p = DtlsClientPort.connect(bind, server, Math.min(max, DtlsServerPort.MAX_PAYLOAD), name,
                    policy, idleTimeout, (buf, off, len, from) -> t.datagram(buf, off, len, from, ioReceiver));
            t.port = p;
            return p;
        };
        t.endpoint = IoEndpoint.openExternal(0, "cipsec-dtls", transport);
        LOG.debug("DTLS session with {} from UDP {}: {}", target, t.endpoint.port(),
                t.session().map(TlsSessionInfo::toString).orElse("?"));
        return t;
    }

    IoEndpoint endpoint() {
        return endpoint;
    }

    /** I/O (first item a Sequenced Address) goes to the connections, allocation-free; the rest should be UCMM replies. */
    private void datagram(byte[] buf, int off, int len, InetSocketAddress from, DatagramReceiver io) {
        if (len >= 4 && ((buf[off + 2] & 0xFF) | (buf[off + 3] & 0xFF) << 8) == SequencedAddressItem.TYPE_ID) {
            io.datagram(buf, off, len, from);
            return;
        }
        CpfPacket cpf;
        try {
            cpf = CpfPacket.decode(WireReader.of(buf, off, len));
        } catch (WireFormatException e) {
            malformed.increment();
            return;
        }
        Optional<UnconnectedMessageUdpItem> item = cpf.first(UnconnectedMessageUdpItem.class);
        if (item.isEmpty() || !item.get().response()) {
            // Not a reply: let the I/O layer count it as whatever it is.
            io.datagram(buf, off, len, from);
            return;
        }
        CompletableFuture<CpfPacket> waiting = pending.remove(item.get().transactionId());
        if (waiting == null) {
            // The reply to a request answered already (we retransmitted too early) or given up on.
            unmatchedReplies.increment();
            return;
        }
        replies.increment();
        waiting.complete(cpf);
    }

    @Override
    public Target target() {
        return target;
    }

    @Override
    public ClientOptions options() {
        return options;
    }

    @Override
    public InetSocketAddress peerAddress() {
        return server;
    }

    @Override
    public InetSocketAddress localAddress() {
        return port.localAddress();
    }

    /** What the current session negotiated; empty while a new handshake is under way. */
    public Optional<TlsSessionInfo> session() {
        return port.session();
    }

    @Override
    public MessageRouterResponse send(MessageRouterRequest request) throws IOException {
        return sendWithItems(request, List.of()).response();
    }

    @Override
    public CipClient.ItemsReply sendWithItems(MessageRouterRequest request, List<? extends CpfItem> extraItems)
            throws IOException {
        if (closed) {
            throw new IOException("DTLS session with " + target + " is closed");
        }
        long transaction = nextTransaction.getAndIncrement() & 0xFFFF_FFFFL;
        List<CpfItem> items = new ArrayList<>(1 + extraItems.size());
        items.add(new UnconnectedMessageUdpItem(false, UnconnectedMessageUdpItem.UCMM_NOACK, transaction, 0,
                request.toBytes()));
        items.addAll(extraItems);
        byte[] packet = new CpfPacket(items).toBytes().toArray();
        if (packet.length > port.maxDatagramSize()) {
            throw new IllegalArgumentException("UCMM request of " + packet.length + " bytes exceeds the DTLS datagram "
                    + "limit of " + port.maxDatagramSize());
        }
        if (pending.size() >= MAX_PENDING) {
            throw new IOException(MAX_PENDING + " UCMM requests to " + target + " already await replies");
        }
        CompletableFuture<CpfPacket> reply = new CompletableFuture<>();
        pending.put(transaction, reply);
        requests.increment();
        try {
            return decodeReply(request, await(transaction, packet, reply));
        } finally {
            pending.remove(transaction);
        }
    }

    private CpfPacket await(long transaction, byte[] packet, CompletableFuture<CpfPacket> reply) throws IOException {
        long deadline = System.nanoTime() + options.requestTimeout().toNanos();
        long interval = FIRST_RETRANSMIT.toNanos();
        IOException lastSendError = null;
        for (boolean first = true; ; first = false) {
            if (!first) {
                retransmissions.increment();
            }
            try {
                port.send(packet, 0, packet.length, server);
            } catch (IOException e) {
                // No session at this moment (a new handshake is under way): the next attempt may find one.
                lastSendError = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                return reply.get(Math.min(interval, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                interval = Math.min(interval * 2, MAX_RETRANSMIT.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for a UCMM reply from " + target);
            } catch (ExecutionException e) {
                throw new IOException("DTLS session with " + target + " closed", e.getCause());
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
        }
        SocketTimeoutException timeout = new SocketTimeoutException(String.format(
                "no UCMM reply from %s over DTLS within %d ms (transaction 0x%08X)", target,
                options.requestTimeout().toMillis(), transaction));
        if (lastSendError != null) {
            timeout.addSuppressed(lastSendError);
        }
        throw timeout;
    }

    private CipClient.ItemsReply decodeReply(MessageRouterRequest request, CpfPacket cpf) throws IOException {
        UnconnectedMessageUdpItem item = cpf.first(UnconnectedMessageUdpItem.class).orElseThrow();
        if (item.status() != 0) {
            throw new IOException(String.format("%s answered the UCMM request with status 0x%08X", target,
                    item.status()));
        }
        MessageRouterResponse response;
        try {
            response = MessageRouterResponse.decode(WireReader.of(item.message().toArray()));
        } catch (WireFormatException e) {
            throw new IOException("malformed UCMM reply from " + target + ": " + e.getMessage(), e);
        }
        if (response.service() != request.service()) {
            throw new IOException(String.format("reply service 0x%02X does not answer request service 0x%02X",
                    response.service(), request.service()));
        }
        List<CpfItem> extra = new ArrayList<>();
        for (CpfItem i : cpf.items()) {
            if (i != item) {
                extra.add(i);
            }
        }
        return new CipClient.ItemsReply(response, extra);
    }

    /** Counters of this session's UCMM exchanges and of the DTLS port underneath. */
    public Stats stats() {
        return new Stats(port.handshakesCompleted(), port.handshakesFailed(), requests.sum(), retransmissions.sum(),
                replies.sum(), unmatchedReplies.sum(), malformed.sum(), endpoint.malformed.get(),
                endpoint.unknownConnection.get(), port.stats());
    }

    /**
     * @param handshakes        DTLS handshakes completed (the first and every re-handshake)
     * @param handshakeFailures failed handshake attempts
     * @param requests          UCMM requests sent (each counted once)
     * @param retransmissions   repeated sends of a request whose reply was late
     * @param replies           replies matched to a waiting request
     * @param unmatchedReplies  replies for no waiting request (answered already, or given up on)
     * @param malformed         datagrams that were not a CPF packet
     * @param malformedIo       I/O datagrams that were not a valid I/O frame
     * @param unknownConnection I/O datagrams for no open connection
     * @param port              the DTLS port's datagram counters
     */
    public record Stats(long handshakes, long handshakeFailures, long requests, long retransmissions, long replies,
                        long unmatchedReplies, long malformed, long malformedIo, long unknownConnection,
                        DatagramPortStats port) {
    }

    /** Ends the session (close_notify) and its connections' I/O; requests still waiting fail. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        endpoint.close();
        IOException gone = new IOException("DTLS session with " + target + " closed");
        pending.values().forEach(f -> f.completeExceptionally(gone));
        pending.clear();
    }
}
