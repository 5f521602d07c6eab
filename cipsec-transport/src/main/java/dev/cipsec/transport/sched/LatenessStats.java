package dev.cipsec.transport.sched;

/**
 * How late a {@link DeadlineScheduler}'s runs started relative to their deadlines, since it started
 * or since the last {@link DeadlineScheduler#resetLateness()}.
 *
 * <p>Percentiles come from a log-linear histogram and are exact below 128 ns, otherwise at most
 * 1/64 (about 1.6 %) above the true value; {@code maxNanos} is exact.
 *
 * @param runs      runs recorded
 * @param p50Nanos  median lateness
 * @param p99Nanos  99th percentile lateness
 * @param maxNanos  largest lateness
 * @param overruns  deadlines skipped because a run was more than one period late
 * @param earlyRuns runs that started before their deadline, inside the scheduler's early window
 *                  (they count as lateness 0 in the percentiles)
 * @param maxEarlyNanos how far before its deadline the earliest of those started
 */
public record LatenessStats(long runs, long p50Nanos, long p99Nanos, long maxNanos, long overruns, long earlyRuns,
                            long maxEarlyNanos) {
}
