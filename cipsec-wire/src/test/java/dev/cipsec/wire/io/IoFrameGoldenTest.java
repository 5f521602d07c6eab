package dev.cipsec.wire.io;

import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every class 1 datagram of the OpENer I/O captures, read by the view and the record alike. */
class IoFrameGoldenTest {

    static Stream<Arguments> captures() {
        return Stream.of(
                Arguments.of("opener-io-exclusive-owner.hex", 0x26E70013L, 0x84786CF1L, 36, 32),
                Arguments.of("opener-io-input-only.hex", 0x73810013L, 0x4D55D932L, 0, 32),
                Arguments.of("opener-io-large-forward-open.hex", 0xA4190013L, 0xC7AE94E8L, 36, 32));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void everyIoFrameDecodesConsistentlyWithIncreasingSequences(String file, long otId, long toId, int otData, int toData)
            throws Exception {
        List<Fixtures.Frame> udp = Fixtures.load(file).stream().filter(f -> !f.tcp()).toList();
        assertThat(udp).hasSize(200);
        IoFrameView view = new IoFrameView();
        long[] lastEncap = {0, 0};
        int[] lastCip = {0, 0};
        int[] count = {0, 0};
        for (Fixtures.Frame f : udp) {
            byte[] p = f.payload();
            int dir = f.toAdapter() ? 0 : 1;
            view.wrap(p, 0, p.length);
            IoFrame frame = IoFrame.decode(WireReader.of(p), true);
            assertThat(view.toFrame()).isEqualTo(frame);

            assertThat(frame.connectionId()).isEqualTo(f.toAdapter() ? otId : toId);
            assertThat(frame.data().length()).isEqualTo(f.toAdapter() ? otData : toData);
            assertThat(view.dataOffset()).isEqualTo(20);
            assertThat(view.dataLength()).isEqualTo(frame.data().length());
            assertThat(SequenceCounters.isNewer32(view.encapSequence(), lastEncap[dir])).isTrue();
            assertThat(SequenceCounters.delta32(lastEncap[dir], view.encapSequence())).isEqualTo(1);
            assertThat(SequenceCounters.isNewer16(view.cipSequence(), lastCip[dir])).isTrue();
            lastEncap[dir] = view.encapSequence();
            lastCip[dir] = view.cipSequence();
            count[dir]++;
            if (f.toAdapter() && otData > 0) {
                int header = RunIdleHeader.read(p, view.dataOffset());
                assertThat(RunIdleHeader.isRun(header)).isTrue();
                assertThat(RunIdleHeader.decode(WireReader.of(frame.data().toArray()))).isEqualTo(RunIdleHeader.RUN);
                // data after the header: byte i = 7*i mod 256, byte 0 = low byte of the sequence
                assertThat(p[view.dataOffset() + 4]).isEqualTo((byte) view.cipSequence());
                assertThat(p[view.dataOffset() + 5]).isEqualTo((byte) 7);
            }

            assertThat(frame.toBytes().toArray()).isEqualTo(p);
            byte[] out = new byte[p.length];
            int n = IoFrame.encode(out, 0, view.connectionId(), view.encapSequence(), view.cipSequence(),
                    view.buffer(), view.dataOffset(), view.dataLength());
            assertThat(n).isEqualTo(p.length);
            assertThat(out).isEqualTo(p);
        }
        assertThat(count).containsExactly(100, 100);
        assertThat(lastEncap).containsExactly(100, 100);
        assertThat(lastCip).containsExactly(100, 100);
    }
}
