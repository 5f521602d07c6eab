package dev.cipsec.adapter.interop;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.config.Json;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.wire.testkit.NodePeer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** st-ethernet-ip (npm), a third-party Node.js scanner, against our adapter. */
class StEthernetIpInteropTest {

    @Test
    void browserDiscoversOurDeviceByBroadcast() throws Exception {
        // Its Browser broadcasts ListIdentity to 255.255.255.255:44818, so the device listens on the
        // wildcard address and the well-known port (UDP only; TCP stays on an ephemeral port).
        DeviceIdentity id = DeviceIdentity.of(0x0123, 0x0C, 4242, 3, 7, 0x5EC0_0001L, "st-ethernet-ip peer test");
        DeviceProfile profile = DeviceProfile.defaults().withIdentity(id)
                .withBinding(InetAddress.getByName("0.0.0.0"), 0, DeviceProfile.DEFAULT_PORT);
        try (CipDevice device = CipDevice.start(profile)) {
            NodePeer.Result r = NodePeer.run("st-ethernet-ip", 30, "browse.js", Long.toHexString(id.serialNumber()), "10");
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            @SuppressWarnings("unchecked")
            Map<String, Object> found = (Map<String, Object>) Json.parse(r.out().strip());
            assertThat(found).containsEntry("productName", "st-ethernet-ip peer test")
                    .containsEntry("vendorID", 0x0123L)
                    .containsEntry("deviceType", 0x0CL)
                    .containsEntry("productCode", 4242L)
                    .containsEntry("revision", "3.7");
            assertThat(device.stats().udpRequests()).isPositive();
        }
    }

    @Test
    void classOneConnectionFromTheirScannerCarriesDataBothWays() throws Exception {
        // Their scanner connects to TCP 44818 and sends O->T to UDP 2222 of the target, and binds
        // UDP 2222 itself: each side gets its own loopback address so both can use the fixed ports.
        java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
        int b = rnd.nextInt(1, 250);
        InetAddress targetIp = InetAddress.getByName("127.77." + b + ".1");
        InetAddress scannerIp = InetAddress.getByName("127.77." + b + ".2");
        DeviceProfile profile = DeviceProfile.defaults().withBinding(targetIp, DeviceProfile.DEFAULT_PORT, -1);
        try (CipDevice device = CipDevice.start(profile)) {
            byte[] input = new byte[32];
            for (int i = 0; i < input.length; i++) {
                input[i] = (byte) (0xA0 + i);
            }
            device.assembly(100).write(dev.cipsec.wire.buf.Bytes.of(input));
            byte[] output = new byte[32];
            for (int i = 0; i < output.length; i++) {
                output[i] = (byte) (0x10 + i);
            }
            NodePeer.Result r = NodePeer.run("st-ethernet-ip", 60, "io.js", targetIp.getHostAddress(),
                    scannerIp.getHostAddress(), "10", "3", java.util.HexFormat.of().formatHex(output));
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            @SuppressWarnings("unchecked")
            Map<String, Object> res = (Map<String, Object>) Json.parse(r.out().strip());
            assertThat(res).as(r.out()).containsEntry("connected", true);
            // T->O: our input assembly reached their scanner, ~100 packets/s for 3 s.
            assertThat(res.get("inputHex")).isEqualTo(java.util.HexFormat.of().formatHex(input));
            assertThat((Long) res.get("packetsIn")).isGreaterThan(50L);
            // O->T: their outputs reached our output assembly.
            assertThat(device.assembly(150).data().toArray()).isEqualTo(output);
            assertThat((Long) res.get("otConnectionId")).isNotZero();
        }
    }
}
