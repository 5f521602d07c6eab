package dev.cipsec.scanner.io;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cm.ExtendedStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our scanner against our adapter on loopback: class 1 data both ways. */
class ScannerAdapterIoTest {
    private CipDevice device;
    private CipClient client;
    private IoRuntime runtime;

    @BeforeEach
    void setUp() throws IOException {
        device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts());
        client = CipClient.connect(new Target("127.0.0.1", device.tcpAddress().getPort(), false), ClientOptions.defaults());
        runtime = IoRuntime.create("e2e-io");
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        client.close();
        device.close();
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + 7 * i);
        }
        return b;
    }

    @Test
    void exclusiveOwnerMovesDataBothWays() throws Exception {
        byte[] input = pattern(32, 1);
        device.assembly(100).write(Bytes.of(input));
        AtomicReference<byte[]> lastCallback = new AtomicReference<>();
        IoConnection c = runtime.open(client, IoSettings.builder().rpi(Duration.ofMillis(10)).localPort(0).timeoutMultiplier(3).build(),
                (buf, off, len) -> lastCallback.set(Arrays.copyOfRange(buf, off, off + len)), null);
        byte[] output = pattern(32, 50);
        c.setOutput(output);
        await(() -> Arrays.equals(device.assembly(150).data().toArray(), output), "O->T data in output assembly 150");
        await(() -> c.latestInput().map(v -> Arrays.equals(v, input)).orElse(false), "T->O data from input assembly 100");
        // The handler runs just after the latest input is stored: wait for it rather than race it.
        await(() -> Arrays.equals(lastCallback.get(), input), "the input handler called with that data");
        assertThat(device.ioConnectionCount()).isEqualTo(1);

        byte[] changed = pattern(32, 99);
        device.assembly(100).write(Bytes.of(changed));
        await(() -> Arrays.equals(lastCallback.get(), changed), "changed input");

        IoStats s = c.stats();
        assertThat(s.sent()).isPositive();
        assertThat(s.received()).isPositive();
        assertThat(s.droppedStale() + s.droppedWrongPeer() + s.droppedSize()).isZero();
        c.close();
        await(() -> device.ioConnectionCount() == 0, "adapter closed the connection on Forward_Close");
    }

    @Test
    void inputOnlyReceivesInputs() throws Exception {
        byte[] input = pattern(32, 3);
        device.assembly(100).write(Bytes.of(input));
        try (IoConnection c = runtime.open(client, IoSettings.builder().inputOnly(152).rpi(Duration.ofMillis(10))
                .localPort(0).timeoutMultiplier(3).build(), null, null)) {
            await(() -> c.latestInput().map(v -> Arrays.equals(v, input)).orElse(false), "T->O data");
            assertThat(c.timedOut()).isFalse();
        }
    }

    @Test
    void secondExclusiveOwnerIsRefusedWithOwnershipConflict() throws Exception {
        IoSettings s = IoSettings.builder().localPort(0).build();
        try (IoConnection first = runtime.open(client, s, null, null)) {
            assertThat(first.isOpen()).isTrue();
            assertThatThrownBy(() -> runtime.open(client, s, null, null))
                    .isInstanceOfSatisfying(ForwardOpenRefusedException.class,
                            e -> assertThat(e.extendedStatus()).isEqualTo(ExtendedStatus.OWNERSHIP_CONFLICT));
        }
    }

    @Test
    void wrongSizeIsRefusedWithTheCorrectSize() {
        assertThatThrownBy(() -> runtime.open(client, IoSettings.builder().otSize(16).localPort(0).build(), null, null))
                .isInstanceOfSatisfying(ForwardOpenRefusedException.class, e -> {
                    assertThat(e.extendedStatus()).isEqualTo(ExtendedStatus.INVALID_OT_SIZE);
                    assertThat(e.correctSize()).hasValue(38);
                });
    }
}
