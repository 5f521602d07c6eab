package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.ElectronicKeySegment;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.PortSegment;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.PcapWriter.Packet;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Connection Manager PDUs built by our codecs, wrapped in SendRRData on TCP 44818, read back by tshark. */
class ConnectionManagerTsharkTest {
    static final int CLIENT = 50_000;
    static final int ADAPTER = 44818;
    static final ConnectionTriad TRIAD = new ConnectionTriad(0xEFDB, 0xFFFE, 0x108B001BL);
    static final EPath KEYED_PATH = EPath.of(new ElectronicKeySegment(1, 12, 65001, true, 2, 3),
            LogicalSegment.of(LogicalType.CLASS, 4), LogicalSegment.of(LogicalType.INSTANCE, 151),
            LogicalSegment.of(LogicalType.CONNECTION_POINT, 150), LogicalSegment.of(LogicalType.CONNECTION_POINT, 100));

    @TempDir
    static Path dir;
    static Path pcap;
    static List<Map<String, String>> rows;

    static ForwardOpenRequest forwardOpen(boolean large, long otId, int serial) {
        return new ForwardOpenRequest(large, 0x0A, 0x0E, otId, 0x84786CF1L, serial, TRIAD.originatorVendorId(),
                TRIAD.originatorSerial(), 1, 10_000, NetworkConnectionParameters.pointToPoint(large ? 1000 : 38), 20_000,
                new NetworkConnectionParameters(34, true, NetworkConnectionParameters.PRIORITY_HIGH,
                        NetworkConnectionParameters.MULTICAST, false),
                TransportTrigger.CLASS1_CYCLIC, KEYED_PATH);
    }

    static final List<String> FIELDS = List.of("frame.number", "cip.service", "cip.genstat", "cip.cm.ot_connid",
            "cip.cm.to_connid", "cip.cm.conn_serial_num", "cip.cm.vendor", "cip.cm.orig_serial_num", "cip.cm.otrpi",
            "cip.cm.torpi", "cip.cm.fwo.consize", "cip.cm.fwo.type", "cip.cm.fwo.prio", "cip.cm.fwo.f_v",
            "cip.cm.fwo.transport", "cip.cm.fwo.trigger", "cip.cm.fwo.dir", "cip.cm.connpath_size", "cip.class",
            "cip.instance", "cip.connpoint", "cip.ekey.vendor", "cip.ekey.product_code", "cip.cm.ext_status",
            "cip.cm.ext127_size", "cip.cm.ext112otrpi_type", "cip.cm.ext112otrpi", "cip.cm.ext112torpi",
            "cip.cm.msg_req_size", "cip.cm.route_path_size", "cip.port", "cip.linkaddress.byte", "cip.attribute",
            "cip.cm.otapi", "cip.cm.toapi", "cip.cm.timeout_multiplier", "cip.cm.app_reply_size",
            "cip.cm.remain_path_size", "cip.cm.priority", "cip.cm.tick_time", "cip.cm.timeout_tick");

    @BeforeAll
    static void capture() throws Exception {
        List<Packet> packets = new ArrayList<>();
        long ctx = 1;
        // 1, 2: Forward_Open and its success reply
        ForwardOpenRequest fo = forwardOpen(false, 0xB228A0EAL, 0x1001);
        packets.add(req(fo.toRequest(), ctx));
        packets.add(rsp(new ForwardOpenResponse(0x26E70013L, 0x84786CF1L, fo.triad(), 10_000, 20_000, Bytes.EMPTY)
                .toResponse(false), ctx++));
        // 3, 4: Large_Forward_Open and its success reply
        ForwardOpenRequest lfo = forwardOpen(true, 0x5221187CL, 0x1002);
        packets.add(req(lfo.toRequest(), ctx));
        packets.add(rsp(new ForwardOpenResponse(0xA4190013L, 0x84786CF1L, lfo.triad(), 10_000, 20_000,
                Bytes.fromHex("0102")).toResponse(true), ctx++));
        // 5, 6: Forward_Close and its reply
        ForwardCloseRequest fc = new ForwardCloseRequest(0x0A, 0x0E, fo.triad(), KEYED_PATH);
        packets.add(req(fc.toRequest(), ctx));
        packets.add(rsp(new ForwardCloseResponse(fo.triad(), Bytes.EMPTY).toResponse(), ctx++));
        // 7, 8: Unconnected_Send around Get_Attribute_Single 1/1/7, routed to backplane slot 0, and the embedded reply
        MessageRouterRequest gas = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstanceAttribute(1, 1, 7));
        packets.add(req(new UnconnectedSendRequest(0x07, 0xE9, gas, EPath.of(PortSegment.of(1, 0))).toRequest(), ctx));
        packets.add(rsp(MessageRouterResponse.success(ServiceCodes.GET_ATTRIBUTE_SINGLE, Bytes.fromHex("094f70454e6572205043")), ctx++));
        // 9, 10: Forward_Open refused with 0x0127 and the correct size
        ForwardOpenRequest bad = forwardOpen(false, 0, 0x1003);
        packets.add(req(bad.toRequest(), ctx));
        packets.add(rsp(ForwardOpenFailure.invalidSize(bad.triad(), 0, ExtendedStatus.INVALID_OT_SIZE, 36)
                .toResponse(ServiceCodes.FORWARD_OPEN), ctx++));
        // 11, 12: Forward_Open refused with 0x0112 and the acceptable RPIs
        ForwardOpenRequest slow = forwardOpen(false, 0, 0x1004);
        packets.add(req(slow.toRequest(), ctx));
        packets.add(rsp(ForwardOpenFailure.rpiNotAcceptable(slow.triad(), 0, new ForwardOpenFailure.RpiRejection(
                ForwardOpenFailure.RPI_MINIMUM, ForwardOpenFailure.RPI_ACCEPTABLE, 50_000, 20_000))
                .toResponse(ServiceCodes.FORWARD_OPEN), ctx++));
        pcap = dir.resolve("cm.pcap");
        PcapWriter.write(pcap, packets);
        rows = Tshark.fields(pcap, "enip", FIELDS);
    }

    /** The Message Router PDUs in capture order, compared with {@code fixtures/cm/tshark-verified.tsv}. */
    static final List<Bytes> PDUS = new ArrayList<>();

    static Packet req(MessageRouterRequest r, long ctx) {
        PDUS.add(r.toBytes());
        return Packet.tcp(CLIENT, ADAPTER, SendRRDataFrames.wrap(r.toBytes(), ctx));
    }

    static Packet rsp(MessageRouterResponse r, long ctx) {
        PDUS.add(r.toBytes());
        return Packet.tcp(ADAPTER, CLIENT, SendRRDataFrames.wrap(r.toBytes(), ctx));
    }

    @Test
    void encodingsStayByteIdenticalToTheVerifiedFixture() {
        List<String[]> golden = TsvCases.load("/fixtures/cm/tshark-verified.tsv");
        assertThat(golden).hasSize(PDUS.size());
        for (int i = 0; i < golden.size(); i++) {
            assertThat(PDUS.get(i).toHex()).as("frame %s: %s", golden.get(i)[0], golden.get(i)[2]).isEqualTo(golden.get(i)[1]);
        }
    }

    static Map<String, String> frame(int n) {
        return rows.stream().filter(r -> r.get("frame.number").equals(Integer.toString(n))).findFirst()
                .orElseThrow(() -> new AssertionError("tshark shows no ENIP frame " + n + ": " + rows));
    }

    @Test
    void noFrameIsMalformed() throws Exception {
        assertThat(rows).hasSize(12);
        assertThat(Tshark.malformedCount(pcap)).as(Tshark.verbose(pcap)).isZero();
    }

    @Test
    void forwardOpenRequestFields() {
        assertThat(frame(1)).containsEntry("cip.service", "0x54")
                .containsEntry("cip.cm.priority", "0").containsEntry("cip.cm.tick_time", "10")
                .containsEntry("cip.cm.timeout_tick", "14")
                .containsEntry("cip.cm.ot_connid", "0xb228a0ea").containsEntry("cip.cm.to_connid", "0x84786cf1")
                .containsEntry("cip.cm.conn_serial_num", "0x1001").containsEntry("cip.cm.vendor", "0xfffe")
                .containsEntry("cip.cm.orig_serial_num", "0x108b001b").containsEntry("cip.cm.timeout_multiplier", "1")
                .containsEntry("cip.cm.otrpi", "10000").containsEntry("cip.cm.torpi", "20000")
                .containsEntry("cip.cm.fwo.consize", "38,34").containsEntry("cip.cm.fwo.type", "2,1")
                .containsEntry("cip.cm.fwo.prio", "2,1").containsEntry("cip.cm.fwo.f_v", "0,1")
                .containsEntry("cip.cm.fwo.transport", "1").containsEntry("cip.cm.fwo.trigger", "0")
                .containsEntry("cip.cm.fwo.dir", "0").containsEntry("cip.cm.connpath_size", "9")
                .containsEntry("cip.class", "0x06,0x04").containsEntry("cip.instance", "0x01,0x97")
                .containsEntry("cip.connpoint", "0x96,0x64").containsEntry("cip.ekey.vendor", "0x0001")
                .containsEntry("cip.ekey.product_code", "0xfde9");
    }

    @Test
    void forwardOpenReplyFields() {
        assertThat(frame(2)).containsEntry("cip.service", "0xd4").containsEntry("cip.genstat", "0x00")
                .containsEntry("cip.cm.ot_connid", "0x26e70013").containsEntry("cip.cm.to_connid", "0x84786cf1")
                .containsEntry("cip.cm.conn_serial_num", "0x1001").containsEntry("cip.cm.orig_serial_num", "0x108b001b")
                .containsEntry("cip.cm.otapi", "10000").containsEntry("cip.cm.toapi", "20000")
                .containsEntry("cip.cm.app_reply_size", "0");
    }

    @Test
    void largeForwardOpenCarries32BitParameters() {
        assertThat(frame(3)).containsEntry("cip.service", "0x5b").containsEntry("cip.cm.ot_connid", "0x5221187c")
                .containsEntry("cip.cm.conn_serial_num", "0x1002").containsEntry("cip.cm.fwo.consize", "1000,34")
                .containsEntry("cip.cm.fwo.type", "2,1").containsEntry("cip.cm.fwo.prio", "2,1")
                .containsEntry("cip.cm.fwo.f_v", "0,1").containsEntry("cip.cm.fwo.transport", "1")
                .containsEntry("cip.cm.connpath_size", "9").containsEntry("cip.connpoint", "0x96,0x64");
        assertThat(frame(4)).containsEntry("cip.service", "0xdb").containsEntry("cip.cm.ot_connid", "0xa4190013")
                .containsEntry("cip.cm.app_reply_size", "1");
    }

    @Test
    void forwardCloseFields() {
        assertThat(frame(5)).containsEntry("cip.service", "0x4e").containsEntry("cip.cm.conn_serial_num", "0x1001")
                .containsEntry("cip.cm.vendor", "0xfffe").containsEntry("cip.cm.orig_serial_num", "0x108b001b")
                .containsEntry("cip.cm.connpath_size", "9");
        assertThat(frame(5).get("cip.connpoint")).endsWith("0x96,0x64");
        assertThat(frame(6)).containsEntry("cip.service", "0xce").containsEntry("cip.genstat", "0x00")
                .containsEntry("cip.cm.conn_serial_num", "0x1001").containsEntry("cip.cm.app_reply_size", "0");
    }

    @Test
    void unconnectedSendFields() {
        assertThat(frame(7)).containsEntry("cip.service", "0x52,0x0e").containsEntry("cip.cm.tick_time", "7")
                .containsEntry("cip.cm.timeout_tick", "233").containsEntry("cip.cm.msg_req_size", "8")
                .containsEntry("cip.cm.route_path_size", "1").containsEntry("cip.port", "1")
                .containsEntry("cip.linkaddress.byte", "0").containsEntry("cip.class", "0x06,0x01")
                .containsEntry("cip.instance", "0x01,0x01").containsEntry("cip.attribute", "7");
        assertThat(frame(8)).containsEntry("cip.service", "0x8e").containsEntry("cip.genstat", "0x00");
    }

    @Test
    void sizeFailureShowsExtendedStatusAndSize() {
        assertThat(frame(10)).containsEntry("cip.service", "0xd4").containsEntry("cip.genstat", "0x01")
                .containsEntry("cip.cm.ext_status", "0x0127").containsEntry("cip.cm.ext127_size", "36")
                .containsEntry("cip.cm.conn_serial_num", "0x1003").containsEntry("cip.cm.remain_path_size", "0");
    }

    @Test
    void rpiFailureShowsAcceptableRpis() {
        assertThat(frame(12)).containsEntry("cip.genstat", "0x01").containsEntry("cip.cm.ext_status", "0x0112")
                .containsEntry("cip.cm.ext112otrpi_type", "2").containsEntry("cip.cm.ext112otrpi", "50000")
                .containsEntry("cip.cm.ext112torpi", "20000").containsEntry("cip.cm.conn_serial_num", "0x1004");
    }
}
