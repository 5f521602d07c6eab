package dev.cipsec.transport.sched;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs periodic actions (e.g. class 0/1 producers at their RPI) on one dedicated platform thread.
 *
 * <p>Tasks sit in an array-based min-heap keyed by their next deadline. Other threads add and
 * cancel tasks through a lock-free queue and wake the thread with {@code unpark}; the thread never
 * blocks on a lock a caller holds. The hot loop (wait, run, record lateness, re-key) allocates
 * nothing.
 *
 * <p>Waiting: the thread parks until the earliest task is due and runs it. Two knobs trade CPU
 * for punctuality:
 * <ul>
 *   <li><b>Early window</b> (default {@link #DEFAULT_EARLY}): a task may run up to
 *       {@code min(early, period / 8)} before its deadline (125 µs at 1 ms, 500 µs from 4 ms up),
 *       and every task inside that window runs on the same wake-up. With 1,000 producers at
 *       10 ms spread over the period, the thread wakes about 20 times per period instead of
 *       1,000, and the receiving side gets the packets in bursts it drains on one wake-up. On a
 *       2-core host running both ends ({@code cipsec bench io}) that cut the context switches
 *       enough to raise one core's send rate from 0.70 to about 1.1 times a plain Java UDP loop
 *       and to bring most runs of 1,000 x 10 ms under 1 ms of p99 lateness. It does not remove
 *       the host's own stalls: threads that are due are still sometimes not run for several
 *       milliseconds. Production up to {@code period / 8} early is within the jitter an RPI
 *       allows (a consumer's timeout is at least 4 RPIs), and the next deadline still advances
 *       from the previous deadline, so the average rate is exact. An early run counts as
 *       lateness 0; {@link LatenessStats} says how many runs were early and by how much.</li>
 *   <li><b>Spin</b> (default 0): park until {@code spin} before the earliest start and then spin
 *       with {@link Thread#yield()}. Parking alone wakes 50-100 µs late on Linux (timer slack
 *       and wake-up latency); with an early window that latency is mostly absorbed, so spinning
 *       only pays off with the window off, at up to {@code spin} of CPU per deadline.</li>
 * </ul>
 *
 * <p>Deadlines advance by the period from the previous deadline, never from the run time, so
 * there is no drift. A run that ends after its next deadline does not cause catch-up runs: the
 * next deadline is the first one in the future, and the skipped ones are counted as overruns.
 *
 * <p>The thread asks for {@link Thread#MAX_PRIORITY}; on Linux the JVM ignores Java priorities
 * unless started with {@code -XX:ThreadPriorityPolicy=1} and the privilege to raise them.
 */
public final class DeadlineScheduler implements AutoCloseable {
    /** The default spin threshold: none, the early window absorbs the wake-up latency. */
    public static final Duration DEFAULT_SPIN = Duration.ZERO;
    /** The default early window (capped at period / 8 per task): see the class comment. */
    public static final Duration DEFAULT_EARLY = Duration.ofNanos(500_000);
    /** The largest early window accepted. */
    public static final Duration MAX_EARLY = Duration.ofMillis(10);
    /** The least time between the end of a {@link #scheduleDynamic} run and its next one. */
    public static final long MIN_DYNAMIC_DELAY = 100_000;
    /** The largest spin threshold accepted. */
    public static final Duration MAX_SPIN = Duration.ofMillis(10);
    /** How long {@link #close()} waits for the thread. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** Fewer cancelled tasks than this are never worth a compaction. */
    private static final int COMPACT_MIN = 64;

    private static final Logger log = LoggerFactory.getLogger(DeadlineScheduler.class);

    private final String name;
    private final long spinNanos;
    private final long earlyNanos;
    private final Thread thread;
    /** Task (added or cancelled) or StatsRequest; many producers, consumed by the thread only. */
    private final ConcurrentLinkedQueue<Object> commands = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    private final AtomicLong taskFailures = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean closed;

    // Owned by the scheduler thread (and by callers only once it has ended).
    private final LatenessRecorder lateness = new LatenessRecorder();
    private Task[] heap = new Task[16];
    /**
     * The heap's keys beside it, by heap position: sifting compares contiguous longs instead of loading
     * each task object (at 2,000 tasks those scattered loads made siftDown the scheduler's top frame).
     */
    private long[] deadlines = new long[16];
    private long[] sequences = new long[16];
    private int size;
    /** Cancelled tasks still in the heap (see drainCommands). */
    private int cancelledQueued;
    /** {@link #size} for other threads (tests), written only when it changes. */
    private volatile int publishedSize;

    private DeadlineScheduler(String name, long spinNanos, long earlyNanos) {
        this.name = name;
        this.spinNanos = spinNanos;
        this.earlyNanos = earlyNanos;
        this.thread = Thread.ofPlatform()
                .name(name)
                .daemon(true)
                .priority(Thread.MAX_PRIORITY)
                .unstarted(this::loop);
    }

    /** Starts a scheduler thread named {@code name} with {@link #DEFAULT_SPIN} and {@link #DEFAULT_EARLY}. */
    public static DeadlineScheduler start(String name) {
        return start(name, DEFAULT_SPIN, DEFAULT_EARLY);
    }

    /**
     * Starts a scheduler thread named {@code name} that never runs a task early and spins for the
     * last {@code spin} before each deadline (0..{@link #MAX_SPIN}).
     */
    public static DeadlineScheduler start(String name, Duration spin) {
        return start(name, spin, Duration.ZERO);
    }

    /**
     * Starts a scheduler thread named {@code name}: tasks may run up to {@code min(early, period / 8)}
     * before their deadline (0..{@link #MAX_EARLY}; 0 = never early), and the thread spins for the
     * last {@code spin} before the earliest start (0..{@link #MAX_SPIN}). See the class comment.
     */
    public static DeadlineScheduler start(String name, Duration spin, Duration early) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spin, "spin");
        Objects.requireNonNull(early, "early");
        if (spin.isNegative() || spin.compareTo(MAX_SPIN) > 0) {
            throw new IllegalArgumentException("spin must be in 0.." + MAX_SPIN + ": " + spin);
        }
        if (early.isNegative() || early.compareTo(MAX_EARLY) > 0) {
            throw new IllegalArgumentException("early window must be in 0.." + MAX_EARLY + ": " + early);
        }
        DeadlineScheduler scheduler = new DeadlineScheduler(name, spin.toNanos(), early.toNanos());
        scheduler.thread.start();
        log.info("scheduler {} started (spin {} µs, early window {} µs)", name, spin.toNanos() / 1000,
                early.toNanos() / 1000);
        return scheduler;
    }

    /**
     * Runs action every periodNanos, first at now + initialDelayNanos; deadlines advance by the period
     * (no drift); a late run is not repeated to catch up (the next deadline is the first one in the
     * future). The action runs on the scheduler thread: it must not block and should not allocate.
     * An exception it throws is counted ({@link #taskFailures()}) and the task keeps its schedule.
     *
     * @throws IllegalStateException if the scheduler is closed
     */
    public PeriodicTask schedulePeriodic(long periodNanos, long initialDelayNanos, Runnable action) {
        Objects.requireNonNull(action, "action");
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("periodNanos must be positive: " + periodNanos);
        }
        if (initialDelayNanos < 0) {
            throw new IllegalArgumentException("initialDelayNanos must not be negative: "
                    + initialDelayNanos);
        }
        if (closed) {
            throw new IllegalStateException("scheduler " + name + " is closed");
        }
        Task task = new Task(this, periodNanos, Math.min(earlyNanos, periodNanos / 8), action, null,
                System.nanoTime() + initialDelayNanos, sequence.getAndIncrement());
        submit(task);
        return task;
    }

    /**
     * Runs action first at now + initialDelayNanos and then at the deadline each run returns: for
     * checks whose next useful moment moves, such as a connection watchdog that needs to look only
     * when the last packet plus the timeout could have passed. A watchdog run every RPI instead
     * doubles the scheduler's work with 1,000 connections; one that re-arms itself at
     * {@code lastPacket + timeout} runs about once per timeout and still fires on time.
     *
     * <p>Such a task never runs early (its early window is 0). A returned deadline less than
     * {@link #MIN_DYNAMIC_DELAY} after the end of the run is moved there, so a faulty action cannot
     * make the thread spin; an action that throws is counted and runs again after that minimum.
     * {@link PeriodicTask#periodNanos()} of the handle is 0.
     *
     * @throws IllegalStateException if the scheduler is closed
     */
    public PeriodicTask scheduleDynamic(long initialDelayNanos, DynamicAction action) {
        Objects.requireNonNull(action, "action");
        if (initialDelayNanos < 0) {
            throw new IllegalArgumentException("initialDelayNanos must not be negative: "
                    + initialDelayNanos);
        }
        if (closed) {
            throw new IllegalStateException("scheduler " + name + " is closed");
        }
        Task task = new Task(this, 0, 0, null, action, System.nanoTime() + initialDelayNanos,
                sequence.getAndIncrement());
        submit(task);
        return task;
    }

    /** An action that says when it should run next; see {@link #scheduleDynamic}. */
    @FunctionalInterface
    public interface DynamicAction {
        /**
         * @param now {@link System#nanoTime()} when the run started
         * @return the next deadline, on the {@link System#nanoTime()} scale
         */
        long run(long now);
    }

    /** Lateness since start or the last {@link #resetLateness()}. */
    public LatenessStats latenessSnapshot() {
        return stats(false);
    }

    public void resetLateness() {
        stats(true);
    }

    /** Runs whose action threw, since start. */
    public long taskFailures() {
        return taskFailures.get();
    }

    public String name() {
        return name;
    }

    /** Stops the thread and waits up to {@link #CLOSE_WAIT} for it. Idempotent. */
    @Override
    public void close() {
        close(CLOSE_WAIT);
    }

    /** @return whether the thread ended within {@code wait} */
    public boolean close(Duration wait) {
        closed = true;
        LockSupport.unpark(thread);
        boolean ended;
        try {
            ended = thread == Thread.currentThread() || thread.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = !thread.isAlive();
        }
        if (!closeCalled.getAndSet(true)) {
            log.info("scheduler {} closed", name);
        }
        return ended;
    }

    Thread thread() {
        return thread;
    }

    /** Tasks in the heap, cancelled ones not yet dropped included. */
    int heapSize() {
        return publishedSize;
    }

    private void submit(Object command) {
        commands.add(command);
        LockSupport.unpark(thread);
    }

    private LatenessStats stats(boolean reset) {
        if (Thread.currentThread() == thread) {
            return readLateness(reset);
        }
        StatsRequest request = new StatsRequest(reset, Thread.currentThread());
        submit(request);
        LatenessStats result;
        while ((result = request.result) == null) {
            if (!thread.isAlive()) {
                // Ended without answering; its state is now safe to read (isAlive is a happens-before edge).
                synchronized (lateness) {
                    return request.result != null ? request.result : readLateness(reset);
                }
            }
            LockSupport.parkNanos(this, 1_000_000);
        }
        return result;
    }

    private LatenessStats readLateness(boolean reset) {
        LatenessStats stats = lateness.snapshot();
        if (reset) {
            lateness.reset();
        }
        return stats;
    }

    private void loop() {
        try {
            while (!closed) {
                drainCommands();
                if (size == 0) {
                    LockSupport.park(this);
                    continue;
                }
                Task next = heap[0];
                if (next.isCancelled()) {
                    // Cancelled tasks leave the heap here (its cancel command may not even be drained yet).
                    pollTop();
                    continue;
                }
                long now = System.nanoTime();
                // Until the task's earliest start; tasks inside their early window all run now.
                long wait = next.deadline - next.earlyNanos - now;
                if (wait > spinNanos) {
                    LockSupport.parkNanos(this, wait - spinNanos);
                } else if (wait > 0) {
                    Thread.yield();
                } else {
                    runDue(next, now);
                }
            }
        } catch (Throwable t) {
            log.error("scheduler {} stopped unexpectedly", name, t);
            throw t;
        } finally {
            closed = true;
            drainCommands();
        }
    }

    private void runDue(Task task, long now) {
        lateness.record(now - task.deadline);
        long next;
        if (task.dynamic != null) {
            long wanted;
            try {
                wanted = task.dynamic.run(now);
            } catch (Throwable t) {
                taskFailed(task, t);
                wanted = now;
            }
            long earliest = System.nanoTime() + MIN_DYNAMIC_DELAY;
            next = wanted - earliest < 0 ? earliest : wanted;
        } else {
            try {
                task.action.run();
            } catch (Throwable t) {
                taskFailed(task, t);
            }
            long after = System.nanoTime();
            long period = task.periodNanos;
            next = task.deadline + period;
            // Overrun: the next deadline has passed (an early run never skips one: it ended before it).
            if (next - after <= 0) {
                long skipped = (after - task.deadline) / period;
                next = task.deadline + (skipped + 1) * period;
                lateness.recordOverruns(skipped);
            }
        }
        task.deadline = next;
        // Still at the top: only the loop changes the heap, and a run cannot re-enter it.
        deadlines[0] = next;
        siftDown(0);
    }

    private void taskFailed(Task task, Throwable t) {
        taskFailures.incrementAndGet();
        // The first failure of a task is worth a line; after that a broken task would flood the log.
        if (task.failures++ == 0) {
            log.debug("task on {} failed (further failures of this task at TRACE)", name, t);
        } else if (log.isTraceEnabled()) {
            log.trace("task on {} failed", name, t);
        }
    }

    private void drainCommands() {
        Object command;
        while ((command = commands.poll()) != null) {
            if (command instanceof Task task) {
                if (task.isCancelled()) {
                    // Left in the heap and dropped when it comes to the top (the loop never starts a
                    // cancelled task): removing it now would cost a sift, and sifting then would have to
                    // keep every task's index up to date, a write to each task it moves past.
                    if (task.queued && !task.cancelCounted) {
                        task.cancelCounted = true;
                        cancelledQueued++;
                        if (cancelledQueued > COMPACT_MIN && cancelledQueued * 2 > size) {
                            compact();
                        }
                    }
                } else if (!task.queued) {
                    insert(task);
                }
            } else {
                StatsRequest request = (StatsRequest) command;
                request.result = readLateness(request.reset);
                LockSupport.unpark(request.waiter);
            }
        }
    }

    // Min-heap by (deadline, sequence), keys in arrays beside the task array so that sifting reads
    // contiguous longs and touches no task object. Cancelled tasks leave lazily (see drainCommands);
    // compact() drops them all once they are more than half the heap, so the heap stays within twice
    // the live tasks.

    private static boolean before(long deadlineA, long sequenceA, long deadlineB, long sequenceB) {
        long d = deadlineA - deadlineB;
        return d < 0 || (d == 0 && sequenceA < sequenceB);
    }

    private void insert(Task task) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
            deadlines = Arrays.copyOf(deadlines, size * 2);
            sequences = Arrays.copyOf(sequences, size * 2);
        }
        task.queued = true;
        int index = size++;
        publishedSize = size;
        place(task, task.deadline, task.sequence, index);
        siftUp(index);
    }

    /** Removes the task at the top. */
    private void pollTop() {
        Task top = heap[0];
        top.queued = false;
        if (top.cancelCounted) {
            cancelledQueued--;
        }
        int last = --size;
        publishedSize = size;
        if (last > 0) {
            place(heap[last], deadlines[last], sequences[last], 0);
            heap[last] = null;
            siftDown(0);
        } else {
            heap[0] = null;
        }
    }

    /** Drops every cancelled task and rebuilds the heap in O(n). */
    private void compact() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            Task t = heap[i];
            if (t.isCancelled()) {
                t.queued = false;
            } else {
                place(t, deadlines[i], sequences[i], kept++);
            }
        }
        Arrays.fill(heap, kept, size, null);
        size = kept;
        publishedSize = size;
        cancelledQueued = 0;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    private void siftUp(int index) {
        Task task = heap[index];
        long d = deadlines[index];
        long s = sequences[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (!before(d, s, deadlines[parent], sequences[parent])) {
                break;
            }
            place(heap[parent], deadlines[parent], sequences[parent], index);
            index = parent;
        }
        place(task, d, s, index);
    }

    /**
     * Floyd's variant: the smaller child moves up all the way to a leaf, then the task sifts up from
     * there. A task that has just run goes one period later, near the bottom of the heap, so this
     * takes one comparison per level instead of two and rarely climbs back.
     */
    private void siftDown(int index) {
        Task task = heap[index];
        long d = deadlines[index];
        long s = sequences[index];
        int start = index;
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && before(deadlines[right], sequences[right], deadlines[child], sequences[child])) {
                child = right;
            }
            place(heap[child], deadlines[child], sequences[child], index);
            index = child;
        }
        while (index > start) {
            int parent = (index - 1) >>> 1;
            if (!before(d, s, deadlines[parent], sequences[parent])) {
                break;
            }
            place(heap[parent], deadlines[parent], sequences[parent], index);
            index = parent;
        }
        place(task, d, s, index);
    }

    private void place(Task task, long deadline, long sequence, int index) {
        heap[index] = task;
        deadlines[index] = deadline;
        sequences[index] = sequence;
    }

    private static final class Task implements PeriodicTask {
        final DeadlineScheduler owner;
        final long periodNanos;
        final long earlyNanos;
        final Runnable action;
        /** Set instead of {@link #action} for a {@link #scheduleDynamic} task. */
        final DynamicAction dynamic;
        final long sequence;
        final AtomicBoolean cancelled = new AtomicBoolean();
        // Owned by the scheduler thread; the first deadline is set before the task is published.
        long deadline;
        /** In the heap (possibly cancelled and not yet dropped). */
        boolean queued;
        /** Counted in {@link #cancelledQueued}. */
        boolean cancelCounted;
        long failures;

        Task(DeadlineScheduler owner, long periodNanos, long earlyNanos, Runnable action, DynamicAction dynamic,
             long deadline, long sequence) {
            this.owner = owner;
            this.periodNanos = periodNanos;
            this.earlyNanos = earlyNanos;
            this.action = action;
            this.dynamic = dynamic;
            this.deadline = deadline;
            this.sequence = sequence;
        }

        @Override
        public void cancel() {
            if (cancelled.compareAndSet(false, true)) {
                owner.submit(this);
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }

        @Override
        public long periodNanos() {
            return periodNanos;
        }
    }

    private static final class StatsRequest {
        final boolean reset;
        final Thread waiter;
        volatile LatenessStats result;

        StatsRequest(boolean reset, Thread waiter) {
            this.reset = reset;
            this.waiter = waiter;
        }
    }
}
