package dev.cipsec.adapter;

import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.PcapWriter.Packet;
import dev.cipsec.wire.testkit.PeerTools;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tshark decodes a real exchange with the device (Forward_Open with Sockaddr items, the reply,
 * class 1 datagrams both ways) without a malformed frame, and links the datagrams to the
 * Forward_Open. The bytes are what went over loopback, placed on the standard ports.
 */
class IoTsharkTest {
    @Test
    void forwardOpenReplyAndClassOneDatagramsDecode(@TempDir Path dir) throws Exception {
        PeerTools.require("tshark");
        List<Packet> packets = new ArrayList<>();
        ForwardOpenRequest fo = IoPeer.exclusiveOwner(1, 10_000);
        ForwardOpenResponse ok;
        try (CipDevice device = TestDevices.startOpenerLike(); IoPeer peer = IoPeer.open(device)) {
            ok = peer.forwardOpen(fo).ok();
            packets.add(Packet.tcp(50000, 44818, peer.lastRequestFrame));
            packets.add(Packet.tcp(44818, 50000, peer.lastReplyFrame));
            for (int i = 1; i <= 3; i++) {
                byte[] data = new byte[36];
                data[0] = 1;
                data[4] = (byte) i;
                byte[] ot = new IoFrame(ok.otConnectionId(), i, i, dev.cipsec.wire.buf.Bytes.of(data)).toBytes().toArray();
                peer.send(ot);
                packets.add(Packet.udp(2222, 2222, ot));
                packets.add(Packet.udp(2222, 2222, peer.receive().toBytes().toArray()));
            }
        }
        Path pcap = dir.resolve("io.pcap");
        PcapWriter.write(pcap, packets);
        assertThat(Tshark.malformedCount(pcap)).isZero();

        List<Map<String, String>> open = Tshark.fields(pcap, "cip.cm.otapi", List.of("cip.cm.ot_connid", "cip.cm.to_connid",
                "cip.cm.otapi", "cip.cm.toapi", "enip.sinport"));
        assertThat(open).hasSize(1);
        assertThat(Long.decode(open.get(0).get("cip.cm.ot_connid"))).isEqualTo(ok.otConnectionId());
        assertThat(Long.decode(open.get(0).get("cip.cm.to_connid"))).isEqualTo(fo.toConnectionId());
        assertThat(open.get(0).get("cip.cm.otapi")).isEqualTo("10000");

        List<Map<String, String>> io = Tshark.fields(pcap, "udp", List.of("enip.cpf.sai.connid", "enip.cpf.sai.seq", "cipio"));
        assertThat(io).hasSize(6);
        assertThat(io).extracting(r -> Long.decode(r.get("enip.cpf.sai.connid")))
                .containsOnly(ok.otConnectionId(), fo.toConnectionId());
    }
}
