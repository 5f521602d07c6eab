package dev.cipsec.wire.io;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunIdleHeaderTest {

    @Test
    void bitsMapToFields() {
        RunIdleHeader h = RunIdleHeader.of(true, true, 2);
        assertThat(h.value()).isEqualTo(0x0B);
        assertThat(h.run()).isTrue();
        assertThat(h.coo()).isTrue();
        assertThat(h.roo()).isEqualTo(2);
        assertThat(RunIdleHeader.IDLE.run()).isFalse();
        assertThat(RunIdleHeader.isRun(1)).isTrue();
        assertThatThrownBy(() -> RunIdleHeader.of(true, false, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readWriteAndCodecAgreeIncludingReservedBits() throws Exception {
        byte[] buf = new byte[6];
        assertThat(RunIdleHeader.write(buf, 2, 0x8000_0001)).isEqualTo(6);
        assertThat(RunIdleHeader.read(buf, 2)).isEqualTo(0x8000_0001);
        RunIdleHeader h = RunIdleHeader.decode(WireReader.of(buf, 2, 4));
        assertThat(h.run()).isTrue();
        WireWriter w = WireWriter.ofSize(4);
        h.encode(w);
        assertThat(w.array()).containsExactly(0x01, 0x00, 0x00, 0x80);
        assertThatThrownBy(() -> RunIdleHeader.decode(WireReader.of(new byte[3]))).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> RunIdleHeader.read(buf, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
