package dev.cipsec.cli;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.UcmmChannel;
import dev.cipsec.scanner.io.DtlsTarget;
import dev.cipsec.scanner.io.IoConnection;
import dev.cipsec.scanner.io.IoListener;
import dev.cipsec.scanner.io.IoRuntime;
import dev.cipsec.scanner.io.IoSettings;
import dev.cipsec.scanner.io.IoStats;
import dev.cipsec.transport.sched.LatenessStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "io", mixinStandardHelpOptions = true,
        description = {"Open a class 1 I/O connection (Forward_Open) and run it: a status line about once a second,",
                "a summary at the end. Exit code 3 if the connection timed out."})
final class IoCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s|m)?");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET",
            description = {"host or host:port. host:2221 (or --tls) = CIP Security: the Forward_Open, the I/O and the",
                    "Forward_Close all travel in one DTLS session with UDP port 2221 (or the port written)."})
    String target;

    @Option(names = "--hybrid",
            description = {"CIP Security hybrid operation: Forward_Open over TLS on TCP 2221, I/O as plain UDP 2222.",
                    "The device must allow it (device --hybrid-io); a secured device refuses it by default."})
    boolean hybrid;

    @Option(names = "--rpi", paramLabel = "TIME", defaultValue = "10ms",
            description = "Requested packet interval both ways, e.g. 10ms, 500us, 1s (default: ${DEFAULT-VALUE}).")
    String rpi;

    @Option(names = "--in", paramLabel = "BYTES", defaultValue = "32", description = "T->O (input) data bytes (default: ${DEFAULT-VALUE}).")
    int in;

    @Option(names = "--out", paramLabel = "BYTES", defaultValue = "32",
            description = "O->T (output) data bytes; 0 with --input-only/--listen-only (default: ${DEFAULT-VALUE}).")
    int out;

    @Option(names = "--config-point", paramLabel = "ID", defaultValue = "151", description = "Configuration assembly (default: ${DEFAULT-VALUE}).")
    int configPoint;

    @Option(names = "--out-point", paramLabel = "ID",
            description = "O->T connection point (default 150; the heartbeat point 152 input-only, 153 listen-only).")
    Integer outPoint;

    @Option(names = "--in-point", paramLabel = "ID", defaultValue = "100", description = "T->O connection point (default: ${DEFAULT-VALUE}).")
    int inPoint;

    @Option(names = "--input-only", description = "Input-only connection (O->T heartbeats).")
    boolean inputOnly;

    @Option(names = "--listen-only", description = "Listen-only connection (O->T heartbeats; needs an owner).")
    boolean listenOnly;

    @Option(names = "--multiplier", paramLabel = "0..7",
            description = {"Timeout multiplier: the connection times out after RPI x (4 << N) without input",
                    "(default: the smallest N giving at least 100 ms, as Logix scanners do; 0 is the protocol's x4)."})
    Integer multiplier;

    @Option(names = "--multicast", description = "Ask for a multicast T->O connection.")
    boolean multicast;

    @Option(names = "--local-port", paramLabel = "PORT", defaultValue = "2222",
            description = "Local UDP port for plain or hybrid T->O; 0 picks one (default: ${DEFAULT-VALUE}). DTLS uses a port of its own.")
    int localPort;

    @Option(names = "--output", paramLabel = "HEX",
            description = "O->T data to send, exactly --out bytes in hex (spaces and colons allowed; default: zeros).")
    String output;

    @Option(names = "--run", description = "Send the run/idle header with the run bit set (the default).")
    boolean run;

    @Option(names = "--idle", description = "Send the run/idle header with the run bit clear: the target keeps its outputs as they are.")
    boolean idle;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s", description = "How long to run (default: ${DEFAULT-VALUE}).")
    String duration;

    @Mixin
    ClientOptionsMixin common;

    static Duration parseDuration(String text, String option) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + ": not a duration (e.g. 10ms, 500us, 2s): " + text);
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        double nanos = v * switch (unit) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            default -> 60e9;
        };
        if (nanos < 1e3 || nanos > 1e13) {
            throw new IllegalArgumentException(option + " out of range: " + text);
        }
        return Duration.ofNanos((long) nanos);
    }

    /** The --output bytes, checked against the O->T size; empty when not given. */
    java.util.Optional<byte[]> outputData(IoSettings settings) {
        if (output == null) {
            return java.util.Optional.empty();
        }
        if (!settings.applicationType().producesOutput()) {
            throw new IllegalArgumentException("--output needs an exclusive owner connection (no --input-only/--listen-only)");
        }
        String hex = output.replaceAll("[\\s:]", "");
        byte[] data;
        try {
            data = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--output: not hex: " + output);
        }
        if (data.length != settings.otSize()) {
            throw new IllegalArgumentException("--output is " + data.length + " bytes but --out is " + settings.otSize());
        }
        return java.util.Optional.of(data);
    }

    boolean runMode() {
        if (run && idle) {
            throw new IllegalArgumentException("--run and --idle exclude each other");
        }
        return !idle;
    }

    IoSettings settings() {
        if (inputOnly && listenOnly) {
            throw new IllegalArgumentException("--input-only and --listen-only exclude each other");
        }
        IoSettings.Builder b = IoSettings.builder().rpi(parseDuration(rpi, "--rpi")).configPoint(configPoint)
                .toPoint(inPoint).toSize(in).multicast(multicast).localPort(localPort);
        if (multiplier != null) {
            b.timeoutMultiplier(multiplier);
        }
        if (inputOnly) {
            b.inputOnly(outPoint == null ? 152 : outPoint);
        } else if (listenOnly) {
            b.listenOnly(outPoint == null ? 153 : outPoint);
        } else {
            b.otPoint(outPoint == null ? 150 : outPoint).otSize(out);
        }
        return b.build();
    }

    @Override
    public Integer call() throws Exception {
        IoSettings base = settings();
        java.util.Optional<byte[]> data = outputData(base);
        boolean runBit = runMode();
        IoSettings.Builder withStart = base.toBuilder().initialRun(runBit);
        data.ifPresent(d -> withStart.initialOutput(dev.cipsec.wire.buf.Bytes.of(d)));
        IoSettings settings = withStart.build();
        Duration runFor = parseDuration(duration, "--duration");
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        CountDownLatch ended = new CountDownLatch(1);
        IoListener listener = new IoListener() {
            @Override
            public void closed(IoConnection connection) {
                ended.countDown();
            }
        };
        try (ClientOptionsMixin.ClientSetup setup = common.setup(target);
             IoRuntime runtime = IoRuntime.create("cipsec-io");
             UcmmChannelHandle channel = UcmmChannelHandle.open(setup, hybrid)) {
            if (channel.dtls != null && multicast) {
                throw new IllegalArgumentException("--multicast is not available over DTLS (no published rule); "
                        + "use a plain target or --hybrid");
            }
            // The run/idle state and data travel from the first packet on (IoSettings' initial values).
            IoConnection conn = channel.dtls != null ? runtime.open(channel.dtls, settings, null, listener)
                    : runtime.open(channel.client, settings, null, listener);
            long start = System.nanoTime();
            long end = start + runFor.toNanos();
            try {
                while (true) {
                    long left = end - System.nanoTime();
                    if (left <= 0 || ended.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    if (!common.json) {
                        stderr.println(statusLine(conn.stats(), runtime.lateness(), System.nanoTime() - start));
                        stderr.flush();
                    }
                }
            } finally {
                conn.close();
            }
            Map<String, Object> summary = summary(channel.channel(), conn, runtime.lateness(), System.nanoTime() - start);
            summary.put("transport", channel.dtls != null ? "dtls" : hybrid ? "hybrid" : "udp");
            if (channel.dtls != null) {
                summary.put("dtls", dtlsSummary(channel.dtls));
            }
            summary.put("run", runBit);
            summary.put("output", HexFormat.of().formatHex(data.orElseGet(() -> new byte[settings.otSize()])));
            if (common.json) {
                stdout.println(JsonOut.write(summary));
            } else {
                stdout.println(statusLine(conn.stats(), runtime.lateness(), System.nanoTime() - start)
                        + (conn.timedOut() ? "  TIMED OUT" : "  closed"));
                if (channel.dtls != null) {
                    stdout.println(dtlsLine(channel.dtls));
                }
            }
            if (conn.timedOut()) {
                stderr.println("cipsec: I/O connection timed out (no input for " + conn.timeoutNanos() / 1_000_000 + " ms)");
                return Main.IO;
            }
            return Main.OK;
        }
    }

    private static String statusLine(IoStats s, LatenessStats l, long elapsedNanos) {
        return String.format("%6.1fs  out %d  in %d (new %d)  lost %d  dropped %d  late %d  missed %d  lateness p99 %.3f ms max %.3f ms",
                elapsedNanos / 1e9, s.sent(), s.received(), s.delivered(), s.lost(), s.dropped(), s.latePackets(),
                s.missedDeadlines(), l.p99Nanos() / 1e6, l.maxNanos() / 1e6);
    }

    /**
     * What the Forward_Open travels over: a DTLS session (secure target), or an encapsulation session
     * over TCP (plain target) or TLS ({@code --hybrid}).
     */
    static final class UcmmChannelHandle implements AutoCloseable {
        final CipClient client;
        final DtlsTarget dtls;

        private UcmmChannelHandle(CipClient client, DtlsTarget dtls) {
            this.client = client;
            this.dtls = dtls;
        }

        static UcmmChannelHandle open(ClientOptionsMixin.ClientSetup setup, boolean hybrid) throws java.io.IOException {
            if (hybrid && !setup.target().secure()) {
                throw new IllegalArgumentException("--hybrid needs a CIP Security target (host:2221 or --tls)");
            }
            if (setup.target().secure() && !hybrid) {
                return new UcmmChannelHandle(null, DtlsTarget.connect(setup.target(), setup.options()));
            }
            return new UcmmChannelHandle(CipClient.connect(setup.target(), setup.options()), null);
        }

        UcmmChannel channel() {
            return dtls != null ? dtls : client;
        }

        @Override
        public void close() {
            if (dtls != null) {
                dtls.close();
            } else {
                client.close();
            }
        }
    }

    private static String dtlsLine(DtlsTarget t) {
        DtlsTarget.Stats s = t.stats();
        return String.format("dtls %s  handshakes %d (failed %d)  ucmm %d (retransmitted %d)  datagrams in %d out %d",
                t.session().map(i -> i.version() + " " + i.suite().name()).orElse("no session"), s.handshakes(),
                s.handshakeFailures(), s.requests(), s.retransmissions(), s.port().received(), s.port().sent());
    }

    private static Map<String, Object> dtlsSummary(DtlsTarget t) {
        DtlsTarget.Stats s = t.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        t.session().ifPresent(i -> {
            m.put("version", i.version());
            m.put("suite", i.suite().name());
        });
        m.put("handshakes", s.handshakes());
        m.put("handshake_failures", s.handshakeFailures());
        m.put("ucmm_requests", s.requests());
        m.put("ucmm_retransmissions", s.retransmissions());
        m.put("datagrams_in", s.port().received());
        m.put("datagrams_out", s.port().sent());
        m.put("send_errors", s.port().sendErrors());
        return m;
    }

    private static Map<String, Object> summary(UcmmChannel client, IoConnection c, LatenessStats l, long elapsedNanos) {
        IoStats s = c.stats();
        IoSettings cfg = c.settings();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", client.target().toString());
        m.put("application_type", cfg.applicationType().name().toLowerCase(java.util.Locale.ROOT));
        m.put("ot_connection_id", String.format("0x%08X", c.otConnectionId()));
        m.put("to_connection_id", String.format("0x%08X", c.toConnectionId()));
        m.put("ot_api_us", c.otApiMicros());
        m.put("to_api_us", c.toApiMicros());
        m.put("ot_size", cfg.otConnectionSize());
        m.put("to_size", cfg.toConnectionSize());
        m.put("seconds", Math.round(elapsedNanos / 1e6) / 1e3);
        m.put("sent", s.sent());
        m.put("send_errors", s.sendErrors());
        m.put("received", s.received());
        m.put("delivered", s.delivered());
        m.put("lost", s.lost());
        Map<String, Object> dropped = new LinkedHashMap<>();
        dropped.put("stale", s.droppedStale());
        dropped.put("wrong_peer", s.droppedWrongPeer());
        dropped.put("size", s.droppedSize());
        m.put("dropped", dropped);
        m.put("late_packets", s.latePackets());
        m.put("missed_deadlines", s.missedDeadlines());
        Map<String, Object> lateness = new LinkedHashMap<>();
        lateness.put("p50_us", l.p50Nanos() / 1000);
        lateness.put("p99_us", l.p99Nanos() / 1000);
        lateness.put("max_us", l.maxNanos() / 1000);
        m.put("lateness", lateness);
        m.put("timed_out", c.timedOut());
        m.put("latest_input", c.latestInput().map(HexFormat.of()::formatHex).orElse(null));
        return m;
    }
}
