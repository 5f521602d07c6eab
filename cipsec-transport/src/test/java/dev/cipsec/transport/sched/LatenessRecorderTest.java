package dev.cipsec.transport.sched;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatenessRecorderTest {

    @Test
    void emptyRecorderReportsZeros() {
        assertThat(new LatenessRecorder().snapshot()).isEqualTo(new LatenessStats(0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void smallValuesAreExact() {
        LatenessRecorder recorder = new LatenessRecorder();
        for (int v = 0; v < 100; v++) {
            recorder.record(v);
        }
        // Rank ceil(q * 100) of 0..99.
        assertThat(recorder.snapshot()).isEqualTo(new LatenessStats(100, 49, 98, 99, 0, 0, 0));
    }

    @Test
    void percentilesOfAUniformRangeAreWithinOneSixtyFourth() {
        LatenessRecorder recorder = new LatenessRecorder();
        for (long v = 1; v <= 10_000; v++) {
            recorder.record(v * 1_000);
        }
        LatenessStats stats = recorder.snapshot();
        assertThat(stats.runs()).isEqualTo(10_000);
        assertThat(stats.p50Nanos()).isBetween(5_000_000L, 5_000_000L + 5_000_000L / 64);
        assertThat(stats.p99Nanos()).isBetween(9_900_000L, 9_900_000L + 9_900_000L / 64);
        assertThat(stats.maxNanos()).isEqualTo(10_000_000L);
    }

    @Test
    void aFewOutliersShowInMaxAndNotInTheMedian() {
        LatenessRecorder recorder = new LatenessRecorder();
        for (int i = 0; i < 990; i++) {
            recorder.record(20_000);
        }
        for (int i = 0; i < 10; i++) {
            recorder.record(3_000_000_000L);
        }
        LatenessStats stats = recorder.snapshot();
        assertThat(stats.p50Nanos()).isBetween(20_000L, 20_000L + 20_000L / 64);
        assertThat(stats.p99Nanos()).isBetween(20_000L, 20_000L + 20_000L / 64);
        assertThat(recorder.percentile(0.999)).isEqualTo(3_000_000_000L);
        assertThat(stats.maxNanos()).isEqualTo(3_000_000_000L);
    }

    @Test
    void extremesAndNegativeValues() {
        LatenessRecorder recorder = new LatenessRecorder();
        recorder.record(-5);
        recorder.record(Long.MAX_VALUE);
        LatenessStats stats = recorder.snapshot();
        assertThat(stats.p50Nanos()).isZero();
        assertThat(stats.p99Nanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(stats.maxNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(stats.earlyRuns()).isEqualTo(1);
        assertThat(stats.maxEarlyNanos()).isEqualTo(5);
        assertThat(LatenessRecorder.index(Long.MAX_VALUE)).isEqualTo(LatenessRecorder.BUCKETS - 1);
    }

    @Test
    void overrunsAreCountedAndResetClearsEverything() {
        LatenessRecorder recorder = new LatenessRecorder();
        recorder.record(1_000);
        recorder.record(-40_000);
        recorder.recordOverruns(3);
        recorder.recordOverruns(2);
        assertThat(recorder.snapshot().overruns()).isEqualTo(5);
        recorder.reset();
        assertThat(recorder.snapshot()).isEqualTo(new LatenessStats(0, 0, 0, 0, 0, 0, 0));
    }

    @Property
    void everyValueLiesInItsBucketWhichIsAtMostOneSixtyFourthWide(
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long v) {
        int index = LatenessRecorder.index(v);
        long highest = LatenessRecorder.highestEquivalent(index);
        long lowest = index == 0 ? 0 : LatenessRecorder.highestEquivalent(index - 1) + 1;
        assertThat(index).isBetween(0, LatenessRecorder.BUCKETS - 1);
        assertThat(v).isBetween(lowest, highest);
        assertThat(highest - lowest).isLessThanOrEqualTo(lowest / 64);
    }

    @Property
    void bucketsAreContiguousAndIncreasing(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE - 1) long v) {
        assertThat(LatenessRecorder.index(v + 1) - LatenessRecorder.index(v)).isBetween(0, 1);
    }
}
