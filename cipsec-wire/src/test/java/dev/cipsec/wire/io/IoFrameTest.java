package dev.cipsec.wire.io;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireFormatException.Reason;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cm.TsvCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HexFormat;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class IoFrameTest {

    @Test
    void class1FrameLayout() throws Exception {
        IoFrame f = new IoFrame(0x26E70013L, 1, 1, Bytes.fromHex("01000000" + "0107"));
        assertThat(f.toBytes()).isEqualTo(Bytes.fromHex("0200" + "02800800" + "1300e726" + "01000000"
                + "b1000800" + "0100" + "010000000107"));
        assertThat(f.encodedLength()).isEqualTo(IoFrame.frameLength(true, 6)).isEqualTo(26);
        assertThat(f.class1()).isTrue();
    }

    @Test
    void class0FramesHaveNoSequenceCount() throws Exception {
        IoFrame heartbeat = new IoFrame(5, 7, IoFrame.NO_SEQUENCE, Bytes.EMPTY);
        byte[] b = heartbeat.toBytes().toArray();
        assertThat(b).hasSize(18);
        assertThat(IoFrame.decode(WireReader.of(b), false)).isEqualTo(heartbeat);
        IoFrameView v = new IoFrameView();
        v.wrap(b, 0, b.length, false);
        assertThat(v.cipSequence()).isEqualTo(-1);
        assertThat(v.dataLength()).isZero();

        IoFrame data = new IoFrame(5, 8, -1, Bytes.fromHex("aabbcc"));
        byte[] d = data.toBytes().toArray();
        v.wrap(d, 0, d.length, false);
        assertThat(v.toFrame()).isEqualTo(data);
    }

    @Test
    void class1HeartbeatIsJustTheSequenceCount() throws Exception {
        byte[] b = HexFormat.of().parseHex("0200028008001300817301000000b10002000100");
        IoFrameView v = new IoFrameView();
        v.wrap(b, 0, b.length);
        assertThat(v.cipSequence()).isEqualTo(1);
        assertThat(v.dataLength()).isZero();
        assertThat(IoFrame.decode(WireReader.of(b), true)).isEqualTo(new IoFrame(0x73810013L, 1, 1, Bytes.EMPTY));
    }

    @Test
    void viewWrapsAtAnOffsetAndRewrapsAsClass1() throws Exception {
        byte[] frame = new IoFrame(0x11223344L, 9, 0xFFFF, Bytes.fromHex("deadbeef")).toBytes().toArray();
        byte[] buf = new byte[frame.length + 10];
        System.arraycopy(frame, 0, buf, 7, frame.length);
        IoFrameView v = new IoFrameView();
        v.wrap(buf, 7, frame.length, false);
        assertThat(v.connectionId()).isEqualTo(0x11223344L);
        assertThat(v.dataLength()).isEqualTo(6);
        v.wrap(buf, 7, frame.length, true);
        assertThat(v.cipSequence()).isEqualTo(0xFFFF);
        assertThat(v.dataOffset()).isEqualTo(7 + 20);
        assertThat(v.dataLength()).isEqualTo(4);
        assertThat(v.buffer()).isSameAs(buf);
    }

    @Test
    void failedWrapLeavesNoFrame() throws Exception {
        IoFrameView v = new IoFrameView();
        assertThat(v.isValid()).isFalse();
        byte[] ok = new IoFrame(1, 1, 1, Bytes.EMPTY).toBytes().toArray();
        v.wrap(ok, 0, ok.length);
        assertThat(v.isValid()).isTrue();
        assertThatThrownBy(() -> v.wrap(new byte[3], 0, 3)).isInstanceOf(WireFormatException.class);
        assertThat(v.isValid()).isFalse();
        assertThatThrownBy(v::connectionId).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> v.wrap(ok, 2, ok.length)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void staticEncodeMatchesTheRecordAndChecksBounds() {
        byte[] payload = HexFormat.of().parseHex("00112233445566");
        byte[] dst = new byte[64];
        int n = IoFrame.encode(dst, 3, 0xA4190013L, 0xFFFF_FFFFL, 42, payload, 1, 5);
        IoFrame rec = new IoFrame(0xA4190013L, 0xFFFF_FFFFL, 42, Bytes.fromHex("1122334455"));
        assertThat(n).isEqualTo(rec.encodedLength());
        assertThat(Bytes.copyOf(dst, 3, n)).isEqualTo(rec.toBytes());
        assertThat(IoFrame.encode(dst, 0, 1, 1, -1, payload, 0, 0)).isEqualTo(18);

        assertThatThrownBy(() -> IoFrame.encode(new byte[20], 0, 1, 1, 1, payload, 0, 7))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> IoFrame.encode(dst, 0, 1, 1, 1, payload, 3, 7))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> IoFrame.encode(dst, 0, 1, 1, 0x10000, payload, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IoFrame.encode(new byte[70_000], 0, 1, 1, 1, new byte[0xFFFE], 0, 0xFFFE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordRefusesOutOfRangeFields() {
        assertThatThrownBy(() -> new IoFrame(-1, 0, 0, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IoFrame(0, 1L << 32, 0, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IoFrame(0, 0, -2, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IoFrame(0, 0, 0x10000, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> negatives() {
        return TsvCases.load("/fixtures/io/negative.tsv").stream()
                .map(r -> Arguments.of(r[0].equals("1"), r[1], Reason.valueOf(r[2]), r[3]));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("negatives")
    void malformedDatagramFailsWithTheSameReasonInViewAndRecord(boolean class1, String hex, Reason expected, String defect) {
        byte[] b = HexFormat.of().parseHex(hex);
        WireFormatException viewError = catchThrowableOfType(WireFormatException.class,
                () -> new IoFrameView().wrap(b, 0, b.length, class1));
        WireFormatException recordError = catchThrowableOfType(WireFormatException.class,
                () -> IoFrame.decode(WireReader.of(b), class1));
        assertThat(viewError).as(defect).isNotNull();
        assertThat(recordError).as(defect).isNotNull();
        assertThat(viewError.reason()).as(defect + ": " + viewError.getMessage()).isEqualTo(expected);
        assertThat(recordError.reason()).as(defect + ": " + recordError.getMessage()).isEqualTo(expected);
    }
}
