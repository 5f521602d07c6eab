package dev.cipsec.cli.bench;

import dev.cipsec.cli.Main;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cipsec bench est} for a second with two client counts: every row has figures, nothing about speed. */
class EstBenchCommandTest {
    @Test
    void printsARowPerClientCount() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), "bench", "est", "--clients", "1,2",
                "--seconds", "1", "--warmup", "0");
        assertThat(code).as(err.toString()).isZero();
        Matcher row = Pattern.compile("(?m)^\\s+(\\d+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+\\d+%$").matcher(out.toString());
        int rows = 0;
        while (row.find()) {
            rows++;
            assertThat(Double.parseDouble(row.group(2))).as(row.group()).isPositive();
            assertThat(Double.parseDouble(row.group(3))).as(row.group()).isPositive();
        }
        assertThat(rows).as(out.toString()).isEqualTo(2);
    }

    @Test
    void refusesNonsense() {
        StringWriter err = new StringWriter();
        assertThat(Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "bench", "est", "--clients", "0"))
                .isEqualTo(Main.USAGE);
    }
}
