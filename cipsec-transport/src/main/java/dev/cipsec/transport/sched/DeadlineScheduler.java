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
 * <p>Waiting: the thread parks until {@code spin} before the earliest deadline and then spins with
 * {@link Thread#yield()} until it is due. Parking alone wakes 50-100 µs late on Linux (timer slack
 * and wake-up latency), and more on a busy host; spinning the last stretch keeps lateness in the
 * tens of microseconds at the price of up to {@code spin} of CPU per deadline (at a 1 ms RPI and
 * the default 100 µs that is at most 10 % of a core; with many tasks whose deadlines are closer
 * together than {@code spin} the thread spins continuously). Yielding rather than busy-waiting
 * lets other threads use the core meanwhile, so on an overloaded host lateness can grow to a
 * scheduler quantum. {@code spin = 0} parks only: cheapest, least punctual.
 *
 * <p>Deadlines advance by the period from the previous deadline, never from the run time, so
 * there is no drift. A run that ends after its next deadline does not cause catch-up runs: the
 * next deadline is the first one in the future, and the skipped ones are counted as overruns.
 *
 * <p>The thread asks for {@link Thread#MAX_PRIORITY}; on Linux the JVM ignores Java priorities
 * unless started with {@code -XX:ThreadPriorityPolicy=1} and the privilege to raise them.
 */
public final class DeadlineScheduler implements AutoCloseable {
    /** The default spin threshold: long enough to cover Linux's 50 µs default timer slack. */
    public static final Duration DEFAULT_SPIN = Duration.ofNanos(100_000);
    /** The largest spin threshold accepted. */
    public static final Duration MAX_SPIN = Duration.ofMillis(10);
    /** How long {@link #close()} waits for the thread. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(DeadlineScheduler.class);

    private final String name;
    private final long spinNanos;
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
    private int size;

    private DeadlineScheduler(String name, long spinNanos) {
        this.name = name;
        this.spinNanos = spinNanos;
        this.thread = Thread.ofPlatform()
                .name(name)
                .daemon(true)
                .priority(Thread.MAX_PRIORITY)
                .unstarted(this::loop);
    }

    /** Starts a scheduler thread named {@code name} with the {@link #DEFAULT_SPIN} threshold. */
    public static DeadlineScheduler start(String name) {
        return start(name, DEFAULT_SPIN);
    }

    /**
     * Starts a scheduler thread named {@code name} that spins for the last {@code spin} before each
     * deadline (0..{@link #MAX_SPIN}; see the class comment for the trade-off).
     */
    public static DeadlineScheduler start(String name, Duration spin) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spin, "spin");
        if (spin.isNegative() || spin.compareTo(MAX_SPIN) > 0) {
            throw new IllegalArgumentException("spin must be in 0.." + MAX_SPIN + ": " + spin);
        }
        DeadlineScheduler scheduler = new DeadlineScheduler(name, spin.toNanos());
        scheduler.thread.start();
        log.info("scheduler {} started (spin {} µs)", name, spin.toNanos() / 1000);
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
        Task task = new Task(this, periodNanos, action, System.nanoTime() + initialDelayNanos,
                sequence.getAndIncrement());
        submit(task);
        return task;
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
                    // Its removal command may still be queued; never start a cancelled task.
                    removeAt(0);
                    continue;
                }
                long now = System.nanoTime();
                long wait = next.deadline - now;
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
        try {
            task.action.run();
        } catch (Throwable t) {
            taskFailed(task, t);
        }
        long after = System.nanoTime();
        long period = task.periodNanos;
        long next = task.deadline + period;
        if (next - after <= 0) {
            long skipped = (after - task.deadline) / period;
            next = task.deadline + (skipped + 1) * period;
            lateness.recordOverruns(skipped);
        }
        task.deadline = next;
        if (task.heapIndex == 0) {
            siftDown(0);
        }
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
                    if (task.heapIndex >= 0) {
                        removeAt(task.heapIndex);
                    }
                } else if (task.heapIndex < 0) {
                    insert(task);
                }
            } else {
                StatsRequest request = (StatsRequest) command;
                request.result = readLateness(request.reset);
                LockSupport.unpark(request.waiter);
            }
        }
    }

    // Min-heap by (deadline, sequence); each task knows its index so cancel is O(log n).

    private static boolean before(Task a, Task b) {
        long d = a.deadline - b.deadline;
        return d < 0 || (d == 0 && a.sequence < b.sequence);
    }

    private void insert(Task task) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        place(task, size++);
        siftUp(task.heapIndex);
    }

    private void removeAt(int index) {
        Task removed = heap[index];
        Task last = heap[--size];
        heap[size] = null;
        removed.heapIndex = -1;
        if (index < size) {
            place(last, index);
            siftDown(index);
            if (last.heapIndex == index) {
                siftUp(index);
            }
        }
    }

    private void siftUp(int index) {
        Task task = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (!before(task, heap[parent])) {
                break;
            }
            place(heap[parent], index);
            index = parent;
        }
        place(task, index);
    }

    private void siftDown(int index) {
        Task task = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], task)) {
                break;
            }
            place(heap[child], index);
            index = child;
        }
        place(task, index);
    }

    private void place(Task task, int index) {
        heap[index] = task;
        task.heapIndex = index;
    }

    private static final class Task implements PeriodicTask {
        final DeadlineScheduler owner;
        final long periodNanos;
        final Runnable action;
        final long sequence;
        final AtomicBoolean cancelled = new AtomicBoolean();
        // Owned by the scheduler thread; the first deadline is set before the task is published.
        long deadline;
        int heapIndex = -1;
        long failures;

        Task(DeadlineScheduler owner, long periodNanos, Runnable action, long deadline,
             long sequence) {
            this.owner = owner;
            this.periodNanos = periodNanos;
            this.action = action;
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
