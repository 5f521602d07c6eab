package dev.cipsec.cli.bench;

import dev.cipsec.cli.bench.IoLoopbackBench.DtlsCounters;
import dev.cipsec.cli.bench.IoLoopbackBench.Flooded;
import dev.cipsec.cli.bench.IoLoopbackBench.Measured;
import dev.cipsec.cli.bench.IoLoopbackBench.Options;
import dev.cipsec.cli.bench.IoLoopbackBench.Scenario;
import dev.cipsec.cli.bench.IoLoopbackBench.Throughput;
import dev.cipsec.cli.bench.IoLoopbackBench.Transport;
import dev.cipsec.transport.io.ReceiveCoalescing;
import dev.cipsec.transport.sched.LatenessStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "io", mixinStandardHelpOptions = true,
        description = {"Class 1 I/O, our scanner <-> our adapter on loopback in this JVM: packets/s, scheduler lateness,",
                "timeouts and losses per scenario, and one core's throughput against a plain Java UDP loop.",
                "Linux ignores thread priorities unless the JVM runs with -XX:ThreadPriorityPolicy=1 (as root):",
                "JAVA_OPTS=-XX:ThreadPriorityPolicy=1 ./cipsec bench io"})
final class IoBenchCommand implements Callable<Integer> {
    /** Wide enough for "1000x10ms/dtls+flood". */
    private static final int NAME_WIDTH = 20;
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s|m)?");

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "all",
            description = "64x1ms, 1000x10ms, throughput or all (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s",
            description = "Measured time per scenario, e.g. 10s, 10m (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "2s",
            description = "Time each scenario runs before it is measured (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--jit-warmup", paramLabel = "TIME", defaultValue = "5s",
            description = {"Time a throw-away 64x1ms run (timeout RPI x 512) runs first, so the JIT has compiled the I/O",
                    "paths before anything is measured (default: ${DEFAULT-VALUE}; 0 to skip)."})
    String jitWarmup;

    @Option(names = "--connections", paramLabel = "N",
            description = "Connections of the cyclic scenarios chosen (default: theirs, 64 and 1000; throughput: 64).")
    Integer connections;

    @Option(names = "--rpi", paramLabel = "TIME", description = "RPI of the cyclic scenarios chosen (default: theirs, 1ms and 10ms).")
    String rpi;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "32",
            description = "Application data bytes per packet, both ways (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--multiplier", paramLabel = "0..7",
            description = {"Timeout multiplier of the cyclic scenarios: RPI x (4 << N) (default: our scanner's, the smallest",
                    "N giving at least 100 ms as Logix scanners do: x128 at 1 ms, x16 at 10 ms; 0 for the protocol's x4)."})
    Integer multiplier;

    @Option(names = "--transport", paramLabel = "udp|dtls|both", defaultValue = "udp",
            description = {"How the cyclic scenarios' I/O travels: plain UDP, DTLS 1.2 (ECDHE-PSK AES128-GCM, our stack",
                    "both ends), or both (each scenario over UDP, then over DTLS). With dtls or both, the throughput",
                    "scenario runs over UDP and over DTLS and compares them (default: ${DEFAULT-VALUE})."})
    String transport;

    @Option(names = "--dtls-bundle", paramLabel = "K",
            description = {"Connections per DTLS session (default: one session per connection, as separate adapters",
                    "would cost a scanner; more per session only past the device's 256 sessions)."})
    Integer dtlsBundle;

    @Option(names = "--flood", paramLabel = "RATE",
            description = {"With dtls or both: measure each DTLS cyclic scenario again, same device and connections, while",
                    "cookie-less ClientHellos arrive at its DTLS port at RATE per second from "
                            + HelloFlood.SOURCE_PORTS + " source ports."})
    Integer flood;

    @Option(names = "--rx-coalesce", paramLabel = "MICROS",
            description = {"Receive coalescing at both ends: how long a receive thread that has caught up with a dense",
                    "stream sleeps before the next burst, 0..1000 us; 0 turns it off (default: the device's, "
                            + "50; the scanner's shared DTLS receive loop always uses 50)."})
    Integer rxCoalesce;

    @Option(names = "--json", description = "Print a machine-readable summary instead of the table.")
    boolean json;

    static Duration parseDuration(String text, String option) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + ": not a duration (e.g. 10ms, 500us, 2s): " + text);
        }
        double v = Double.parseDouble(m.group(1));
        double nanos = v * switch (m.group(2) == null ? "s" : m.group(2)) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            default -> 60e9;
        };
        if (nanos > 1e14) {
            throw new IllegalArgumentException(option + " out of range: " + text);
        }
        return Duration.ofNanos((long) nanos);
    }

    List<Scenario> cyclicScenarios() {
        List<Scenario> chosen = switch (scenario) {
            case "all" -> List.of(IoLoopbackBench.scenario64x1ms(), IoLoopbackBench.scenario1000x10ms());
            case "64x1ms" -> List.of(IoLoopbackBench.scenario64x1ms());
            case "1000x10ms" -> List.of(IoLoopbackBench.scenario1000x10ms());
            case "throughput" -> List.of();
            default -> throw new IllegalArgumentException("--scenario must be 64x1ms, 1000x10ms, throughput or all: " + scenario);
        };
        List<Scenario> out = new ArrayList<>();
        for (Scenario s : chosen) {
            int n = connections == null ? s.connections() : connections;
            Duration r = rpi == null ? s.rpi() : parseDuration(rpi, "--rpi");
            boolean custom = n != s.connections() || !r.equals(s.rpi());
            out.add(new Scenario(custom ? n + "x" + rpiText(r) : s.name(), n, r));
        }
        return out;
    }

    /** The transports of the cyclic scenarios, in the order they run. */
    List<Transport> transports() {
        return switch (transport) {
            case "udp" -> List.of(Transport.UDP);
            case "dtls" -> List.of(Transport.DTLS);
            case "both" -> List.of(Transport.UDP, Transport.DTLS);
            default -> throw new IllegalArgumentException("--transport must be udp, dtls or both: " + transport);
        };
    }

    @Override
    public Integer call() throws Exception {
        List<Transport> transports = transports();
        boolean withDtls = transports.contains(Transport.DTLS);
        if (flood != null && (!withDtls || flood < 1)) {
            throw new IllegalArgumentException("--flood needs --transport dtls or both and a rate of at least 1 per second");
        }
        if (dtlsBundle != null && dtlsBundle < 1) {
            throw new IllegalArgumentException("--dtls-bundle must be at least 1: " + dtlsBundle);
        }
        Options o = new Options(parseDuration(duration, "--duration"), parseDuration(warmup, "--warmup"), size,
                multiplier == null ? Options.AUTO_MULTIPLIER : multiplier, Transport.UDP,
                dtlsBundle == null ? Options.AUTO_BUNDLE : dtlsBundle,
                rxCoalesce == null ? ReceiveCoalescing.defaults() : ReceiveCoalescing.ofMicros(rxCoalesce, "--rx-coalesce"));
        List<Scenario> cyclic = cyclicScenarios();
        if (flood != null && cyclic.isEmpty()) {
            throw new IllegalArgumentException("--flood applies to the cyclic scenarios, not to --scenario throughput");
        }
        boolean withThroughput = scenario.equals("all") || scenario.equals("throughput");
        // With DTLS in the run, every row says which transport it measured.
        boolean labelled = withDtls;
        PrintWriter out = spec.commandLine().getOut();
        double[] load = {ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()};
        Duration jit = parseDuration(jitWarmup, "--jit-warmup");
        if (!json) {
            header(out, o, jit, load[0]);
        }
        if (!jit.isZero()) {
            // Each transport that will be measured, so neither's first scenario pays for the JIT.
            if (transports.contains(Transport.UDP) || withThroughput) {
                IoLoopbackBench.warmUpJit(jit, o.dataBytes(), Transport.UDP);
            }
            if (withDtls) {
                IoLoopbackBench.warmUpJit(jit, o.dataBytes(), Transport.DTLS, flood == null ? 0 : flood);
            }
        }
        List<Measured> results = new ArrayList<>();
        List<Flooded> floods = new ArrayList<>();
        for (Scenario s : cyclic) {
            for (Transport tr : transports) {
                if (tr == Transport.DTLS && flood != null) {
                    Flooded f = IoLoopbackBench.cyclicFlooded(s, o, flood);
                    floods.add(f);
                    results.add(f.unloaded());
                    results.add(f.flooded());
                    if (!json) {
                        row(out, f.unloaded(), labelled);
                        row(out, f.flooded(), labelled);
                        floodLines(out, f);
                    }
                } else {
                    Measured m = IoLoopbackBench.cyclic(s, o.over(tr));
                    results.add(m);
                    if (!json) {
                        row(out, m, labelled);
                    }
                }
            }
        }
        Throughput t = null;
        if (withThroughput) {
            int n = connections == null || !scenario.equals("throughput") ? IoLoopbackBench.SATURATING_CONNECTIONS : connections;
            t = IoLoopbackBench.throughput(n, o, withDtls);
            if (!json) {
                row(out, t.ours(), labelled);
                if (t.dtls() != null) {
                    row(out, t.dtls(), labelled);
                }
            }
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        if (json) {
            out.println(dev.cipsec.cli.JsonOut.write(summary(o, results, floods, t, load[0], loadAfter)));
        } else {
            footer(out, t, loadAfter);
        }
        out.flush();
        return 0;
    }

    private String transportText(Options o) {
        String dtls = "DTLS 1.2 (ECDHE-PSK AES128-GCM, " + (o.dtlsBundle() == Options.AUTO_BUNDLE
                ? "one session per connection" : o.dtlsBundle() + " connections per session") + ")";
        return switch (transport) {
            case "dtls" -> "loopback " + dtls;
            case "both" -> "loopback UDP, then " + dtls;
            default -> "loopback UDP";
        };
    }

    private static String rpiText(Duration d) {
        long us = d.toNanos() / 1000;
        return us % 1000 == 0 ? us / 1000 + "ms" : us + "us";
    }

    private void header(PrintWriter out, Options o, Duration jit, double load) {
        out.printf(Locale.ROOT, "cipsec bench io: our scanner <-> our adapter, class 1 exclusive owners, %d B data both ways,"
                + " %s, %s%n", o.dataBytes(), transportText(o), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        out.printf(Locale.ROOT, "JDK %s, %d cores, %s %s; thread priorities %s; load average %.2f;"
                        + " %.1f s measured after %.1f s warm-up per scenario (after a %.1f s JIT warm-up run%s); timeout %s%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"),
                IoLoopbackBench.priorityPolicyFlag() ? "on (-XX:ThreadPriorityPolicy=1)" : "ignored (no -XX:ThreadPriorityPolicy=1)",
                load, o.duration().toMillis() / 1000.0, o.warmup().toMillis() / 1000.0, jit.toMillis() / 1000.0,
                transport.equals("udp") ? "" : " per transport", o.timeoutMultiplier() == Options.AUTO_MULTIPLIER ? "max(RPI x 4, 100 ms) as Logix (see each row)"
                        : "RPI x " + (4 << o.timeoutMultiplier()));
        out.printf(Locale.ROOT, "receive coalescing: %s%n", o.receiveCoalescing().enabled()
                ? o.receiveCoalescing().pause().toNanos() / 1000 + " us pause once a receive thread has caught up with a dense stream"
                : "off (one wake-up per datagram)");
        if (flood != null) {
            out.printf(Locale.ROOT, "flood: each DTLS scenario measured unloaded, then again (same device and connections)"
                    + " while %d cookie-less ClientHellos/s arrive from %d source ports%n", flood, HelloFlood.SOURCE_PORTS);
        }
        out.printf(Locale.ROOT, "%n%-" + NAME_WIDTH + "s %5s %7s %7s %10s %10s %10s | %-24s | %-24s | %7s | %9s %9s %7s%n", "scenario", "conns", "RPI", "timeout",
                "expected/s", "T->O rx/s", "O->T rx/s", "adapter late p50/p99/max", "scanner late p50/p99/max", "early",
                "timeouts", "lost", "dropped");
        out.printf(Locale.ROOT, "%-" + NAME_WIDTH + "s %5s %7s %7s %10s %10s %10s | %-24s | %-24s | %7s | %9s %9s %7s%n", "", "", "", "", "(each way)", "",
                "", "us", "us", "% a/s", "adapt/scan", "T->O/O->T", "");
    }

    /** Scenario name, and with several transports which one (and "+flood" under a flood). */
    private static String rowName(Measured m, boolean labelled) {
        if (!labelled) {
            return m.scenario().name();
        }
        return m.scenario().name() + "/" + m.transport().label() + (m.flood() != null ? "+flood" : "");
    }

    private static void row(PrintWriter out, Measured m, boolean labelled) {
        Scenario s = m.scenario();
        boolean saturated = s.name().equals("throughput");
        out.printf(Locale.ROOT, "%-" + NAME_WIDTH + "s %5d %7s %7s %10s %,10.0f %,10.0f | %-24s | %-24s | %7s | %9s %9s %,7d%n", rowName(m, labelled), s.connections(),
                saturated ? rpiText(s.rpi()) + "*" : rpiText(s.rpi()),
                "x" + (4 << m.timeoutMultiplier()),
                String.format(Locale.ROOT, "%,.0f", s.expectedPerSecond()), m.toPerSecond(), m.otPerSecond(),
                lateness(m.adapterLateness()), lateness(m.scannerLateness()),
                earlyPercent(m.adapterLateness()) + "/" + earlyPercent(m.scannerLateness()),
                m.adapterTimeouts() + "/" + m.scannerTimeouts(), m.toLost() + "/" + m.otLost(), m.dropped());
        if (m.dtls() != null) {
            DtlsCounters d = m.dtls();
            out.printf(Locale.ROOT, "  device DTLS in the window: %d sessions (%d connection%s each), handshakes %d ok %d failed,"
                            + " cookies sent %,d, cookie-less hellos dropped %,d, other drops %s%n", d.sessions(),
                    d.connectionsPerSession(), d.connectionsPerSession() == 1 ? "" : "s", d.handshakes(), d.handshakeFailures(), d.cookiesSent(), d.noCookieDrops(),
                    d.otherDrops().isEmpty() ? "none" : d.otherDrops());
        }
        if (m.flood() != null) {
            HelloFlood.Report f = m.flood();
            out.printf(Locale.ROOT, "  flood in the window: %,d ClientHellos in %.1f s (%,.0f/s, asked %d/s) from %d source ports, %d send errors%n",
                    f.sent(), f.seconds(), f.sentPerSecond(), f.ratePerSecond(), f.sourcePorts(), f.sendErrors());
        }
    }

    private static void floodLines(PrintWriter out, Flooded f) {
        out.printf(Locale.ROOT, "  p99 lateness unloaded -> flooded: adapter %.1f -> %.1f us (%s), scanner %.1f -> %.1f us (%s);"
                        + " goal: flooded <= 2.0 x unloaded%n",
                f.unloaded().adapterLateness().p99Nanos() / 1e3, f.flooded().adapterLateness().p99Nanos() / 1e3,
                ratioText(f.adapterP99Ratio(), f.unloaded().adapterLateness(), f.flooded().adapterLateness()),
                f.unloaded().scannerLateness().p99Nanos() / 1e3, f.flooded().scannerLateness().p99Nanos() / 1e3,
                ratioText(f.scannerP99Ratio(), f.unloaded().scannerLateness(), f.flooded().scannerLateness()));
    }

    /** The ratio, or when the unloaded p99 is 0 (inside the early window) whether the flooded one is too. */
    private static String ratioText(double ratio, LatenessStats unloaded, LatenessStats flooded) {
        if (!Double.isNaN(ratio)) {
            return String.format(Locale.ROOT, "x%.2f", ratio);
        }
        return flooded.p99Nanos() == 0 ? "both 0" : "unloaded 0";
    }

    private static String earlyPercent(LatenessStats l) {
        return l.runs() == 0 ? "-" : String.valueOf(Math.round(100.0 * l.earlyRuns() / l.runs()));
    }

    private static String lateness(LatenessStats l) {
        return String.format(Locale.ROOT, "%.1f/%.1f/%.1f", l.p50Nanos() / 1e3, l.p99Nanos() / 1e3, l.maxNanos() / 1e3);
    }

    private static void footer(PrintWriter out, Throughput t, double loadAfter) {
        out.printf(Locale.ROOT, "lateness: start of each producer/watchdog run after its deadline; a run may start up to"
                + " min(%d us, RPI / 8) early (\"early\": %% of runs, adapter/scanner) and counts as 0%n",
                dev.cipsec.transport.sched.DeadlineScheduler.DEFAULT_EARLY.toNanos() / 1000);
        out.printf(Locale.ROOT, "goals: 64x1ms p99 <= 500 us and no timeout; 1000x10ms p99 <= 1000 us and no timeout (2 cores)%n");
        if (t != null) {
            if (t.dtls() != null) {
                DtlsCounters d = t.dtls().dtls();
                out.printf(Locale.ROOT, "%nthroughput over DTLS (* T->O RPI %s for %d connections in %d sessions, always due):"
                                + " %d B frames in %d B DTLS records (AES-GCM: +%d B), one sending thread%n",
                        rpiText(IoLoopbackBench.SATURATING_RPI), t.dtls().scenario().connections(), d.sessions(),
                        t.frameBytes(), t.frameBytes() + IoLoopbackBench.DTLS_GCM_OVERHEAD, IoLoopbackBench.DTLS_GCM_OVERHEAD);
                out.printf(Locale.ROOT, "  %-52s sent %,10.0f/s  received %,10.0f/s%n",
                        "DTLS: adapter scheduler producing T->O -> scanner", t.dtls().toProducedPerSecond(), t.dtls().toPerSecond());
                out.printf(Locale.ROOT, "  %-52s sent %,10.0f/s  received %,10.0f/s%n",
                        "UDP: adapter scheduler producing T->O -> scanner", t.ours().toProducedPerSecond(), t.ours().toPerSecond());
                out.printf(Locale.ROOT, "  %-52s %.2f (goal >= 0.80)%s%n", "ratio DTLS/UDP (sent/s)", t.dtlsRatio(),
                        t.frameBytes() == dev.cipsec.wire.io.IoFrame.frameLength(true, 64) ? "" : " (issue 8 asks --size 64)");
            }
            out.printf(Locale.ROOT, "%nthroughput (* T->O RPI %s for %d connections, always due; O->T %s): %d B frames,"
                            + " one sending thread%n", rpiText(IoLoopbackBench.SATURATING_RPI), t.ours().scenario().connections(),
                    rpiText(IoLoopbackBench.KEEPALIVE_RPI), t.frameBytes());
            out.printf(Locale.ROOT, "  %-52s sent %,10.0f/s  received %,10.0f/s%n",
                    "cipsec: adapter scheduler producing T->O -> scanner", t.ours().toProducedPerSecond(), t.ours().toPerSecond());
            out.printf(Locale.ROOT, "  %-52s sent %,10.0f/s  received %,10.0f/s%n",
                    "plain: DatagramSocket.send(reused packet) -> receiver", t.plain().sentPerSecond(),
                    t.plain().receivedPerSecond());
            out.printf(Locale.ROOT, "  %-52s %.2f (goal >= 0.80)%n", "ratio (sent/s)", t.ratio());
            if (t.dtlsAdapterEnd() != null) {
                out.printf(Locale.ROOT, "%nprotected I/O on one core: one thread sending %d B frames through a DTLS session"
                        + " (AES-GCM, %d B records) to a receiver that only counts, against the plain loop above%n",
                        t.frameBytes(), t.frameBytes() + IoLoopbackBench.DTLS_GCM_OVERHEAD);
                out.printf(Locale.ROOT, "  %-52s sent %,10.0f/s  received %,10.0f/s%n",
                        "adapter T->O: server session, its own socket", t.dtlsAdapterEnd().sentPerSecond(),
                        t.dtlsAdapterEnd().receivedPerSecond());
                out.printf(Locale.ROOT, "  %-52s sent %,10.0f/s  received %,10.0f/s%n",
                        "scanner O->T: client port, connected socket", t.dtlsScannerEnd().sentPerSecond(),
                        t.dtlsScannerEnd().receivedPerSecond());
                out.printf(Locale.ROOT, "  %-52s adapter %.2f  scanner %.2f (goal >= 0.80)%n",
                        "ratio DTLS/plain on one core (sent/s)", t.dtlsAdapterEndRatio(), t.dtlsScannerEndRatio());
                // The ratio also measures the host's kernel: the same protection cost is a smaller share
                // where a plain send costs more. The added time is what protection itself costs.
                out.printf(Locale.ROOT, "  %-52s adapter %+.2f us  scanner %+.2f us (plain loop %.2f us per datagram)%n",
                        "time per datagram added on the sending core", t.dtlsAdapterEndAddedMicros(),
                        t.dtlsScannerEndAddedMicros(), t.plainMicros());
            }
        }
        out.printf(Locale.ROOT, "load average at the end %.2f%n", loadAfter);
    }

    private Map<String, Object> summary(Options o, List<Measured> results, List<Flooded> floods, Throughput t,
                                        double loadBefore, double loadAfter) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jdk", Runtime.version().toString());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("thread_priority_policy", IoLoopbackBench.priorityPolicyFlag());
        m.put("load_average_before", loadBefore);
        m.put("load_average_after", loadAfter);
        m.put("duration_s", o.duration().toMillis() / 1000.0);
        m.put("warmup_s", o.warmup().toMillis() / 1000.0);
        m.put("jit_warmup_s", parseDuration(jitWarmup, "--jit-warmup").toMillis() / 1000.0);
        m.put("data_bytes", o.dataBytes());
        m.put("transport", transport);
        m.put("receive_coalescing_us", o.receiveCoalescing().pause().toNanos() / 1000);
        List<Object> scenarios = new ArrayList<>();
        for (Measured r : results) {
            scenarios.add(measured(r));
        }
        m.put("scenarios", scenarios);
        if (flood != null) {
            List<Object> fl = new ArrayList<>();
            for (Flooded f : floods) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", f.unloaded().scenario().name());
                e.put("rate_per_s", flood);
                e.put("adapter_p99_unloaded_us", f.unloaded().adapterLateness().p99Nanos() / 1000.0);
                e.put("adapter_p99_flooded_us", f.flooded().adapterLateness().p99Nanos() / 1000.0);
                e.put("adapter_p99_ratio", rounded(f.adapterP99Ratio()));
                e.put("scanner_p99_unloaded_us", f.unloaded().scannerLateness().p99Nanos() / 1000.0);
                e.put("scanner_p99_flooded_us", f.flooded().scannerLateness().p99Nanos() / 1000.0);
                e.put("scanner_p99_ratio", rounded(f.scannerP99Ratio()));
                fl.add(e);
            }
            m.put("floods", fl);
        }
        if (t != null) {
            Map<String, Object> tp = new LinkedHashMap<>();
            tp.put("ours", measured(t.ours()));
            tp.put("frame_bytes", t.frameBytes());
            tp.put("plain_sent_per_s", Math.round(t.plain().sentPerSecond()));
            tp.put("plain_received_per_s", Math.round(t.plain().receivedPerSecond()));
            tp.put("ratio", Math.round(t.ratio() * 1000) / 1000.0);
            if (t.dtls() != null) {
                tp.put("dtls", measured(t.dtls()));
                tp.put("dtls_record_bytes", t.frameBytes() + IoLoopbackBench.DTLS_GCM_OVERHEAD);
                tp.put("dtls_produced_per_s", Math.round(t.dtls().toProducedPerSecond()));
                tp.put("udp_produced_per_s", Math.round(t.ours().toProducedPerSecond()));
                tp.put("ratio_dtls_udp", rounded(t.dtlsRatio()));
                tp.put("dtls_one_core_adapter_sent_per_s", Math.round(t.dtlsAdapterEnd().sentPerSecond()));
                tp.put("ratio_dtls_one_core_adapter", rounded(t.dtlsAdapterEndRatio()));
                tp.put("dtls_one_core_scanner_sent_per_s", Math.round(t.dtlsScannerEnd().sentPerSecond()));
                tp.put("ratio_dtls_one_core_scanner", rounded(t.dtlsScannerEndRatio()));
                tp.put("plain_us_per_datagram", rounded(t.plainMicros()));
                tp.put("dtls_one_core_adapter_added_us", rounded(t.dtlsAdapterEndAddedMicros()));
                tp.put("dtls_one_core_scanner_added_us", rounded(t.dtlsScannerEndAddedMicros()));
            }
            m.put("throughput", tp);
        }
        return m;
    }

    private static Map<String, Object> measured(Measured r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.scenario().name());
        m.put("transport", r.transport().label());
        m.put("connections", r.scenario().connections());
        m.put("rpi_us", r.scenario().rpi().toNanos() / 1000);
        m.put("timeout_multiplier", 4 << r.timeoutMultiplier());
        m.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
        m.put("expected_per_s", Math.round(r.scenario().expectedPerSecond()));
        m.put("to_received_per_s", Math.round(r.toPerSecond()));
        m.put("ot_received_per_s", Math.round(r.otPerSecond()));
        m.put("to_produced_per_s", Math.round(r.toProducedPerSecond()));
        m.put("adapter_lateness", lateness(r.adapterLateness(), "window"));
        m.put("scanner_lateness", lateness(r.scannerLateness(), "window"));
        m.put("adapter_timeouts", r.adapterTimeouts());
        m.put("scanner_timeouts", r.scannerTimeouts());
        m.put("to_lost", r.toLost());
        m.put("ot_lost", r.otLost());
        m.put("dropped", r.dropped());
        m.put("send_errors", r.sendErrors());
        if (r.dtls() != null) {
            DtlsCounters d = r.dtls();
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("sessions", d.sessions());
            dm.put("connections_per_session", d.connectionsPerSession());
            dm.put("handshakes", d.handshakes());
            dm.put("handshake_failures", d.handshakeFailures());
            dm.put("cookies_sent", d.cookiesSent());
            dm.put("no_cookie_drops", d.noCookieDrops());
            dm.put("other_drops", new LinkedHashMap<String, Object>(d.otherDrops()));
            m.put("dtls", dm);
        }
        if (r.flood() != null) {
            HelloFlood.Report f = r.flood();
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("rate_per_s", f.ratePerSecond());
            fm.put("source_ports", f.sourcePorts());
            fm.put("sent", f.sent());
            fm.put("sent_per_s", Math.round(f.sentPerSecond()));
            fm.put("send_errors", f.sendErrors());
            m.put("flood", fm);
        }
        return m;
    }

    /** Three decimals; null (JSON null) for NaN. */
    private static Double rounded(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 1000) / 1000.0;
    }

    private static Map<String, Object> lateness(LatenessStats l, String over) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("over", over);
        m.put("runs", l.runs());
        m.put("p50_us", l.p50Nanos() / 1000.0);
        m.put("p99_us", l.p99Nanos() / 1000.0);
        m.put("max_us", l.maxNanos() / 1000.0);
        m.put("overruns", l.overruns());
        m.put("early_runs", l.earlyRuns());
        m.put("max_early_us", l.maxEarlyNanos() / 1000.0);
        return m;
    }
}
