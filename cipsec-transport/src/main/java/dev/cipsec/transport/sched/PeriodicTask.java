package dev.cipsec.transport.sched;

/** A handle on an action scheduled with {@link DeadlineScheduler#schedulePeriodic}. */
public interface PeriodicTask {
    /**
     * Stops future runs: a run in progress, or one starting while this is called, completes; no
     * later run starts. Idempotent and thread-safe.
     */
    void cancel();

    boolean isCancelled();

    long periodNanos();
}
