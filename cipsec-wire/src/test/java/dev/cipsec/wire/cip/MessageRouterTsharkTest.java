package dev.cipsec.wire.cip;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cm.ConnectionTriad;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cm.SendRRDataFrames;
import dev.cipsec.wire.cm.TransportTrigger;
import dev.cipsec.wire.cm.UnconnectedSendRequest;
import dev.cipsec.wire.epath.DataSegment;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.ElectronicKeySegment;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.NetworkSegment;
import dev.cipsec.wire.epath.PortSegment;
import dev.cipsec.wire.epath.SymbolicSegment;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.PcapWriter.Packet;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Message Router PDUs and EPATH segment kinds built by our codecs, read back by tshark. */
class MessageRouterTsharkTest {
    static final List<String> FIELDS = List.of("frame.number", "cip.service", "cip.genstat", "cip.addstat_size",
            "cip.addstat", "cip.request_path_size", "cip.class", "cip.instance", "cip.attribute", "cip.connpoint",
            "cip.port", "cip.linkaddress.byte", "cip.linkaddress.string", "cip.symbol", "cip.ascii_symbol", "cip.symbol.size", "cip.data_segment.size",
            "cip.data_segment.data", "cip.network_segment.prod_inhibit", "cip.ekey.devtype", "cip.ekey.major_rev",
            "cip.ekey.minor_rev", "cip.ekey.compatibility", "cip.cm.connpath_size", "cip.cm.route_path_size",
            "cip.cm.msg_req_size");

    @TempDir
    static Path dir;
    static Path pcap;
    static List<Map<String, String>> rows;

    @BeforeAll
    static void capture() throws Exception {
        EPath wide = EPath.of(LogicalSegment.of(LogicalType.CLASS, 0x0300), LogicalSegment.of(LogicalType.INSTANCE, 0x12345678L),
                LogicalSegment.of(LogicalType.ATTRIBUTE, 0x0101));
        MessageRouterRequest gas = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, wide);
        MessageRouterResponse refused = new MessageRouterResponse(ServiceCodes.GET_ATTRIBUTE_SINGLE,
                GeneralStatus.VENDOR_SPECIFIC, List.of(0x1234, 0xABCD), Bytes.EMPTY);

        MessageRouterRequest readTag = new MessageRouterRequest(0x4C, EPath.of(new DataSegment.AnsiSymbol("Tag1")),
                Bytes.fromHex("0100"));
        EPath route = EPath.of(PortSegment.of(2, "192.168.1.10"), PortSegment.of(18, "10.0.0.5:2221"));
        UnconnectedSendRequest routed = new UnconnectedSendRequest(0x07, 0xE9, readTag, route);

        MessageRouterRequest symbolic = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE,
                EPath.of(new SymbolicSegment("Motor"), LogicalSegment.of(LogicalType.ATTRIBUTE, 1)));

        EPath connPath = EPath.of(PortSegment.of(1, 0), NetworkSegment.productionInhibitMillis(5),
                new ElectronicKeySegment(1, 12, 65001, true, 2, 3), LogicalSegment.of(LogicalType.CLASS, 4),
                LogicalSegment.of(LogicalType.INSTANCE, 151), LogicalSegment.of(LogicalType.CONNECTION_POINT, 150),
                LogicalSegment.of(LogicalType.CONNECTION_POINT, 100), new DataSegment.Simple(Bytes.fromHex("0a0b0c0d")));
        ConnectionTriad triad = new ConnectionTriad(1, 0xFFFE, 2);
        ForwardOpenRequest fo = new ForwardOpenRequest(false, 0x0A, 0x0E, 0, 0x1111, triad.connectionSerial(),
                triad.originatorVendorId(), triad.originatorSerial(), 0, 10_000, NetworkConnectionParameters.pointToPoint(38),
                10_000, NetworkConnectionParameters.pointToPoint(34), TransportTrigger.CLASS1_CYCLIC, connPath);

        pcap = dir.resolve("mr.pcap");
        PcapWriter.write(pcap, List.of(
                Packet.tcp(50_000, 44818, SendRRDataFrames.wrap(gas.toBytes(), 1)),
                Packet.tcp(44818, 50_000, SendRRDataFrames.wrap(refused.toBytes(), 1)),
                Packet.tcp(50_000, 44818, SendRRDataFrames.wrap(routed.toRequest().toBytes(), 2)),
                Packet.tcp(50_000, 44818, SendRRDataFrames.wrap(symbolic.toBytes(), 3)),
                Packet.tcp(50_000, 44818, SendRRDataFrames.wrap(fo.toRequest().toBytes(), 4))));
        rows = Tshark.fields(pcap, "enip", FIELDS);
    }

    static Map<String, String> frame(int n) {
        return rows.stream().filter(r -> r.get("frame.number").equals(Integer.toString(n))).findFirst()
                .orElseThrow(() -> new AssertionError("tshark shows no ENIP frame " + n + ": " + rows));
    }

    @Test
    void noFrameIsMalformed() throws Exception {
        assertThat(rows).hasSize(5);
        assertThat(Tshark.malformedCount(pcap)).as(Tshark.verbose(pcap)).isZero();
    }

    @Test
    void sixteenBitClassAnd32BitInstance() {
        assertThat(frame(1)).containsEntry("cip.service", "0x0e").containsEntry("cip.request_path_size", "7")
                .containsEntry("cip.class", "0x0300").containsEntry("cip.instance", "0x12345678")
                .containsEntry("cip.attribute", "257");
    }

    @Test
    void responseWithAdditionalStatusWords() {
        assertThat(frame(2)).containsEntry("cip.service", "0x8e").containsEntry("cip.genstat", "0x1f")
                .containsEntry("cip.addstat_size", "2").containsEntry("cip.addstat", "0x1234,0xabcd");
    }

    @Test
    void extendedPortSegmentsAndAnsiSymbol() {
        assertThat(frame(3)).containsEntry("cip.service", "0x52,0x4c").containsEntry("cip.cm.msg_req_size", "10")
                .containsEntry("cip.cm.route_path_size", "16").containsEntry("cip.port", "2,15,0x0012")
                .containsEntry("cip.linkaddress.string", "192.168.1.10,10.0.0.5:2221")
                .containsEntry("cip.symbol", "Tag1").containsEntry("cip.request_path_size", "2,3");
    }

    @Test
    void symbolicSegment() {
        assertThat(frame(4)).containsEntry("cip.ascii_symbol", "Motor").containsEntry("cip.symbol.size", "5")
                .containsEntry("cip.attribute", "1").containsEntry("cip.request_path_size", "4");
    }

    @Test
    void connectionPathWithPortNetworkKeyAndDataSegments() {
        assertThat(frame(5)).containsEntry("cip.service", "0x54").containsEntry("cip.cm.connpath_size", "14")
                .containsEntry("cip.port", "1").containsEntry("cip.linkaddress.byte", "0")
                .containsEntry("cip.network_segment.prod_inhibit", "5").containsEntry("cip.ekey.devtype", "0x000c")
                .containsEntry("cip.ekey.major_rev", "2").containsEntry("cip.ekey.minor_rev", "3")
                .containsEntry("cip.ekey.compatibility", "0x82").containsEntry("cip.class", "0x06,0x04")
                .containsEntry("cip.instance", "0x01,0x97").containsEntry("cip.connpoint", "0x96,0x64")
                .containsEntry("cip.data_segment.size", "2").containsEntry("cip.data_segment.data", "0a0b0c0d");
    }
}
