package dev.cipsec.transport;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A small buffer grows only for the frames that need it; a refused growth abandons the frame. */
class FrameReaderGrowthTest {
    static final Duration T = Duration.ofSeconds(5);

    static byte[] frame(int body) {
        byte[] f = new byte[4 + body];
        f[0] = (byte) body;
        f[1] = (byte) (body >> 8);
        for (int i = 0; i < body; i++) {
            f[4 + i] = (byte) i;
        }
        return f;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    @Test
    void growsForALargeFrameAndKeepsFramesIntact() throws IOException {
        byte[] small = frame(10);
        byte[] large = frame(3000);
        FrameReader r = new FrameReader(new ByteArrayInputStream(concat(small, large, small)), 4,
                FrameReader.BodyLength.u16LeAt(0), 4 + 0xFFFF);
        List<Integer> grownTo = new ArrayList<>();
        byte[][] buf = {new byte[64]};
        FrameReader.Growth growth = (current, needed) -> {
            grownTo.add(needed);
            byte[] b = java.util.Arrays.copyOf(current, needed);
            buf[0] = b;
            return b;
        };
        assertThat(r.readFrame(buf[0], T, growth)).isEqualTo(14);
        assertThat(buf[0]).hasSize(64);
        int n = r.readFrame(buf[0], T, growth);
        assertThat(n).isEqualTo(3004);
        assertThat(java.util.Arrays.copyOf(buf[0], n)).isEqualTo(large);
        assertThat(grownTo).containsExactly(3004);
        assertThat(r.readFrame(buf[0], T, growth)).isEqualTo(14);
        assertThat(grownTo).hasSize(1);
        assertThat(r.readFrame(buf[0], T, growth)).isEqualTo(-1);
    }

    @Test
    void aRefusedGrowthAbandonsTheFrameAndTheStream() throws IOException {
        FrameReader r = new FrameReader(new ByteArrayInputStream(concat(frame(500), frame(1))), 4,
                FrameReader.BodyLength.u16LeAt(0), 4 + 0xFFFF);
        FrameReader.Growth refuse = (current, needed) -> {
            throw new IOException("budget exhausted");
        };
        assertThatThrownBy(() -> r.readFrame(new byte[16], T, refuse)).hasMessageContaining("budget");
        assertThatThrownBy(() -> r.readFrame(new byte[16], T, refuse)).hasMessageContaining("framing lost");
    }

    @Test
    void theBufferMustHoldAtLeastTheHeader() {
        FrameReader r = new FrameReader(new ByteArrayInputStream(frame(1)), 4, FrameReader.BodyLength.u16LeAt(0), 100);
        assertThatThrownBy(() -> r.readFrame(new byte[3], T, (c, n) -> c)).isInstanceOf(IllegalArgumentException.class);
    }
}
