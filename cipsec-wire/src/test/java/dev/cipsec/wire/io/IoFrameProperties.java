package dev.cipsec.wire.io;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;

class IoFrameProperties {

    @Property
    void framesRoundTripThroughRecordStaticEncoderAndView(@ForAll @LongRange(max = 0xFFFF_FFFFL) long connId,
                                                          @ForAll @LongRange(max = 0xFFFF_FFFFL) long seq,
                                                          @ForAll @IntRange(min = -1, max = 0xFFFF) int cipSeq,
                                                          @ForAll @Size(max = 100) byte[] data) throws Exception {
        IoFrame frame = new IoFrame(connId, seq, cipSeq, Bytes.of(data));
        byte[] b = frame.toBytes().toArray();
        assertThat(IoFrame.decode(WireReader.of(b), frame.class1())).isEqualTo(frame);

        byte[] fast = new byte[b.length + 4];
        int n = IoFrame.encode(fast, 4, connId, seq, cipSeq, data, 0, data.length);
        assertThat(Bytes.copyOf(fast, 4, n)).isEqualTo(Bytes.of(b));

        IoFrameView v = new IoFrameView();
        v.wrap(fast, 4, n, frame.class1());
        assertThat(v.connectionId()).isEqualTo(connId);
        assertThat(v.encapSequence()).isEqualTo(seq);
        assertThat(v.cipSequence()).isEqualTo(cipSeq);
        assertThat(v.toFrame()).isEqualTo(frame);
    }

    @Property
    void arbitraryBytesFailOnlyWithWireFormatException(@ForAll @Size(max = 60) byte[] data, @ForAll boolean class1) {
        IoFrameView v = new IoFrameView();
        WireFormatException viewError = null;
        try {
            v.wrap(data, 0, data.length, class1);
            assertThat(v.dataOffset() + v.dataLength()).isEqualTo(data.length);
        } catch (WireFormatException e) {
            assertThat(v.isValid()).isFalse();
            viewError = e;
        }
        try {
            IoFrame.decode(WireReader.of(data), class1);
            assertThat(viewError).isNull();
        } catch (WireFormatException e) {
            assertThat(viewError).isNotNull();
            assertThat(e.reason()).isEqualTo(viewError.reason());
        }
    }

    /** Random bytes almost never form the item headers; these keep valid headers and fuzz the lengths. */
    @Property
    void viewAndRecordAgreeOnFuzzedLengths(@ForAll @IntRange(max = 0xFFFF) int addrLen, @ForAll @IntRange(max = 0xFFFF) int itemLen,
                                           @ForAll @Size(max = 40) byte[] tail, @ForAll boolean class1) {
        byte[] b = new byte[18 + tail.length];
        b[0] = 2;
        b[2] = 0x02;
        b[3] = (byte) 0x80;
        b[4] = (byte) (addrLen % 3 == 0 ? 8 : addrLen);
        b[5] = (byte) (addrLen % 3 == 0 ? 0 : addrLen >>> 8);
        b[14] = (byte) 0xB1;
        b[16] = (byte) (itemLen % 2 == 0 ? tail.length : itemLen);
        b[17] = (byte) (itemLen % 2 == 0 ? 0 : itemLen >>> 8);
        System.arraycopy(tail, 0, b, 18, tail.length);
        WireFormatException viewError = null;
        WireFormatException recordError = null;
        IoFrameView v = new IoFrameView();
        try {
            v.wrap(b, 0, b.length, class1);
        } catch (WireFormatException e) {
            viewError = e;
        }
        try {
            IoFrame f = IoFrame.decode(WireReader.of(b), class1);
            assertThat(v.toFrame()).isEqualTo(f);
        } catch (WireFormatException e) {
            recordError = e;
        }
        assertThat(viewError == null).isEqualTo(recordError == null);
        if (viewError != null) {
            assertThat(viewError.reason()).isEqualTo(recordError.reason());
        }
    }
}
