package dev.cipsec.scanner;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.wire.testkit.LiveCapture;
import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.PortSegment;
import dev.cipsec.wire.testkit.PeerTools;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Our client against our adapter on loopback, captured live by tshark: every frame the client
 * sends is in the capture, Wireshark's dissectors find no malformed frame, and the values they
 * decode are the ones our client reports.
 */
class LiveCaptureTsharkTest {
    private static final Duration START_DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void everyFrameOurClientSendsIsDecodedWithoutError() throws Exception {
        Path tshark = PeerTools.require("tshark");
        Path pcap = dir.resolve("live.pcapng");
        long ot;
        long to;
        int serial;
        int tcpPort;
        int udpPort;
        try (CipDevice device = startOnStandardPorts()) {
            String host = device.tcpAddress().getAddress().getHostAddress();
            tcpPort = device.tcpAddress().getPort();
            udpPort = device.udpAddress().getPort();
            LiveCapture capture = LiveCapture.start(tshark, "host " + host + " and (tcp port " + tcpPort + " or udp port " + udpPort + ")", pcap);
            try {
                Target target = new Target(host, tcpPort, false);

                assertThat(Discovery.listIdentity(List.of(device.udpAddress()), Duration.ofMillis(1000), 1)).hasSize(1);
                try (CipClient bare = CipClient.open(target, ClientOptions.defaults())) {
                    assertThat(bare.listIdentity().conforming()).isTrue();
                }
                try (CipClient c = CipClient.connect(target, ClientOptions.defaults())) {
                    assertThat(c.listServices()).hasSize(1);
                    assertThat(c.getAttributeSingle(EPath.parse("1/1/1")).length()).isEqualTo(2);
                    assertThat(c.getAttributeSingle(EPath.parse("1/1/7")).length()).isEqualTo(15);
                    c.setAttributeSingle(EPath.parse("4/150/3"), Bytes.of(new byte[32]));
                    assertThat(c.getAttributeSingle(EPath.parse("4/100/3")).length()).isEqualTo(32);
                    assertThat(c.identity().productName()).isEqualTo("cipsec adapter");
                    try (ExplicitConnection conn = c.openExplicitConnection()) {
                        ot = conn.otConnectionId();
                        to = conn.toConnectionId();
                        serial = conn.triad().connectionSerial();
                        assertThat(conn.getAttributeSingle(EPath.parse("1/1/1")).length()).isEqualTo(2);
                        conn.setAttributeSingle(EPath.parse("4/150/3"), Bytes.of(new byte[32]));
                    }
                    assertThat(c.sendRouted(new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.parse("1/1/6")),
                            EPath.of(PortSegment.of(1, 0))).isSuccess()).isTrue();
                    assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("1/1/99")))
                            .isInstanceOf(CipServiceException.class);
                }
                Await.until(Duration.ofSeconds(5), () -> device.sessionCount() == 0, "session released");
            } finally {
                capture.stop();
            }
        }

        String[] decodeAs = {"-d", "tcp.port==" + tcpPort + ",enip", "-d", "udp.port==" + udpPort + ",enip"};
        if (Tshark.malformedCount(pcap, decodeAs) != 0) {
            fail("tshark finds malformed frames:\n" + Tshark.verbose(pcap, decodeAs));
        }

        List<Map<String, String>> frames = Tshark.fields(pcap, "enip", List.of("frame.number", "tcp.dstport", "udp.dstport",
                "enip.command", "enip.status", "cip.service", "cip.genstat", "cip.cm.ot_connid", "cip.cm.to_connid",
                "cip.cm.conn_serial_num", "enip.cpf.cai.connid"), decodeAs);

        // Requests (to the device's ports) and replies per encapsulation command.
        Map<Integer, Integer> requests = new HashMap<>();
        Map<Integer, Integer> replies = new HashMap<>();
        for (Map<String, String> f : frames) {
            boolean toDevice = f.get("tcp.dstport").equals(Integer.toString(tcpPort))
                    || f.get("udp.dstport").equals(Integer.toString(udpPort));
            for (String cmd : f.get("enip.command").split(",")) {
                (toDevice ? requests : replies).merge(Integer.decode(cmd), 1, Integer::sum);
            }
        }
        // SendRRData: 4 Get/Set + Get_Attributes_All + Forward_Open + Forward_Close + Unconnected_Send + the refused Get.
        Map<Integer, Integer> expected = Map.of(EncapsulationCommand.LIST_IDENTITY, 2, EncapsulationCommand.LIST_SERVICES, 1,
                EncapsulationCommand.REGISTER_SESSION, 1, EncapsulationCommand.SEND_RR_DATA, 9,
                EncapsulationCommand.SEND_UNIT_DATA, 2, EncapsulationCommand.UNREGISTER_SESSION, 1);
        assertThat(requests).isEqualTo(expected);
        Map<Integer, Integer> expectedReplies = new HashMap<>(expected);
        expectedReplies.remove(EncapsulationCommand.UNREGISTER_SESSION);
        assertThat(replies).isEqualTo(expectedReplies);
        assertThat(frames).allSatisfy(f -> assertThat(f.get("enip.status")).matches("0x0+(,0x0+)*"));

        Map<String, String> foReply = single(frames, "cip.service", "0xd4");
        assertThat(foReply).containsEntry("cip.genstat", "0x00")
                .containsEntry("cip.cm.ot_connid", hex32(ot)).containsEntry("cip.cm.to_connid", hex32(to))
                .containsEntry("cip.cm.conn_serial_num", String.format("0x%04x", serial));
        Map<String, String> fcReply = single(frames, "cip.service", "0xce");
        assertThat(fcReply).containsEntry("cip.genstat", "0x00").containsEntry("cip.cm.conn_serial_num", String.format("0x%04x", serial));

        List<String> connIds = frames.stream().map(f -> f.get("enip.cpf.cai.connid")).filter(s -> !s.isEmpty()).toList();
        // O->T on the two requests, T->O on the two replies.
        assertThat(connIds).containsExactlyInAnyOrder(hex32(ot), hex32(ot), hex32(to), hex32(to));

        assertThat(frames).filteredOn(f -> f.get("cip.genstat").equals("0x14")).singleElement()
                .satisfies(f -> assertThat(f.get("cip.service")).isEqualTo("0x8e"));
    }

    /**
     * Wireshark tells an EtherNet/IP request from a reply by port 44818 (ENIP's classify_packet);
     * on any other port it cannot pair them, and a Forward_Open reply is not decoded as one. So the
     * device listens on 44818, on a random loopback address of its own to stay clear of others.
     */
    private static CipDevice startOnStandardPorts() throws IOException {
        java.util.Random random = new java.util.Random();
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            InetAddress address = InetAddress.getByAddress(new byte[]{127, (byte) (100 + random.nextInt(100)),
                    (byte) random.nextInt(256), (byte) (1 + random.nextInt(254))});
            try {
                return CipDevice.start(DeviceProfile.defaults().withBinding(address, DeviceProfile.DEFAULT_PORT,
                        DeviceProfile.DEFAULT_PORT));
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private static String hex32(long v) {
        return String.format("0x%08x", v);
    }

    private static Map<String, String> single(List<Map<String, String>> frames, String field, String value) {
        List<Map<String, String>> hits = frames.stream().filter(f -> List.of(f.get(field).split(",")).contains(value)).toList();
        assertThat(hits).as("frames with %s == %s", field, value).hasSize(1);
        return hits.get(0);
    }
}
