package dev.cipsec.cli.bench;

import dev.cipsec.adapter.AdapterLimits;
import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.adapter.io.IoConnectionInfo;
import dev.cipsec.objects.std.AssemblyDefinition;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.scanner.io.DtlsTarget;
import dev.cipsec.scanner.io.ForwardOpenRefusedException;
import dev.cipsec.scanner.io.InputHandler;
import dev.cipsec.scanner.io.IoConnection;
import dev.cipsec.scanner.io.IoListener;
import dev.cipsec.scanner.io.IoRuntime;
import dev.cipsec.scanner.io.IoSettings;
import dev.cipsec.scanner.io.IoStats;
import dev.cipsec.transport.dtls.DtlsLimits;
import dev.cipsec.transport.dtls.DtlsStats;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.transport.io.ReceiveCoalescing;
import dev.cipsec.transport.sched.DeadlineScheduler;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.transport.sched.LatenessStats;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cm.ExtendedStatus;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

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
 *
 * <p>Over {@link Transport#DTLS} the device has a PSK policy (ECDHE-PSK AES128-GCM) and the scanner
 * opens each connection with {@link IoRuntime#open(DtlsTarget, IoSettings, dev.cipsec.scanner.io.InputHandler,
 * IoListener)}: Forward_Open, I/O and nothing else inside DTLS sessions, one per connection unless
 * bundled. The adapter's figures then come from its DTLS I/O runtime ({@link CipDevice#dtlsIo()}), and
 * each window also records the device's DTLS counters; a cyclic scenario can be measured again under
 * a {@link HelloFlood}.
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
    /** The device's default DTLS session limit ({@link DtlsLimits#defaults()}). */
    static final int MAX_DTLS_SESSIONS = DtlsLimits.defaults().maxSessions();
    /** Both ends of the DTLS runs: our own stack, so the PSK suite OpenSSL 3.0 lacks. */
    static final TlsPolicy DTLS_POLICY = TlsPolicy.builder()
            .psk(PskCredential.of("cipsec-bench", Bytes.fromHex("62656e63682d70736b2d6e6f742d6d65")))
            .suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).build();
    /** DTLS 1.2 record overhead with AES-GCM: 13-byte header, 8-byte explicit nonce, 16-byte tag. */
    static final int DTLS_GCM_OVERHEAD = 13 + 8 + 16;
    private static byte[] floodHello;

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

    /** How the class 1 traffic travels between the scanner and the adapter. */
    public enum Transport {
        /** Plain UDP: Forward_Open over TCP 44818, I/O on UDP. */
        UDP,
        /**
         * DTLS 1.2 (ECDHE-PSK AES128-GCM, 0xD001): Forward_Open in item 0x8003 and the I/O inside the
         * DTLS sessions of the device's DTLS port.
         */
        DTLS;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param dataBytes         application data per packet, both ways
     * @param timeoutMultiplier 0..7: a connection times out after RPI x (4 << multiplier) without data;
     *                          {@link #AUTO_MULTIPLIER}: the scanner's default for the scenario's RPI
     * @param transport         plain UDP or DTLS
     * @param dtlsBundle        over DTLS, connections per session ({@link #AUTO_BUNDLE}: one each, more when
     *                          that would exceed the device's session limit)
     * @param receiveCoalescing the receive threads' pacing at both ends (the device's I/O ports and the scanner's
     *                          UDP ports; the scanner's shared DTLS receive loop always uses the default)
     */
    public record Options(Duration duration, Duration warmup, int dataBytes, int timeoutMultiplier, Transport transport,
                          int dtlsBundle, ReceiveCoalescing receiveCoalescing) {
        public static final int AUTO_MULTIPLIER = -1;
        public static final int AUTO_BUNDLE = 0;

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
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(receiveCoalescing, "receiveCoalescing");
            if (dtlsBundle < AUTO_BUNDLE) {
                throw new IllegalArgumentException("connections per DTLS session must be at least 1: " + dtlsBundle);
            }
        }

        /** Default receive coalescing. */
        public Options(Duration duration, Duration warmup, int dataBytes, int timeoutMultiplier, Transport transport,
                       int dtlsBundle) {
            this(duration, warmup, dataBytes, timeoutMultiplier, transport, dtlsBundle, ReceiveCoalescing.defaults());
        }

        /** Plain UDP. */
        public Options(Duration duration, Duration warmup, int dataBytes, int timeoutMultiplier) {
            this(duration, warmup, dataBytes, timeoutMultiplier, Transport.UDP, AUTO_BUNDLE);
        }

        public Options over(Transport t) {
            return new Options(duration, warmup, dataBytes, timeoutMultiplier, t, dtlsBundle, receiveCoalescing);
        }

        public Options withReceiveCoalescing(ReceiveCoalescing c) {
            return new Options(duration, warmup, dataBytes, timeoutMultiplier, transport, dtlsBundle, c);
        }

        /**
         * Connections per DTLS session for {@code connections} connections: the one asked for, or one
         * each up to the device's default session limit.
         */
        public int bundleFor(int connections) {
            int bundle = dtlsBundle != AUTO_BUNDLE ? dtlsBundle : Math.max(1, ceilDiv(connections, MAX_DTLS_SESSIONS));
            if (ceilDiv(connections, bundle) > MAX_DTLS_SESSIONS) {
                throw new IllegalArgumentException(connections + " connections at " + bundle + " per DTLS session need "
                        + ceilDiv(connections, bundle) + " sessions; the device allows " + MAX_DTLS_SESSIONS
                        + " (--dtls-bundle)");
            }
            return bundle;
        }

        private static int ceilDiv(int a, int b) {
            return (a + b - 1) / b;
        }
    }

    /**
     * The device's DTLS counters over one measurement window (sessions: at its end).
     *
     * @param sessions          live DTLS sessions at the end of the window
     * @param connectionsPerSession connections bundled into each session
     * @param handshakes        handshakes completed in the window
     * @param handshakeFailures handshakes failed or timed out in the window
     * @param cookiesSent       HelloVerifyRequests sent in the window
     * @param noCookieDrops     cookie-less ClientHellos dropped (each answered by a HelloVerifyRequest)
     * @param otherDrops        every other datagram the DTLS port dropped, by reason (non-zero ones)
     */
    public record DtlsCounters(int sessions, int connectionsPerSession, long handshakes, long handshakeFailures,
                               long cookiesSent, long noCookieDrops, Map<String, Long> otherDrops) {
        static DtlsCounters between(DtlsStats.Snapshot a, DtlsStats.Snapshot b, int sessions, int bundle) {
            Map<String, Long> other = new TreeMap<>();
            for (DtlsStats.Drop d : DtlsStats.Drop.values()) {
                long n = b.drops(d) - a.drops(d);
                if (d != DtlsStats.Drop.NO_COOKIE && n > 0) {
                    other.put(d.name().toLowerCase(java.util.Locale.ROOT), n);
                }
            }
            return new DtlsCounters(sessions, bundle, b.completed() - a.completed(),
                    (b.failedTotal() + b.timedOut()) - (a.failedTotal() + a.timedOut()), b.cookiesSent() - a.cookiesSent(),
                    b.drops(DtlsStats.Drop.NO_COOKIE) - a.drops(DtlsStats.Drop.NO_COOKIE), Map.copyOf(other));
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
     * @param dtls               over DTLS, the device's DTLS counters in the window; null over UDP
     * @param flood              the ClientHello flood that ran during the window, or null
     */
    public record Measured(Scenario scenario, Transport transport, int timeoutMultiplier, double seconds,
                           double toPerSecond, double otPerSecond, double toProducedPerSecond,
                           LatenessStats adapterLateness, LatenessStats scannerLateness, long adapterTimeouts,
                           long scannerTimeouts, long toLost, long otLost, long dropped, long sendErrors,
                           DtlsCounters dtls, HelloFlood.Report flood) {
    }

    /** A DTLS scenario measured unloaded and then, same device and connections, under a ClientHello flood. */
    public record Flooded(Measured unloaded, Measured flooded) {
        public double adapterP99Ratio() {
            return p99Ratio(unloaded.adapterLateness(), flooded.adapterLateness());
        }

        public double scannerP99Ratio() {
            return p99Ratio(unloaded.scannerLateness(), flooded.scannerLateness());
        }

        /** Flooded p99 over unloaded p99; NaN when the unloaded p99 is 0 (within the early window). */
        private static double p99Ratio(LatenessStats unloaded, LatenessStats flooded) {
            return unloaded.p99Nanos() == 0 ? Double.NaN : (double) flooded.p99Nanos() / unloaded.p99Nanos();
        }
    }

    /**
     * The throughput comparison.
     *
     * @param ours           the adapter's scheduler producing T->O over plain UDP
     * @param dtls           the same into DTLS sessions, or null when not asked for
     * @param dtlsAdapterEnd one core sending through the adapter's DTLS path
     *                       ({@link DtlsSendLoop#openAdapterEnd}), null without DTLS
     * @param dtlsScannerEnd one core sending through the scanner's DTLS path
     *                       ({@link DtlsSendLoop#openScannerEnd}), null without DTLS
     */
    public record Throughput(Measured ours, int frameBytes, PlainUdpLoop.Result plain, Measured dtls,
                             PlainUdpLoop.Result dtlsAdapterEnd, PlainUdpLoop.Result dtlsScannerEnd) {
        public Throughput(Measured ours, int frameBytes, PlainUdpLoop.Result plain, Measured dtls) {
            this(ours, frameBytes, plain, dtls, null, null);
        }

        /** One core's protected send rate on the adapter's path against the plain loop's; NaN without DTLS. */
        public double dtlsAdapterEndRatio() {
            return dtlsAdapterEnd == null ? Double.NaN : dtlsAdapterEnd.sentPerSecond() / plain.sentPerSecond();
        }

        /** One core's protected send rate on the scanner's path against the plain loop's; NaN without DTLS. */
        public double dtlsScannerEndRatio() {
            return dtlsScannerEnd == null ? Double.NaN : dtlsScannerEnd.sentPerSecond() / plain.sentPerSecond();
        }

        /**
         * What one datagram costs the sending core on the adapter's DTLS path beyond the plain loop,
         * in microseconds (the time per datagram of one against the other); NaN without DTLS. Unlike
         * the ratio, this does not depend on what the kernel's own send costs on the host.
         */
        public double dtlsAdapterEndAddedMicros() {
            return dtlsAdapterEnd == null ? Double.NaN : micros(dtlsAdapterEnd) - micros(plain);
        }

        /** As {@link #dtlsAdapterEndAddedMicros()} on the scanner's path (its connected socket saves some back). */
        public double dtlsScannerEndAddedMicros() {
            return dtlsScannerEnd == null ? Double.NaN : micros(dtlsScannerEnd) - micros(plain);
        }

        /** Microseconds per datagram the plain loop's sending thread took. */
        public double plainMicros() {
            return micros(plain);
        }

        private static double micros(PlainUdpLoop.Result r) {
            return 1e6 / r.sentPerSecond();
        }

        /** Our one producer thread's send rate over UDP against the plain loop's. */
        public double ratio() {
            return ours.toProducedPerSecond() / plain.sentPerSecond();
        }

        /** The producer's send rate into DTLS sessions against its rate over UDP; NaN without DTLS. */
        public double dtlsRatio() {
            return dtls == null ? Double.NaN : dtls.toProducedPerSecond() / ours.toProducedPerSecond();
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

    /** Runs one cyclic scenario over {@code o.transport()}. */
    public static Measured cyclic(Scenario s, Options o) throws IOException, CipServiceException {
        return run(s, s.rpi(), s.rpi(), multiplier(s, o), o, 0, null).getFirst();
    }

    /**
     * {@link #cyclic(Scenario, Options)}, with connection {@code i}'s T->O data also handed to
     * {@code inputs.apply(i)} on the scanner's receive thread (from its opening to the end of the run).
     */
    public static Measured cyclic(Scenario s, Options o, IntFunction<InputHandler> inputs) throws IOException,
            CipServiceException {
        return run(s, s.rpi(), s.rpi(), multiplier(s, o), o, 0, Objects.requireNonNull(inputs, "inputs")).getFirst();
    }

    /**
     * Runs one cyclic scenario over DTLS and measures it twice with the same device and connections:
     * first unloaded, then while {@link HelloFlood} sends {@code floodRate} cookie-less ClientHellos per
     * second to the device's DTLS port (the flood starts right after the first window, which is the
     * warm-up of the second).
     */
    public static Flooded cyclicFlooded(Scenario s, Options o, int floodRate) throws IOException, CipServiceException {
        if (floodRate < 1) {
            throw new IllegalArgumentException("flood rate must be at least 1 per second: " + floodRate);
        }
        List<Measured> m = run(s, s.rpi(), s.rpi(), multiplier(s, o), o.over(Transport.DTLS), floodRate, null);
        return new Flooded(m.get(0), m.get(1));
    }

    private static int multiplier(Scenario s, Options o) {
        return o.timeoutMultiplier() == Options.AUTO_MULTIPLIER
                ? IoSettings.autoTimeoutMultiplier(s.rpi(), s.rpi()) : o.timeoutMultiplier();
    }

    /**
     * The adapter's scheduler produces T->O for {@code connections} connections at an RPI it cannot
     * meet, so its one thread sends as fast as it can over UDP, then (when {@code withDtls}) into DTLS
     * sessions; then the plain loop, same frame size.
     */
    public static Throughput throughput(int connections, Options o, boolean withDtls) throws IOException,
            CipServiceException, InterruptedException {
        Scenario s = new Scenario("throughput", connections, SATURATING_RPI);
        // Multiplier 7: the scanner's timeout is T->O RPI x 512 = 51 ms, which a saturated loopback still meets.
        Measured ours = run(s, KEEPALIVE_RPI, SATURATING_RPI, 7, o.over(Transport.UDP), 0, null).getFirst();
        Measured dtls = withDtls ? run(s, KEEPALIVE_RPI, SATURATING_RPI, 7, o.over(Transport.DTLS), 0, null).getFirst() : null;
        int frameBytes = dev.cipsec.wire.io.IoFrame.frameLength(true, o.dataBytes());
        if (!withDtls) {
            return new Throughput(ours, frameBytes, PlainUdpLoop.run(frameBytes, o.warmup(), o.duration()), null);
        }
        // The one-core loops alternate in one-second slices, so that a noisy neighbour on a shared
        // machine slows them alike instead of whichever ran during it. Each loop is set up once (one
        // handshake per end), so the JIT sees three steady loops rather than set-up between slices.
        long slices = Math.max(1, o.duration().toSeconds());
        Duration slice = o.duration().dividedBy(slices);
        Duration sliceWarmup = Duration.ofMillis(Math.min(200, o.warmup().toMillis()));
        List<PlainUdpLoop.Result> plains = new ArrayList<>();
        List<PlainUdpLoop.Result> adapterEnd = new ArrayList<>();
        List<PlainUdpLoop.Result> scannerEnd = new ArrayList<>();
        try (PlainUdpLoop.Loop plain = PlainUdpLoop.open(frameBytes);
             PlainUdpLoop.Loop adapter = DtlsSendLoop.openAdapterEnd(DTLS_POLICY, frameBytes);
             PlainUdpLoop.Loop scanner = DtlsSendLoop.openScannerEnd(DTLS_POLICY, frameBytes)) {
            for (long i = 0; i < slices; i++) {
                Duration warm = i == 0 ? o.warmup() : sliceWarmup;
                plains.add(plain.measure(warm, slice));
                adapterEnd.add(adapter.measure(warm, slice));
                scannerEnd.add(scanner.measure(warm, slice));
            }
        }
        return new Throughput(ours, frameBytes, PlainUdpLoop.Result.sum(plains), dtls, PlainUdpLoop.Result.sum(adapterEnd),
                PlainUdpLoop.Result.sum(scannerEnd));
    }

    /** Plain UDP throughput, as {@link #throughput(int, Options, boolean)} without DTLS. */
    public static Throughput throughput(int connections, Options o) throws IOException, CipServiceException,
            InterruptedException {
        return throughput(connections, o, false);
    }

    /**
     * Runs 64 connections at 1 ms both ways for {@code time} with a timeout of RPI x 512 and throws the
     * figures away. A device or scanner runs for months; its first second, while the JIT compiles the
     * Forward_Open, producer, consumer and watchdog paths on the same two cores, is not what the
     * scenarios measure (those stalls last several milliseconds, longer than a 1 ms RPI x 4 timeout).
     */
    public static void warmUpJit(Duration time, int dataBytes) throws IOException, CipServiceException {
        warmUpJit(time, dataBytes, Transport.UDP);
    }

    /** {@link #warmUpJit(Duration, int)} over {@code transport} (over DTLS: the record layer and its AES-GCM too). */
    public static void warmUpJit(Duration time, int dataBytes, Transport transport) throws IOException, CipServiceException {
        warmUpJit(time, dataBytes, transport, 0);
    }

    /**
     * {@link #warmUpJit(Duration, int, Transport)}, then with {@code floodRate} > 0 as long again under a
     * ClientHello flood: the cookie path (parsing, HMAC, HelloVerifyRequest) is compiled too. Without it
     * the JIT compiled that path during the flooded window: about 240 compilations in its first 5 s and
     * 100 more in the next 15 s, on the cores the I/O needs, which a 15 s window counted as the flood's
     * steady cost.
     */
    public static void warmUpJit(Duration time, int dataBytes, Transport transport, int floodRate)
            throws IOException, CipServiceException {
        Scenario s = scenario64x1ms();
        run(s, s.rpi(), s.rpi(), 7, new Options(time, Duration.ZERO, dataBytes, 7, transport, Options.AUTO_BUNDLE),
                transport == Transport.DTLS ? floodRate : 0, null);
    }

    /** Whether Java thread priorities take effect: on Linux only with this flag (and root or CAP_SYS_NICE). */
    public static boolean priorityPolicyFlag() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.equals("-XX:ThreadPriorityPolicy=1"));
    }

    /**
     * Opens the connections, lets them run for the warm-up and measures one window; with a flood rate,
     * measures a second window while the flood runs.
     */
    private static List<Measured> run(Scenario s, Duration otRpi, Duration toRpi, int multiplier, Options o, int floodRate,
                                      IntFunction<InputHandler> inputs)
            throws IOException, CipServiceException {
        int n = s.connections();
        boolean overDtls = o.transport() == Transport.DTLS;
        int bundle = overDtls ? o.bundleFor(n) : 1;
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
                .withIo(base.io().withRpiRange(Math.min(minRpi, base.io().minRpiMicros()), base.io().maxRpiMicros())
                        .withReceiveCoalescing(o.receiveCoalescing()));
        if (overDtls) {
            profile = profile.withSecurity(SecuritySettings.tls(DTLS_POLICY));
        }
        profile = profile.onEphemeralPorts();

        AtomicLong adapterTimeouts = new AtomicLong();
        AtomicLong scannerTimeouts = new AtomicLong();
        IoListener scannerEvents = new IoListener() {
            @Override
            public void timedOut(IoConnection connection) {
                scannerTimeouts.incrementAndGet();
            }
        };
        // Closing the runtime ends the connections without Forward_Close: 1,000 round trips would only
        // slow the next scenario down, and the device closes right after. Resources close in reverse:
        // the client, the runtime, then the DTLS targets whose sessions the runtime's connections used.
        try (CipDevice device = CipDevice.start(profile);
             DtlsTargets targets = new DtlsTargets();
             IoRuntime scanner = IoRuntime.create("bench-scanner", DatagramTransport.udp(o.receiveCoalescing()));
             CipClient client = overDtls ? null : CipClient.connect(
                     Target.parse("127.0.0.1:" + device.tcpAddress().getPort()), ClientOptions.defaults());
             DeadlineScheduler application = inputs == null ? null : changingInputs(device, toRpi, o.dataBytes())) {
            dev.cipsec.adapter.io.IoRuntime adapterIo = overDtls ? device.dtlsIo() : device.io();
            adapterIo.addListener(new dev.cipsec.adapter.io.IoListener() {
                @Override
                public void closed(IoConnectionInfo connection, CloseReason reason) {
                    if (reason == CloseReason.TIMEOUT) {
                        adapterTimeouts.incrementAndGet();
                    }
                }
            });
            List<IoConnection> connections = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                IoSettings.Builder b = IoSettings.builder().exclusiveOwner().configPoint(CONFIG_ASSEMBLY)
                        .otPoint(FIRST_OUTPUT_ASSEMBLY + i).toPoint(INPUT_ASSEMBLY)
                        .otSize(o.dataBytes()).toSize(o.dataBytes()).otRpi(otRpi).toRpi(toRpi)
                        .timeoutMultiplier(multiplier);
                if (overDtls) {
                    // One after another: the device allows 16 handshakes in flight.
                    DtlsTarget target = i % bundle == 0 ? targets.connect(device.dtlsAddress()) : targets.last();
                    InputHandler input = inputs == null ? null : inputs.apply(i);
                    connections.add(openRetryingSerialClash(() -> scanner.open(target, b.build(), input, scannerEvents)));
                } else {
                    IoSettings settings = b.localPort(0).build();
                    InputHandler input = inputs == null ? null : inputs.apply(i);
                    connections.add(openRetryingSerialClash(() -> scanner.open(client, settings, input, scannerEvents)));
                }
            }
            pause(o.warmup().toNanos());
            Window window = new Window(s, o.transport(), multiplier, device, adapterIo, scanner, connections, bundle,
                    adapterTimeouts, scannerTimeouts);
            List<Measured> out = new ArrayList<>(2);
            out.add(window.measure(o.duration(), null));
            if (floodRate > 0) {
                try (HelloFlood flood = HelloFlood.start(floodRate, floodHello(), device.dtlsAddress())) {
                    // A short lead so the window starts with the flood at its rate, not at its first datagram.
                    pause(Math.min(o.warmup().toNanos(), 500_000_000L));
                    out.add(window.measure(o.duration(), flood));
                }
            }
            return out;
        }
    }

    /** One measurement window over the open connections of a run. */
    private record Window(Scenario s, Transport transport, int multiplier, CipDevice device,
                          dev.cipsec.adapter.io.IoRuntime adapterIo, IoRuntime scanner, List<IoConnection> connections,
                          int bundle, AtomicLong adapterTimeouts, AtomicLong scannerTimeouts) {
        Measured measure(Duration duration, HelloFlood flood) {
            DeadlineScheduler adapterScheduler = adapterIo.scheduler();
            adapterScheduler.resetLateness();
            scanner.resetLateness();
            dev.cipsec.adapter.io.IoStats a0 = adapterIo.stats();
            DtlsStats.Snapshot d0 = device.dtls() == null ? null : device.dtls().dtlsStats();
            Totals s0 = Totals.of(connections);
            long[] floodMark = flood == null ? null : flood.mark();
            long t0 = System.nanoTime();
            pause(duration.toNanos());
            long t1 = System.nanoTime();
            HelloFlood.Report floodReport = flood == null ? null : flood.report(floodMark);
            Totals s1 = Totals.of(connections);
            dev.cipsec.adapter.io.IoStats a1 = adapterIo.stats();
            LatenessStats adapterLateness = adapterScheduler.latenessSnapshot();
            LatenessStats scannerLateness = scanner.lateness();
            DtlsCounters dtls = transport == Transport.DTLS
                    ? DtlsCounters.between(d0, device.dtls().dtlsStats(), device.dtls().sessionCount(), bundle) : null;

            double seconds = (t1 - t0) / 1e9;
            long otSent = s1.sent - s0.sent;
            long otAccepted = a1.accepted() - a0.accepted();
            long dropped = (a1.droppedTotal() - a0.droppedTotal()) + (s1.dropped - s0.dropped);
            return new Measured(s, transport, multiplier, seconds, (s1.received - s0.received) / seconds,
                    otAccepted / seconds, (a1.produced() - a0.produced()) / seconds, adapterLateness, scannerLateness,
                    adapterTimeouts.get(), scannerTimeouts.get(), s1.lost - s0.lost, Math.max(0, otSent - otAccepted),
                    dropped, (s1.sendErrors - s0.sendErrors) + (a1.sendErrors() - a0.sendErrors()), dtls, floodReport);
        }
    }

    /**
     * An application thread writing new data into the input assembly twice per T->O RPI, so that every
     * T->O packet carries a new sequence count and reaches the scanner's {@link InputHandler} (the
     * scanner hands on only new data). Its own thread, so that the adapter scheduler's figures stay
     * those of the I/O alone.
     */
    private static DeadlineScheduler changingInputs(CipDevice device, Duration toRpi, int dataBytes) {
        DeadlineScheduler app = DeadlineScheduler.start("bench-application");
        var input = device.assembly(INPUT_ASSEMBLY);
        long[] n = {0};
        app.schedulePeriodic(Math.max(1000, toRpi.toNanos() / 2), 0, () -> {
            byte[] data = new byte[dataBytes];
            long v = ++n[0];
            for (int i = 0; i < Math.min(8, dataBytes); i++) {
                data[i] = (byte) (v >>> (8 * i));
            }
            input.write(Bytes.of(data));
        });
        return app;
    }

    /** The bench's DTLS targets, closed together after the scanner's runtime. */
    private static final class DtlsTargets implements AutoCloseable {
        private final List<DtlsTarget> open = new ArrayList<>();

        DtlsTarget connect(InetSocketAddress device) throws IOException {
            DtlsTarget t = DtlsTarget.connect(new Target(device.getHostString(), device.getPort(), true),
                    ClientOptions.defaults().withTls(DTLS_POLICY));
            open.add(t);
            return t;
        }

        DtlsTarget last() {
            return open.getLast();
        }

        @Override
        public void close() {
            open.forEach(DtlsTarget::close);
        }
    }

    private static synchronized byte[] floodHello() {
        if (floodHello == null) {
            floodHello = HelloFlood.captureClientHello(DTLS_POLICY);
        }
        return floodHello.clone();
    }

    @FunctionalInterface
    private interface Opener {
        IoConnection open() throws IOException, CipServiceException;
    }

    /**
     * The scanner draws each connection serial number at random from 16 bits, so among hundreds of
     * connections of one originator two triads clash (certain by 1,000: the birthday bound) and the
     * adapter rightly answers 0x0100; a new Forward_Open draws a new serial.
     */
    private static IoConnection openRetryingSerialClash(Opener opener) throws IOException, CipServiceException {
        for (int attempt = 1; ; attempt++) {
            try {
                return opener.open();
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
