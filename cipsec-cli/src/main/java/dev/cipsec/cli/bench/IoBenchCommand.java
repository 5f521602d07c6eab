package dev.cipsec.cli.bench;

import dev.cipsec.cli.bench.IoLoopbackBench.Measured;
import dev.cipsec.cli.bench.IoLoopbackBench.Options;
import dev.cipsec.cli.bench.IoLoopbackBench.Scenario;
import dev.cipsec.cli.bench.IoLoopbackBench.Throughput;
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

    @Override
    public Integer call() throws Exception {
        Options o = new Options(parseDuration(duration, "--duration"), parseDuration(warmup, "--warmup"), size,
                multiplier == null ? Options.AUTO_MULTIPLIER : multiplier);
        List<Scenario> cyclic = cyclicScenarios();
        boolean withThroughput = scenario.equals("all") || scenario.equals("throughput");
        PrintWriter out = spec.commandLine().getOut();
        double[] load = {ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()};
        if (!json) {
            header(out, o, parseDuration(jitWarmup, "--jit-warmup"), load[0]);
        }
        Duration jit = parseDuration(jitWarmup, "--jit-warmup");
        if (!jit.isZero()) {
            IoLoopbackBench.warmUpJit(jit, o.dataBytes());
        }
        List<Measured> results = new ArrayList<>();
        for (Scenario s : cyclic) {
            Measured m = IoLoopbackBench.cyclic(s, o);
            results.add(m);
            if (!json) {
                row(out, m);
            }
        }
        Throughput t = null;
        if (withThroughput) {
            int n = connections == null || !scenario.equals("throughput") ? IoLoopbackBench.SATURATING_CONNECTIONS : connections;
            t = IoLoopbackBench.throughput(n, o);
            if (!json) {
                row(out, t.ours());
            }
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        if (json) {
            out.println(dev.cipsec.cli.JsonOut.write(summary(o, results, t, load[0], loadAfter)));
        } else {
            footer(out, t, loadAfter);
        }
        out.flush();
        return 0;
    }

    private static String rpiText(Duration d) {
        long us = d.toNanos() / 1000;
        return us % 1000 == 0 ? us / 1000 + "ms" : us + "us";
    }

    private static void header(PrintWriter out, Options o, Duration jit, double load) {
        out.printf(Locale.ROOT, "cipsec bench io: our scanner <-> our adapter, class 1 exclusive owners, %d B data both ways,"
                + " loopback UDP, %s%n", o.dataBytes(), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        out.printf(Locale.ROOT, "JDK %s, %d cores, %s %s; thread priorities %s; load average %.2f;"
                        + " %.1f s measured after %.1f s warm-up per scenario (after a %.1f s JIT warm-up run); timeout %s%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"),
                IoLoopbackBench.priorityPolicyFlag() ? "on (-XX:ThreadPriorityPolicy=1)" : "ignored (no -XX:ThreadPriorityPolicy=1)",
                load, o.duration().toMillis() / 1000.0, o.warmup().toMillis() / 1000.0, jit.toMillis() / 1000.0,
                o.timeoutMultiplier() == Options.AUTO_MULTIPLIER ? "max(RPI x 4, 100 ms) as Logix (see each row)"
                        : "RPI x " + (4 << o.timeoutMultiplier()));
        out.printf(Locale.ROOT, "%n%-12s %5s %7s %7s %10s %10s %10s | %-24s | %-24s | %7s | %9s %9s %7s%n", "scenario", "conns", "RPI", "timeout",
                "expected/s", "T->O rx/s", "O->T rx/s", "adapter late p50/p99/max", "scanner late p50/p99/max", "early",
                "timeouts", "lost", "dropped");
        out.printf(Locale.ROOT, "%-12s %5s %7s %7s %10s %10s %10s | %-24s | %-24s | %7s | %9s %9s %7s%n", "", "", "", "", "(each way)", "",
                "", "us", "us", "% a/s", "adapt/scan", "T->O/O->T", "");
    }

    private static void row(PrintWriter out, Measured m) {
        Scenario s = m.scenario();
        boolean saturated = s.name().equals("throughput");
        out.printf(Locale.ROOT, "%-12s %5d %7s %7s %10s %,10.0f %,10.0f | %-24s | %-24s | %7s | %9s %9s %,7d%n", s.name(), s.connections(),
                saturated ? rpiText(s.rpi()) + "*" : rpiText(s.rpi()),
                "x" + (4 << m.timeoutMultiplier()),
                String.format(Locale.ROOT, "%,.0f", s.expectedPerSecond()), m.toPerSecond(), m.otPerSecond(),
                lateness(m.adapterLateness()), lateness(m.scannerLateness()),
                earlyPercent(m.adapterLateness()) + "/" + earlyPercent(m.scannerLateness()),
                m.adapterTimeouts() + "/" + m.scannerTimeouts(), m.toLost() + "/" + m.otLost(), m.dropped());
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
            out.printf(Locale.ROOT, "%nthroughput (* T->O RPI %s for %d connections, always due; O->T %s): %d B frames,"
                            + " one sending thread%n", rpiText(IoLoopbackBench.SATURATING_RPI), t.ours().scenario().connections(),
                    rpiText(IoLoopbackBench.KEEPALIVE_RPI), t.frameBytes());
            out.printf(Locale.ROOT, "  %-52s sent %,10.0f/s  received %,10.0f/s%n",
                    "cipsec: adapter scheduler producing T->O -> scanner", t.ours().toProducedPerSecond(), t.ours().toPerSecond());
            out.printf(Locale.ROOT, "  %-52s sent %,10.0f/s  received %,10.0f/s%n",
                    "plain: DatagramSocket.send(reused packet) -> receiver", t.plain().sentPerSecond(),
                    t.plain().receivedPerSecond());
            out.printf(Locale.ROOT, "  %-52s %.2f (goal >= 0.80)%n", "ratio (sent/s)", t.ratio());
        }
        out.printf(Locale.ROOT, "load average at the end %.2f%n", loadAfter);
    }

    private Map<String, Object> summary(Options o, List<Measured> results, Throughput t, double loadBefore,
                                               double loadAfter) {
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
        List<Object> scenarios = new ArrayList<>();
        for (Measured r : results) {
            scenarios.add(measured(r));
        }
        m.put("scenarios", scenarios);
        if (t != null) {
            Map<String, Object> tp = new LinkedHashMap<>();
            tp.put("ours", measured(t.ours()));
            tp.put("frame_bytes", t.frameBytes());
            tp.put("plain_sent_per_s", Math.round(t.plain().sentPerSecond()));
            tp.put("plain_received_per_s", Math.round(t.plain().receivedPerSecond()));
            tp.put("ratio", Math.round(t.ratio() * 1000) / 1000.0);
            m.put("throughput", tp);
        }
        return m;
    }

    private static Map<String, Object> measured(Measured r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.scenario().name());
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
        return m;
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
