package dev.cipsec.adapter.io;

import dev.cipsec.objects.std.AssemblyInstance;
import dev.cipsec.objects.std.AssemblyKind;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.objects.std.StandardObjects;
import dev.cipsec.objects.std.TcpIpInterfaceObject;
import dev.cipsec.transport.sched.DeadlineScheduler;
import dev.cipsec.transport.sched.PeriodicTask;
import dev.cipsec.transport.io.DatagramPort;
import dev.cipsec.transport.io.DatagramPortStats;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.cm.ConnectionTriad;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.ForwardOpenFailure;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cpf.SockaddrItem;
import dev.cipsec.wire.epath.DataSegment;
import dev.cipsec.wire.epath.ElectronicKeySegment;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.Segment;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.io.IoFrameView;
import dev.cipsec.wire.io.RunIdleHeader;
import dev.cipsec.wire.io.SequenceCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The target side of class 0/1 I/O (reference §2.6–2.10): validates and opens I/O connections for
 * the Connection Manager, consumes O→T datagrams on the I/O UDP port and produces T→O datagrams
 * from one {@link DeadlineScheduler} per device.
 *
 * <p>Choices, all documented in docs/io.md:
 * <ul>
 *   <li>The class 1 CIP sequence count of a T→O connection advances only when the application wrote
 *       the input assembly since the last packet (an unchanged count tells the consumer "no new
 *       data"); the encapsulation sequence number advances with every packet.</li>
 *   <li>O→T data is written to the output assembly only when the header says run and the CIP
 *       sequence count changed; idle packets keep the connection alive but leave the data alone.</li>
 *   <li>I/O connections do not belong to the encapsulation session that opened them: closing the
 *       TCP connection leaves them running until Forward_Close or their timeout.</li>
 * </ul>
 *
 * <p>The datagrams travel through a {@link DatagramPort} from the {@link DatagramTransport} given to
 * {@link #start(Options, StandardObjects, Runnable, DatagramTransport)}: plain UDP by default, and the
 * connection logic here is the same over any other transport (DTLS). Per packet, neither the
 * receive path nor the producer allocates: consumed data is copied into the output assembly
 * ({@link AssemblyInstance#writeFromConnection(byte[], int, int)}), produced data copied out of the
 * input assembly's current snapshot.
 */
public final class IoRuntime implements AutoCloseable {
    /** The O->T watchdog's minimum before the first packet of a connection arrives. */
    static final long INITIAL_TIMEOUT_NANOS = 10_000_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(IoRuntime.class);
    /** Where T→O goes when the originator named no port. */
    public static final int DEFAULT_IO_PORT = 2222;
    private static final int MAX_TIMEOUT_MULTIPLIER = 7;
    private static final int ASSEMBLY_CLASS = 0x04;

    /**
     * Settings the runtime needs from the device profile.
     *
     * @param bind                  where the I/O UDP endpoint binds (port 0 = ephemeral)
     * @param multicastAddress      the multicast group for multicast T→O, or null for TCP/IP attribute 9's first address
     * @param maxConnections        I/O connections on the device
     * @param maxPerOriginator      I/O connections from one originator IP
     * @param maxPacketSize         largest I/O datagram, received or sent
     */
    public record Options(InetSocketAddress bind, int inputOnlyHeartbeat, int listenOnlyHeartbeat, long minRpiMicros,
                          long maxRpiMicros, Inet4Address multicastAddress, int maxConnections, int maxPerOriginator,
                          int maxPacketSize, boolean sessionPerPeer) {
        public Options {
            Objects.requireNonNull(bind, "bind");
        }

        /** Plain UDP: T->O goes to the port the originator names (default 2222), multicast allowed. */
        public Options(InetSocketAddress bind, int inputOnlyHeartbeat, int listenOnlyHeartbeat, long minRpiMicros,
                       long maxRpiMicros, Inet4Address multicastAddress, int maxConnections, int maxPerOriginator,
                       int maxPacketSize) {
            this(bind, inputOnlyHeartbeat, listenOnlyHeartbeat, minRpiMicros, maxRpiMicros, multicastAddress, maxConnections,
                    maxPerOriginator, maxPacketSize, false);
        }

        /**
         * For a transport with one session per peer (DTLS): T->O goes back to the address and port the
         * Forward_Open came from, inside that peer's session, and multicast T->O is refused (there is no
         * published rule for multicast over DTLS; secure multicast is a later issue).
         */
        public Options withSessionPerPeer() {
            return new Options(bind, inputOnlyHeartbeat, listenOnlyHeartbeat, minRpiMicros, maxRpiMicros, multicastAddress,
                    maxConnections, maxPerOriginator, maxPacketSize, true);
        }
    }

    /** The outcome of a class 0/1 Forward_Open. */
    public sealed interface OpenResult {
    }

    /** Opened: the reply data and the Sockaddr Info items to append to the reply's CPF. */
    public record Opened(ForwardOpenResponse response, List<SockaddrItem> replyItems, IoConnectionInfo connection)
            implements OpenResult {
    }

    /** Refused: the failure reply. */
    public record Refused(ForwardOpenFailure failure) implements OpenResult {
    }

    private final Options options;
    private final StandardObjects objects;
    private final Runnable timeoutCounter;
    private final DeadlineScheduler scheduler;
    private final DatagramPort port;
    private final Random random = new SecureRandom();
    private final List<IoListener> listeners = new CopyOnWriteArrayList<>();

    // Guarded by this: the bookkeeping of open connections. The receive path reads only byOtId.
    private final List<Connection> open = new ArrayList<>();
    private final Map<Integer, Producer> multicastProducers = new HashMap<>();
    private volatile Table byOtId = new Table(new long[0], new Connection[0]);
    private volatile boolean closed;

    // Receive path state: one UDP receive thread.
    private final IoFrameView view = new IoFrameView();

    private final LongAdder received = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[IoStats.DropReason.values().length];
    private final LongAdder produced = new LongAdder();
    private final LongAdder sendErrors = new LongAdder();
    private final LongAdder timeouts = new LongAdder();

    private IoRuntime(Options options, StandardObjects objects, Runnable timeoutCounter, DeadlineScheduler scheduler,
                      DatagramTransport transport) throws IOException {
        this.options = options;
        this.objects = objects;
        this.timeoutCounter = timeoutCounter;
        this.scheduler = scheduler;
        for (int i = 0; i < dropped.length; i++) {
            dropped[i] = new LongAdder();
        }
        this.port = transport.open(options.bind(), options.maxPacketSize(), "cipsec-io", this::datagram);
    }

    /**
     * Binds the I/O port over plain UDP and starts the scheduler.
     *
     * @param timeoutCounter called once per connection timeout (Connection Manager attribute 8)
     */
    public static IoRuntime start(Options options, StandardObjects objects, Runnable timeoutCounter) throws IOException {
        return start(options, objects, timeoutCounter, DatagramTransport.udp());
    }

    /** Binds the I/O port with {@code transport} (plain UDP, or a protected one) and starts the scheduler. */
    public static IoRuntime start(Options options, StandardObjects objects, Runnable timeoutCounter,
                                  DatagramTransport transport) throws IOException {
        Objects.requireNonNull(transport, "transport");
        DeadlineScheduler scheduler = DeadlineScheduler.start("cipsec-io-" + options.bind().getPort());
        try {
            return new IoRuntime(options, objects, timeoutCounter, scheduler, transport);
        } catch (IOException | RuntimeException e) {
            scheduler.close();
            throw e;
        }
    }

    /** The bound I/O address (the real port when bound to 0). */
    public InetSocketAddress localAddress() {
        return port.localAddress();
    }

    public void addListener(IoListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    public void removeListener(IoListener l) {
        listeners.remove(l);
    }

    /** The I/O port's counters; {@code receiverFailures} stays 0 unless the receive path has a bug. */
    public DatagramPortStats transportStats() {
        return port.stats();
    }

    public DeadlineScheduler scheduler() {
        return scheduler;
    }

    public synchronized int connectionCount() {
        return open.size();
    }

    public synchronized List<IoConnectionInfo> connections() {
        return open.stream().map(c -> c.info).toList();
    }

    public IoStats stats() {
        Map<IoStats.DropReason, Long> d = new EnumMap<>(IoStats.DropReason.class);
        for (IoStats.DropReason r : IoStats.DropReason.values()) {
            d.put(r, dropped[r.ordinal()].sum());
        }
        return new IoStats(received.sum(), accepted.sum(), d, produced.sum(), sendErrors.sum(), timeouts.sum());
    }

    // ---------------------------------------------------------------- Forward_Open

    /** A refusal found while checking a Forward_Open; carries its reply, no stack trace. */
    private static final class Refusal extends Exception {
        final ForwardOpenFailure failure;

        Refusal(ForwardOpenFailure failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    private static Refusal refuse(ConnectionTriad triad, int extendedStatus) {
        return new Refusal(ForwardOpenFailure.of(triad, 0, extendedStatus));
    }

    /**
     * Checks a class 0/1 Forward_Open (the caller has decoded it and seen class 0 or 1) and opens the
     * connection. {@code peer} is the originator's TCP address; {@code requestItems} the request's
     * Sockaddr Info items.
     */
    public OpenResult forwardOpen(ForwardOpenRequest fo, InetSocketAddress peer, List<SockaddrItem> requestItems) {
        try {
            return open(fo, peer, requestItems);
        } catch (Refusal r) {
            LOG.debug("I/O Forward_Open refused: {}", ExtendedStatus.describe(r.failure.extendedStatus()));
            return new Refused(r.failure);
        }
    }

    private OpenResult open(ForwardOpenRequest fo, InetSocketAddress peer, List<SockaddrItem> items) throws Refusal {
        ConnectionTriad triad = fo.triad();
        int transportClass = fo.trigger().transportClass();
        boolean class1 = transportClass == 1;
        if (closed) {
            throw refuse(triad, ExtendedStatus.TARGET_OUT_OF_CONNECTIONS);
        }
        if (fo.trigger().trigger() != 0) {
            // Only cyclic production is implemented; change-of-state and application triggers are refused.
            throw refuse(triad, ExtendedStatus.PRODUCTION_TRIGGER_NOT_SUPPORTED);
        }
        if (fo.timeoutMultiplier() > MAX_TIMEOUT_MULTIPLIER) {
            throw refuse(triad, ExtendedStatus.INVALID_NETWORK_CONNECTION_PARAMETER);
        }
        Path path = parsePath(fo, triad);

        NetworkConnectionParameters ot = fo.otParameters();
        NetworkConnectionParameters to = fo.toParameters();
        if (ot.connectionType() == NetworkConnectionParameters.NULL && to.connectionType() == NetworkConnectionParameters.NULL) {
            throw refuse(triad, ExtendedStatus.NULL_FORWARD_OPEN_NOT_SUPPORTED);
        }
        if (ot.connectionType() != NetworkConnectionParameters.POINT_TO_POINT) {
            throw refuse(triad, ExtendedStatus.INVALID_OT_CONNECTION_TYPE);
        }
        boolean multicast = to.connectionType() == NetworkConnectionParameters.MULTICAST;
        if (multicast && options.sessionPerPeer()) {
            throw refuse(triad, ExtendedStatus.INVALID_TO_CONNECTION_TYPE);
        }
        if (!multicast && to.connectionType() != NetworkConnectionParameters.POINT_TO_POINT) {
            throw refuse(triad, ExtendedStatus.INVALID_TO_CONNECTION_TYPE);
        }
        if (ot.redundantOwner()) {
            throw refuse(triad, ExtendedStatus.INVALID_OT_REDUNDANT_OWNER);
        }

        ApplicationType type;
        AssemblyInstance consumed = null;
        if (path.consumed == options.inputOnlyHeartbeat()) {
            type = ApplicationType.INPUT_ONLY;
        } else if (path.consumed == options.listenOnlyHeartbeat()) {
            type = ApplicationType.LISTEN_ONLY;
        } else {
            consumed = objects.assembly(path.consumed);
            if (consumed == null || consumed.kind() != AssemblyKind.OUTPUT) {
                throw refuse(triad, ExtendedStatus.INVALID_CONSUMING_APPLICATION_PATH);
            }
            type = ApplicationType.EXCLUSIVE_OWNER;
        }
        AssemblyInstance producedAsm = objects.assembly(path.produced);
        if (producedAsm == null || producedAsm.kind() != AssemblyKind.INPUT) {
            throw refuse(triad, ExtendedStatus.INVALID_PRODUCING_APPLICATION_PATH);
        }
        AssemblyInstance config = null;
        if (path.config != 0) {
            config = objects.assembly(path.config);
            if (config == null || config.kind() != AssemblyKind.CONFIGURATION) {
                throw refuse(triad, ExtendedStatus.INVALID_CONFIGURATION_APPLICATION_PATH);
            }
        }
        if (path.configData != null) {
            if (config == null) {
                throw refuse(triad, ExtendedStatus.INVALID_CONFIGURATION_APPLICATION_PATH);
            }
            if (path.configData.length() != config.size()) {
                throw new Refusal(ForwardOpenFailure.invalidSize(triad, 0, ExtendedStatus.INVALID_CONFIGURATION_SIZE,
                        config.size()));
            }
        }

        checkRpi(fo, triad);

        // Sizes count the class 1 sequence count and, O→T, the 32-bit run/idle header (docs/io.md).
        int seq = class1 ? 2 : 0;
        int otData;
        if (type == ApplicationType.EXCLUSIVE_OWNER) {
            int expected = seq + RunIdleHeader.LENGTH + consumed.size();
            checkSize(triad, ot, expected, expected, ExtendedStatus.INVALID_OT_SIZE);
            otData = RunIdleHeader.LENGTH + consumed.size();
        } else {
            // A heartbeat is the sequence count alone (OpENer's client) or with a run/idle header.
            int size = ot.connectionSize();
            if (size != seq && size != seq + RunIdleHeader.LENGTH) {
                throw new Refusal(ForwardOpenFailure.invalidSize(triad, 0, ExtendedStatus.INVALID_OT_SIZE,
                        seq + RunIdleHeader.LENGTH));
            }
            otData = -1;
        }
        int toExpected = seq + producedAsm.size();
        checkSize(triad, to, toExpected, toExpected, ExtendedStatus.INVALID_TO_SIZE);
        int largest = IoFrame.HEADER_LENGTH + Math.max(seq + (otData < 0 ? RunIdleHeader.LENGTH : otData), toExpected);
        if (largest > options.maxPacketSize()) {
            throw refuse(triad, ExtendedStatus.INVALID_CONNECTION_SIZE);
        }

        InetAddress originator = peer.getAddress();
        int toPort = DEFAULT_IO_PORT;
        for (SockaddrItem item : items) {
            if (item.typeId() == SockaddrItem.T_TO_O && item.family() == SockaddrItem.AF_INET && item.port() != 0) {
                toPort = item.port();
            }
        }
        if (options.sessionPerPeer()) {
            toPort = peer.getPort();
        }
        long timeoutNanos = Math.multiplyExact(fo.otRpiMicros() * 1000L, 4L << fo.timeoutMultiplier());

        Connection c;
        List<Runnable> events;
        synchronized (this) {
            for (Connection o : open) {
                if (o.info.triad().equals(triad)) {
                    throw refuse(triad, ExtendedStatus.CONNECTION_IN_USE);
                }
            }
            if (type == ApplicationType.EXCLUSIVE_OWNER) {
                for (Connection o : open) {
                    if (o.info.type() == ApplicationType.EXCLUSIVE_OWNER && o.info.consumedPoint() == path.consumed) {
                        throw refuse(triad, ExtendedStatus.OWNERSHIP_CONFLICT);
                    }
                }
            }
            if (type == ApplicationType.LISTEN_ONLY && !hasNonListenOnlyProducer(path.produced, null)) {
                throw refuse(triad, ExtendedStatus.NON_LISTEN_ONLY_NOT_OPENED);
            }
            Producer shared = multicast ? multicastProducers.get(path.produced) : null;
            if (shared != null) {
                if (shared.rpiMicros != fo.toRpiMicros()) {
                    throw refuse(triad, ExtendedStatus.INCOMPATIBLE_MULTICAST_RPI);
                }
                if (shared.class1 != class1) {
                    throw refuse(triad, ExtendedStatus.INVALID_PRODUCE_CONSUME_DATA_FORMAT);
                }
            }
            if (open.size() >= options.maxConnections()) {
                throw refuse(triad, ExtendedStatus.OUT_OF_CONNECTIONS);
            }
            long fromSame = open.stream().filter(o -> o.info.originator().equals(originator)).count();
            if (fromSame >= options.maxPerOriginator()) {
                throw refuse(triad, ExtendedStatus.OUT_OF_CONNECTIONS);
            }

            // Every check passed: from here on the request takes effect.
            if (path.configData != null) {
                config.writeFromConnection(path.configData);
            }
            long otId = newConnectionId();
            Producer producer;
            if (shared != null) {
                producer = shared;
            } else if (multicast) {
                InetSocketAddress group = new InetSocketAddress(multicastGroup(), port.localAddress().getPort());
                long toId = newConnectionId();
                while (toId == otId) {
                    toId = newConnectionId();
                }
                producer = new Producer(toId, group, producedAsm, class1, fo.toRpiMicros());
                multicastProducers.put(path.produced, producer);
            } else {
                producer = new Producer(fo.toConnectionId(), new InetSocketAddress(originator, toPort), producedAsm, class1,
                        fo.toRpiMicros());
            }
            IoConnectionInfo info = new IoConnectionInfo(otId, producer.connectionId, triad, type, transportClass, originator,
                    path.config, path.consumed, path.produced, fo.otRpiMicros(), fo.toRpiMicros(), multicast,
                    producer.destination, timeoutNanos);
            c = new Connection(info, consumed, otData, class1);
            open.add(c);
            rebuildTable();
            producer.users++;
            c.producer = producer;
            if (producer.task == null) {
                // First packet one RPI from now: the Forward_Open reply is still on its way, and an
                // originator drops (and tshark cannot link) T->O data for a connection it has not seen yet.
                long period = fo.toRpiMicros() * 1000L;
                producer.task = scheduler.schedulePeriodic(period, period, producer::produce);
            }
            if (consumed != null) {
                consumed.setOwnedByConnection(true);
            }
            Connection opened = c;
            c.watchdog = scheduler.scheduleDynamic(timeoutNanos, now -> watch(opened, now));
            events = List.of(() -> forEachListener(l -> l.opened(info)));
        }
        events.forEach(Runnable::run);
        LOG.debug("I/O connection opened: {}", c.info);
        List<SockaddrItem> reply = new ArrayList<>(2);
        reply.add(new SockaddrItem(SockaddrItem.O_TO_T, SockaddrItem.AF_INET, port.localAddress().getPort(), 0,
                Bytes.of(new byte[8])));
        if (multicast) {
            reply.add(SockaddrItem.of(SockaddrItem.T_TO_O, (Inet4Address) c.info.toDestination().getAddress(),
                    c.info.toDestination().getPort()));
        }
        ForwardOpenResponse ok = new ForwardOpenResponse(c.info.otConnectionId(), c.info.toConnectionId(), triad,
                fo.otRpiMicros(), fo.toRpiMicros(), Bytes.EMPTY);
        return new Opened(ok, List.copyOf(reply), c.info);
    }

    private record Path(int config, int consumed, int produced, Bytes configData) {
    }

    /**
     * {@code [electronic key] 20 04 [24|2C cfg] 24|2C O→T 24|2C T→O [80 n data]}: any other segment is
     * 0x0315, a class other than Assembly or a wrong number of connection points 0x0117.
     */
    private Path parsePath(ForwardOpenRequest fo, ConnectionTriad triad) throws Refusal {
        List<Segment> segs = fo.connectionPath().segments();
        int i = 0;
        if (i < segs.size() && segs.get(i) instanceof ElectronicKeySegment key) {
            checkKey(key, triad);
            i++;
        }
        if (!(i < segs.size() && segs.get(i) instanceof LogicalSegment cls && cls.type() == LogicalType.CLASS)) {
            throw refuse(triad, i < segs.size() ? ExtendedStatus.INVALID_SEGMENT_IN_PATH : ExtendedStatus.INVALID_APPLICATION_PATH);
        }
        if (cls.value() != ASSEMBLY_CLASS) {
            throw refuse(triad, ExtendedStatus.INVALID_APPLICATION_PATH);
        }
        i++;
        List<Integer> points = new ArrayList<>(3);
        while (i < segs.size() && segs.get(i) instanceof LogicalSegment p
                && (p.type() == LogicalType.INSTANCE || p.type() == LogicalType.CONNECTION_POINT)) {
            if (p.value() < 1 || p.value() > 0xFFFF) {
                throw refuse(triad, ExtendedStatus.INVALID_APPLICATION_PATH);
            }
            points.add((int) p.value());
            i++;
        }
        Bytes data = null;
        if (i < segs.size() && segs.get(i) instanceof DataSegment.Simple d) {
            data = d.data();
            i++;
        }
        if (i < segs.size()) {
            throw refuse(triad, ExtendedStatus.INVALID_SEGMENT_IN_PATH);
        }
        return switch (points.size()) {
            case 3 -> new Path(points.get(0), points.get(1), points.get(2), data);
            case 2 -> new Path(0, points.get(0), points.get(1), data);
            default -> throw refuse(triad, ExtendedStatus.INVALID_APPLICATION_PATH);
        };
    }

    /** Electronic key rules of CIP Vol. 1 (reference §2.3): zero matches anything; the compatibility bit relaxes the revision. */
    private void checkKey(ElectronicKeySegment key, ConnectionTriad triad) throws Refusal {
        DeviceIdentity id = objects.identity().identity();
        if ((key.vendorId() != 0 && key.vendorId() != id.vendorId())
                || (key.productCode() != 0 && key.productCode() != id.productCode())) {
            throw refuse(triad, ExtendedStatus.VENDOR_PRODUCT_MISMATCH);
        }
        if (key.deviceType() != 0 && key.deviceType() != id.deviceType()) {
            throw refuse(triad, ExtendedStatus.DEVICE_TYPE_MISMATCH);
        }
        boolean revisionOk;
        if (key.compatibility()) {
            // Compatible: same major revision, and a minor revision we implement (ours or an older one).
            revisionOk = key.majorRevision() == id.revisionMajor()
                    && (key.minorRevision() == 0 || key.minorRevision() <= id.revisionMinor());
        } else {
            revisionOk = (key.majorRevision() == 0 || key.majorRevision() == id.revisionMajor())
                    && (key.minorRevision() == 0 || key.minorRevision() == id.revisionMinor());
        }
        if (!revisionOk) {
            throw refuse(triad, ExtendedStatus.REVISION_MISMATCH);
        }
    }

    /** RPI 0 is 0x0111; outside the configured range 0x0112 naming the acceptable RPIs. */
    private void checkRpi(ForwardOpenRequest fo, ConnectionTriad triad) throws Refusal {
        if (fo.otRpiMicros() == 0 || fo.toRpiMicros() == 0) {
            throw refuse(triad, ExtendedStatus.RPI_NOT_SUPPORTED);
        }
        long min = options.minRpiMicros();
        long max = options.maxRpiMicros();
        boolean otOk = fo.otRpiMicros() >= min && fo.otRpiMicros() <= max;
        boolean toOk = fo.toRpiMicros() >= min && fo.toRpiMicros() <= max;
        if (!otOk || !toOk) {
            throw new Refusal(ForwardOpenFailure.rpiNotAcceptable(triad, 0, new ForwardOpenFailure.RpiRejection(
                    rpiType(fo.otRpiMicros(), min, max), rpiType(fo.toRpiMicros(), min, max),
                    clamp(fo.otRpiMicros(), min, max), clamp(fo.toRpiMicros(), min, max))));
        }
    }

    private static int rpiType(long rpi, long min, long max) {
        return rpi < min ? ForwardOpenFailure.RPI_MINIMUM : rpi > max ? ForwardOpenFailure.RPI_MAXIMUM
                : ForwardOpenFailure.RPI_ACCEPTABLE;
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }

    /** Fixed: exactly {@code expected}; variable: {@code expected} is the most a packet holds, so the maximum must admit it. */
    private static void checkSize(ConnectionTriad triad, NetworkConnectionParameters p, int expected, int correct, int status)
            throws Refusal {
        boolean ok = p.variable() ? p.connectionSize() >= expected : p.connectionSize() == expected;
        if (!ok) {
            throw new Refusal(ForwardOpenFailure.invalidSize(triad, 0, status, correct));
        }
    }

    private Inet4Address multicastGroup() {
        if (options.multicastAddress() != null) {
            return options.multicastAddress();
        }
        TcpIpInterfaceObject.MulticastConfig mc = TcpIpInterfaceObject.MulticastConfig.defaultFor(objects.tcpIp().config());
        return SockaddrItem.toInet4Address(mc.startAddress());
    }

    private long newConnectionId() {
        while (true) {
            long id = random.nextInt() & 0xFFFF_FFFFL;
            if (id == 0 || byOtId.find(id) != null) {
                continue;
            }
            boolean clash = false;
            for (Producer p : multicastProducers.values()) {
                clash |= p.connectionId == id;
            }
            if (!clash) {
                return id;
            }
        }
    }

    private boolean hasNonListenOnlyProducer(int producedPoint, Connection except) {
        for (Connection o : open) {
            if (o != except && o.info.type() != ApplicationType.LISTEN_ONLY && o.info.producedPoint() == producedPoint) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- Forward_Close and closing

    /** Closes the connection with this triad; false when there is none. */
    public boolean forwardClose(ConnectionTriad triad) {
        Connection found = null;
        synchronized (this) {
            for (Connection c : open) {
                if (c.info.triad().equals(triad)) {
                    found = c;
                    break;
                }
            }
        }
        return found != null && close(found, IoListener.CloseReason.FORWARD_CLOSE);
    }

    private boolean close(Connection c, IoListener.CloseReason reason) {
        List<Runnable> events = new ArrayList<>(2);
        synchronized (this) {
            if (!closeLocked(c, reason, events)) {
                return false;
            }
        }
        events.forEach(Runnable::run);
        return true;
    }

    private boolean closeLocked(Connection c, IoListener.CloseReason reason, List<Runnable> events) {
        if (!open.remove(c)) {
            return false;
        }
        rebuildTable();
        c.watchdog.cancel();
        Producer p = c.producer;
        if (--p.users == 0) {
            p.task.cancel();
            multicastProducers.remove(c.info.producedPoint(), p);
        }
        if (c.consumed != null) {
            c.consumed.setOwnedByConnection(false);
        }
        IoConnectionInfo info = c.info;
        events.add(() -> forEachListener(l -> l.closed(info, reason)));
        LOG.debug("I/O connection 0x{} closed: {}", Long.toHexString(info.otConnectionId()), reason);
        if (info.type() != ApplicationType.LISTEN_ONLY && !hasNonListenOnlyProducer(info.producedPoint(), null)) {
            // Listen-only connections live on the data of another connection (reference §2.6).
            for (Connection o : List.copyOf(open)) {
                if (o.info.type() == ApplicationType.LISTEN_ONLY && o.info.producedPoint() == info.producedPoint()) {
                    closeLocked(o, IoListener.CloseReason.OWNER_CLOSED, events);
                }
            }
        }
        return true;
    }

    /**
     * Runs when the last O->T packet plus the timeout may have passed and otherwise re-arms itself at
     * that moment: about once per timeout instead of once per RPI (with 1,000 connections that
     * halves the scheduler's runs), and the timeout is still seen on time.
     */
    private long watch(Connection c, long now) {
        long timeout = c.info.timeoutNanos();
        // consumedAny first: the receive thread writes lastRxNanos before it.
        boolean any = c.consumedAny;
        // Until the first O->T packet, at least 10 s (OpENer's and CIPster's initial watchdog):
        // an originator may open many connections before its producers run.
        long expiry = c.lastRxNanos + (any ? timeout : Math.max(timeout, INITIAL_TIMEOUT_NANOS));
        if (now - expiry <= 0) {
            // Before the first packet look again after one timeout: the first packet shortens the limit.
            return any || expiry - now <= timeout ? expiry + 1 : now + timeout;
        }
        List<Runnable> events = new ArrayList<>(2);
        synchronized (this) {
            if (!closeLocked(c, IoListener.CloseReason.TIMEOUT, events)) {
                return now + timeout;
            }
        }
        // Counted before the listeners hear of it, so a listener sees the counters up to date.
        timeouts.increment();
        timeoutCounter.run();
        events.forEach(Runnable::run);
        return now + timeout;
    }

    private void forEachListener(java.util.function.Consumer<IoListener> call) {
        for (IoListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("I/O listener {} failed", l, e);
            }
        }
    }

    /** Closes every connection (listeners see {@code DEVICE_CLOSED}), the scheduler and the port. Idempotent. */
    @Override
    public void close() {
        closed = true;
        List<Runnable> events = new ArrayList<>();
        synchronized (this) {
            for (Connection c : List.copyOf(open)) {
                closeLocked(c, IoListener.CloseReason.DEVICE_CLOSED, events);
            }
        }
        events.forEach(Runnable::run);
        scheduler.close();
        port.close();
    }

    // ---------------------------------------------------------------- receive path

    private void drop(IoStats.DropReason reason) {
        dropped[reason.ordinal()].increment();
    }

    /** The per-datagram path: every defect is a counted drop, never an exception. */
    private void datagram(byte[] buf, int off, int len, InetSocketAddress from) {
        received.increment();
        IoFrameView v = view;
        try {
            v.wrap(buf, off, len, false);
        } catch (WireFormatException e) {
            drop(IoStats.DropReason.MALFORMED);
            return;
        }
        Connection c = byOtId.find(v.connectionId());
        if (c == null) {
            drop(IoStats.DropReason.UNKNOWN_CONNECTION);
            return;
        }
        if (!c.info.originator().equals(from.getAddress())) {
            drop(IoStats.DropReason.WRONG_PEER);
            return;
        }
        if (c.class1) {
            try {
                v.wrap(buf, off, len, true);
            } catch (WireFormatException e) {
                drop(IoStats.DropReason.MALFORMED);
                return;
            }
        }
        int dataLength = v.dataLength();
        boolean sizeOk = c.otDataLength < 0 ? dataLength == 0 || dataLength == RunIdleHeader.LENGTH : dataLength == c.otDataLength;
        if (!sizeOk) {
            drop(IoStats.DropReason.WRONG_SIZE);
            return;
        }
        long encapSeq = v.encapSequence();
        if (c.haveEncapSeq && !SequenceCounters.isNewer32(encapSeq, c.lastEncapSeq)) {
            drop(IoStats.DropReason.STALE_SEQUENCE);
            return;
        }
        c.haveEncapSeq = true;
        c.lastEncapSeq = encapSeq;
        c.lastRxNanos = System.nanoTime();
        if (!c.consumedAny) {
            c.consumedAny = true;
        }
        accepted.increment();
        int dataOff = v.dataOffset();
        if (dataLength >= RunIdleHeader.LENGTH) {
            int run = RunIdleHeader.isRun(RunIdleHeader.read(buf, dataOff)) ? 1 : 0;
            if (run != c.runState) {
                c.runState = run;
                IoConnectionInfo info = c.info;
                forEachListener(l -> l.runIdleChanged(info, run == 1));
            }
        }
        if (c.consumed != null) {
            int cipSeq = v.cipSequence();
            boolean fresh = !c.class1 || c.lastCipSeq < 0 || cipSeq != c.lastCipSeq;
            c.lastCipSeq = cipSeq;
            if (fresh && c.runState == 1) {
                c.consumed.writeFromConnection(buf, dataOff + RunIdleHeader.LENGTH, dataLength - RunIdleHeader.LENGTH);
            }
        }
    }

    private void rebuildTable() {
        Connection[] cs = open.toArray(new Connection[0]);
        Arrays.sort(cs, (a, b) -> Long.compare(a.info.otConnectionId(), b.info.otConnectionId()));
        long[] ids = new long[cs.length];
        for (int i = 0; i < cs.length; i++) {
            ids[i] = cs[i].info.otConnectionId();
        }
        byOtId = new Table(ids, cs);
    }

    /** An immutable sorted id → connection table: lookups allocate nothing and take no lock. */
    private record Table(long[] ids, Connection[] connections) {
        Connection find(long id) {
            int i = Arrays.binarySearch(ids, id);
            return i >= 0 ? connections[i] : null;
        }
    }

    /** One open connection. The receive-path fields are touched by the UDP receive thread only. */
    private static final class Connection {
        final IoConnectionInfo info;
        final AssemblyInstance consumed;
        /** Expected O→T data bytes after any sequence count; -1 for a heartbeat (0 or a bare run/idle header). */
        final int otDataLength;
        final boolean class1;
        Producer producer;
        PeriodicTask watchdog;
        volatile long lastRxNanos = System.nanoTime();
        /** Set by the receive thread on the first accepted O->T packet; read by the watchdog. */
        volatile boolean consumedAny;
        boolean haveEncapSeq;
        long lastEncapSeq;
        int lastCipSeq = -1;
        int runState = -1;

        Connection(IoConnectionInfo info, AssemblyInstance consumed, int otDataLength, boolean class1) {
            this.info = info;
            this.consumed = consumed;
            this.otDataLength = otDataLength;
            this.class1 = class1;
        }
    }

    // ---------------------------------------------------------------- production

    /** One T→O stream: a point-to-point connection's own, or a multicast one shared by its consumers. */
    private final class Producer {
        final long connectionId;
        final InetSocketAddress destination;
        final DatagramPort.Peer peer;
        final AssemblyInstance assembly;
        final boolean class1;
        final long rpiMicros;
        final byte[] payload;
        final byte[] frame;
        int users;
        PeriodicTask task;
        // Scheduler thread only.
        private Bytes last;
        private long encapSeq;
        private int cipSeq;

        Producer(long connectionId, InetSocketAddress destination, AssemblyInstance assembly, boolean class1, long rpiMicros) {
            this.connectionId = connectionId;
            this.destination = destination;
            this.peer = port.peer(destination);
            this.assembly = assembly;
            this.class1 = class1;
            this.rpiMicros = rpiMicros;
            this.payload = new byte[assembly.size()];
            this.frame = new byte[IoFrame.frameLength(class1, assembly.size())];
        }

        /** Runs on the scheduler thread at each RPI; allocates nothing. */
        void produce() {
            Bytes now = assembly.data();
            if (now != last) {
                // A new snapshot means the application wrote: new data, new sequence count.
                last = now;
                now.copyTo(payload, 0);
                cipSeq = SequenceCounters.next16(cipSeq);
            }
            encapSeq = SequenceCounters.next32(encapSeq);
            int n = IoFrame.encode(frame, 0, connectionId, encapSeq, class1 ? cipSeq : IoFrame.NO_SEQUENCE, payload, 0,
                    payload.length);
            try {
                peer.send(frame, 0, n);
                produced.increment();
            } catch (IOException | RuntimeException e) {
                sendErrors.increment();
            }
        }
    }
}
