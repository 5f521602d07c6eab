package dev.cipsec.cli.bench;

import dev.cipsec.adapter.AdapterLimits;
import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.io.IoConnectionInfo;
import dev.cipsec.objects.std.AssemblyDefinition;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.scanner.io.ForwardOpenRefusedException;
import dev.cipsec.scanner.io.IoConnection;
import dev.cipsec.scanner.io.IoListener;
import dev.cipsec.scanner.io.IoRuntime;
import dev.cipsec.scanner.io.IoSettings;
import dev.cipsec.scanner.io.IoStats;
import dev.cipsec.transport.sched.DeadlineScheduler;
import dev.cipsec.transport.sched.LatenessStats;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cm.ExtendedStatus;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Our scanner ({@link IoConnection}s in one {@link IoRuntime}) against our adapter ({@link CipDevice})
 * on loopback, class 1 both ways, in one JVM.
 *
 * <p>Every connection is an exclusive owner with its own O->T (output) assembly, instances
 * {@value #FIRST_OUTPUT_ASSEMBLY} and up, because the adapter allows one exclusive owner per output
 * assembly; all of them produce T->O from the one input assembly {@value #INPUT_ASSEMBLY}, which
 * point-to-point connections may share. So every connection carries data both ways, as a real
 * scanner's would, rather than input-only heartbeats.
 *
 * <p>A cyclic scenario opens N connections at one RPI both ways, lets them run for a warm-up, then
 * measures for the duration: packets/s each way (T->O counted as received by the scanner, O->T as
 * accepted by the adapter), both schedulers' lateness against their deadlines, timeouts from both
 * ends' events, and losses. The throughput scenario has the adapter's scheduler (one thread) produce
 * T->O flat out and compares its rate with a plain Java UDP loop sending frames of the same size on
 * one thread to a receiver thread.
 */
public final class IoLoopbackBench {
    static final int INPUT_ASSEMBLY = 100;
    static final int CONFIG_ASSEMBLY = 151;
    static final int FIRST_OUTPUT_ASSEMBLY = 1000;
    /** Throughput scenario: T->O RPI short enough that 64 producers always have one due. */
    static final Duration SATURATING_RPI = Duration.ofNanos(100_000);
    /** Throughput scenario: O->T keeps the connections alive without competing for the cores. */
    static final Duration KEEPALIVE_RPI = Duration.ofMillis(10);
    static final int SATURATING_CONNECTIONS = 64;

    /** N connections at one RPI both ways. */
    public record Scenario(String name, int connections, Duration rpi) {
        public Scenario {
            Objects.requireNonNull(name, "name");
            if (connections < 1 || connections > 60_000) {
                throw new IllegalArgumentException("connections must be 1..60000: " + connections);
            }
            if (rpi.toNanos() < 1000) {
                throw new IllegalArgumentException("RPI must be at least 1 us: " + rpi);
            }
        }

        /** Packets per second one direction should carry. */
        public double expectedPerSecond() {
            return connections * 1e9 / rpi.toNanos();
        }
    }

    /**
     * @param dataBytes         application data per packet, both ways
     * @param timeoutMultiplier 0..7: a connection times out after RPI x (4 << multiplier) without data;
     *                          {@link #AUTO_MULTIPLIER}: the scanner's default for the scenario's RPI
     */
    public record Options(Duration duration, Duration warmup, int dataBytes, int timeoutMultiplier) {
        public static final int AUTO_MULTIPLIER = -1;

        public Options {
            if (duration.isNegative() || duration.isZero() || warmup.isNegative()) {
                throw new IllegalArgumentException("duration must be > 0 and warm-up >= 0");
            }
            if (dataBytes < 0 || dataBytes > 1400) {
                throw new IllegalArgumentException("data bytes must be 0..1400: " + dataBytes);
            }
            if (timeoutMultiplier < AUTO_MULTIPLIER || timeoutMultiplier > 7) {
                throw new IllegalArgumentException("timeout multiplier must be 0..7 or auto: " + timeoutMultiplier);
            }
        }
    }

    /**
     * One measured run; counts are over the measurement window unless named otherwise.
     *
     * @param timeoutMultiplier  0..7, the connections' timeout RPI x (4 << it)
     * @param toPerSecond        T->O datagrams the scanner accepted, per second
     * @param otPerSecond        O->T datagrams the adapter accepted, per second
     * @param toProducedPerSecond T->O datagrams the adapter sent, per second
     * @param adapterLateness    the adapter scheduler's lateness in the window (T->O production and watchdogs)
     * @param scannerLateness    the scanner scheduler's lateness in the window (O->T production and watchdogs)
     * @param adapterTimeouts    connections the adapter closed for missing O->T, from opening to the end
     * @param scannerTimeouts    connections the scanner closed for missing T->O, from opening to the end
     * @param toLost             T->O encapsulation sequence numbers the scanner saw skipped
     * @param otLost             O->T sent by the scanner minus accepted by the adapter (at least 0; packets in
     *                           flight at the window's edges blur it by a few)
     * @param dropped            datagrams either end dropped (stale, wrong peer, wrong size, unknown id, malformed)
     */
    public record Measured(Scenario scenario, int timeoutMultiplier, double seconds, double toPerSecond, double otPerSecond,
                           double toProducedPerSecond, LatenessStats adapterLateness, LatenessStats scannerLateness,
                           long adapterTimeouts, long scannerTimeouts, long toLost, long otLost, long dropped,
                           long sendErrors) {
    }

    /** The throughput comparison. */
    public record Throughput(Measured ours, int frameBytes, PlainUdpLoop.Result plain) {
        /** Our one producer thread's send rate over the plain loop's. */
        public double ratio() {
            return ours.toProducedPerSecond() / plain.sentPerSecond();
        }
    }

    private IoLoopbackBench() {
    }

    /** The named scenarios of issue 5. */
    public static Scenario scenario64x1ms() {
        return new Scenario("64x1ms", 64, Duration.ofMillis(1));
    }

    public static Scenario scenario1000x10ms() {
        return new Scenario("1000x10ms", 1000, Duration.ofMillis(10));
    }

    /** Runs one cyclic scenario. */
    public static Measured cyclic(Scenario s, Options o) throws IOException, CipServiceException {
        int m = o.timeoutMultiplier() == Options.AUTO_MULTIPLIER
                ? IoSettings.autoTimeoutMultiplier(s.rpi(), s.rpi()) : o.timeoutMultiplier();
        return run(s, s.rpi(), s.rpi(), m, o);
    }

    /**
     * The adapter's scheduler produces T->O for {@code connections} connections at an RPI it cannot
     * meet, so its one thread sends as fast as it can; then the plain loop, same frame size.
     */
    public static Throughput throughput(int connections, Options o) throws IOException, CipServiceException,
            InterruptedException {
        Scenario s = new Scenario("throughput", connections, SATURATING_RPI);
        // Multiplier 7: the scanner's timeout is T->O RPI x 512 = 51 ms, which a saturated loopback still meets.
        Measured ours = run(s, KEEPALIVE_RPI, SATURATING_RPI, 7, o);
        int frameBytes = dev.cipsec.wire.io.IoFrame.frameLength(true, o.dataBytes());
        PlainUdpLoop.Result plain = PlainUdpLoop.run(frameBytes, o.warmup(), o.duration());
        return new Throughput(ours, frameBytes, plain);
    }

    /**
     * Runs 64 connections at 1 ms both ways for {@code time} with a timeout of RPI x 512 and throws the
     * figures away. A device or scanner runs for months; its first second, while the JIT compiles the
     * Forward_Open, producer, consumer and watchdog paths on the same two cores, is not what the
     * scenarios measure (those stalls last several milliseconds, longer than a 1 ms RPI x 4 timeout).
     */
    public static void warmUpJit(Duration time, int dataBytes) throws IOException, CipServiceException {
        Scenario s = scenario64x1ms();
        run(s, s.rpi(), s.rpi(), 7, new Options(time, Duration.ZERO, dataBytes, 7));
    }

    /** Whether Java thread priorities take effect: on Linux only with this flag (and root or CAP_SYS_NICE). */
    public static boolean priorityPolicyFlag() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.equals("-XX:ThreadPriorityPolicy=1"));
    }

    private static Measured run(Scenario s, Duration otRpi, Duration toRpi, int multiplier, Options o)
            throws IOException, CipServiceException {
        int n = s.connections();
        List<AssemblyDefinition> assemblies = new ArrayList<>(n + 2);
        assemblies.add(AssemblyDefinition.input(INPUT_ASSEMBLY, o.dataBytes()));
        assemblies.add(AssemblyDefinition.configuration(CONFIG_ASSEMBLY, 10));
        for (int i = 0; i < n; i++) {
            assemblies.add(AssemblyDefinition.output(FIRST_OUTPUT_ASSEMBLY + i, o.dataBytes()));
        }
        DeviceProfile base = DeviceProfile.defaults();
        long minRpi = Math.min(otRpi.toNanos(), toRpi.toNanos()) / 1000;
        DeviceProfile profile = base.withAssemblies(assemblies)
                .withLimits(base.limits().withIoLimits(n, n, AdapterLimits.DEFAULT_MAX_IO_PACKET_SIZE))
                .withIo(base.io().withRpiRange(Math.min(minRpi, base.io().minRpiMicros()), base.io().maxRpiMicros()))
                .onEphemeralPorts();

        AtomicLong adapterTimeouts = new AtomicLong();
        AtomicLong scannerTimeouts = new AtomicLong();
        IoListener scannerEvents = new IoListener() {
            @Override
            public void timedOut(IoConnection connection) {
                scannerTimeouts.incrementAndGet();
            }
        };
        // Closing the runtime ends the connections without Forward_Close: 1,000 round trips would only
        // slow the next scenario down, and the device closes right after.
        try (CipDevice device = CipDevice.start(profile);
             IoRuntime scanner = IoRuntime.create("bench-scanner");
             CipClient client = CipClient.connect(Target.parse("127.0.0.1:" + device.tcpAddress().getPort()),
                     ClientOptions.defaults())) {
            device.addIoListener(new dev.cipsec.adapter.io.IoListener() {
                @Override
                public void closed(IoConnectionInfo connection, CloseReason reason) {
                    if (reason == CloseReason.TIMEOUT) {
                        adapterTimeouts.incrementAndGet();
                    }
                }
            });
            List<IoConnection> connections = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                IoSettings settings = IoSettings.builder().exclusiveOwner().configPoint(CONFIG_ASSEMBLY)
                        .otPoint(FIRST_OUTPUT_ASSEMBLY + i).toPoint(INPUT_ASSEMBLY)
                        .otSize(o.dataBytes()).toSize(o.dataBytes()).otRpi(otRpi).toRpi(toRpi)
                        .timeoutMultiplier(multiplier).localPort(0).build();
                connections.add(openRetryingSerialClash(scanner, client, settings, scannerEvents));
            }
            pause(o.warmup().toNanos());

            DeadlineScheduler adapterScheduler = device.io().scheduler();
            adapterScheduler.resetLateness();
            scanner.resetLateness();
            dev.cipsec.adapter.io.IoStats a0 = device.io().stats();
            Totals s0 = Totals.of(connections);
            long t0 = System.nanoTime();
            pause(o.duration().toNanos());
            long t1 = System.nanoTime();
            Totals s1 = Totals.of(connections);
            dev.cipsec.adapter.io.IoStats a1 = device.io().stats();
            LatenessStats adapterLateness = adapterScheduler.latenessSnapshot();
            LatenessStats scannerLateness = scanner.lateness();

            double seconds = (t1 - t0) / 1e9;
            long otSent = s1.sent - s0.sent;
            long otAccepted = a1.accepted() - a0.accepted();
            long dropped = (a1.droppedTotal() - a0.droppedTotal()) + (s1.dropped - s0.dropped);
            return new Measured(s, multiplier, seconds, (s1.received - s0.received) / seconds, otAccepted / seconds,
                    (a1.produced() - a0.produced()) / seconds, adapterLateness, scannerLateness,
                    adapterTimeouts.get(), scannerTimeouts.get(), s1.lost - s0.lost, Math.max(0, otSent - otAccepted),
                    dropped, (s1.sendErrors - s0.sendErrors) + (a1.sendErrors() - a0.sendErrors()));
        }
    }

    /**
     * The scanner draws each connection serial number at random from 16 bits, so among hundreds of
     * connections of one originator two triads clash (certain by 1,000: the birthday bound) and the
     * adapter rightly answers 0x0100; a new Forward_Open draws a new serial.
     */
    private static IoConnection openRetryingSerialClash(IoRuntime scanner, CipClient client, IoSettings settings,
                                                        IoListener events) throws IOException, CipServiceException {
        for (int attempt = 1; ; attempt++) {
            try {
                return scanner.open(client, settings, null, events);
            } catch (ForwardOpenRefusedException e) {
                if (e.failure().extendedStatus() != ExtendedStatus.CONNECTION_IN_USE || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Sums of the scanner's per-connection counters. */
    private record Totals(long sent, long received, long lost, long dropped, long sendErrors) {
        static Totals of(List<IoConnection> connections) {
            long sent = 0;
            long received = 0;
            long lost = 0;
            long dropped = 0;
            long errors = 0;
            for (IoConnection c : connections) {
                IoStats st = c.stats();
                sent += st.sent();
                received += st.received();
                lost += st.lost();
                dropped += st.dropped();
                errors += st.sendErrors();
            }
            return new Totals(sent, received, lost, dropped, errors);
        }
    }

    /** Parks the calling (harness) thread; nothing measured runs on it. */
    static void pause(long nanos) {
        long end = System.nanoTime() + nanos;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
