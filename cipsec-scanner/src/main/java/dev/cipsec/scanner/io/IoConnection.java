package dev.cipsec.scanner.io;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ConnectionSerials;
import dev.cipsec.scanner.UcmmChannel;
import dev.cipsec.transport.io.DatagramPort;
import dev.cipsec.transport.sched.PeriodicTask;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ConnectionTriad;
import dev.cipsec.wire.cm.ForwardCloseRequest;
import dev.cipsec.wire.cm.ForwardOpenFailure;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cpf.CpfItem;
import dev.cipsec.wire.cpf.SockaddrItem;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.io.IoFrameView;
import dev.cipsec.wire.io.RunIdleHeader;
import dev.cipsec.wire.io.SequenceCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A class 0/1 I/O connection opened by this originator (reference §2.5-2.10): Forward_Open over a
 * {@link CipClient}'s session, then cyclic O->T production and T->O consumption over UDP in an
 * {@link IoRuntime}, and Forward_Close on {@link #close()}. Over CIP Security the Forward_Open,
 * the I/O and the Forward_Close all travel in one DTLS session instead ({@link DtlsTarget}); nothing
 * else here differs.
 *
 * <p>Producing: the runtime's scheduler sends O->T every O->T API with the run/idle header of
 * {@link #setRun} and the data of {@link #setOutput}; both may be called from any thread at any time
 * and the scheduler takes a consistent copy without allocating (a sequence lock). The CIP sequence
 * count advances only when the output or run/idle state changed since the last packet. Consuming:
 * T->O datagrams with this connection's id are accepted only from the target's address, with a
 * newer encapsulation sequence and the agreed size; new data goes to the {@link InputHandler} and
 * is kept for {@link #latestInput()}. When nothing valid arrives for T->O API x (4 << multiplier) the
 * connection times out: production stops, the listener hears {@code timedOut} then {@code closed}.
 *
 * <p>The connection does not own the client: close the connection before the client.
 */
public final class IoConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IoConnection.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int OPEN = 0;
    private static final int CLOSED = 1;
    private static final int TIMED_OUT = 2;

    private final IoRuntime runtime;
    private final IoEndpoint endpoint;
    private final UcmmChannel client;
    private final IoSettings settings;
    private final InputHandler onInput;
    private final IoListener listener;
    private final ConnectionTriad triad;
    private final long otConnectionId;
    private final long toConnectionId;
    private final long otApiMicros;
    private final long toApiMicros;
    private final InetAddress targetAddress;
    private final InetSocketAddress otDestination;
    private final Optional<InetSocketAddress> multicastGroup;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private volatile PeriodicTask producer;
    private volatile PeriodicTask watchdog;

    // Written by setRun/setOutput under writeLock, read by the producer through the sequence lock.
    private final Object writeLock = new Object();
    private final byte[] pending;
    private volatile int version = 2;

    // Producer state: scheduler thread only.
    private final byte[] stage;
    private final byte[] tx;
    private final DatagramPort.Peer otPeer;
    private final long periodNanos;
    private long nextDeadline;
    private int sentVersion;
    private int cipSequence;
    private long encapSequence;
    private volatile long sent;
    private volatile long sendErrors;
    private volatile long latePackets;
    private volatile long missedDeadlines;
    private volatile long maxLatenessNanos;

    // Consumer state: receive thread only.
    private boolean haveEncap;
    /** Set once by the receive thread, read by the watchdog on the scheduler thread. */
    private volatile boolean consumedAny;
    /** The watchdog's minimum before the first packet arrives. */
    static final long INITIAL_TIMEOUT_NANOS = 10_000_000_000L;
    private long lastEncap;
    private boolean haveCip;
    private int lastCip;
    private volatile long lastValidNanos;
    private volatile long received;
    private volatile long delivered;
    private volatile long droppedStale;
    private volatile long droppedWrongPeer;
    private volatile long droppedSize;
    private volatile long lost;
    private final byte[] latest;
    private int latestLength;
    private boolean haveLatest;

    private IoConnection(IoRuntime runtime, IoEndpoint endpoint, UcmmChannel client, IoSettings settings,
                         InputHandler onInput, IoListener listener, ConnectionTriad triad, ForwardOpenResponse ok,
                         InetAddress targetAddress, InetSocketAddress otDestination,
                         Optional<InetSocketAddress> multicastGroup) {
        this.runtime = runtime;
        this.endpoint = endpoint;
        this.client = client;
        this.settings = settings;
        this.onInput = onInput;
        this.listener = listener;
        this.triad = triad;
        this.otConnectionId = ok.otConnectionId();
        this.toConnectionId = ok.toConnectionId();
        this.otApiMicros = ok.otApiMicros() != 0 ? ok.otApiMicros() : settings.otRpiMicros();
        this.toApiMicros = ok.toApiMicros() != 0 ? ok.toApiMicros() : settings.toRpiMicros();
        this.targetAddress = targetAddress;
        this.otDestination = otDestination;
        this.multicastGroup = multicastGroup;
        int payload = RunIdleHeader.LENGTH + settings.otSize();
        this.pending = new byte[payload];
        RunIdleHeader.write(pending, 0, RunIdleHeader.RUN_BIT);
        this.stage = new byte[payload];
        this.tx = new byte[IoFrame.frameLength(!settings.class0(), payload)];
        this.otPeer = endpoint.peer(otDestination);
        this.periodNanos = otApiMicros * 1000;
        this.latest = new byte[settings.toSize()];
    }

    /** Opens with the {@link IoRuntime#shared() shared runtime}, no input handler and no listener. */
    public static IoConnection open(CipClient client, IoSettings settings) throws IOException, CipServiceException {
        return open(IoRuntime.shared(), client, settings, null, null);
    }

    /**
     * Sends Forward_Open (Large_Forward_Open when a connection size exceeds 511) and starts the
     * connection. A refusal is a {@link ForwardOpenRefusedException} naming the extended status.
     *
     * @param onInput  new T->O data, or null
     * @param listener events, or null
     */
    public static IoConnection open(IoRuntime runtime, CipClient client, IoSettings settings, InputHandler onInput,
                                    IoListener listener) throws IOException, CipServiceException {
        return openOn(runtime, runtime.acquire(settings.localPort()), client, false, settings, onInput, listener);
    }

    /**
     * Opens a connection whose Forward_Open, I/O and Forward_Close all go through {@code target}'s
     * DTLS session; {@link IoSettings#localPort()} does not apply (the session has its own port).
     */
    static IoConnection openOver(IoRuntime runtime, DtlsTarget target, IoSettings settings, InputHandler onInput,
                                 IoListener listener) throws IOException, CipServiceException {
        if (settings.multicast()) {
            throw new IllegalArgumentException("multicast T->O is not available over DTLS: no published rule says how "
                    + "its key is shared (docs/dtls.md)");
        }
        IoEndpoint endpoint = target.endpoint();
        runtime.acquireExternal(endpoint);
        return openOn(runtime, endpoint, target, true, settings, onInput, listener);
    }

    /** Forward_Open on an endpoint already acquired from {@code runtime}, which a failure gives back. */
    private static IoConnection openOn(IoRuntime runtime, IoEndpoint endpoint, UcmmChannel client, boolean sessionBound,
                                       IoSettings settings, InputHandler onInput, IoListener listener)
            throws IOException, CipServiceException {
        boolean started = false;
        try {
            IoConnection c = forwardOpen(runtime, endpoint, client, sessionBound, settings, onInput,
                    listener == null ? IoListener.NONE : listener);
            started = true;
            return c;
        } finally {
            if (!started) {
                runtime.release(endpoint);
            }
        }
    }

    /**
     * @param sessionBound the endpoint is the target's DTLS session: no Sockaddr items, and O->T goes
     *                     into the session whatever the reply announces
     */
    private static IoConnection forwardOpen(IoRuntime runtime, IoEndpoint endpoint, UcmmChannel client,
                                            boolean sessionBound, IoSettings s, InputHandler onInput,
                                            IoListener listener) throws IOException, CipServiceException {
        ConnectionTriad triad = new ConnectionTriad(ConnectionSerials.next(), client.options().vendorId(),
                client.options().originatorSerial());
        NetworkConnectionParameters ot = NetworkConnectionParameters.pointToPoint(s.otConnectionSize());
        NetworkConnectionParameters to = s.multicast() ? NetworkConnectionParameters.multicast(s.toConnectionSize())
                : NetworkConnectionParameters.pointToPoint(s.toConnectionSize());
        ForwardOpenRequest fo = new ForwardOpenRequest(s.large(), 0x0A, 0x0E, randomId(), randomId(),
                triad.connectionSerial(), triad.originatorVendorId(), triad.originatorSerial(), s.timeoutMultiplier(),
                s.otRpiMicros(), ot, s.toRpiMicros(), to, s.transportTrigger(), s.connectionPath());
        List<CpfItem> items = s.multicast() || sessionBound ? List.of()
                : List.of(SockaddrItem.of(SockaddrItem.T_TO_O, anyAddress(), endpoint.port()));
        CipClient.ItemsReply reply = client.sendWithItems(fo.toRequest(), items);
        MessageRouterResponse r = reply.response();
        if (!r.isSuccess()) {
            throw refusal(fo.service(), r);
        }
        ForwardOpenResponse ok;
        try {
            ok = ForwardOpenResponse.decode(WireReader.of(r.data().toArray()));
        } catch (WireFormatException e) {
            throw new IOException("malformed Forward_Open reply from " + client.target() + ": " + e.getMessage(), e);
        }
        InetAddress target = client.peerAddress().getAddress();
        int otPort = sessionBound ? client.peerAddress().getPort() : IoSettings.DEFAULT_IO_PORT;
        Optional<InetSocketAddress> group = Optional.empty();
        for (CpfItem item : sessionBound ? List.<CpfItem>of() : reply.extraItems()) {
            if (item instanceof SockaddrItem sa && sa.typeId() == SockaddrItem.O_TO_T && sa.port() != 0) {
                otPort = sa.port();
            } else if (item instanceof SockaddrItem sa && sa.typeId() == SockaddrItem.T_TO_O && s.multicast()) {
                group = Optional.of(new InetSocketAddress(sa.inetAddress(),
                        sa.port() == 0 ? IoSettings.DEFAULT_IO_PORT : sa.port()));
            }
        }
        IoConnection c = new IoConnection(runtime, endpoint, client, s, onInput, listener, triad, ok, target,
                new InetSocketAddress(target, otPort), group);
        try {
            if (s.multicast()) {
                InetSocketAddress g = group.orElseThrow(() -> new IOException(
                        "multicast Forward_Open reply from " + client.target() + " names no T->O multicast address"));
                if (g.getPort() != endpoint.port()) {
                    throw new IOException("target multicasts to UDP " + g.getPort() + " but this connection listens on "
                            + endpoint.port() + ": open it with localPort " + g.getPort());
                }
                endpoint.joinGroup(g.getAddress(), client.localAddress().getAddress());
            }
            c.start();
        } catch (IOException | RuntimeException e) {
            c.forwardCloseQuietly();
            throw e;
        }
        LOG.debug("I/O connection to {} open: O->T 0x{} to {}, T->O 0x{} on UDP {}", client.target(),
                Long.toHexString(c.otConnectionId), c.otDestination, Long.toHexString(c.toConnectionId), endpoint.port());
        return c;
    }

    private static long randomId() {
        return RANDOM.nextInt(1, Integer.MAX_VALUE) & 0xFFFF_FFFFL;
    }

    private static Inet4Address anyAddress() {
        return SockaddrItem.toInet4Address(0);
    }

    private static CipServiceException refusal(int service, MessageRouterResponse r) {
        try {
            return new ForwardOpenRefusedException(service, ForwardOpenFailure.fromResponse(r));
        } catch (WireFormatException e) {
            int[] add = r.additionalStatus().stream().mapToInt(Integer::intValue).toArray();
            return new CipServiceException(r.generalStatus(), ServiceCodes.describe(service) + " refused", add);
        }
    }

    private void start() {
        // Before the first packet: the settings' run/idle state and data are what goes out first.
        setRun(settings.initialRun());
        if (!settings.initialOutput().isEmpty()) {
            setOutput(settings.initialOutput().toArray());
        }
        long now = System.nanoTime();
        lastValidNanos = now;
        nextDeadline = now;
        endpoint.register(toConnectionId, this);
        producer = runtime.scheduler().schedulePeriodic(periodNanos, 0, this::produce);
        watchdog = runtime.scheduler().scheduleDynamic(timeoutNanos(), this::checkTimeout);
    }

    /** Sets the run (true, the initial state) or idle bit of the O->T run/idle header. */
    public void setRun(boolean run) {
        synchronized (writeLock) {
            version++;
            VarHandle.storeStoreFence();
            RunIdleHeader.write(pending, 0, run ? RunIdleHeader.RUN_BIT : 0);
            VarHandle.storeStoreFence();
            version++;
        }
    }

    /** Sets the O->T data (exactly the O->T size; copied). */
    public void setOutput(byte[] data) {
        setOutput(data, 0, data.length);
    }

    public void setOutput(byte[] data, int off, int len) {
        if (len != settings.otSize()) {
            throw new IllegalArgumentException("O->T data is " + settings.otSize() + " bytes, got " + len);
        }
        synchronized (writeLock) {
            version++;
            VarHandle.storeStoreFence();
            System.arraycopy(data, off, pending, RunIdleHeader.LENGTH, len);
            VarHandle.storeStoreFence();
            version++;
        }
    }

    /** Copies {@code pending} into {@code stage} consistently; returns the version copied. */
    private int snapshotOutput() {
        for (int attempt = 0; attempt < 4; attempt++) {
            int before = version;
            if ((before & 1) == 0) {
                System.arraycopy(pending, 0, stage, 0, stage.length);
                VarHandle.loadLoadFence();
                if (version == before) {
                    return before;
                }
            }
            Thread.onSpinWait();
        }
        // A writer keeps interfering (or was descheduled mid-copy): wait for it once.
        synchronized (writeLock) {
            System.arraycopy(pending, 0, stage, 0, stage.length);
            return version;
        }
    }

    private void produce() {
        if (state.get() != OPEN) {
            return;
        }
        long now = System.nanoTime();
        long late = now - nextDeadline;
        if (late >= periodNanos) {
            long skipped = late / periodNanos;
            missedDeadlines += skipped;
            nextDeadline += skipped * periodNanos;
            late -= skipped * periodNanos;
        }
        nextDeadline += periodNanos;
        if (late > maxLatenessNanos) {
            maxLatenessNanos = late;
        }
        if (late > periodNanos / 10) {
            latePackets++;
        }
        int v = snapshotOutput();
        if (v != sentVersion) {
            sentVersion = v;
            cipSequence = SequenceCounters.next16(cipSequence);
        }
        encapSequence = SequenceCounters.next32(encapSequence);
        int n = IoFrame.encode(tx, 0, otConnectionId, encapSequence, settings.class0() ? IoFrame.NO_SEQUENCE : cipSequence,
                stage, 0, stage.length);
        try {
            otPeer.send(tx, 0, n);
            sent++;
        } catch (IOException e) {
            sendErrors++;
            if (LOG.isTraceEnabled()) {
                LOG.trace("O->T send to {} failed: {}", otDestination, e.toString());
            }
        }
    }

    /**
     * Runs when the last valid packet plus the timeout may have passed, and re-arms itself at that
     * moment otherwise: about once per timeout instead of once per RPI, and still on time.
     */
    private long checkTimeout(long now) {
        long timeout = timeoutNanos();
        if (state.get() != OPEN) {
            // Closing: the task is being cancelled.
            return now + timeout;
        }
        // consumedAny first: the receive thread writes lastValidNanos before it.
        boolean any = consumedAny;
        // Until the first packet, at least 10 s: the target may still be starting its producer
        // (OpENer and CIPster start their watchdogs the same way).
        long expiry = lastValidNanos + (any ? timeout : Math.max(timeout, INITIAL_TIMEOUT_NANOS));
        if (now - expiry <= 0) {
            // Before the first packet look again after one timeout: the first packet shortens the limit.
            return any || expiry - now <= timeout ? expiry + 1 : now + timeout;
        }
        if (state.compareAndSet(OPEN, TIMED_OUT)) {
            stopTasks();
            runtime.post(() -> {
                LOG.debug("I/O connection T->O 0x{} from {} timed out", Long.toHexString(toConnectionId), client.target());
                release();
                listener.timedOut(this);
                listener.closed(this);
            });
        }
        return now + timeout;
    }

    /** Called by the endpoint's receive thread with a frame wrapped as class 0 and known to carry our T->O id. */
    void onDatagram(byte[] buf, int off, int len, InetSocketAddress from, IoFrameView view) {
        if (!targetAddress.equals(from.getAddress())) {
            droppedWrongPeer++;
            return;
        }
        if (!settings.class0()) {
            try {
                view.wrap(buf, off, len, true);
            } catch (WireFormatException e) {
                droppedSize++;
                return;
            }
        }
        if (view.dataLength() != settings.toSize()) {
            droppedSize++;
            return;
        }
        long encap = view.encapSequence();
        if (haveEncap && !SequenceCounters.isNewer32(encap, lastEncap)) {
            droppedStale++;
            return;
        }
        if (haveEncap) {
            long gap = SequenceCounters.delta32(lastEncap, encap) - 1;
            if (gap > 0) {
                lost += gap;
            }
        }
        haveEncap = true;
        lastEncap = encap;
        // Before consumedAny: a watchdog that sees the short limit must also see this time.
        lastValidNanos = System.nanoTime();
        if (!consumedAny) {
            consumedAny = true;
        }
        received++;
        if (!settings.class0()) {
            int cip = view.cipSequence();
            if (haveCip && cip == lastCip) {
                return;
            }
            haveCip = true;
            lastCip = cip;
        }
        int dataOff = view.dataOffset();
        int n = view.dataLength();
        synchronized (latest) {
            System.arraycopy(buf, dataOff, latest, 0, n);
            latestLength = n;
            haveLatest = true;
        }
        delivered++;
        if (onInput != null) {
            onInput.onInput(buf, dataOff, n);
        }
    }

    /** A copy of the newest T->O data, or empty before any arrived. */
    public Optional<byte[]> latestInput() {
        synchronized (latest) {
            return haveLatest ? Optional.of(Arrays.copyOf(latest, latestLength)) : Optional.empty();
        }
    }

    public IoStats stats() {
        return new IoStats(sent, sendErrors, received, delivered, droppedStale, droppedWrongPeer, droppedSize, lost,
                latePackets, missedDeadlines, maxLatenessNanos);
    }

    public IoSettings settings() {
        return settings;
    }

    public ConnectionTriad triad() {
        return triad;
    }

    public long otConnectionId() {
        return otConnectionId;
    }

    public long toConnectionId() {
        return toConnectionId;
    }

    /** The O->T packet interval the target accepted (the requested RPI if it answered 0). */
    public long otApiMicros() {
        return otApiMicros;
    }

    public long toApiMicros() {
        return toApiMicros;
    }

    /** Where O->T datagrams go: the target's address and its announced I/O port (default 2222). */
    public InetSocketAddress otDestination() {
        return otDestination;
    }

    /** The local UDP port that receives T->O. */
    public int localPort() {
        return endpoint.port();
    }

    /** For a multicast T->O connection, the group and port joined. */
    public Optional<InetSocketAddress> multicastGroup() {
        return multicastGroup;
    }

    /** T->O API x (4 << timeout multiplier). */
    public long timeoutNanos() {
        return toApiMicros * 1000L * (4L << settings.timeoutMultiplier());
    }

    public boolean isOpen() {
        return state.get() == OPEN;
    }

    public boolean timedOut() {
        return state.get() == TIMED_OUT;
    }

    private void stopTasks() {
        PeriodicTask p = producer;
        PeriodicTask w = watchdog;
        if (p != null) {
            p.cancel();
        }
        if (w != null) {
            w.cancel();
        }
    }

    private void release() {
        endpoint.unregister(toConnectionId, this);
        runtime.release(endpoint);
    }

    private void forwardCloseQuietly() {
        stopTasks();
        endpoint.unregister(toConnectionId, this);
        try {
            forwardClose();
        } catch (IOException e) {
            LOG.debug("Forward_Close to {} failed: {}", client.target(), e.toString());
        }
    }

    private void forwardClose() throws IOException {
        ForwardCloseRequest fc = new ForwardCloseRequest(0x0A, 0x0E, triad, settings.connectionPath());
        MessageRouterResponse r = client.send(fc.toRequest());
        if (!r.isSuccess()) {
            LOG.debug("Forward_Close to {} answered {}", client.target(), r);
        }
    }

    /**
     * Stops producing and consuming and sends Forward_Close (unless the connection already timed
     * out). Idempotent. The target's refusal of Forward_Close is logged, not thrown.
     */
    @Override
    public void close() throws IOException {
        if (!state.compareAndSet(OPEN, CLOSED)) {
            return;
        }
        stopTasks();
        try {
            forwardClose();
        } finally {
            release();
            runtime.post(() -> listener.closed(this));
        }
    }
}
