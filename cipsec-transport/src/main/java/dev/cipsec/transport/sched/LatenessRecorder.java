package dev.cipsec.transport.sched;

import java.util.Arrays;

/**
 * An allocation-free log-linear histogram of non-negative nanosecond values (HdrHistogram's layout
 * with fixed arrays): values below 128 have one bucket each, every power of two above is split into
 * 64 equal buckets, so a bucket is at most 1/64 of its values wide.
 *
 * <p>Not thread-safe: one writer, and readers that the owner serialises with it.
 */
final class LatenessRecorder {
    private static final int SUB_BITS = 6;
    private static final int SUB_COUNT = 1 << SUB_BITS;
    /** The shift of the highest power of two, where Long.MAX_VALUE lands (in sub-bucket 127). */
    private static final int LAST_SHIFT = 62 - SUB_BITS;
    static final int BUCKETS = (LAST_SHIFT << SUB_BITS) + 2 * SUB_COUNT;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;
    private long overruns;
    private long earlyRuns;
    private long maxEarly;

    void record(long nanos) {
        if (nanos < 0) {
            earlyRuns++;
            if (-nanos > maxEarly) {
                maxEarly = -nanos;
            }
        }
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    void recordOverruns(long skipped) {
        overruns += skipped;
    }

    void reset() {
        Arrays.fill(counts, 0);
        total = 0;
        max = 0;
        overruns = 0;
        earlyRuns = 0;
        maxEarly = 0;
    }

    LatenessStats snapshot() {
        return new LatenessStats(total, percentile(0.50), percentile(0.99), max, overruns, earlyRuns, maxEarly);
    }

    /**
     * The highest value equivalent to the one at rank {@code ceil(q * runs)}, capped at the exact
     * maximum; 0 when nothing was recorded.
     */
    long percentile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(highestEquivalent(i), max);
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < 2 * SUB_COUNT) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS;
        int sub = (int) (v >>> shift);
        return (shift << SUB_BITS) + sub;
    }

    static long highestEquivalent(int index) {
        if (index < 2 * SUB_COUNT) {
            return index;
        }
        int shift = (index >>> SUB_BITS) - 1;
        long sub = (index & (SUB_COUNT - 1)) + SUB_COUNT;
        return ((sub + 1) << shift) - 1;
    }
}
