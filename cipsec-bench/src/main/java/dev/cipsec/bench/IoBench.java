package dev.cipsec.bench;

import dev.cipsec.transport.sched.DeadlineScheduler;
import dev.cipsec.transport.sched.LatenessStats;
import dev.cipsec.transport.sched.PeriodicTask;
import dev.cipsec.transport.udp.UdpEndpoint;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.io.IoFrameView;

import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Class 1 producers on one {@link DeadlineScheduler}: each connection's task encodes a 50-byte
 * frame ({@link IoFrame#encode} into its own buffer) and sends it with {@link UdpEndpoint#send} over
 * loopback to a receiver thread that checks it with {@link IoFrameView}. Reports, per scenario
 * (connections x RPI), packets/s, the scheduler's lateness (p50/p99/max against each deadline),
 * skipped deadlines, loss, and the largest gap between two packets of one connection at the
 * receiver, with "timeouts" counting gaps longer than 4 x RPI (the smallest CIP timeout).
 *
 * <p>Then one core's throughput: the same producers with deadlines always in the past, so the
 * scheduler thread sends as fast as it can, against a plain Java loop ({@link DatagramSocket#send}
 * of one reused {@link DatagramPacket} of the same size) on one thread, to the same receiver; the
 * ratio is what the goal (>= 0.8) is about.
 *
 * <pre>java -cp benchmarks.jar dev.cipsec.bench.IoBench [--duration SECONDS] [--warmup SECONDS]
 *     [--scenarios 64x1ms,1000x10ms] [--spin MICROS]</pre>
 */
public final class IoBench {
    /** Bytes on the wire of each frame (UDP payload). */
    public static final int FRAME_BYTES = 50;
    /** Bytes of I/O data after the 16-bit sequence count. */
    public static final int PAYLOAD_BYTES = FRAME_BYTES - IoFrame.frameLength(true, 0);
    /** Connections of the throughput runs; their period is 1 ns, i.e. always due. */
    static final int SATURATION_CONNECTIONS = 64;
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    /** How long a run waits for the receiver to drain before counting the rest as lost. */
    private static final long DRAIN_NANOS = 500_000_000L;

    /** {@code connections} producers at one RPI each, phases spread evenly over the RPI. */
    public record Scenario(int connections, Duration rpi) {
        public Scenario {
            if (connections < 1 || rpi.isNegative() || rpi.isZero()) {
                throw new IllegalArgumentException("connections >= 1 and RPI > 0");
            }
        }

        /** {@code 64x1ms}, {@code 1000x10ms}, {@code 8x500us}. */
        static Scenario parse(String s) {
            int x = s.indexOf('x');
            if (x < 1) {
                throw new IllegalArgumentException("scenario must be CONNECTIONSxRPI, e.g. 64x1ms: " + s);
            }
            return new Scenario(Integer.parseInt(s.substring(0, x)), parseRpi(s.substring(x + 1)));
        }

        private static Duration parseRpi(String v) {
            if (v.endsWith("ms")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1e6));
            }
            if (v.endsWith("us")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1e3));
            }
            throw new IllegalArgumentException("RPI needs a unit, ms or us: " + v);
        }

        @Override
        public String toString() {
            long us = rpi.toNanos() / 1000;
            return connections + " x RPI " + (us % 1000 == 0 ? us / 1000 + " ms" : us + " us");
        }
    }

    /** Harness settings; the defaults take about a minute. */
    public record Options(Duration duration, Duration warmup, List<Scenario> scenarios, Duration spin) {
        public Options {
            if (duration.isNegative() || duration.isZero() || warmup.isNegative()) {
                throw new IllegalArgumentException("duration > 0, warmup >= 0");
            }
            scenarios = List.copyOf(scenarios);
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Duration.ofSeconds(2),
                    List.of(new Scenario(64, Duration.ofMillis(1)), new Scenario(1000, Duration.ofMillis(10))),
                    DeadlineScheduler.DEFAULT_SPIN);
        }

        static Options parse(String... args) {
            Options o = defaults();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    throw new IllegalArgumentException("usage");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                String v = args[++i];
                o = switch (a) {
                    case "--duration" -> new Options(RoundTripBench.Options.parseDuration(v), o.warmup, o.scenarios, o.spin);
                    case "--warmup" -> new Options(o.duration, RoundTripBench.Options.parseDuration(v), o.scenarios, o.spin);
                    case "--scenarios" -> new Options(o.duration, o.warmup,
                            Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Scenario::parse).toList(),
                            o.spin);
                    case "--spin" -> new Options(o.duration, o.warmup, o.scenarios, Duration.ofNanos(Long.parseLong(v) * 1000));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                };
            }
            return o;
        }
    }

    /**
     * One scheduled run.
     *
     * @param sent         frames sent during the measurement
     * @param perSecond    frames sent per second during the measurement
     * @param lost         frames sent in the whole run (warm-up included) that never arrived
     * @param maxGapNanos  largest interval between two frames of one connection at the receiver
     * @param timeouts     such intervals longer than 4 x RPI
     * @param sendErrors   sends that threw
     */
    public record ScenarioResult(Scenario scenario, long sent, double perSecond, LatenessStats lateness,
                                 long lost, long totalSent, long maxGapNanos, long timeouts, long sendErrors) {
    }

    /** Everything the tables show. */
    public record Result(List<ScenarioResult> scenarios, ScenarioResult saturated, double plainPerSecond,
                         long plainLost, long plainSent) {
        public double throughputRatio() {
            return saturated.perSecond() / plainPerSecond;
        }
    }

    private IoBench() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage().equals("usage") ? "" : "error: " + e.getMessage());
            System.err.println("usage: IoBench [--duration SECONDS|MSms] [--warmup SECONDS|MSms]"
                    + " [--scenarios 64x1ms,1000x10ms] [--spin MICROS]");
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    /** Runs every scenario, then the throughput comparison, and prints the tables to {@code out}. */
    public static Result run(Options o, PrintStream out) throws IOException, InterruptedException {
        out.printf(Locale.ROOT, "cipsec I/O: class 1 frames of %d B over loopback UDP, DeadlineScheduler + IoFrame.encode"
                + " + UdpEndpoint.send -> receiver thread (IoFrameView), %s%n", FRAME_BYTES,
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        out.printf(Locale.ROOT, "JDK %s (%s %s), %d cores, %s %s; scheduler spin %d us; thread priorities %s;"
                        + " %.1f s measured after %.1f s warm-up%n%n",
                Runtime.version(), System.getProperty("java.vm.vendor"), System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                o.spin.toNanos() / 1000, priorityPolicy(), o.duration.toMillis() / 1000.0, o.warmup.toMillis() / 1000.0);
        List<ScenarioResult> results = new ArrayList<>();
        out.printf(Locale.ROOT, "  %-20s %12s %12s %9s %9s %9s %9s %9s %12s %8s%n", "scenario", "packets/s", "expected/s",
                "p50 us", "p99 us", "max us", "skipped", "lost", "max gap/RPI", "timeouts");
        for (Scenario s : o.scenarios) {
            ScenarioResult r = runScheduled(s, s.rpi.toNanos(), o);
            results.add(r);
            row(out, s.toString(), r, s.connections * 1e9 / s.rpi.toNanos());
        }
        out.printf(Locale.ROOT, "  (goals: 64 x RPI 1 ms p99 <= 500 us, 1000 x RPI 10 ms p99 <= 1000 us, no timeouts)%n%n");

        Scenario flat = new Scenario(SATURATION_CONNECTIONS, Duration.ofNanos(1));
        ScenarioResult saturated = runScheduled(flat, 1, o);
        long[] plain = plainLoop(o);
        double plainRate = plain[0] / (o.duration.toNanos() / 1e9);
        out.printf(Locale.ROOT, "one core's throughput: frames sent per second by one thread, %d B frames (receiver on another thread)%n",
                FRAME_BYTES);
        out.printf(Locale.ROOT, "  %-44s %,12.0f   lost %.1f %%%n", "cipsec: scheduler, " + SATURATION_CONNECTIONS
                + " producers always due", saturated.perSecond, 100.0 * saturated.lost / Math.max(1, saturated.totalSent));
        out.printf(Locale.ROOT, "  %-44s %,12.0f   lost %.1f %%%n", "plain: DatagramSocket.send(reused packet)",
                plainRate, 100.0 * plain[1] / Math.max(1, plain[2]));
        out.printf(Locale.ROOT, "  %-44s %12.2f   (goal >= 0.80)%n", "ratio", saturated.perSecond / plainRate);
        return new Result(results, saturated, plainRate, plain[1], plain[2]);
    }

    /**
     * Linux ignores Java thread priorities unless the JVM runs with -XX:ThreadPriorityPolicy=1 and
     * may raise them (root or CAP_SYS_NICE); then MAX_PRIORITY is nice -5.
     */
    private static String priorityPolicy() {
        boolean policy = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.equals("-XX:ThreadPriorityPolicy=1"));
        return policy ? "on (-XX:ThreadPriorityPolicy=1)" : "ignored by the JVM (no -XX:ThreadPriorityPolicy=1)";
    }

    private static void row(PrintStream out, String name, ScenarioResult r, double expected) {
        LatenessStats l = r.lateness;
        out.printf(Locale.ROOT, "  %-20s %,12.0f %,12.0f %9.1f %9.1f %9.1f %9d %9d %12.2f %8d%n", name, r.perSecond, expected,
                l.p50Nanos() / 1e3, l.p99Nanos() / 1e3, l.maxNanos() / 1e3, l.overruns(), r.lost,
                (double) r.maxGapNanos / r.scenario.rpi.toNanos(), r.timeouts);
    }

    /** Runs {@code s.connections} producers with period {@code periodNanos} for warm-up + duration. */
    private static ScenarioResult runScheduled(Scenario s, long periodNanos, Options o) throws IOException, InterruptedException {
        AtomicLong sent = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        try (Receiver receiver = Receiver.start(s.connections, s.rpi.toNanos());
             UdpEndpoint sender = UdpEndpoint.open(LOOPBACK, FRAME_BYTES, (buf, len, from) -> { })) {
            List<PeriodicTask> tasks = new ArrayList<>();
            LatenessStats lateness;
            long measured;
            try (DeadlineScheduler scheduler = DeadlineScheduler.start("io-bench", o.spin)) {
                for (int i = 0; i < s.connections; i++) {
                    Producer p = new Producer(i + 1, sender, receiver.address(), sent, errors);
                    tasks.add(scheduler.schedulePeriodic(periodNanos, periodNanos * i / s.connections, p));
                }
                pause(o.warmup.toNanos());
                receiver.startMeasuring();
                scheduler.resetLateness();
                long sentBefore = sent.get();
                pause(o.duration.toNanos());
                measured = sent.get() - sentBefore;
                lateness = scheduler.latenessSnapshot();
                receiver.stopMeasuring();
                tasks.forEach(PeriodicTask::cancel);
            }
            long total = sent.get();
            receiver.awaitDrained(total);
            return new ScenarioResult(s, measured, measured / (o.duration.toNanos() / 1e9), lateness,
                    total - receiver.received(), total, receiver.maxGapNanos(), receiver.timeouts(), errors.get());
        }
    }

    /** The baseline: one thread, one reused packet, as fast as it goes. Returns {measured, lost, total}. */
    private static long[] plainLoop(Options o) throws IOException, InterruptedException {
        try (Receiver receiver = Receiver.start(1, Long.MAX_VALUE / 8);
             DatagramSocket socket = new DatagramSocket(LOOPBACK)) {
            byte[] frame = new byte[FRAME_BYTES];
            byte[] payload = new byte[PAYLOAD_BYTES];
            DatagramPacket packet = new DatagramPacket(frame, FRAME_BYTES, receiver.address());
            long[] counts = new long[2];
            Thread t = Thread.ofPlatform().name("io-bench-plain").start(() -> {
                long start = System.nanoTime() + o.warmup.toNanos();
                long end = start + o.duration.toNanos();
                long n = 0;
                long before = 0;
                long seq = 0;
                try {
                    long now;
                    while ((now = System.nanoTime()) < end) {
                        // The same bytes as ours, so the receiver checks them alike; the cost is a few ns.
                        seq++;
                        IoFrame.encode(frame, 0, 1, seq & 0xFFFF_FFFFL, (int) (seq & 0xFFFF), payload, 0, PAYLOAD_BYTES);
                        socket.send(packet);
                        n++;
                        if (now < start) {
                            before = n;
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                counts[0] = n - before;
                counts[1] = n;
            });
            t.join();
            receiver.awaitDrained(counts[1]);
            return new long[] {counts[0], counts[1] - receiver.received(), counts[1]};
        }
    }

    /** Parks for {@code nanos} (the harness thread only; nothing measured runs on it). */
    private static void pause(long nanos) {
        long end = System.nanoTime() + nanos;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    /** One connection's producer: its own frame buffer and counters, nothing allocated per run. */
    private static final class Producer implements Runnable {
        private final long connectionId;
        private final UdpEndpoint endpoint;
        private final InetSocketAddress to;
        private final AtomicLong sent;
        private final AtomicLong errors;
        private final byte[] frame = new byte[FRAME_BYTES];
        private final byte[] payload = new byte[PAYLOAD_BYTES];
        private long encapSeq;
        private int cipSeq;

        Producer(long connectionId, UdpEndpoint endpoint, InetSocketAddress to, AtomicLong sent, AtomicLong errors) {
            this.connectionId = connectionId;
            this.endpoint = endpoint;
            this.to = to;
            this.sent = sent;
            this.errors = errors;
        }

        @Override
        public void run() {
            encapSeq = (encapSeq + 1) & 0xFFFF_FFFFL;
            cipSeq = (cipSeq + 1) & 0xFFFF;
            payload[0] = (byte) cipSeq;
            int len = IoFrame.encode(frame, 0, connectionId, encapSeq, cipSeq, payload, 0, PAYLOAD_BYTES);
            try {
                endpoint.send(frame, 0, len, to);
                sent.incrementAndGet();
            } catch (IOException e) {
                errors.incrementAndGet();
            }
        }
    }

    /**
     * Receives on a blocking {@link DatagramChannel} on its own platform thread, checks every frame
     * with {@link IoFrameView} and keeps per-connection arrival gaps while measuring.
     */
    private static final class Receiver implements AutoCloseable {
        private final DatagramChannel channel;
        private final InetSocketAddress address;
        private final long timeoutNanos;
        private final long[] lastArrival;
        private final Thread thread;
        private final AtomicLong received = new AtomicLong();
        private final AtomicLong invalid = new AtomicLong();
        private volatile boolean measuring;
        private volatile long maxGap;
        private volatile long timeouts;

        private Receiver(DatagramChannel channel, int connections, long rpiNanos) throws IOException {
            this.channel = channel;
            this.address = (InetSocketAddress) channel.getLocalAddress();
            this.timeoutNanos = rpiNanos * 4;
            this.lastArrival = new long[connections + 1];
            // It stands in for the peer device; at the scheduler's priority so it is not what falls behind.
            this.thread = Thread.ofPlatform().name("io-bench-receiver").daemon(true).priority(Thread.MAX_PRIORITY)
                    .unstarted(this::loop);
        }

        static Receiver start(int connections, long rpiNanos) throws IOException {
            DatagramChannel ch = DatagramChannel.open();
            try {
                // Loss should come from being late, not from a small default buffer.
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
                ch.bind(LOOPBACK);
                Receiver r = new Receiver(ch, connections, rpiNanos);
                r.thread.start();
                return r;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        InetSocketAddress address() {
            return address;
        }

        void startMeasuring() {
            measuring = true;
        }

        void stopMeasuring() {
            measuring = false;
        }

        long received() {
            return received.get();
        }

        long maxGapNanos() {
            return maxGap;
        }

        long timeouts() {
            return timeouts;
        }

        /** Waits until {@code expected} frames arrived or nothing arrived for a while. */
        void awaitDrained(long expected) {
            long last = received.get();
            long quietSince = System.nanoTime();
            while (received.get() < expected && System.nanoTime() - quietSince < DRAIN_NANOS) {
                LockSupport.parkNanos(5_000_000);
                long now = received.get();
                if (now != last) {
                    last = now;
                    quietSince = System.nanoTime();
                }
            }
        }

        private void loop() {
            ByteBuffer buf = ByteBuffer.allocate(FRAME_BYTES + 1);
            IoFrameView view = new IoFrameView();
            while (channel.isOpen()) {
                buf.clear();
                try {
                    channel.receive(buf);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    continue;
                }
                long now = System.nanoTime();
                try {
                    view.wrap(buf.array(), 0, buf.position());
                } catch (WireFormatException e) {
                    invalid.incrementAndGet();
                    continue;
                }
                int id = (int) view.connectionId();
                if (id < 1 || id >= lastArrival.length) {
                    invalid.incrementAndGet();
                    continue;
                }
                long previous = lastArrival[id];
                lastArrival[id] = now;
                if (measuring && previous != 0) {
                    long gap = now - previous;
                    if (gap > maxGap) {
                        maxGap = gap;
                    }
                    if (gap > timeoutNanos) {
                        timeouts++;
                    }
                }
                received.incrementAndGet();
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (invalid.get() != 0) {
                throw new IOException(invalid.get() + " frames did not decode");
            }
        }
    }
}
