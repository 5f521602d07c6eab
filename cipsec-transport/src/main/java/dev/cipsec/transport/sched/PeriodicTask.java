package dev.cipsec.transport.sched;

/** A handle on an action scheduled with {@link DeadlineScheduler#schedulePeriodic} or {@link DeadlineScheduler#scheduleDynamic}. */
public interface PeriodicTask {
    /**
     * Stops future runs: a run in progress, or one starting while this is called, completes; no
     * later run starts. Idempotent and thread-safe.
     */
    void cancel();

    boolean isCancelled();

    /** The period; 0 for a {@link DeadlineScheduler#scheduleDynamic} task, whose runs choose their deadlines. */
    long periodNanos();
}
