package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.io.IoConnectionInfo;
import dev.cipsec.adapter.io.IoListener;
import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cipsec io} end to end against our adapter: --output reaches the output assembly, --idle does not. */
class IoCommandDeviceTest {
    private CipDevice device;
    private final List<Boolean> runIdle = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts());
        device.addIoListener(new IoListener() {
            @Override
            public void runIdleChanged(IoConnectionInfo connection, boolean run) {
                runIdle.add(run);
            }
        });
    }

    @AfterEach
    void stop() {
        device.close();
    }

    private MainTest.Run io(String... extra) {
        String[] base = {"io", "127.0.0.1:" + device.tcpAddress().getPort(), "--rpi", "10ms", "--duration", "300ms",
                "--local-port", "0", "--multiplier", "4", "--json"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new MainTest.Run(exit, out.toString(), err.toString());
    }

    private static byte[] pattern(int seed) {
        byte[] b = new byte[32];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed + 5 * i);
        }
        return b;
    }

    @Test
    void outputBytesReachTheOutputAssemblyAndTheSummaryReportsTheExchange() {
        byte[] output = pattern(3);
        byte[] input = pattern(90);
        device.assembly(100).write(Bytes.of(input));
        String hex = HexFormat.of().formatHex(output);
        // Colons and spaces are accepted between bytes.
        String spaced = hex.substring(0, 2) + ":" + hex.substring(2, 4) + " " + hex.substring(4);
        MainTest.Run r = io("--output", spaced, "--run");
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.OK);
        assertThat(device.assembly(150).data().toArray()).isEqualTo(output);
        Map<String, Object> json = r.json();
        assertThat(json).containsEntry("application_type", "exclusive_owner").containsEntry("run", true)
                .containsEntry("output", hex).containsEntry("ot_size", 38L).containsEntry("to_size", 34L)
                .containsEntry("ot_api_us", 10000L).containsEntry("to_api_us", 10000L).containsEntry("timed_out", false)
                .containsEntry("latest_input", HexFormat.of().formatHex(input));
        assertThat((Long) json.get("sent")).isGreaterThanOrEqualTo(10);
        assertThat((Long) json.get("received")).isGreaterThanOrEqualTo(10);
        assertThat((Long) json.get("lost")).isZero();
        assertThat(runIdle).containsExactly(true);
        assertThat(device.ioConnectionCount()).isZero();
    }

    @Test
    void idleLeavesTheOutputAssemblyAlone() {
        byte[] before = pattern(60);
        device.assembly(150).write(Bytes.of(before));
        byte[] output = pattern(7);
        MainTest.Run r = io("--output", HexFormat.of().formatHex(output), "--idle");
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.OK);
        assertThat(r.json()).containsEntry("run", false).containsEntry("output", HexFormat.of().formatHex(output));
        assertThat(runIdle).isNotEmpty().last().isEqualTo(false);
        assertThat(device.assembly(150).data().toArray()).isNotEqualTo(output);
    }

    @Test
    void outputOfTheWrongLengthIsAUsageError() {
        MainTest.Run r = io("--output", "0102");
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--output is 2 bytes but --out is 32");
        assertThat(device.ioConnectionCount()).isZero();
    }

    @Test
    void badHexRunWithIdleAndOutputWithoutOutputsAreUsageErrors() {
        assertThat(io("--output", "zz").exit()).isEqualTo(Main.USAGE);
        assertThat(io("--run", "--idle").exit()).isEqualTo(Main.USAGE);
        MainTest.Run r = io("--input-only", "--output", "00");
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--output needs an exclusive owner");
    }
}
