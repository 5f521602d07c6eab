package dev.cipsec.cli.bench;

import dev.cipsec.cli.Main;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
    void dtlsCyclicRowsCarryTrafficAndTheDevicesSessions() {
        Run r = run("bench", "io", "--transport", "dtls", "--scenario", "64x1ms", "--connections", "4", "--rpi", "5ms",
                "--duration", "1s", "--warmup", "200ms", "--jit-warmup", "0");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("loopback DTLS 1.2 (ECDHE-PSK AES128-GCM, one session per connection)");
        Matcher row = Pattern.compile("(?m)^4x5ms/dtls\\s+4\\s+5ms\\s+x\\d+\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+) \\|").matcher(r.out());
        assertThat(row.find()).as(r.out()).isTrue();
        assertThat(number(row.group(2))).as("T->O received/s").isPositive();
        assertThat(number(row.group(3))).as("O->T received/s").isPositive();
        assertThat(r.out()).containsPattern("device DTLS in the window: 4 sessions \\(1 connection each\\)");
    }

    @Test
    void bundledDtlsSessionsAndBothTransportsInJson() {
        Run r = run("bench", "io", "--transport", "both", "--scenario", "64x1ms", "--connections", "4", "--rpi", "5ms",
                "--dtls-bundle", "2", "--duration", "500ms", "--warmup", "200ms", "--jit-warmup", "0", "--json");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"transport\": \"both\"").contains("\"transport\": \"udp\"")
                .contains("\"transport\": \"dtls\"").contains("\"sessions\": 2").contains("\"connections_per_session\": 2");
        Matcher rx = Pattern.compile("\"to_received_per_s\": (\\d+)").matcher(r.out());
        int scenarios = 0;
        while (rx.find()) {
            scenarios++;
            assertThat(Long.parseLong(rx.group(1))).as(r.out()).isPositive();
        }
        assertThat(scenarios).as("one per transport").isEqualTo(2);
    }

    @Test
    void dtlsThroughputIsComparedWithUdpInTheSameRun() {
        Run r = run("bench", "io", "--transport", "dtls", "--scenario", "throughput", "--connections", "4", "--size", "64",
                "--duration", "500ms", "--warmup", "200ms", "--jit-warmup", "0", "--json");

        assertThat(r.code()).as(r.err()).isZero();
        Matcher dtls = Pattern.compile("\"dtls_produced_per_s\": (\\d+)").matcher(r.out());
        Matcher udp = Pattern.compile("\"udp_produced_per_s\": (\\d+)").matcher(r.out());
        Matcher ratio = Pattern.compile("\"ratio_dtls_udp\": (\\d+\\.\\d+)").matcher(r.out());
        assertThat(dtls.find() && udp.find() && ratio.find()).as(r.out()).isTrue();
        assertThat(Long.parseLong(dtls.group(1))).isPositive();
        assertThat(Long.parseLong(udp.group(1))).isPositive();
        assertThat(Double.parseDouble(ratio.group(1))).isPositive();
        // 64 B of data: an 84-byte class 1 frame, 121 bytes with the GCM record around it.
        assertThat(r.out()).contains("\"frame_bytes\": 84").contains("\"dtls_record_bytes\": 121")
                .contains("\"plain_sent_per_s\": ");
        // One core, each end on its own send path, against the plain loop, all to a receiver that only counts.
        for (String end : new String[] {"adapter", "scanner"}) {
            Matcher oneCore = Pattern.compile("\"dtls_one_core_" + end + "_sent_per_s\": (\\d+)").matcher(r.out());
            Matcher oneCoreRatio = Pattern.compile("\"ratio_dtls_one_core_" + end + "\": (\\d+\\.\\d+)").matcher(r.out());
            assertThat(oneCore.find() && oneCoreRatio.find()).as(end + ": " + r.out()).isTrue();
            assertThat(Long.parseLong(oneCore.group(1))).as(end).isPositive();
            assertThat(Double.parseDouble(oneCoreRatio.group(1))).as(end).isPositive();
            // The same two rates as microseconds per datagram: plain + added = 1e6 / protected rate.
            Matcher added = Pattern.compile("\"dtls_one_core_" + end + "_added_us\": (-?\\d+\\.?\\d*)").matcher(r.out());
            Matcher plainUs = Pattern.compile("\"plain_us_per_datagram\": (\\d+\\.?\\d*)").matcher(r.out());
            assertThat(added.find() && plainUs.find()).as(end + ": " + r.out()).isTrue();
            assertThat(Double.parseDouble(plainUs.group(1)) + Double.parseDouble(added.group(1)))
                    .as(end).isCloseTo(1e6 / Long.parseLong(oneCore.group(1)), within(0.02));
        }
    }

    @Test
    void aFloodIsMeasuredAgainstTheUnloadedRunAndReachesTheDevice() {
        Run r = run("bench", "io", "--transport", "dtls", "--scenario", "64x1ms", "--connections", "2", "--rpi", "5ms",
                "--flood", "200", "--duration", "1s", "--warmup", "200ms", "--jit-warmup", "0");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^2x5ms/dtls\\s").containsPattern("(?m)^2x5ms/dtls\\+flood\\s")
                .contains("p99 lateness unloaded -> flooded: adapter");
        Matcher counters = Pattern.compile("cookies sent ([\\d,]+), cookie-less hellos dropped ([\\d,]+)").matcher(r.out());
        assertThat(counters.find()).as(r.out()).isTrue();
        assertThat(number(counters.group(1))).as("no flood in the unloaded window").isZero();
        assertThat(counters.find()).as(r.out()).isTrue();
        assertThat(number(counters.group(1))).as("the flood reached the device").isPositive();
        assertThat(number(counters.group(2))).isPositive();
        Matcher sent = Pattern.compile("flood in the window: ([\\d,]+) ClientHellos").matcher(r.out());
        assertThat(sent.find()).as(r.out()).isTrue();
        assertThat(number(sent.group(1))).isPositive();
    }

    @Test
    void floodWithoutDtlsIsAUsageError() {
        Run r = run("bench", "io", "--flood", "500");

        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--flood");
    }

    @Test
    void floodWithoutACyclicScenarioIsAUsageError() {
        Run r = run("bench", "io", "--transport", "dtls", "--scenario", "throughput", "--flood", "500");

        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--flood applies to the cyclic scenarios");
    }

    @Test
    void theCapturedClientHelloIsACookielessDtls12HelloRecord() {
        byte[] hello = HelloFlood.captureClientHello(IoLoopbackBench.DTLS_POLICY);

        // Record: handshake (22), epoch 0; its version may be DTLS 1.0 (0xFEFF, RFC 6347 4.1 allows it
        // before the version is agreed); handshake type 1 (ClientHello).
        assertThat(hello[0]).isEqualTo((byte) 22);
        assertThat(((hello[1] & 0xFF) << 8) | (hello[2] & 0xFF)).isIn(0xFEFF, 0xFEFD);
        assertThat(hello[3] | hello[4]).isZero();
        assertThat(((hello[11] & 0xFF) << 8) | (hello[12] & 0xFF)).as("record length").isEqualTo(hello.length - 13);
        assertThat(hello[13]).isEqualTo((byte) 1);
        // Body: client_version DTLS 1.2, random (32), session id (length + bytes), then the cookie: empty.
        int body = 13 + 12;
        assertThat(((hello[body] & 0xFF) << 8) | (hello[body + 1] & 0xFF)).as("client_version").isEqualTo(0xFEFD);
        int sessionIdLength = hello[body + 34] & 0xFF;
        assertThat(hello[body + 35 + sessionIdLength]).as("cookie length").isZero();
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
