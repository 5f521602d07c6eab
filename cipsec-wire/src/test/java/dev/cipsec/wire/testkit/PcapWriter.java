package dev.cipsec.wire.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes payloads as a classic pcap (Ethernet/IPv4/TCP or UDP on 127.0.0.1) so that tshark can
 * decode bytes we produced. TCP sequence numbers advance per direction, so tshark sees one
 * in-order stream per port pair.
 */
public final class PcapWriter {
    private PcapWriter() {
    }

    /** A payload between {@code srcPort} and {@code dstPort}. */
    public record Packet(boolean tcp, int srcPort, int dstPort, byte[] payload) {
        public static Packet tcp(int src, int dst, byte[] payload) {
            return new Packet(true, src, dst, payload);
        }

        public static Packet udp(int src, int dst, byte[] payload) {
            return new Packet(false, src, dst, payload);
        }
    }

    public static void write(Path file, List<Packet> packets) throws IOException {
        int total = 24;
        for (Packet p : packets) {
            total += 16 + 14 + 20 + (p.tcp ? 20 : 8) + p.payload.length;
        }
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        Map<Long, Long> seq = new HashMap<>();
        int ts = 0;
        for (Packet p : packets) {
            int l4 = p.tcp ? 20 : 8;
            int len = 14 + 20 + l4 + p.payload.length;
            b.order(ByteOrder.LITTLE_ENDIAN).putInt(1_700_000_000).putInt(ts++ * 1000).putInt(len).putInt(len);
            b.order(ByteOrder.BIG_ENDIAN);
            b.put(new byte[12]).putShort((short) 0x0800);
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4 + p.payload.length)).putShort((short) ts)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) (p.tcp ? 6 : 17)).putShort((short) 0)
                    .putInt(0x7f000001).putInt(0x7f000001);
            if (p.tcp) {
                long key = ((long) p.srcPort << 16) | p.dstPort;
                long reverse = ((long) p.dstPort << 16) | p.srcPort;
                long s = seq.getOrDefault(key, 1000L);
                long a = seq.getOrDefault(reverse, 1000L);
                seq.put(key, s + p.payload.length);
                b.putShort((short) p.srcPort).putShort((short) p.dstPort).putInt((int) s).putInt((int) a)
                        .putShort((short) 0x5018).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
            } else {
                b.putShort((short) p.srcPort).putShort((short) p.dstPort).putShort((short) (8 + p.payload.length))
                        .putShort((short) 0);
            }
            b.put(p.payload);
        }
        Files.write(file, b.array());
    }
}
