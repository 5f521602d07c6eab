package dev.cipsec.cli.bench;

import dev.cipsec.scanner.io.InputHandler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * I/O lateness as the consuming scanner sees it: the arrival time of every T->O packet of each
 * connection, compared with the connection's own production grid.
 *
 * <p>The adapter produces each connection's T->O on a fixed grid (first deadline + k x RPI: its
 * deadline scheduler keeps the grid rather than counting from the last run, and it grants the RPI
 * asked for as the API). The grid's phase is found from the arrivals themselves: it
 * is where most of their phases (arrival time modulo the RPI) cluster ({@link #gridPhase}). An arrival's lateness is its phase minus the grid's, modulo the RPI: relative
 * to the connection's earliest packets, and a packet more than one RPI late (its deadline skipped,
 * which the scheduler counts as an overrun) counts modulo the RPI.
 * It so contains the adapter scheduler's lateness and the transport's jitter (DTLS protection,
 * loopback, the scanner's receive thread).
 */
final class ArrivalLateness {
    private final long[][] arrivals;
    private final int[] counts;

    /**
     * Lateness sample of a window.
     *
     * @param nanos every packet's lateness, sorted
     */
    record Sample(int connections, Duration rpi, long[] nanos) {
        long percentile(double q) {
            if (nanos.length == 0) {
                return 0;
            }
            return nanos[Math.min(nanos.length - 1, Math.max(0, (int) Math.ceil(q * nanos.length) - 1))];
        }

        long max() {
            return nanos.length == 0 ? 0 : nanos[nanos.length - 1];
        }

        /**
         * Counts in {@code binNanos}-wide bins from 0, up to the bin of the 99.9th percentile; packets
         * beyond fall into the last bin (the maximum is reported apart).
         */
        List<long[]> histogram(long binNanos) {
            long top = percentile(0.999);
            int bins = (int) Math.min(400, top / binNanos + 1);
            long[] counts = new long[bins];
            for (long v : nanos) {
                counts[(int) Math.min(bins - 1, v / binNanos)]++;
            }
            List<long[]> out = new ArrayList<>(bins);
            for (int i = 0; i < bins; i++) {
                out.add(new long[] {i * binNanos, (i + 1) * binNanos, counts[i]});
            }
            return out;
        }

        /** A bin width giving some 40 bins up to the 99.9th percentile, rounded to 1/2/5 x 10^n ns (at least 1 us). */
        long binNanos() {
            long target = Math.max(1000, percentile(0.999) / 40);
            long decade = 1;
            while (decade * 10 <= target) {
                decade *= 10;
            }
            for (long m : new long[] {1, 2, 5, 10}) {
                if (m * decade >= target) {
                    return m * decade;
                }
            }
            return 10 * decade;
        }
    }

    /** Room for {@code perConnection} arrivals per connection; later ones are not recorded. */
    ArrivalLateness(int connections, int perConnection) {
        arrivals = new long[connections][perConnection];
        counts = new int[connections];
    }

    /** Connection {@code i}'s handler: records the arrival time and nothing else (it runs on the receive thread). */
    InputHandler handler(int i) {
        return (buf, off, len) -> record(i, System.nanoTime());
    }

    /** Records an arrival of connection {@code i} at {@code nanos}; beyond the room given, drops it. */
    void record(int i, long nanos) {
        int n = counts[i];
        if (n < arrivals[i].length) {
            arrivals[i][n] = nanos;
            counts[i] = n + 1;
        }
    }

    /**
     * The lateness of every arrival after the first {@code skip} of the run (counted from the latest
     * first arrival, so every connection is warm), at nominal period {@code rpi}. Call after the
     * scanner's runtime has closed, so that its receive thread wrote its last arrival before.
     */
    synchronized Sample sample(Duration rpi, Duration skip) {
        long start = Long.MIN_VALUE;
        for (int c = 0; c < arrivals.length; c++) {
            if (counts[c] > 0) {
                start = Math.max(start, arrivals[c][0] + skip.toNanos());
            }
        }
        long period = rpi.toNanos();
        long[] all = new long[Arrays.stream(counts).sum()];
        int n = 0;
        for (int c = 0; c < arrivals.length; c++) {
            long[] a = arrivals[c];
            int from = 0;
            while (from < counts[c] && a[from] < start) {
                from++;
            }
            int to = counts[c];
            if (to - from < 2) {
                continue;
            }
            long[] phases = new long[to - from];
            for (int i = from; i < to; i++) {
                phases[i - from] = Math.floorMod(a[i], period);
            }
            long grid = gridPhase(phases, period);
            for (long phase : phases) {
                all[n++] = Math.floorMod(phase - grid, period);
            }
        }
        long[] sorted = Arrays.copyOf(all, n);
        Arrays.sort(sorted);
        return new Sample(arrivals.length, rpi, sorted);
    }

    /**
     * The grid's phase: the start of the densest cluster of phases. Of the phases seen, the one with
     * the most packets in the eighth of a period after it, the smallest total lateness breaking ties
     * (so a cluster's earliest packet, not one inside it). A handful of late packets, however late,
     * does not pass for the grid, nor do packets that came a little early make the rest look a
     * period late.
     */
    static long gridPhase(long[] phases, long period) {
        long window = period / 8;
        long best = phases[0];
        int bestCount = -1;
        double bestSum = Double.MAX_VALUE;
        for (long candidate : phases) {
            int count = 0;
            double sum = 0;
            for (long p : phases) {
                long late = Math.floorMod(p - candidate, period);
                if (late < window) {
                    count++;
                }
                sum += late;
            }
            if (count > bestCount || (count == bestCount && sum < bestSum)) {
                bestCount = count;
                bestSum = sum;
                best = candidate;
            }
        }
        return best;
    }
}
