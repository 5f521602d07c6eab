package dev.cipsec.cli.bench;

import dev.cipsec.transport.dtls.DtlsServerPort;
import dev.cipsec.transport.sched.LatenessStats;
import dev.cipsec.transport.tcp.TcpServer;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.TlsConnector;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsServerHandler;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.io.IoFrame;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The per-suite report of {@code cipsec bench}: for each CIP Security suite, over TLS and over DTLS,
 * our stack against OpenSSL measured in the same run (handshake rates with the same client against
 * our server and {@code openssl s_server}; record protection against {@code openssl speed}), then
 * the class 1 rate over DTLS on one core against a plain UDP loop, and a sample of I/O lateness.
 * {@link #run} measures; {@link BenchReport} renders.
 */
public final class SuiteBench {
    static final int[] RECORD_SIZES = {64, 512};
    static final int BULK_SIZE = 16_384;
    /** The class 1 figure's application data. */
    static final int CLASS1_PAYLOAD = 64;

    private SuiteBench() {
    }

    /**
     * How long each part measures.
     *
     * @param jitWarmup    handshakes and records run before anything is measured, so the JIT has compiled them
     * @param rowWarmup    per suite and server, handshakes not counted (the suite's own code paths)
     * @param slice        one handshake window; ours and OpenSSL alternate
     * @param slices       windows per server and figure
     * @param recordWarmup per suite and size, records not counted
     * @param recordWindow per suite and size, records counted
     * @param speedSeconds {@code openssl speed -seconds}
     * @param speedParallel {@code openssl speed} processes at once (1: one after the other)
     * @param class1Slice  one window of the class 1 loops; DTLS and plain alternate
     * @param class1Slices windows per loop
     * @param latencyWarmup lateness sample: time from the last connection's first packet before recording
     * @param latencyWindow lateness sample: time recorded
     * @param latencyConnections lateness sample: connections at 10 ms
     */
    public record Settings(boolean quick, List<CipherSuite> suites, boolean tls, boolean dtls, Duration jitWarmup,
                           Duration rowWarmup, Duration slice, int slices, Duration recordWarmup, Duration recordWindow,
                           int speedSeconds, int speedParallel, Duration class1Slice, int class1Slices,
                           Duration latencyWarmup, Duration latencyWindow, int latencyConnections) {
        public Settings {
            suites = List.copyOf(suites);
            if (suites.isEmpty() || (!tls && !dtls)) {
                throw new IllegalArgumentException("nothing to measure: no suite or neither TLS nor DTLS");
            }
        }

        /** Under a minute on two cores with every suite: short windows, OpenSSL's speed runs two at a time. */
        public static Settings quick(List<CipherSuite> suites, boolean tls, boolean dtls) {
            return new Settings(true, suites, tls, dtls, Duration.ofMillis(1500), Duration.ofMillis(25),
                    Duration.ofMillis(50), 2, Duration.ofMillis(20), Duration.ofMillis(40), 1, 2, Duration.ofMillis(300), 2,
                    Duration.ofMillis(500), Duration.ofMillis(2000), 4);
        }

        /** A few minutes on two cores. */
        public static Settings full(List<CipherSuite> suites, boolean tls, boolean dtls) {
            return new Settings(false, suites, tls, dtls, Duration.ofSeconds(6), Duration.ofMillis(300),
                    Duration.ofMillis(500), 3, Duration.ofMillis(400), Duration.ofMillis(600), 1, 1, Duration.ofSeconds(1), 5,
                    Duration.ofSeconds(2), Duration.ofSeconds(10), 8);
        }
    }

    /**
     * One figure, ours and OpenSSL's; a side not measured is null with the reason.
     *
     * @param higherIsBetter rates (per second, MB/s) as opposed to costs (ns per record)
     */
    public record Figure(Double ours, String oursNa, Double openssl, String opensslNa, boolean higherIsBetter) {
        public Figure {
            if ((ours == null) == (oursNa == null) || (openssl == null) == (opensslNa == null)) {
                throw new IllegalArgumentException("a figure is a value or a reason, on each side");
            }
        }

        static Figure rate(Measure ours, Measure openssl) {
            return new Figure(ours.value, ours.na, openssl.value, openssl.na, true);
        }

        static Figure cost(Measure ours, Measure openssl) {
            return new Figure(ours.value, ours.na, openssl.value, openssl.na, false);
        }

        /** How fast we are relative to OpenSSL: above 1 faster, below slower; null without both sides. */
        public Double ratio() {
            if (ours == null || openssl == null || ours <= 0 || openssl <= 0) {
                return null;
            }
            return higherIsBetter ? ours / openssl : openssl / ours;
        }
    }

    /** A measured value or the reason there is none. */
    record Measure(Double value, String na) {
        static Measure of(double v) {
            return new Measure(v, null);
        }

        static Measure na(String reason) {
            return new Measure(null, Objects.requireNonNull(reason));
        }
    }

    /**
     * One suite over one protocol.
     *
     * @param protocol "TLS" or "DTLS"
     * @param baseline what {@code openssl speed} ran for the record figures
     * @param notes    remarks on the OpenSSL side (e.g. NULL suites served at security level 0)
     */
    public record Row(CipherSuite suite, String protocol, Figure full, Figure resumed, Figure record64, Figure record512,
                      Figure bulk, String baseline, String notes) {
    }

    /**
     * One core sending class 1 frames through a DTLS session (AES-GCM) against the plain loop.
     *
     * @param frameBytes class 1 frame (sequence count and {@link #CLASS1_PAYLOAD} bytes) carried per datagram
     */
    public record ClassOne(String suite, int payload, int frameBytes, double dtlsPerSecond, double plainPerSecond) {
        public double ratio() {
            return dtlsPerSecond / plainPerSecond;
        }
    }

    /** The I/O lateness sample and both schedulers' own figures over the same run. */
    public record Lateness(ArrivalLateness.Sample sample, int payload, double toPerSecond, LatenessStats adapter,
                           LatenessStats scanner, long timeouts) {
    }

    /** Everything one run measured. */
    public record Result(Settings settings, Instant started, String openssl, List<Row> rows, ClassOne classOne,
                         Lateness lateness, double loadBefore, double loadAfter, double wallSeconds) {
    }

    /** Measures everything {@code s} asks for, printing progress to {@code progress}. */
    public static Result run(Settings s, PrintWriter out) throws IOException, InterruptedException,
            CipServiceException {
        long t0 = System.nanoTime();
        Progress progress = new Progress(out, t0);
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        String openssl = OpenSslServer.version();
        boolean haveOpenssl = !openssl.equals("missing");
        Set<String> opensslSuites = haveOpenssl ? new LinkedHashSet<>(OpenSslServer.ciphers("ALL:eNULL:@SECLEVEL=0"))
                : Set.of();
        List<Row> rows = new ArrayList<>();
        try (BenchCredentials creds = BenchCredentials.create()) {
            Map<String, Measure> speed = haveOpenssl ? speed(s, progress)
                    : Map.of();
            TlsServerHandler handler = HandshakeRate.drainingHandler(creds.serverPolicy(s.suites().getFirst()));
            try (TcpServer ourTls = HandshakeRate.ourTlsServer(handler);
                 OpenSslServer sslTls = haveOpenssl && s.tls() ? OpenSslServer.start(false, creds.opensslServerArgs()) : null;
                 OpenSslServer sslDtls = haveOpenssl && s.dtls() ? OpenSslServer.start(true, creds.opensslServerArgs()) : null) {
                warmUp(s, creds, handler, ourTls, sslTls, progress);
                for (CipherSuite suite : s.suites()) {
                    String opensslNa = !haveOpenssl ? "openssl not found"
                            : suite.opensslName().filter(opensslSuites::contains).isEmpty()
                            ? openssl + " does not implement " + suite.name() : null;
                    if (s.tls()) {
                        progress.step("%s over TLS", suite);
                        rows.add(tlsRow(s, suite, creds, handler, ourTls, sslTls, opensslNa, speed));
                    }
                    if (s.dtls()) {
                        progress.step("%s over DTLS", suite);
                        rows.add(dtlsRow(s, suite, creds, sslDtls, opensslNa, speed));
                    }
                }
            }
        }
        progress.step("class 1 over DTLS on one core, against the plain UDP loop");
        ClassOne classOne = classOne(s);
        progress.step("I/O lateness sample, our scanner <-> our adapter over DTLS");
        Lateness lateness = lateness(s);
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return new Result(s, started, openssl, rows, classOne, lateness, loadBefore, loadAfter,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Progress lines on stderr, each with the time since the start. */
    private record Progress(PrintWriter out, long t0) {
        void step(String format, Object... args) {
            out.printf(Locale.ROOT, "  [%5.1f s] %s%n", (System.nanoTime() - t0) / 1e9, String.format(Locale.ROOT, format, args));
            out.flush();
        }
    }

    // ------------------------------------------------------------------ OpenSSL speed

    static String speedKey(OpenSslSpeed.Baseline b, int size) {
        return b.describe() + "/" + size;
    }

    /** Every {@code openssl speed} figure the chosen suites need, each run once. */
    private static Map<String, Measure> speed(Settings s, Progress progress) throws InterruptedException {
        Map<String, OpenSslSpeed.Baseline> wanted = new LinkedHashMap<>();
        for (CipherSuite suite : s.suites()) {
            OpenSslSpeed.Baseline b = OpenSslSpeed.baselineFor(suite);
            for (int size : new int[] {RECORD_SIZES[0], RECORD_SIZES[1], BULK_SIZE}) {
                wanted.put(speedKey(b, size), b);
            }
        }
        progress.step("openssl speed: %d runs of %d s, %d at a time", wanted.size(), s.speedSeconds(), s.speedParallel());
        Map<String, Future<Measure>> running = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(s.speedParallel(),
                r -> Thread.ofPlatform().daemon(true).name("bench-speed").unstarted(r))) {
            for (Map.Entry<String, OpenSslSpeed.Baseline> e : wanted.entrySet()) {
                int size = Integer.parseInt(e.getKey().substring(e.getKey().lastIndexOf('/') + 1));
                running.put(e.getKey(), pool.submit(() -> {
                    try {
                        return Measure.of(OpenSslSpeed.nanosPerRecord(e.getValue(), size, s.speedSeconds()));
                    } catch (IOException ex) {
                        return Measure.na(ex.getMessage().lines().findFirst().orElse("openssl speed failed"));
                    }
                }));
            }
            Map<String, Measure> out = new LinkedHashMap<>();
            for (Map.Entry<String, Future<Measure>> e : running.entrySet()) {
                try {
                    out.put(e.getKey(), e.getValue().get());
                } catch (java.util.concurrent.ExecutionException ex) {
                    out.put(e.getKey(), Measure.na("openssl speed failed: " + ex.getCause()));
                }
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ handshakes and records

    /** Compiles the handshake and record paths before anything is measured. */
    private static void warmUp(Settings s, BenchCredentials creds, TlsServerHandler handler, TcpServer ourTls,
                               OpenSslServer sslTls, Progress progress) throws IOException {
        progress.step("JIT warm-up, %.1f s", s.jitWarmup().toMillis() / 1000.0);
        List<CipherSuite> kinds = List.of(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256);
        Duration each = s.jitWarmup().dividedBy(kinds.size() * 2L);
        for (CipherSuite suite : kinds) {
            if (s.tls()) {
                handler.setPolicy(creds.serverPolicy(suite));
                TlsConnector c = new TlsConnector(creds.clientPolicy(suite, 0));
                HandshakeRate.tls(ourTls.localAddress(), c, false, each.dividedBy(2));
                if (sslTls != null) {
                    HandshakeRate.tls(sslTls.address(), c, false, each.dividedBy(2));
                }
            }
            if (s.dtls()) {
                try (DtlsServerPort port = HandshakeRate.ourDtlsServer(creds.serverPolicy(suite))) {
                    HandshakeRate.dtls(port.localAddress(), creds.clientPolicy(suite, 0), each.dividedBy(2));
                }
            }
            try (RecordCost r = RecordCost.connect(!s.tls(), creds.clientPolicy(suite, 0), creds.serverPolicy(suite))) {
                r.nanosPerRecord(RECORD_SIZES[0], Duration.ZERO, each.dividedBy(4));
                r.nanosPerRecord(BULK_SIZE, Duration.ZERO, each.dividedBy(4));
            }
        }
    }

    private static Row tlsRow(Settings s, CipherSuite suite, BenchCredentials creds, TlsServerHandler handler,
                              TcpServer ourTls, OpenSslServer sslTls, String opensslNa, Map<String, Measure> speed)
            throws IOException {
        handler.setPolicy(creds.serverPolicy(suite));
        InetSocketAddress ours = ourTls.localAddress();
        InetSocketAddress theirs = opensslNa == null ? sslTls.address() : null;
        TlsConnector fresh = new TlsConnector(creds.clientPolicy(suite, 0));
        Measure[] full = alternate(s, d -> HandshakeRate.tls(ours, fresh, false, d),
                theirs == null ? null : d -> HandshakeRate.tls(theirs, fresh, false, d), false);
        TlsConnector toOurs = new TlsConnector(creds.clientPolicy(suite, 1));
        TlsConnector toTheirs = new TlsConnector(creds.clientPolicy(suite, 1));
        Measure[] resumed = alternate(s, d -> HandshakeRate.tls(ours, toOurs, true, d),
                theirs == null ? null : d -> HandshakeRate.tls(theirs, toTheirs, true, d), true,
                () -> HandshakeRate.prime(ours, toOurs), theirs == null ? null : () -> HandshakeRate.prime(theirs, toTheirs));
        return records(s, suite, "TLS", creds, Figure.rate(full[0], opensslOr(full[1], opensslNa)),
                Figure.rate(resumed[0], opensslOr(resumed[1], opensslNa)), speed);
    }

    private static Row dtlsRow(Settings s, CipherSuite suite, BenchCredentials creds, OpenSslServer sslDtls,
                               String opensslNa, Map<String, Measure> speed) throws IOException {
        InetSocketAddress theirs = opensslNa == null ? sslDtls.address() : null;
        TlsPolicy client = creds.clientPolicy(suite, 0);
        Measure[] full;
        try (DtlsServerPort port = HandshakeRate.ourDtlsServer(creds.serverPolicy(suite))) {
            InetSocketAddress ours = port.localAddress();
            full = alternate(s, d -> HandshakeRate.dtls(ours, client, d),
                    theirs == null ? null : d -> HandshakeRate.dtls(theirs, client, d), false);
        }
        Figure resumed = Figure.rate(Measure.na("our DTLS stack does no session resumption (a peer that lost its session"
                        + " handshakes again)"),
                Measure.na("the baseline needs the same client, and ours does not resume over DTLS"));
        return records(s, suite, "DTLS", creds, Figure.rate(full[0], opensslOr(full[1], opensslNa)), resumed, speed);
    }

    private static Measure opensslOr(Measure m, String na) {
        return na != null ? Measure.na(na) : m;
    }

    private static Row records(Settings s, CipherSuite suite, String protocol, BenchCredentials creds, Figure full,
                               Figure resumed, Map<String, Measure> speed) {
        OpenSslSpeed.Baseline baseline = OpenSslSpeed.baselineFor(suite);
        Measure[] ours = new Measure[3];
        int[] sizes = {RECORD_SIZES[0], RECORD_SIZES[1], BULK_SIZE};
        try (RecordCost r = RecordCost.connect(protocol.equals("DTLS"), creds.clientPolicy(suite, 0),
                creds.serverPolicy(suite))) {
            for (int i = 0; i < sizes.length; i++) {
                ours[i] = Measure.of(r.nanosPerRecord(sizes[i], s.recordWarmup(), s.recordWindow()));
            }
        } catch (IOException | RuntimeException e) {
            for (int i = 0; i < sizes.length; i++) {
                ours[i] = Measure.na("in-memory " + protocol + " pair failed: " + e.getMessage());
            }
        }
        Measure[] theirs = new Measure[3];
        for (int i = 0; i < sizes.length; i++) {
            theirs[i] = speed.getOrDefault(speedKey(baseline, sizes[i]), Measure.na("openssl not found"));
        }
        Figure bulk = Figure.rate(megabytes(ours[2]), megabytes(theirs[2]));
        String notes = suite.protection() == CipherSuite.Protection.NULL
                ? "s_server serves NULL suites only at @SECLEVEL=0" : "";
        return new Row(suite, protocol, full, resumed, Figure.cost(ours[0], theirs[0]), Figure.cost(ours[1], theirs[1]),
                bulk, baseline.describe(), notes);
    }

    /** MB/s (10^6 bytes) of 16 KiB records from nanoseconds per record. */
    private static Measure megabytes(Measure nanosPerRecord) {
        return nanosPerRecord.value == null ? nanosPerRecord : Measure.of(BULK_SIZE * 1e3 / nanosPerRecord.value);
    }

    @FunctionalInterface
    private interface Loop {
        HandshakeRate.Tally run(Duration d);
    }

    @FunctionalInterface
    private interface Primer {
        void prime() throws IOException;
    }

    private static Measure[] alternate(Settings s, Loop ours, Loop theirs, boolean resumed) {
        return alternate(s, ours, theirs, resumed, null, null);
    }

    /**
     * Ours and (when given) OpenSSL's loops: a warm-up of each, then {@code slices} windows of each,
     * alternating, so that load from elsewhere hits both alike.
     */
    private static Measure[] alternate(Settings s, Loop ours, Loop theirs, boolean resumed, Primer primeOurs,
                                       Primer primeTheirs) {
        String oursPrimed = prime(primeOurs);
        String theirsPrimed = theirs == null ? null : prime(primeTheirs);
        ours.run(s.rowWarmup());
        if (theirs != null) {
            theirs.run(s.rowWarmup());
        }
        HandshakeRate.Tally a = new HandshakeRate.Tally();
        HandshakeRate.Tally b = new HandshakeRate.Tally();
        for (int i = 0; i < s.slices(); i++) {
            if (oursPrimed == null) {
                a.add(ours.run(s.slice()));
            }
            if (theirs != null && theirsPrimed == null) {
                b.add(theirs.run(s.slice()));
            }
        }
        return new Measure[] {oursPrimed != null ? Measure.na(oursPrimed) : measure(a, resumed),
                theirs == null ? null : theirsPrimed != null ? Measure.na(theirsPrimed) : measure(b, resumed)};
    }

    private static String prime(Primer p) {
        if (p == null) {
            return null;
        }
        try {
            p.prime();
            return null;
        } catch (IOException | RuntimeException e) {
            return "first handshake failed: " + e.getMessage();
        }
    }

    private static Measure measure(HandshakeRate.Tally t, boolean resumed) {
        if (t.done == 0) {
            if (resumed && t.notResumed > 0) {
                return Measure.na("the server resumed none of " + t.notResumed + " sessions offered");
            }
            return Measure.na(t.failed == 0 ? "no handshake completed" : "every handshake failed: " + t.firstFailure);
        }
        if (resumed && t.notResumed > t.done / 10) {
            return Measure.na(String.format(Locale.ROOT, "the server resumed only %d of %d sessions offered", t.done,
                    t.done + t.notResumed));
        }
        return Measure.of(t.perSecond());
    }

    // ------------------------------------------------------------------ class 1 and lateness

    /**
     * {@link DtlsSendLoop#openAdapterEnd} and {@link PlainUdpLoop} in alternating windows (see
     * {@link IoLoopbackBench#throughput}): the device's path, the dearer of the two ends.
     */
    private static ClassOne classOne(Settings s) throws IOException, InterruptedException {
        int frameBytes = IoFrame.frameLength(true, CLASS1_PAYLOAD);
        List<PlainUdpLoop.Result> plain = new ArrayList<>();
        List<PlainUdpLoop.Result> dtls = new ArrayList<>();
        try (PlainUdpLoop.Loop plainLoop = PlainUdpLoop.open(frameBytes);
             PlainUdpLoop.Loop dtlsLoop = DtlsSendLoop.openAdapterEnd(IoLoopbackBench.DTLS_POLICY, frameBytes)) {
            for (int i = 0; i < s.class1Slices(); i++) {
                Duration warm = i == 0 ? s.class1Slice() : s.class1Slice().dividedBy(5);
                plain.add(plainLoop.measure(warm, s.class1Slice()));
                dtls.add(dtlsLoop.measure(warm, s.class1Slice()));
            }
        }
        return new ClassOne(IoLoopbackBench.DTLS_POLICY.suites().getFirst().name(), CLASS1_PAYLOAD, frameBytes,
                PlainUdpLoop.Result.sum(dtls).sentPerSecond(), PlainUdpLoop.Result.sum(plain).sentPerSecond());
    }

    private static Lateness lateness(Settings s) throws IOException, CipServiceException {
        Duration rpi = Duration.ofMillis(10);
        int n = s.latencyConnections();
        Duration total = s.latencyWarmup().plus(s.latencyWindow());
        ArrivalLateness arrivals = new ArrivalLateness(n, (int) (total.toNanos() / rpi.toNanos()) * 2 + 1000);
        IoLoopbackBench.Scenario scenario = new IoLoopbackBench.Scenario(n + "x10ms", n, rpi);
        IoLoopbackBench.Measured m = IoLoopbackBench.cyclic(scenario, new IoLoopbackBench.Options(s.latencyWindow(),
                s.latencyWarmup(), CLASS1_PAYLOAD, IoLoopbackBench.Options.AUTO_MULTIPLIER,
                IoLoopbackBench.Transport.DTLS, IoLoopbackBench.Options.AUTO_BUNDLE), arrivals::handler);
        return new Lateness(arrivals.sample(rpi, s.latencyWarmup()), CLASS1_PAYLOAD, m.toPerSecond(), m.adapterLateness(),
                m.scannerLateness(), m.adapterTimeouts() + m.scannerTimeouts());
    }
}
