package dev.cipsec.adapter;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.ListServicesItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RegisterSessionData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** ListIdentity and ListServices on UDP (reference §1.2, §1.6, §1.8); everything else on UDP is dropped. */
class DiscoveryUdpTest {

    private static long listIdentityContext(int maxDelayMillis, int tag) {
        return EncapsulationHeader.listIdentityContext(maxDelayMillis) | (long) tag << 16;
    }

    private static void send(DatagramSocket s, EncapsulationPacket p, InetSocketAddress to) throws IOException {
        byte[] b = p.toBytes().toArray();
        s.send(new DatagramPacket(b, b.length, to));
    }

    /** The next datagram within {@code wait}, or null. */
    private static EncapsulationPacket receive(DatagramSocket s, Duration wait) throws IOException {
        byte[] buf = new byte[1500];
        DatagramPacket d = new DatagramPacket(buf, buf.length);
        s.setSoTimeout((int) wait.toMillis());
        try {
            s.receive(d);
        } catch (SocketTimeoutException e) {
            return null;
        }
        try {
            return EncapsulationPacket.decode(WireReader.of(buf, 0, d.getLength()));
        } catch (WireFormatException e) {
            throw new AssertionError("undecodable reply", e);
        }
    }

    private static CipIdentityItem identity(EncapsulationPacket reply) throws WireFormatException {
        CpfPacket cpf = CpfPacket.decode(WireReader.of(reply.data().toArray()));
        assertThat(cpf.items()).hasSize(1);
        return (CipIdentityItem) cpf.get(0);
    }

    private static DatagramSocket client() throws IOException {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Test
    void unicastListIdentityIsAnsweredWithinTheMaxResponseDelay() throws Exception {
        try (CipDevice device = TestDevices.start(); DatagramSocket s = client()) {
            long context = listIdentityContext(500, 0x4242);
            long t0 = System.nanoTime();
            send(s, EncapsulationPacket.of(EncapsulationCommand.LIST_IDENTITY, 0, 0, context, Bytes.EMPTY), device.udpAddress());
            EncapsulationPacket reply = receive(s, Duration.ofSeconds(2));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(reply).as("ListIdentity reply").isNotNull();
            assertThat(ms).as("within the 500 ms Max Response Delay (+ scheduling slack)").isLessThan(900);
            assertThat(reply.header().command()).isEqualTo(EncapsulationCommand.LIST_IDENTITY);
            assertThat(reply.header().sessionHandle()).isZero();
            assertThat(reply.header().status()).isEqualTo(EncapsulationStatus.SUCCESS);
            assertThat(reply.header().senderContext()).isEqualTo(context);
            CipIdentityItem id = identity(reply);
            assertThat(id.vendorId()).isEqualTo(0xFFFE);
            assertThat(id.productName()).isEqualTo("cipsec adapter");
            assertThat(id.sinPort()).isEqualTo(device.tcpAddress().getPort());
            assertThat(id.encapsulationVersion()).isEqualTo(1);
        }
    }

    @Test
    void listServicesOverUdpIsAnsweredAtOnce() throws Exception {
        try (CipDevice device = TestDevices.start(); DatagramSocket s = client()) {
            EncapsulationPacket req = EncapsulationPacket.of(EncapsulationCommand.LIST_SERVICES, 0, 0, 0x0102030405060708L, Bytes.EMPTY);
            send(s, req, device.udpAddress());
            EncapsulationPacket reply = receive(s, Duration.ofMillis(500));
            assertThat(reply).isNotNull();
            assertThat(reply.header().senderContext()).isEqualTo(req.header().senderContext());
            CpfPacket cpf = CpfPacket.decode(WireReader.of(reply.data().toArray()));
            ListServicesItem item = (ListServicesItem) cpf.get(0);
            // CIP over TCP (0x0020) and class 0/1 over UDP (0x0100): the I/O port is enabled by default.
            assertThat(item.capabilityFlags()).isEqualTo(0x0120);
            assertThat(item.name()).isEqualTo("Communications");
            assertThat(item.version()).isEqualTo(1);
        }
    }

    @Test
    void otherCommandsOverUdpAreDroppedWithoutReply() throws Exception {
        try (CipDevice device = TestDevices.start(); DatagramSocket s = client()) {
            send(s, EncapsulationPacket.of(EncapsulationCommand.REGISTER_SESSION, 0, 0, 1, RegisterSessionData.DEFAULT.toBytes()),
                    device.udpAddress());
            send(s, EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA, 0, 0, 2, Bytes.of(new byte[10])), device.udpAddress());
            send(s, EncapsulationPacket.of(0x00FE, 0, 0, 3, Bytes.EMPTY), device.udpAddress());
            byte[] garbage = {1, 2, 3};
            s.send(new DatagramPacket(garbage, garbage.length, device.udpAddress()));
            assertThat(receive(s, Duration.ofMillis(300))).as("no reply to anything but List*").isNull();
            Await.until(Duration.ofSeconds(2), () -> device.stats().udpDropped() == 4, "4 datagrams dropped");
            // The endpoint still answers discovery.
            send(s, EncapsulationPacket.of(EncapsulationCommand.LIST_SERVICES, 0, 0, 4, Bytes.EMPTY), device.udpAddress());
            EncapsulationPacket reply = receive(s, Duration.ofSeconds(1));
            assertThat(reply).isNotNull();
            assertThat(reply.header().senderContext()).isEqualTo(4);
        }
    }

    @Test
    void listIdentityFloodIsBoundedByMaxPendingUdpReplies() throws Exception {
        AdapterLimits d = AdapterLimits.defaults();
        int limit = 4;
        AdapterLimits limits = new AdapterLimits(d.maxTcpConnections(), d.maxConnectionsPerAddress(), d.maxSessions(),
                d.maxFrameSize(), d.maxPendingBytes(), d.idleTimeout(), d.frameTimeout(), d.maxClass3Connections(),
                d.maxCpfItems(), limit);
        int n = 20;
        try (CipDevice device = TestDevices.start(limits); DatagramSocket s = client()) {
            for (int i = 0; i < n; i++) {
                send(s, EncapsulationPacket.of(EncapsulationCommand.LIST_IDENTITY, 0, 0, listIdentityContext(500, i), Bytes.EMPTY),
                        device.udpAddress());
            }
            Await.until(Duration.ofSeconds(2), () -> device.stats().udpRequests() == n, "all requests seen");
            long dropped = device.stats().udpDropped();
            // Replies already delivered (loopback delivers on send), counted without waiting.
            int early = 0;
            while (receive(s, Duration.ofMillis(1)) != null) {
                early++;
            }
            assertThat(n - dropped - early).as("replies pending at once").isLessThanOrEqualTo(limit);
            assertThat(dropped).as("the flood exceeded the limit").isPositive();
            int total = early;
            while (receive(s, Duration.ofMillis(800)) != null) {
                total++;
            }
            assertThat(total + dropped).as("every request was answered or dropped").isEqualTo(n);
        }
    }

    @Test
    void broadcastListIdentityReachesADeviceBoundToTheWildcardAddress() throws Exception {
        DeviceProfile profile = TestDevices.profile(AdapterLimits.defaults()).withBinding(InetAddress.getByName("0.0.0.0"), 0, 0);
        try (CipDevice device = CipDevice.start(profile); DatagramSocket s = new DatagramSocket()) {
            s.setBroadcast(true);
            InetSocketAddress broadcast = new InetSocketAddress(InetAddress.getByName("127.255.255.255"), device.udpAddress().getPort());
            long context = listIdentityContext(500, 0x4243);
            send(s, EncapsulationPacket.of(EncapsulationCommand.LIST_IDENTITY, 0, 0, context, Bytes.EMPTY), broadcast);
            EncapsulationPacket reply = receive(s, Duration.ofSeconds(2));
            assertThat(reply).as("reply to a loopback broadcast").isNotNull();
            assertThat(reply.header().senderContext()).isEqualTo(context);
            assertThat(identity(reply).vendorId()).isEqualTo(0xFFFE);
        }
    }
}
