package dev.cipsec.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the I/O harness for well under a second: a smoke test of its plumbing, not a measurement. */
class IoBenchTest {

    @Test
    void tinyRunPrintsFigures() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        IoBench.Options options = new IoBench.Options(Duration.ofMillis(200), Duration.ofMillis(50),
                List.of(new IoBench.Scenario(4, Duration.ofMillis(1))), Duration.ofMillis(0));
        IoBench.Result r = IoBench.run(options, new PrintStream(text, true, StandardCharsets.UTF_8));

        assertThat(IoBench.PAYLOAD_BYTES).isEqualTo(30);
        assertThat(r.scenarios()).hasSize(1);
        IoBench.ScenarioResult s = r.scenarios().get(0);
        assertThat(s.sent()).isPositive();
        assertThat(s.perSecond()).isPositive();
        assertThat(s.lateness().runs()).isPositive();
        assertThat(s.lateness().maxNanos()).isGreaterThanOrEqualTo(s.lateness().p99Nanos());
        assertThat(s.totalSent()).isGreaterThanOrEqualTo(s.sent());
        assertThat(s.lost()).isBetween(0L, s.totalSent());
        assertThat(s.sendErrors()).isZero();
        assertThat(r.saturated().perSecond()).isPositive();
        assertThat(r.plainPerSecond()).isPositive();
        assertThat(r.throughputRatio()).isPositive();
        assertThat(text.toString(StandardCharsets.UTF_8))
                .contains("4 x RPI 1 ms", "packets/s", "p99 us", "plain", "ratio", "cores");
    }

    @Test
    void optionsParse() {
        IoBench.Options o = IoBench.Options.parse("--duration", "600", "--warmup", "300ms",
                "--scenarios", "64x1ms, 8x500us", "--spin", "50");
        assertThat(o).isEqualTo(new IoBench.Options(Duration.ofMinutes(10), Duration.ofMillis(300),
                List.of(new IoBench.Scenario(64, Duration.ofMillis(1)), new IoBench.Scenario(8, Duration.ofNanos(500_000))),
                Duration.ofNanos(50_000)));
        assertThat(IoBench.Options.defaults().scenarios()).extracting(Object::toString)
                .containsExactly("64 x RPI 1 ms", "1000 x RPI 10 ms");
    }
}
