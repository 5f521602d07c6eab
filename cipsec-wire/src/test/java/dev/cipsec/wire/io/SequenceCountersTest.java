package dev.cipsec.wire.io;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SequenceCountersTest {

    @Test
    void sixteenBitWrapAroundEdges() {
        assertThat(SequenceCounters.isNewer16(0, 0xFFFF)).isTrue();
        assertThat(SequenceCounters.isNewer16(0xFFFF, 0)).isFalse();
        assertThat(SequenceCounters.isNewer16(5, 5)).isFalse();
        assertThat(SequenceCounters.isNewer16(0x7FFF, 0)).isTrue();
        assertThat(SequenceCounters.isNewer16(0x8000, 0)).isFalse();      // exactly half: ambiguous, not newer
        assertThat(SequenceCounters.isNewer16(0, 0x8000)).isFalse();
        assertThat(SequenceCounters.isNewer16(0x7FFE, 0xFFFF)).isTrue();
        assertThat(SequenceCounters.isNewer16(0x8000, 0x8001)).isFalse();
        assertThat(SequenceCounters.delta16(0xFFFF, 1)).isEqualTo(2);
        assertThat(SequenceCounters.delta16(1, 0xFFFF)).isEqualTo(-2);
        assertThat(SequenceCounters.next16(0xFFFF)).isZero();
    }

    @Test
    void thirtyTwoBitWrapAroundEdges() {
        assertThat(SequenceCounters.isNewer32(0, 0xFFFF_FFFFL)).isTrue();
        assertThat(SequenceCounters.isNewer32(0xFFFF_FFFFL, 0)).isFalse();
        assertThat(SequenceCounters.isNewer32(7, 7)).isFalse();
        assertThat(SequenceCounters.isNewer32(0x7FFF_FFFFL, 0)).isTrue();
        assertThat(SequenceCounters.isNewer32(0x8000_0000L, 0)).isFalse();
        assertThat(SequenceCounters.isNewer32(3, 0xFFFF_FFF0L)).isTrue();
        assertThat(SequenceCounters.delta32(0xFFFF_FFFFL, 0)).isEqualTo(1);
        assertThat(SequenceCounters.delta32(0, 0xFFFF_FFFFL)).isEqualTo(-1);
        assertThat(SequenceCounters.next32(0xFFFF_FFFFL)).isZero();
    }

    @Property
    void next16IsAlwaysNewerAndNeverTheReverse(@ForAll @IntRange(max = 0xFFFF) int s) {
        assertThat(SequenceCounters.isNewer16(SequenceCounters.next16(s), s)).isTrue();
        assertThat(SequenceCounters.isNewer16(s, SequenceCounters.next16(s))).isFalse();
    }

    @Property
    void newer16IsAntisymmetric(@ForAll @IntRange(max = 0xFFFF) int a, @ForAll @IntRange(max = 0xFFFF) int b) {
        assertThat(SequenceCounters.isNewer16(a, b) && SequenceCounters.isNewer16(b, a)).isFalse();
        assertThat(SequenceCounters.isNewer16(a, b)).isEqualTo(SequenceCounters.delta16(b, a) > 0);
    }

    @Property
    void newer32IsAntisymmetric(@ForAll @LongRange(max = 0xFFFF_FFFFL) long a, @ForAll @LongRange(max = 0xFFFF_FFFFL) long b) {
        assertThat(SequenceCounters.isNewer32(a, b) && SequenceCounters.isNewer32(b, a)).isFalse();
        assertThat(SequenceCounters.isNewer32(a, b)).isEqualTo(SequenceCounters.delta32(b, a) > 0);
        assertThat(SequenceCounters.isNewer32(SequenceCounters.next32(a), a)).isTrue();
    }
}
