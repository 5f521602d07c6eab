package dev.cipsec.wire.io;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cm.SendRRDataFrames;
import dev.cipsec.wire.cm.TransportTrigger;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.PcapWriter.Packet;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Forward_Open exchange and class 1 I/O on UDP 2222 in one capture, built with our codecs, so
 * that tshark links the datagrams to the connection and decodes sequence counts and run/idle.
 */
class IoFrameTsharkTest {
    static final long OT_ID = 0x26E70013L;
    static final long TO_ID = 0x84786CF1L;
    /**
     * Without a T→O sockaddr item tshark expects the originator to consume on 2222 and only then
     * links T→O datagrams to the connection (OpENer's capture announces its port with item 0x8001).
     */
    static final int CLIENT_IO_PORT = 2222;

    @TempDir
    static Path dir;
    static Path pcap;
    static List<Map<String, String>> rows;

    @BeforeAll
    static void capture() throws Exception {
        EPath path = EPath.of(LogicalSegment.of(LogicalType.CLASS, 4), LogicalSegment.of(LogicalType.INSTANCE, 151),
                LogicalSegment.of(LogicalType.CONNECTION_POINT, 150), LogicalSegment.of(LogicalType.CONNECTION_POINT, 100));
        ForwardOpenRequest fo = new ForwardOpenRequest(false, 0x0A, 0x0E, 0xB228A0EAL, TO_ID, 0xEFDB, 0xFFFE, 0x108B001BL,
                0, 10_000, NetworkConnectionParameters.pointToPoint(38), 10_000, NetworkConnectionParameters.pointToPoint(34),
                TransportTrigger.CLASS1_CYCLIC, path);
        ForwardOpenResponse ok = new ForwardOpenResponse(OT_ID, TO_ID, fo.triad(), 10_000, 10_000, Bytes.EMPTY);

        List<Packet> packets = new ArrayList<>();
        packets.add(Packet.tcp(50_000, 44818, SendRRDataFrames.wrap(fo.toRequest().toBytes(), 1)));
        packets.add(Packet.tcp(44818, 50_000, SendRRDataFrames.wrap(ok.toResponse(false).toBytes(), 1)));
        byte[] buf = new byte[128];
        byte[] out = new byte[36];
        for (int i = 1; i <= 3; i++) {
            // O->T: run/idle header (run on frames 1 and 3, idle on 2) + 32 bytes
            RunIdleHeader.write(out, 0, i == 2 ? RunIdleHeader.IDLE.value() : RunIdleHeader.RUN.value());
            Arrays.fill(out, 4, 36, (byte) i);
            int n = IoFrame.encode(buf, 0, OT_ID, i, i, out, 0, out.length);
            packets.add(Packet.udp(CLIENT_IO_PORT, 2222, Arrays.copyOf(buf, n)));
            // T->O: modeless, 32 bytes
            n = IoFrame.encode(buf, 0, TO_ID, 100 + i, (0xFFFF - 1 + i) & 0xFFFF, out, 4, 32);
            packets.add(Packet.udp(2222, CLIENT_IO_PORT, Arrays.copyOf(buf, n)));
        }
        pcap = dir.resolve("io.pcap");
        PcapWriter.write(pcap, packets);
        rows = Tshark.fields(pcap, "udp", List.of("frame.number", "enip.cpf.itemcount", "enip.cpf.sai.connid",
                "enip.cpf.sai.seq", "cip.seq", "cip.32bitheader", "cip.32bitheader.run_idle", "cipio.data"));
    }

    static Map<String, String> frame(int n) {
        return rows.stream().filter(r -> r.get("frame.number").equals(Integer.toString(n))).findFirst()
                .orElseThrow(() -> new AssertionError("tshark shows no UDP frame " + n + ": " + rows));
    }

    @Test
    void noFrameIsMalformed() throws Exception {
        assertThat(rows).hasSize(6);
        assertThat(Tshark.malformedCount(pcap)).as(Tshark.verbose(pcap)).isZero();
    }

    @Test
    void originatorFramesCarrySequenceAndRunIdle() {
        for (int i = 1; i <= 3; i++) {
            Map<String, String> f = frame(1 + 2 * i);
            assertThat(f).containsEntry("enip.cpf.itemcount", "2").containsEntry("enip.cpf.sai.connid", "0x26e70013")
                    .containsEntry("enip.cpf.sai.seq", Integer.toString(i)).containsEntry("cip.seq", Integer.toString(i))
                    .containsEntry("cip.32bitheader.run_idle", i == 2 ? "0x00000000" : "0x00000001");
            assertThat(f.get("cipio.data")).isEqualTo(String.format("%02x", i).repeat(32));
        }
    }

    @Test
    void targetFramesAreModelessWithWrappingSequence() {
        for (int i = 1; i <= 3; i++) {
            Map<String, String> f = frame(2 + 2 * i);
            assertThat(f).containsEntry("enip.cpf.sai.connid", "0x84786cf1")
                    .containsEntry("enip.cpf.sai.seq", Integer.toString(100 + i))
                    .containsEntry("cip.seq", Integer.toString((0xFFFF - 1 + i) & 0xFFFF))
                    .containsEntry("cip.32bitheader", "");
            assertThat(f.get("cipio.data")).hasSize(64);
        }
    }
}
