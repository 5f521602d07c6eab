package dev.cipsec.cli.bench;

import dev.cipsec.cli.Main;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cipsec bench io} with a handful of connections for a fraction of a second: it asserts only
 * that every part ran and printed sane figures, never how fast anything was.
 */
class IoBenchCommandTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void tableHasEveryScenarioWithTrafficBothWaysAndTheBaseline() {
        Run r = run("bench", "io", "--connections", "3", "--rpi", "5ms", "--duration", "400ms", "--warmup", "100ms",
                "--jit-warmup", "200ms");

        assertThat(r.code()).as(r.err()).isZero();
        // Two cyclic rows (the named scenarios with the overrides), then the throughput row.
        Matcher row = Pattern.compile("(?m)^(3x5ms|throughput)\\s+(\\d+)\\s+\\S+\\s+x\\d+\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+) \\|").matcher(r.out());
        int rows = 0;
        while (row.find()) {
            rows++;
            assertThat(number(row.group(4))).as("T->O received/s in %s", row.group()).isPositive();
            assertThat(number(row.group(5))).as("O->T received/s in %s", row.group()).isPositive();
        }
        assertThat(rows).as(r.out()).isEqualTo(3);
        Matcher ratio = Pattern.compile("ratio \\(sent/s\\)\\s+(\\d+\\.\\d+)").matcher(r.out());
        assertThat(ratio.find()).as(r.out()).isTrue();
        assertThat(Double.parseDouble(ratio.group(1))).isPositive();
        assertThat(r.out()).contains("plain: DatagramSocket.send").contains("load average")
                .contains("after a 0.2 s JIT warm-up run");
        // 5 ms: the scanner's default multiplier reaches 100 ms at x32.
        assertThat(r.out()).containsPattern("(?m)^3x5ms\\s+3\\s+5ms\\s+x32 ");
    }

    @Test
    void jsonSummaryCarriesTheMeasuredFigures() {
        Run r = run("bench", "io", "--scenario", "64x1ms", "--connections", "2", "--rpi", "2ms", "--duration", "300ms",
                "--warmup", "100ms", "--jit-warmup", "0", "--multiplier", "1", "--json");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("{").contains("\"name\": \"2x2ms\"").contains("\"connections\": 2")
                .contains("\"rpi_us\": 2000").contains("\"timeout_multiplier\": 8").contains("\"jit_warmup_s\": 0.0")
                .contains("\"early_runs\": ").doesNotContain("\"throughput\"");
        Matcher rx = Pattern.compile("\"to_received_per_s\": (\\d+)").matcher(r.out());
        assertThat(rx.find()).isTrue();
        assertThat(Long.parseLong(rx.group(1))).isPositive();
        Matcher runs = Pattern.compile("\"runs\": (\\d+)").matcher(r.out());
        assertThat(runs.find()).isTrue();
        assertThat(Long.parseLong(runs.group(1))).isPositive();
    }

    @Test
    void unknownScenarioIsAUsageError() {
        Run r = run("bench", "io", "--scenario", "fast");

        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--scenario");
    }

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }
}
