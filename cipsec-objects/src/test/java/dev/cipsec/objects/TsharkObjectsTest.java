package dev.cipsec.objects;

import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.objects.std.EthernetLinkObject;
import dev.cipsec.objects.std.InterfaceConfig;
import dev.cipsec.objects.std.AssemblyDefinition;
import dev.cipsec.objects.std.StandardObjects;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.cipsec.objects.MrKit.req;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our Message Router replies, framed as SendRRData with their requests and decoded by tshark
 * (Wireshark's CIP dissector, which decodes a reply only next to its request).
 */
class TsharkObjectsTest {
    private static final List<MessageRouterRequest> REQUESTS = List.of(
            req(0x0E, "1/1/1"),                 // 1
            req(0x0E, "1/1/7"),                 // 2
            req(0x01, "1/1"),                   // 3
            req(0x0E, "0xF5/1/5"),              // 4
            req(0x0E, "0xF5/1/13"),             // 5
            req(0x0E, "0xF5/1/14"),             // 6
            req(0x01, "0xF5/1"),                // 7
            req(0x0E, "0xF6/1/3"),              // 8
            req(0x01, "0xF6/1"),                // 9
            req(0x0E, "0xE8/1/1"),              // 10
            req(0x0E, "2/1/1"),                 // 11
            req(0x01, "0xF6/0"),                // 12 class attributes 1-7, 4 and 5 empty
            req(0x10, "4/100/3", new byte[32]), // 13 input assembly: 0x0E
            req(0x0E, "0xF5/1/4"),              // 14
            req(0x03, "1/1", MrKit.hex("030001000700" + "6300")),  // 15 Get_Attribute_List, one unknown: 0x0A
            req(0x0A, "2/1", MultipleServicePacketTest.packet(List.of(req(0x0E, "1/1/1"), req(0x0E, "0xF5/1/13"))))); // 16

    private static Path pcap;

    @BeforeAll
    static void capture(@TempDir Path dir) throws Exception {
        StandardObjects objects = StandardObjects.builder(DeviceIdentity.of(1, 12, 65001, 2, 3, 0x075BCD15L, "OpENer PC"))
                .assembly(AssemblyDefinition.input(100, 32))
                .interfaceConfig(InterfaceConfig.of("192.168.1.10", "255.255.255.0", "192.168.1.1", "8.8.8.8", "",
                        "example.com", "adapter1"))
                .ethernetLink(EthernetLinkObject.LinkConfig.of(Bytes.fromHex("001122334455"), "port 1"))
                .build();
        List<PcapWriter.Packet> packets = new ArrayList<>();
        int n = 0;
        for (MessageRouterRequest r : REQUESTS) {
            String context = String.format("ctx%05d", ++n);
            packets.add(PcapWriter.Packet.tcp(50000, 44818, MrKit.sendRRData(1, context, r.toBytes())));
            Bytes reply = objects.router().handle(r, RequestContext.forTest()).toBytes();
            packets.add(PcapWriter.Packet.tcp(44818, 50000, MrKit.sendRRData(1, context, reply)));
        }
        pcap = dir.resolve("objects.pcap");
        PcapWriter.write(pcap, packets);
    }

    /** tshark's fields of the reply to request {@code n} (1-based). */
    private static Map<String, String> reply(int n, String... fields) throws Exception {
        List<Map<String, String>> rows = Tshark.fields(pcap, "frame.number == " + (2 * n), List.of(fields));
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    @Test
    void nothingIsMalformed() throws Exception {
        assertThat(Tshark.malformedCount(pcap)).as(Tshark.verbose(pcap)).isZero();
    }

    @Test
    void everyReplyHasItsServiceAndStatus() throws Exception {
        List<Map<String, String>> rows = Tshark.fields(pcap, "tcp.srcport == 44818",
                List.of("enip.command", "cip.service", "cip.genstat"));
        assertThat(rows).hasSize(REQUESTS.size());
        for (int i = 0; i < 14; i++) {
            int service = REQUESTS.get(i).service() | 0x80;
            assertThat(rows.get(i).get("enip.command")).isEqualTo("0x006f");
            assertThat(Integer.decode(rows.get(i).get("cip.service"))).as("reply %d", i + 1).isEqualTo(service);
            assertThat(rows.get(i).get("cip.genstat")).as("reply %d", i + 1).isEqualTo(i == 9 ? "0x05" : i == 12 ? "0x0e" : "0x00");
        }
    }

    @Test
    void listAndMultipleServiceReplies() throws Exception {
        assertThat(reply(15, "cip.genstat", "cip.id.vendor_id", "cip.id.product_name", "cip.attr_num"))
                .containsEntry("cip.genstat", "0x0a").containsEntry("cip.id.vendor_id", "0x0001")
                .containsEntry("cip.id.product_name", "OpENer PC");
        Map<String, String> msp = reply(16, "cip.service", "cip.genstat", "cip.id.vendor_id", "cip.tcpip.encap_inactivity");
        assertThat(msp.get("cip.service")).isEqualTo("0x8a,0x8e,0x8e");
        assertThat(msp.get("cip.genstat")).isEqualTo("0x00,0x00,0x00");
        assertThat(msp).containsEntry("cip.id.vendor_id", "0x0001").containsEntry("cip.tcpip.encap_inactivity", "120");
    }

    @Test
    void identityAttributes() throws Exception {
        assertThat(reply(1, "cip.id.vendor_id").get("cip.id.vendor_id")).isEqualTo("0x0001");
        assertThat(reply(2, "cip.id.product_name").get("cip.id.product_name")).isEqualTo("OpENer PC");
        Map<String, String> all = reply(3, "cip.id.vendor_id", "cip.id.device_type", "cip.id.product_code",
                "cip.id.major_rev", "cip.id.minor_rev", "cip.id.status", "cip.id.serial_number", "cip.id.product_name");
        assertThat(all).containsEntry("cip.id.device_type", "0x000c").containsEntry("cip.id.product_code", "65001")
                .containsEntry("cip.id.major_rev", "2").containsEntry("cip.id.minor_rev", "3")
                .containsEntry("cip.id.serial_number", "0x075bcd15").containsEntry("cip.id.product_name", "OpENer PC");
    }

    @Test
    void tcpIpAttributes() throws Exception {
        assertThat(reply(4, "cip.tcpip.ip_addr", "cip.tcpip.subnet_mask", "cip.tcpip.gateway", "cip.tcpip.name_server",
                "cip.tcpip.domain_name"))
                .containsEntry("cip.tcpip.ip_addr", "192.168.1.10").containsEntry("cip.tcpip.subnet_mask", "255.255.255.0")
                .containsEntry("cip.tcpip.gateway", "192.168.1.1").containsEntry("cip.tcpip.name_server", "8.8.8.8")
                .containsEntry("cip.tcpip.domain_name", "example.com");
        assertThat(reply(5, "cip.tcpip.encap_inactivity").get("cip.tcpip.encap_inactivity")).isEqualTo("120");
        assertThat(reply(6, "cip.tcpip.port_count", "cip.tcpip.port_number", "cip.tcpip.protocol"))
                .containsEntry("cip.tcpip.port_count", "3")
                .containsEntry("cip.tcpip.port_number", "44818,44818,2222")
                .containsEntry("cip.tcpip.protocol", "6,17,17");
        assertThat(reply(7, "cip.tcpip.hostname", "cip.tcpip.ttl_value", "cip.tcpip.mcast.addr_start",
                "cip.tcpip.encap_inactivity", "cip.tcpip.ip_addr"))
                .containsEntry("cip.tcpip.hostname", "adapter1").containsEntry("cip.tcpip.ttl_value", "1")
                .containsEntry("cip.tcpip.mcast.addr_start", "239.192.2.32")
                .containsEntry("cip.tcpip.encap_inactivity", "120").containsEntry("cip.tcpip.ip_addr", "192.168.1.10");
    }

    @Test
    void ethernetLinkAttributes() throws Exception {
        assertThat(reply(8, "cip.elink.physical_address").get("cip.elink.physical_address")).isEqualTo("00:11:22:33:44:55");
        assertThat(reply(9, "cip.elink.interface_speed", "cip.elink.interface_type", "cip.elink.admin_state",
                "cip.elink.interface_label", "cip.elink.icapability.speed"))
                .containsEntry("cip.elink.interface_speed", "100").containsEntry("cip.elink.interface_type", "2")
                .containsEntry("cip.elink.admin_state", "1").containsEntry("cip.elink.interface_label", "port 1")
                .containsEntry("cip.elink.icapability.speed", "100");
    }

    @Test
    void messageRouterAndClassAttributes() throws Exception {
        assertThat(reply(11, "cip.mr.num_classes", "cip.mr.class"))
                .containsEntry("cip.mr.num_classes", "6");
        assertThat(reply(12, "cip.class_revision", "cip.max_instance", "cip.num_instance", "cip.num_class_attr",
                "cip.num_inst_attr"))
                .containsEntry("cip.class_revision", "4").containsEntry("cip.max_instance", "1")
                .containsEntry("cip.num_instance", "1").containsEntry("cip.num_class_attr", "7")
                .containsEntry("cip.num_inst_attr", "11");
    }
}
