package dev.cipsec.cli.bench;

import dev.cipsec.cli.JsonOut;
import dev.cipsec.cli.bench.SuiteBench.Figure;
import dev.cipsec.cli.bench.SuiteBench.Result;
import dev.cipsec.cli.bench.SuiteBench.Row;
import dev.cipsec.transport.sched.LatenessStats;
import dev.cipsec.transport.tls.CipherSuite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Renders a {@link Result}: the terminal table, {@code report.json}, the charts ({@link BenchCharts})
 * and {@code index.html}, which shows the charts and the table.
 */
final class BenchReport {
    static final String JSON = "report.json";
    static final String TABLE = "report.txt";
    static final String HTML = "index.html";

    private final Result r;
    /** The n/a reasons in the order the table first shows them; cells name them [1], [2], ... */
    private final List<String> notes = new ArrayList<>();

    BenchReport(Result r) {
        this.r = r;
    }

    /** Short name for tables and charts: id and IANA name without {@code TLS_}. */
    static String shortName(CipherSuite s) {
        return String.format(Locale.ROOT, "%04X %s", s.id(), s.name().substring(4));
    }

    // ------------------------------------------------------------------ table

    String table() {
        notes.clear();
        StringBuilder sb = new StringBuilder();
        Result res = r;
        sb.append(String.format(Locale.ROOT, "cipsec bench%s: %d suite%s, %s; %s; JDK %s, %d cores, %s %s; load average"
                        + " %.2f -> %.2f; started %s%n", res.settings().quick() ? " --quick" : "", res.settings().suites().size(),
                res.settings().suites().size() == 1 ? "" : "s", protocols(), res.openssl(), Runtime.version(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                res.loadBefore(), res.loadAfter(), res.started()));
        sb.append("ratio = how fast ours is against OpenSSL (x1.00 as fast, above faster, below slower; for ns/record"
                + " OpenSSL's ns over ours)\n");
        sb.append(String.format(Locale.ROOT, "%nhandshakes per second, one client (ours, Bouncy Castle) against our server"
                + " and openssl s_server, same credentials, alternating %d x %d ms windows%n", res.settings().slices(),
                res.settings().slice().toMillis()));
        String hs = "%-46s %-4s | %9s %9s %6s | %9s %9s %6s%n";
        sb.append(String.format(Locale.ROOT, hs, "suite", "", "full", "", "", "resumed", "", ""));
        sb.append(String.format(Locale.ROOT, hs, "", "", "ours", "openssl", "ratio", "ours", "openssl", "ratio"));
        for (Row row : res.rows()) {
            sb.append(String.format(Locale.ROOT, hs, shortName(row.suite()), row.protocol(),
                    cell(row.full().ours(), row.full().oursNa(), "%,.0f"),
                    cell(row.full().openssl(), row.full().opensslNa(), "%,.0f"), ratio(row.full()),
                    cell(row.resumed().ours(), row.resumed().oursNa(), "%,.0f"),
                    cell(row.resumed().openssl(), row.resumed().opensslNa(), "%,.0f"), ratio(row.resumed())));
        }
        sb.append(String.format(Locale.ROOT, "%nrecord protection, one side (ours: Bouncy Castle's record layer, in memory;"
                + " openssl: openssl speed of the suite's cipher [+ HMAC], see \"baseline\")%n"));
        String rec = "%-46s %-4s | %7s %7s %6s | %7s %7s %6s | %7s %7s %6s | %s%n";
        sb.append(String.format(Locale.ROOT, rec, "suite", "", "64 B", "ns/rec", "", "512 B", "ns/rec", "", "16 KiB",
                "MB/s", "", "baseline"));
        sb.append(String.format(Locale.ROOT, rec, "", "", "ours", "openssl", "ratio", "ours", "openssl", "ratio", "ours",
                "openssl", "ratio", ""));
        for (Row row : res.rows()) {
            sb.append(String.format(Locale.ROOT, rec, shortName(row.suite()), row.protocol(),
                    cell(row.record64().ours(), row.record64().oursNa(), "%,.0f"),
                    cell(row.record64().openssl(), row.record64().opensslNa(), "%,.0f"), ratio(row.record64()),
                    cell(row.record512().ours(), row.record512().oursNa(), "%,.0f"),
                    cell(row.record512().openssl(), row.record512().opensslNa(), "%,.0f"), ratio(row.record512()),
                    cell(row.bulk().ours(), row.bulk().oursNa(), "%,.0f"),
                    cell(row.bulk().openssl(), row.bulk().opensslNa(), "%,.0f"), ratio(row.bulk()),
                    row.baseline() + (row.notes().isEmpty() ? "" : "; " + row.notes())));
        }
        if (!notes.isEmpty()) {
            sb.append("\nn/a:\n");
            for (int i = 0; i < notes.size(); i++) {
                sb.append(String.format(Locale.ROOT, "  [%d] %s%n", i + 1, notes.get(i)));
            }
        }
        SuiteBench.ClassOne c = res.classOne();
        sb.append(String.format(Locale.ROOT, "%nclass 1 over DTLS on one core: one thread sending %d B frames (%d B data)"
                        + " through a DTLS session (%s) vs the plain UDP loop, same run%n", c.frameBytes(), c.payload(),
                c.suite()));
        sb.append(String.format(Locale.ROOT, "  DTLS %,.0f packets/s   plain UDP %,.0f packets/s   ratio %.2f%n",
                c.dtlsPerSecond(), c.plainPerSecond(), c.ratio()));
        SuiteBench.Lateness l = res.lateness();
        ArrivalLateness.Sample smp = l.sample();
        sb.append(String.format(Locale.ROOT, "%nI/O lateness: our scanner <-> our adapter over DTLS, %d class 1 connections"
                        + " at RPI 10 ms, %d B data, %.1f s: %,d T->O packets (%,.0f/s), %d timeouts%n", smp.connections(),
                l.payload(), r.settings().latencyWindow().toMillis() / 1000.0, smp.nanos().length, l.toPerSecond(),
                l.timeouts()));
        sb.append(String.format(Locale.ROOT, "  arrival lateness p50/p99/max %.1f/%.1f/%.1f us (against each connection's"
                        + " production grid)%n", smp.percentile(0.5) / 1e3, smp.percentile(0.99) / 1e3, smp.max() / 1e3));
        sb.append(String.format(Locale.ROOT, "  adapter scheduler lateness p50/p99/max %s us, scanner scheduler %s us%n",
                lateness(l.adapter()), lateness(l.scanner())));
        return sb.toString();
    }

    private String protocols() {
        return r.settings().tls() && r.settings().dtls() ? "TLS 1.2 and DTLS 1.2" : r.settings().tls() ? "TLS 1.2" : "DTLS 1.2";
    }

    private static String lateness(LatenessStats l) {
        return String.format(Locale.ROOT, "%.1f/%.1f/%.1f", l.p50Nanos() / 1e3, l.p99Nanos() / 1e3, l.maxNanos() / 1e3);
    }

    private String cell(Double value, String na, String format) {
        if (value != null) {
            return String.format(Locale.ROOT, format, value);
        }
        int i = notes.indexOf(na);
        if (i < 0) {
            notes.add(na);
            i = notes.size() - 1;
        }
        return "n/a[" + (i + 1) + "]";
    }

    private static String ratio(Figure f) {
        Double x = f.ratio();
        return x == null ? "-" : String.format(Locale.ROOT, "x%.2f", x);
    }

    // ------------------------------------------------------------------ JSON

    Map<String, Object> json(Map<String, String> files) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", r.started().toString());
        m.put("quick", r.settings().quick());
        m.put("wall_s", round(r.wallSeconds(), 1));
        m.put("jdk", Runtime.version().toString());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("openssl", r.openssl());
        m.put("load_average_before", round(r.loadBefore(), 2));
        m.put("load_average_after", round(r.loadAfter(), 2));
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("handshake_slice_ms", r.settings().slice().toMillis());
        w.put("handshake_slices", r.settings().slices());
        w.put("record_window_ms", r.settings().recordWindow().toMillis());
        w.put("openssl_speed_seconds", r.settings().speedSeconds());
        w.put("openssl_speed_parallel", r.settings().speedParallel());
        m.put("windows", w);
        m.put("ratio", "ours against OpenSSL as speed: above 1 ours is faster; for ns per record openssl/ours, else ours/openssl");
        List<Object> rows = new ArrayList<>();
        for (Row row : r.rows()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("suite", row.suite().name());
            o.put("id", String.format(Locale.ROOT, "0x%04X", row.suite().id()));
            o.put("protocol", row.protocol().toLowerCase(Locale.ROOT));
            o.put("openssl_name", row.suite().opensslName().orElse(null));
            o.put("full_handshakes_per_s", figure(row.full()));
            o.put("resumed_handshakes_per_s", figure(row.resumed()));
            o.put("record_64_ns", figure(row.record64()));
            o.put("record_512_ns", figure(row.record512()));
            o.put("bulk_16k_mb_per_s", figure(row.bulk()));
            o.put("openssl_record_baseline", row.baseline());
            if (!row.notes().isEmpty()) {
                o.put("notes", row.notes());
            }
            rows.add(o);
        }
        m.put("rows", rows);
        SuiteBench.ClassOne c = r.classOne();
        Map<String, Object> co = new LinkedHashMap<>();
        co.put("suite", c.suite());
        co.put("payload_bytes", c.payload());
        co.put("frame_bytes", c.frameBytes());
        co.put("dtls_per_s", Math.round(c.dtlsPerSecond()));
        co.put("plain_udp_per_s", Math.round(c.plainPerSecond()));
        co.put("ratio", round(c.ratio(), 3));
        m.put("class1_dtls_one_core", co);
        SuiteBench.Lateness l = r.lateness();
        ArrivalLateness.Sample s = l.sample();
        Map<String, Object> lo = new LinkedHashMap<>();
        lo.put("connections", s.connections());
        lo.put("rpi_ms", s.rpi().toMillis());
        lo.put("payload_bytes", l.payload());
        lo.put("packets", s.nanos().length);
        lo.put("to_received_per_s", Math.round(l.toPerSecond()));
        lo.put("timeouts", l.timeouts());
        lo.put("p50_us", round(s.percentile(0.5) / 1e3, 1));
        lo.put("p99_us", round(s.percentile(0.99) / 1e3, 1));
        lo.put("max_us", round(s.max() / 1e3, 1));
        long bin = s.binNanos();
        lo.put("bin_us", bin / 1e3);
        List<Object> bins = new ArrayList<>();
        for (long[] b : s.histogram(bin)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("from_us", b[0] / 1e3);
            e.put("to_us", b[1] / 1e3);
            e.put("count", b[2]);
            bins.add(e);
        }
        lo.put("histogram", bins);
        lo.put("adapter_scheduler", schedulerJson(l.adapter()));
        lo.put("scanner_scheduler", schedulerJson(l.scanner()));
        m.put("io_lateness", lo);
        m.put("files", files);
        return m;
    }

    private static Map<String, Object> schedulerJson(LatenessStats l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runs", l.runs());
        m.put("p50_us", l.p50Nanos() / 1e3);
        m.put("p99_us", l.p99Nanos() / 1e3);
        m.put("max_us", l.maxNanos() / 1e3);
        return m;
    }

    private static Map<String, Object> figure(Figure f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ours", f.ours() == null ? null : round(f.ours(), 1));
        if (f.oursNa() != null) {
            m.put("ours_na", f.oursNa());
        }
        m.put("openssl", f.openssl() == null ? null : round(f.openssl(), 1));
        if (f.opensslNa() != null) {
            m.put("openssl_na", f.opensslNa());
        }
        m.put("ratio", f.ratio() == null ? null : round(f.ratio(), 3));
        return m;
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    // ------------------------------------------------------------------ files

    /** Writes the table, the JSON, the charts and the page into {@code dir}; returns the files by role. */
    Map<String, Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String table = table();
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("table", dir.resolve(TABLE));
        files.putAll(BenchCharts.draw(r, dir));
        files.put("html", dir.resolve(HTML));
        files.put("json", dir.resolve(JSON));
        Map<String, String> names = new LinkedHashMap<>();
        files.forEach((k, p) -> names.put(k, p.getFileName().toString()));
        Files.writeString(files.get("table"), table, StandardCharsets.UTF_8);
        Files.writeString(files.get("json"), JsonOut.write(json(names)) + "\n", StandardCharsets.UTF_8);
        Files.writeString(files.get("html"), html(table, files), StandardCharsets.UTF_8);
        return files;
    }

    private String html(String table, Map<String, Path> files) {
        Function<String, String> esc = s -> s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>cipsec bench ")
                .append(esc.apply(r.started().toString())).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}pre{font-size:12px;background:#f6f6f6;padding:1em;"
                        + "overflow-x:auto}img{max-width:100%;border:1px solid #ddd;margin:1em 0}</style>\n</head>\n<body>\n")
                .append("<h1>cipsec bench</h1>\n<p>Our stack against OpenSSL, measured in the same run. Figures as JSON: "
                        + "<a href=\"").append(JSON).append("\">").append(JSON).append("</a>.</p>\n");
        for (Map.Entry<String, String> chart : BenchCharts.CAPTIONS.entrySet()) {
            Path p = files.get(chart.getKey());
            if (p != null) {
                String name = esc.apply(p.getFileName().toString());
                sb.append("<h2>").append(esc.apply(chart.getValue())).append("</h2>\n<img src=\"").append(name)
                        .append("\" alt=\"").append(esc.apply(chart.getValue())).append("\">\n");
            }
        }
        sb.append("<h2>Table</h2>\n<pre>").append(esc.apply(table)).append("</pre>\n</body>\n</html>\n");
        return sb.toString();
    }
}
