package dev.cipsec.scanner;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.CipSecurityItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DiscoveryTest {

    @Test
    void unicastListIdentityToOurDevice() throws IOException {
        try (CipDevice device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts())) {
            DeviceIdentity id = device.profile().identity();
            // Max Response Delay 1 ms: the device may answer at once, so the wait is only an upper bound.
            List<ListIdentityResult> found = Discovery.listIdentity(List.of(device.udpAddress()), Duration.ofMillis(1500), 1);
            assertThat(found).hasSize(1);
            ListIdentityResult r = found.get(0);
            assertThat(r.conforming()).as("%s", r.nonConformities()).isTrue();
            assertThat(r.source()).isEqualTo("127.0.0.1:" + device.udpAddress().getPort());
            assertThat(r.cipSecurityCapable()).isFalse();
            CipIdentityItem item = r.identity().orElseThrow();
            assertThat(item.vendorId()).isEqualTo(id.vendorId());
            assertThat(item.deviceType()).isEqualTo(id.deviceType());
            assertThat(item.productCode()).isEqualTo(id.productCode());
            assertThat(item.serialNumber()).isEqualTo(id.serialNumber());
            assertThat(item.productName()).isEqualTo(id.productName());
            assertThat(item.encapsulationVersion()).isEqualTo(1);
            assertThat(device.stats().udpRequests()).isEqualTo(1);
        }
    }

    @Test
    void defectiveOpenerCipSecurityReplyIsReportedNotDropped() throws Exception {
        byte[] reply = Fixtures.frame("opener-cs-listidentity.hex", 2).payload();
        try (UdpReplayer peer = new UdpReplayer(reply)) {
            List<ListIdentityResult> found = Discovery.listIdentity(List.of(peer.address()), Duration.ofMillis(800), 500);
            assertThat(found).hasSize(1);
            ListIdentityResult r = found.get(0);
            assertThat(peer.requests).hasSize(1);
            EncapsulationPacket request = EncapsulationPacket.decode(peer.requests.get(0));
            assertThat(request.header().command()).isEqualTo(EncapsulationCommand.LIST_IDENTITY);
            assertThat(request.header().maxResponseDelayMillis()).isEqualTo(500);

            assertThat(r.conforming()).isFalse();
            assertThat(r.nonConformities()).singleElement().asString()
                    .contains("length field says 49").contains("60 followed");

            CipIdentityItem id = r.identity().orElseThrow();
            assertThat(id.vendorId()).isEqualTo(1);
            assertThat(id.deviceType()).isEqualTo(12);
            assertThat(id.productCode()).isEqualTo(65001);
            assertThat(id.revisionMajor()).isEqualTo(2);
            assertThat(id.revisionMinor()).isEqualTo(3);
            assertThat(id.serialNumber()).isEqualTo(0x075BCD15L);
            assertThat(id.productName()).isEqualTo("OpENer PC");
            assertThat(id.sinPort()).isEqualTo(44818);

            assertThat(r.cipSecurityCapable()).isTrue();
            CipSecurityItem sec = r.security().orElseThrow();
            assertThat(sec.securityProfiles()).isEqualTo(0x0002);
            assertThat(sec.cipSecurityState()).isZero();
            assertThat(sec.eipSecurityState()).isZero();
            assertThat(sec.ianaPortState()).isEqualTo(0x03);
            assertThat(sec.isPortOpen(CipSecurityItem.PORT_TCP_44818)).isTrue();
            assertThat(sec.isPortOpen(CipSecurityItem.PORT_UDP_44818)).isTrue();
            assertThat(sec.isPortOpen(CipSecurityItem.PORT_TCP_2221)).isFalse();
            assertThat(sec.securityProfilesConfigured()).hasValue(0x0002);
            assertThat(r.otherItems()).isEmpty();
        }
    }

    @Test
    void aUnicastSweepEndsWhenEveryDestinationAnswered() throws IOException {
        try (CipDevice device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts())) {
            long start = System.nanoTime();
            // The device waits at most 500 ms before answering; the sweep must not sit out its 60 s.
            List<ListIdentityResult> found = Discovery.listIdentity(List.of(device.udpAddress()), Duration.ofSeconds(60), 500);
            assertThat(found).hasSize(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        }
        assertThat(Discovery.mayBeBroadcast(addr("10.1.2.255", 44818))).isTrue();
        assertThat(Discovery.mayBeBroadcast(addr("255.255.255.255", 44818))).isTrue();
        assertThat(Discovery.mayBeBroadcast(addr("10.1.2.7", 44818))).isFalse();
    }

    @Test
    void unreadableDatagramsAreIgnored() throws Exception {
        try (UdpReplayer peer = new UdpReplayer(new byte[]{1, 2, 3})) {
            assertThat(Discovery.listIdentity(List.of(peer.address()), Duration.ofMillis(300), 0)).isEmpty();
            assertThat(peer.requests).hasSize(1);
        }
    }

    @Test
    void expandCidrHostAndPort() throws IOException {
        assertThat(Discovery.expand("10.1.2.5/30", 44818)).containsExactly(
                addr("10.1.2.5", 44818), addr("10.1.2.6", 44818));
        assertThat(Discovery.expand("10.1.2.7/32", 44818)).containsExactly(addr("10.1.2.7", 44818));
        assertThat(Discovery.expand("10.1.2.6/31", 44818)).containsExactly(addr("10.1.2.6", 44818), addr("10.1.2.7", 44818));
        assertThat(Discovery.expand("10.1.0.0/20", 1)).hasSize(4094);
        assertThat(Discovery.expand("127.0.0.1:2000", 44818)).containsExactly(addr("127.0.0.1", 2000));
        assertThat(Discovery.expand("127.0.0.1", 44818)).containsExactly(addr("127.0.0.1", 44818));
        assertThat(Discovery.expand(" 127.0.0.1/32 ", 5)).containsExactly(addr("127.0.0.1", 5));
    }

    @Test
    void expandRefusesHugeOrOddRanges() {
        assertThatThrownBy(() -> Discovery.expand("10.0.0.0/8", 44818))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/20 to /32");
        assertThatThrownBy(() -> Discovery.expand("10.0.0.0/19", 44818)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Discovery.expand("10.0.0.0/33", 44818)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Discovery.expand("10.0.0.0/x", 44818)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Discovery.expand("::1/128", 44818)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listIdentityRefusesBadArguments() {
        assertThatThrownBy(() -> Discovery.listIdentity(List.of(), Duration.ofMillis(10), 70_000))
                .isInstanceOf(IllegalArgumentException.class);
        List<InetSocketAddress> many = java.util.Collections.nCopies(Discovery.MAX_DESTINATIONS + 1, addr("127.0.0.1", 9));
        assertThatThrownBy(() -> Discovery.listIdentity(many, Duration.ofMillis(10), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static InetSocketAddress addr(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers every datagram with the same canned bytes, recording the requests. */
    static final class UdpReplayer implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread thread;
        final List<byte[]> requests = new CopyOnWriteArrayList<>();

        UdpReplayer(byte[] reply) throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = Thread.ofPlatform().daemon().name("udp-replayer").start(() -> {
                byte[] buf = new byte[1500];
                try {
                    while (true) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        requests.add(java.util.Arrays.copyOf(buf, p.getLength()));
                        socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(5_000);
        }
    }
}
