package dev.cipsec.cli.bench;

import dev.cipsec.cli.JsonOut;
import dev.cipsec.transport.tls.CipherSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cipsec bench}: without a subcommand, the per-suite report (every CIP Security suite over TLS
 * and DTLS, ours against OpenSSL in the same run, plus the class 1 rate and an I/O lateness sample)
 * as a table, {@code report.json}, PNG charts and {@code index.html}; {@code bench io} and
 * {@code bench est} are the focused benchmarks.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Per CIP Security suite, over TLS and DTLS: handshake rates, record protection cost and bulk",
                "throughput of our stack against OpenSSL in the same run; class 1 rate over DTLS on one core; an I/O",
                "lateness sample. Writes a table, JSON, PNG charts and index.html to --out (see docs/bench.md).",
                "Subcommands: focused benchmarks of our adapter, scanner and EST server."},
        subcommands = {IoBenchCommand.class, EstBenchCommand.class})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Short windows (under a minute on 2 cores), every suite still measured.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cipsec-bench-report",
            description = "Directory for report.json, report.txt, the PNG charts and index.html (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--suites", paramLabel = "LIST", split = ",",
            description = "Suites to measure, by IANA name, OpenSSL name or id (C02B), comma-separated (default: all 13).")
    List<String> suites;

    @Option(names = "--tls-only", description = "TLS only.")
    boolean tlsOnly;

    @Option(names = "--dtls-only", description = "DTLS only.")
    boolean dtlsOnly;

    @Option(names = "--json", description = "Print report.json instead of the table (the files are written either way).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (tlsOnly && dtlsOnly) {
            throw new IllegalArgumentException("--tls-only and --dtls-only exclude each other");
        }
        List<CipherSuite> chosen = new ArrayList<>();
        if (suites == null) {
            chosen.addAll(List.of(CipherSuite.values()));
        } else {
            for (String s : suites) {
                CipherSuite c = CipherSuite.parse(s);
                if (!chosen.contains(c)) {
                    chosen.add(c);
                }
            }
        }
        SuiteBench.Settings settings = quick ? SuiteBench.Settings.quick(chosen, !dtlsOnly, !tlsOnly)
                : SuiteBench.Settings.full(chosen, !dtlsOnly, !tlsOnly);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        progress.printf(Locale.ROOT, "cipsec bench%s: %d suites, %s; measuring (%s)...%n", quick ? " --quick" : "",
                chosen.size(), !dtlsOnly && !tlsOnly ? "TLS and DTLS" : tlsOnly ? "TLS" : "DTLS",
                quick ? "under a minute" : "a few minutes");
        progress.flush();
        SuiteBench.Result result = SuiteBench.run(settings, progress);
        BenchReport report = new BenchReport(result);
        Map<String, Path> files = report.write(out);
        if (json) {
            Map<String, String> names = new LinkedHashMap<>();
            files.forEach((k, p) -> names.put(k, p.getFileName().toString()));
            stdout.println(JsonOut.write(report.json(names)));
        } else {
            stdout.print(report.table());
            stdout.println();
            for (Map.Entry<String, Path> f : files.entrySet()) {
                stdout.printf(Locale.ROOT, "%-19s %s%n", f.getKey(), f.getValue().toAbsolutePath().normalize());
            }
            stdout.printf(Locale.ROOT, "%s run took %.1f min (%.0f s)%n", quick ? "quick" : "full",
                    result.wallSeconds() / 60, result.wallSeconds());
        }
        stdout.flush();
        return 0;
    }
}
