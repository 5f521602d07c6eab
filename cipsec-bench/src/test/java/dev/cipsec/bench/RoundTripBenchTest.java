package dev.cipsec.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the harness for well under a second: a smoke test of its plumbing, not a measurement. */
class RoundTripBenchTest {

    @Test
    void tinyRunPrintsNonZeroFigures() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        RoundTripBench.Result r = RoundTripBench.run(new RoundTripBench.Options(200, 20, Duration.ofMillis(200), 2),
                new PrintStream(text, true, StandardCharsets.UTF_8));

        // GAS 1/1/7 request: 24 header + 16 CPF + 8 MR request; the reply carries the product name.
        assertThat(r.requestBytes()).isEqualTo(48);
        assertThat(r.replyBytes()).isEqualTo(24 + 16 + 4 + 1 + "cipsec adapter".length());
        assertThat(r.echo().p50()).isPositive();
        assertThat(r.ours().p50()).isPositive();
        assertThat(r.ours().p999()).isGreaterThanOrEqualTo(r.ours().p99()).isGreaterThanOrEqualTo(r.ours().p50());
        assertThat(r.echoPerSecond()).isPositive();
        assertThat(r.oursPerSecond()).isPositive();
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("p99.9", "raw echo", "cipsec", "ratio", "cores");
    }

    @Test
    void optionsParse() {
        RoundTripBench.Options o = RoundTripBench.Options.parse("--iterations", "10", "--warmup", "0",
                "--duration", "300ms", "--sessions", "3");
        assertThat(o).isEqualTo(new RoundTripBench.Options(10, 0, Duration.ofMillis(300), 3));
        assertThat(RoundTripBench.Options.parseDuration("1.5")).isEqualTo(Duration.ofMillis(1500));
        assertThat(RoundTripBench.Options.parseDuration("2s")).isEqualTo(Duration.ofSeconds(2));
    }
}
