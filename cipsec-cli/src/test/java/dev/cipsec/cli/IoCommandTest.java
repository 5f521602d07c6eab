package dev.cipsec.cli;

import dev.cipsec.adapter.config.Json;
import dev.cipsec.scanner.io.FakeIoTarget;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.ForwardOpenFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code cipsec io} against the scanner tests' fake I/O target. */
class IoCommandTest {
    private FakeIoTarget target;

    @BeforeEach
    void start() throws IOException {
        target = new FakeIoTarget();
    }

    @AfterEach
    void stop() throws IOException {
        target.close();
    }

    private String address() {
        return "127.0.0.1:" + target.target().port();
    }

    private static MainTest.Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new MainTest.Run(exit, out.toString(), err.toString());
    }

    @Test
    void jsonSummaryCountsBothDirectionsAndClosesTheConnection() {
        target.echoSize = 4;
        MainTest.Run r = run("io", address(), "--rpi", "10ms", "--in", "4", "--out", "8", "--duration", "400ms",
                "--local-port", "0", "--multiplier", "4", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.OK);
        Map<String, Object> json = r.json();
        assertThat(json).containsEntry("application_type", "exclusive_owner").containsEntry("timed_out", false)
                .containsEntry("ot_size", 14L).containsEntry("to_size", 6L).containsEntry("ot_api_us", 10000L);
        assertThat((Long) json.get("sent")).isGreaterThan(10);
        assertThat((Long) json.get("received")).isGreaterThan(10);
        assertThat((Long) json.get("delivered")).isEqualTo(json.get("received"));
        assertThat(json.get("latest_input")).isNotNull();
        assertThat(r.err()).isEmpty();
        assertThat(target.closes).hasSize(1);
        assertThat(target.opens.get(0).request().otParameters().connectionSize()).isEqualTo(14);
    }

    @Test
    void liveStatusLinesThenASummaryLine() {
        target.echoSize = 32;
        MainTest.Run r = run("io", address(), "--rpi", "20ms", "--duration", "2.2s", "--local-port", "0", "--multiplier", "4");
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.OK);
        assertThat(r.err().lines().filter(l -> l.contains(" out ") && l.contains(" in ")).count()).isGreaterThanOrEqualTo(2);
        assertThat(r.out()).contains("out ").contains("lost 0").endsWith("closed" + System.lineSeparator());
    }

    @Test
    void inputOnlyUsesTheHeartbeatPoint() {
        target.echoSize = 32;
        MainTest.Run r = run("io", address(), "--input-only", "--duration", "100ms", "--local-port", "0", "--multiplier", "4", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.OK);
        assertThat(r.json()).containsEntry("application_type", "input_only").containsEntry("ot_size", 6L);
        assertThat(target.opens.get(0).request().connectionPath().toBytes().toHex()).contains("2c98");
    }

    @Test
    void silenceIsATimeoutWithExitCode3() throws Exception {
        // A few T->O packets end the initial 10 s watchdog; the silence after them is the timeout.
        // Several, for 100 ms: the first may arrive before the scanner has registered the
        // connection (the fake target sees the Forward_Open before the scanner reads the reply).
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ScheduledExecutorService once = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        once.scheduleWithFixedDelay(() -> {
            if (!target.opens.isEmpty()) {
                int n = sent.incrementAndGet();
                try {
                    target.sendToO(target.opens.get(0).request().toConnectionId(), n, n, new byte[32]);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                if (n == 20) {
                    throw new IllegalStateException("sent enough");   // ends the schedule
                }
            }
        }, 5, 5, java.util.concurrent.TimeUnit.MILLISECONDS);
        MainTest.Run r;
        try {
            r = run("io", address(), "--rpi", "10ms", "--duration", "5s", "--local-port", "0", "--json");
        } finally {
            once.shutdownNow();
        }
        assertThat(r.exit()).isEqualTo(Main.IO);
        assertThat(r.json()).containsEntry("timed_out", true);
        assertThat(r.err()).contains("timed out");
    }

    @Test
    void refusalNamesTheExtendedStatus() {
        target.onForwardOpen = fo -> ForwardOpenFailure.of(fo.triad(), 0, ExtendedStatus.OWNERSHIP_CONFLICT)
                .toResponse(fo.service());
        MainTest.Run r = run("io", address(), "--local-port", "0");
        assertThat(r.exit()).isEqualTo(Main.REFUSED);
        assertThat(r.err()).contains("0x0106 ownership conflict");
    }

    @Test
    void usageErrors() {
        assertThat(run("io", address(), "--input-only", "--listen-only").exit()).isEqualTo(Main.USAGE);
        assertThat(run("io", address(), "--rpi", "fast").exit()).isEqualTo(Main.USAGE);
        assertThat(target.opens).isEmpty();
    }

    @Test
    void durations() {
        assertThat(IoCommand.parseDuration("10ms", "--rpi")).isEqualTo(Duration.ofMillis(10));
        assertThat(IoCommand.parseDuration("500us", "--rpi")).isEqualTo(Duration.ofNanos(500_000));
        assertThat(IoCommand.parseDuration("1.5s", "--rpi")).isEqualTo(Duration.ofMillis(1500));
        assertThat(IoCommand.parseDuration("2m", "--duration")).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> IoCommand.parseDuration("0us", "--rpi")).isInstanceOf(IllegalArgumentException.class);
    }
}
