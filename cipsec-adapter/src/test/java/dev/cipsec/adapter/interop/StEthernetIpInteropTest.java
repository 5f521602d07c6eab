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
}
