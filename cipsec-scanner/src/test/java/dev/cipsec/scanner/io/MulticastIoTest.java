package dev.cipsec.scanner.io;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.io.IoConnectionInfo;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.testkit.Await;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Multicast T->O end to end on loopback: the adapter produces one stream to a group, an exclusive
 * owner and an input-only connection both ask for multicast T->O, share the producer (one T->O
 * connection id chosen by the adapter) and both receive every new input.
 *
 * <p>Loopback carries multicast on Linux although {@code lo} lacks the MULTICAST flag: the adapter's
 * socket is bound to 127.0.0.1, so the kernel routes the group out of {@code lo} (the interface
 * owning the source address) and delivers it to the sockets that joined the group there.
 */
class MulticastIoTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void twoConsumersReceiveTheSameMulticastStream() throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        // A random group per run keeps parallel runs on this host out of each other's streams.
        Inet4Address group = (Inet4Address) InetAddress.getByAddress(new byte[]{(byte) 239, (byte) 192,
                (byte) r.nextInt(256), (byte) (1 + r.nextInt(254))});
        DeviceProfile base = DeviceProfile.defaults().onEphemeralPorts();
        try (CipDevice device = CipDevice.start(base.withIo(base.io().withMulticastAddress(group)));
             CipClient client = CipClient.connect(new Target("127.0.0.1", device.tcpAddress().getPort(), false),
                     ClientOptions.defaults());
             // The adapter multicasts to its own I/O port, so both consumers listen on that port; one
             // runtime (endpoint) each, because they consume the same T->O connection id.
             IoRuntime ownerRuntime = IoRuntime.create("mc-owner");
             IoRuntime inputRuntime = IoRuntime.create("mc-input")) {
            int port = device.ioAddress().getPort();
            IoSettings.Builder common = IoSettings.builder().multicast(true).localPort(port)
                    .rpi(Duration.ofMillis(10)).timeoutMultiplier(3);
            try (IoConnection owner = ownerRuntime.open(client, common.build(), null, null);
                 IoConnection inputOnly = inputRuntime.open(client, common.inputOnly(152).build(), null, null)) {
                InetSocketAddress expectedGroup = new InetSocketAddress(group, port);
                assertThat(owner.multicastGroup()).contains(expectedGroup);
                assertThat(inputOnly.multicastGroup()).contains(expectedGroup);
                assertThat(inputOnly.toConnectionId()).isEqualTo(owner.toConnectionId());
                assertThat(device.io().connections()).hasSize(2)
                        .allSatisfy(info -> assertThat(info.multicast()).isTrue())
                        .extracting(IoConnectionInfo::toDestination).containsOnly(expectedGroup);

                for (int round = 0; round < 3; round++) {
                    byte[] in = IoLiveCaptureTsharkTest.pattern(32, 40 + round);
                    device.assembly(100).write(Bytes.of(in));
                    Await.until(WAIT, () -> owner.latestInput().map(v -> Arrays.equals(v, in)).orElse(false),
                            "exclusive owner got round " + round);
                    Await.until(WAIT, () -> inputOnly.latestInput().map(v -> Arrays.equals(v, in)).orElse(false),
                            "input-only got round " + round);
                }
                byte[] out = IoLiveCaptureTsharkTest.pattern(32, 77);
                owner.setOutput(out);
                Await.until(WAIT, () -> Arrays.equals(device.assembly(150).data().toArray(), out), "O->T data");
                assertThat(owner.isOpen()).isTrue();
                assertThat(inputOnly.isOpen()).isTrue();
                for (IoStats s : new IoStats[]{owner.stats(), inputOnly.stats()}) {
                    assertThat(s.delivered()).isGreaterThanOrEqualTo(3);
                    assertThat(s.droppedWrongPeer() + s.droppedSize()).isZero();
                }
                assertThat(device.io().stats().sendErrors()).isZero();
            }
            Await.until(WAIT, () -> device.ioConnectionCount() == 0, "both connections closed");
        }
    }
}
