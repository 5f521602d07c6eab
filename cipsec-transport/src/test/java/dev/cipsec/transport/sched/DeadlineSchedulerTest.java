package dev.cipsec.transport.sched;

import dev.cipsec.transport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class DeadlineSchedulerTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final long MS = 1_000_000;

    private final List<DeadlineScheduler> schedulers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        schedulers.forEach(DeadlineScheduler::close);
    }

    private DeadlineScheduler start() {
        DeadlineScheduler s = DeadlineScheduler.start("test-sched");
        schedulers.add(s);
        return s;
    }

    @Test
    void runsATaskRepeatedlyAndRecordsLateness() {
        DeadlineScheduler scheduler = start();
        AtomicLong runs = new AtomicLong();
        PeriodicTask task = scheduler.schedulePeriodic(MS, 0, runs::incrementAndGet);
        Await.until(WAIT, () -> runs.get() >= 20, "20 runs");
        assertThat(task.periodNanos()).isEqualTo(MS);
        assertThat(task.isCancelled()).isFalse();
        LatenessStats stats = scheduler.latenessSnapshot();
        assertThat(stats.runs()).isGreaterThanOrEqualTo(20);
        assertThat(stats.p50Nanos()).isBetween(0L, stats.maxNanos());
        assertThat(stats.p99Nanos()).isBetween(stats.p50Nanos(), stats.maxNanos());
        scheduler.resetLateness();
        assertThat(scheduler.latenessSnapshot().runs()).isLessThan(stats.runs());
    }

    @Test
    void deadlinesAdvanceByThePeriodWithoutDrift() {
        DeadlineScheduler scheduler = start();
        int n = 200;
        AtomicLong firstStart = new AtomicLong();
        AtomicLong lastStart = new AtomicLong();
        AtomicLong overrunsBeforeLast = new AtomicLong();
        AtomicInteger runs = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean recorded = new java.util.concurrent.atomic.AtomicBoolean();
        scheduler.schedulePeriodic(MS, 0, () -> {
            long start = System.nanoTime();
            int i = runs.getAndIncrement();
            if (i == 0) {
                firstStart.set(start);
            } else if (i == n - 1) {
                lastStart.set(start);
                overrunsBeforeLast.set(scheduler.latenessSnapshot().overruns());
                // Published last: the test thread reads the values only after this.
                recorded.set(true);
            }
            // Half a period of work: a schedule keyed by run times would lose 0.5 ms per run.
            while (System.nanoTime() - start < MS / 2) {
                Thread.onSpinWait();
            }
        });
        Await.until(WAIT, recorded::get, n + " runs");
        // Run n-1 starts (n-1 + skipped deadlines) periods after run 0, give or take their lateness;
        // drift would add at least (n-1) * 0.5 ms = 99.5 ms.
        long deadlines = n - 1 + overrunsBeforeLast.get();
        long error = lastStart.get() - firstStart.get() - deadlines * MS;
        assertThat(Math.abs(error)).isLessThan(40 * MS);
    }

    @Test
    void cancelStopsATask() {
        DeadlineScheduler scheduler = start();
        AtomicLong cancelledRuns = new AtomicLong();
        AtomicLong clock = new AtomicLong();
        PeriodicTask task = scheduler.schedulePeriodic(MS, 0, cancelledRuns::incrementAndGet);
        scheduler.schedulePeriodic(MS, 0, clock::incrementAndGet);
        Await.until(WAIT, () -> cancelledRuns.get() >= 5, "5 runs");
        task.cancel();
        task.cancel();
        long atCancel = cancelledRuns.get();
        long clockAtCancel = clock.get();
        // The other task is the clock: 20 more of its runs are 20 more deadlines of the cancelled one.
        Await.until(WAIT, () -> clock.get() >= clockAtCancel + 20, "20 more runs of the other task");
        assertThat(task.isCancelled()).isTrue();
        assertThat(cancelledRuns.get()).isLessThanOrEqualTo(atCancel + 1);
    }

    @Test
    void aTaskCancelledBeforeItsFirstDeadlineNeverRuns() {
        DeadlineScheduler scheduler = start();
        AtomicLong runs = new AtomicLong();
        AtomicLong clock = new AtomicLong();
        scheduler.schedulePeriodic(MS, 50 * MS, runs::incrementAndGet).cancel();
        scheduler.schedulePeriodic(MS, 60 * MS, clock::incrementAndGet);
        Await.until(WAIT, () -> clock.get() >= 5, "5 runs of the other task");
        assertThat(runs.get()).isZero();
    }

    @Test
    void aThousandTasksWithDifferentPeriodsAllRun() {
        DeadlineScheduler scheduler = start();
        int n = 1_000;
        AtomicLongArray runs = new AtomicLongArray(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            scheduler.schedulePeriodic((1 + i % 10) * MS, i * 10_000L, () -> runs.incrementAndGet(id));
        }
        Await.until(WAIT, () -> {
            for (int i = 0; i < n; i++) {
                if (runs.get(i) < 3) {
                    return false;
                }
            }
            return true;
        }, "every task ran 3 times");
        assertThat(scheduler.latenessSnapshot().runs()).isGreaterThanOrEqualTo(3L * n);
    }

    /** Cancels from the middle of the heap (removeAt with its sift both ways) leave the others' order intact. */
    @Test
    void cancellingHalfOfManyTasksStopsExactlyThoseAndTheRestKeepTheirRates() {
        DeadlineScheduler scheduler = start();
        int n = 600;
        AtomicLongArray runs = new AtomicLongArray(n);
        List<PeriodicTask> tasks = new ArrayList<>(n);
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < n; i++) {
            int id = i;
            tasks.add(scheduler.schedulePeriodic((1 + random.nextInt(8)) * MS, random.nextInt(5_000_000),
                    () -> runs.incrementAndGet(id)));
        }
        Await.until(WAIT, () -> {
            for (int i = 0; i < n; i++) {
                if (runs.get(i) < 2) {
                    return false;
                }
            }
            return true;
        }, "every task ran twice");
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        java.util.Set<Integer> cancelled = new java.util.HashSet<>(order.subList(0, n / 2));
        cancelled.forEach(i -> tasks.get(i).cancel());
        long[] atCancel = new long[n];
        for (int i = 0; i < n; i++) {
            atCancel[i] = runs.get(i);
        }
        Await.until(WAIT, () -> {
            for (int i = 0; i < n; i++) {
                if (!cancelled.contains(i) && runs.get(i) < atCancel[i] + 5) {
                    return false;
                }
            }
            return true;
        }, "every remaining task ran 5 more times");
        for (int i : cancelled) {
            // At most the run that had already started when cancel() returned.
            assertThat(runs.get(i)).as("cancelled task %d", i).isLessThanOrEqualTo(atCancel[i] + 1);
        }
    }

    @Test
    void cancelledTasksWithDistantDeadlinesDoNotPileUpInTheHeap() {
        DeadlineScheduler scheduler = start();
        List<PeriodicTask> tasks = new ArrayList<>();
        AtomicLong runs = new AtomicLong();
        for (int i = 0; i < 1000; i++) {
            tasks.add(scheduler.schedulePeriodic(3_600_000 * MS, 3_600_000 * MS, runs::incrementAndGet));
        }
        Await.until(WAIT, () -> scheduler.heapSize() == 1000, "1000 tasks queued");
        // Cancelled tasks leave lazily, at the top of the heap; an hour away, they would stay an hour
        // without compaction.
        for (int i = 0; i < 900; i++) {
            tasks.get(i).cancel();
        }
        Await.until(WAIT, () -> scheduler.heapSize() <= 200, "compaction after 900 cancels");
        // A short task still runs on time among the survivors, and nothing cancelled ran.
        AtomicLong shortRuns = new AtomicLong();
        scheduler.schedulePeriodic(MS, 0, shortRuns::incrementAndGet);
        Await.until(WAIT, () -> shortRuns.get() >= 10, "10 runs of a 1 ms task");
        assertThat(runs.get()).isZero();
        assertThat(scheduler.heapSize()).isBetween(101, 201);
    }

    @Test
    void aDynamicTaskRunsAtTheDeadlinesItReturnsNeverBefore() {
        DeadlineScheduler scheduler = start();
        int n = 6;
        long[] asked = new long[n + 1];
        long[] started = new long[n + 1];
        AtomicInteger runs = new AtomicInteger();
        long first = System.nanoTime() + 2 * MS;
        asked[0] = first;
        PeriodicTask task = scheduler.scheduleDynamic(2 * MS, now -> {
            int i = runs.get();
            if (i >= n) {
                return now + 1_000 * MS;
            }
            started[i] = now;
            // Uneven gaps, as a watchdog re-arming at lastPacket + timeout would ask for.
            asked[i + 1] = now + (i % 2 == 0 ? 3 : 7) * MS;
            runs.incrementAndGet();
            return asked[i + 1];
        });
        Await.until(WAIT, () -> runs.get() >= n, n + " runs");
        task.cancel();
        assertThat(task.periodNanos()).isZero();
        for (int i = 1; i < n; i++) {
            // Never early (a dynamic task has no early window); the time it asked for, give or take lateness.
            assertThat(started[i]).as("run %d", i).isGreaterThanOrEqualTo(asked[i]);
        }
        assertThat(started[0]).isGreaterThanOrEqualTo(first - 1);
    }

    @Test
    void aDynamicTaskAskingForThePastOrThrowingDoesNotSpin() {
        DeadlineScheduler scheduler = start();
        AtomicLong past = new AtomicLong();
        AtomicLong throwing = new AtomicLong();
        scheduler.scheduleDynamic(0, now -> {
            past.incrementAndGet();
            return now - 1_000 * MS;
        });
        scheduler.scheduleDynamic(0, now -> {
            throwing.incrementAndGet();
            throw new IllegalStateException("broken check");
        });
        long start = System.nanoTime();
        Await.until(WAIT, () -> past.get() >= 20 && throwing.get() >= 20, "20 runs of each");
        long elapsed = System.nanoTime() - start;
        // Each run is at least MIN_DYNAMIC_DELAY after the previous one: not a busy loop.
        assertThat(elapsed).isGreaterThanOrEqualTo(19 * DeadlineScheduler.MIN_DYNAMIC_DELAY);
        long elapsedAfter = System.nanoTime() - start;
        assertThat(past.get()).isLessThanOrEqualTo(elapsedAfter / DeadlineScheduler.MIN_DYNAMIC_DELAY + 2);
        assertThat(throwing.get()).isLessThanOrEqualTo(elapsedAfter / DeadlineScheduler.MIN_DYNAMIC_DELAY + 2);
        assertThat(scheduler.taskFailures()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void aLateRunSkipsTheMissedDeadlinesInsteadOfCatchingUp() {
        DeadlineScheduler scheduler = start();
        AtomicInteger runs = new AtomicInteger();
        scheduler.schedulePeriodic(MS, 0, () -> {
            if (runs.getAndIncrement() == 0) {
                long until = System.nanoTime() + 5_500_000;
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
            }
        });
        Await.until(WAIT, () -> runs.get() >= 3, "3 runs");
        // The first run ended at least 5.5 periods after its deadline: deadlines 1..5 are skipped.
        assertThat(scheduler.latenessSnapshot().overruns()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void exceptionsAreCountedAndDoNotStopTheScheduler() {
        DeadlineScheduler scheduler = start();
        AtomicLong throwing = new AtomicLong();
        AtomicLong healthy = new AtomicLong();
        scheduler.schedulePeriodic(MS, 0, () -> {
            throwing.incrementAndGet();
            throw new IllegalStateException("task failure for the test");
        });
        scheduler.schedulePeriodic(MS, 0, () -> {
            healthy.incrementAndGet();
            throw new AssertionError("an Error too");
        });
        // A failure is counted after its action has thrown, i.e. after the action's own counter moved:
        // wait for the count itself rather than assert it right after the actions' counters.
        Await.until(WAIT, () -> throwing.get() >= 10 && healthy.get() >= 10 && scheduler.taskFailures() >= 20,
                "10 failing runs of each task, all counted");
        assertThat(scheduler.taskFailures()).isLessThanOrEqualTo(throwing.get() + healthy.get());
        assertThat(scheduler.thread().isAlive()).isTrue();
    }

    @Test
    void closeStopsTheThreadAndIsIdempotent() {
        DeadlineScheduler scheduler = start();
        AtomicLong runs = new AtomicLong();
        PeriodicTask task = scheduler.schedulePeriodic(MS, 0, runs::incrementAndGet);
        Await.until(WAIT, () -> runs.get() >= 3, "3 runs");
        assertThat(scheduler.close(WAIT)).isTrue();
        assertThat(scheduler.thread().isAlive()).isFalse();
        long afterClose = runs.get();
        scheduler.close();
        assertThat(scheduler.close(Duration.ZERO)).isTrue();
        task.cancel();
        assertThat(runs.get()).isEqualTo(afterClose);
        assertThat(scheduler.latenessSnapshot().runs()).isEqualTo(afterClose);
        scheduler.resetLateness();
        assertThat(scheduler.latenessSnapshot().runs()).isZero();
        assertThatThrownBy(() -> scheduler.schedulePeriodic(MS, 0, runs::incrementAndGet))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTaskMayCloseItsOwnScheduler() {
        DeadlineScheduler scheduler = start();
        AtomicReferenceHolder holder = new AtomicReferenceHolder();
        scheduler.schedulePeriodic(MS, 0, () -> {
            holder.stats = scheduler.latenessSnapshot();
            scheduler.close();
        });
        Await.until(WAIT, () -> !scheduler.thread().isAlive(), "scheduler thread ended");
        assertThat(holder.stats).isNotNull();
    }

    private static final class AtomicReferenceHolder {
        volatile LatenessStats stats;
    }

    @Test
    void rejectsBadArguments() {
        DeadlineScheduler scheduler = start();
        assertThatThrownBy(() -> scheduler.scheduleDynamic(-1, now -> now)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scheduler.scheduleDynamic(0, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> scheduler.schedulePeriodic(0, 0, () -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scheduler.schedulePeriodic(MS, -1, () -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeadlineScheduler.start("x", Duration.ofMillis(11)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeadlineScheduler.start("x", Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeadlineScheduler.start("x", Duration.ZERO, Duration.ofMillis(11)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeadlineScheduler.start("x", Duration.ZERO, Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tasksRunInsideTheirEarlyWindowNeverBeforeItAndKeepTheirRate() {
        // A wide window so a run is visibly early: 3 ms, capped at period / 8 for the 8 ms task.
        DeadlineScheduler scheduler = DeadlineScheduler.start("test-early", Duration.ZERO, Duration.ofMillis(3));
        schedulers.add(scheduler);
        long t0 = System.nanoTime();
        long[][] starts = new long[2][40];
        long[] periods = {40 * MS, 8 * MS};
        AtomicInteger[] runs = {new AtomicInteger(), new AtomicInteger()};
        for (int k = 0; k < 2; k++) {
            int task = k;
            scheduler.schedulePeriodic(periods[k], 50 * MS, () -> {
                int i = runs[task].getAndIncrement();
                if (i < 40) {
                    starts[task][i] = System.nanoTime();
                }
            });
        }
        Await.until(WAIT, () -> runs[0].get() >= 40 && runs[1].get() >= 40, "40 runs of each task");
        long[] windows = {3 * MS, MS};
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < 40; i++) {
                long deadline = t0 + 50 * MS + i * periods[k];
                // Never before the window: t0 was taken before scheduling, so deadlines here are at
                // most a scheduling call early; allow that much.
                assertThat(starts[k][i] - deadline).as("task %d run %d", k, i).isGreaterThanOrEqualTo(-windows[k] - MS / 10);
            }
        }
        LatenessStats stats = scheduler.latenessSnapshot();
        assertThat(stats.earlyRuns()).isPositive();
        assertThat(stats.maxEarlyNanos()).isLessThanOrEqualTo(3 * MS);
        // The rate is exact: run 39 of the 8 ms task is still about 39 periods after its first deadline.
        assertThat(starts[1][39] - (t0 + 50 * MS)).isBetween(39 * 8 * MS - 2 * MS, 39 * 8 * MS + 40 * MS);
    }

    @Test
    void parkOnlySchedulerAlsoRuns() {
        DeadlineScheduler scheduler = DeadlineScheduler.start("test-park-only", Duration.ZERO);
        schedulers.add(scheduler);
        AtomicLong runs = new AtomicLong();
        scheduler.schedulePeriodic(MS, 0, runs::incrementAndGet);
        Await.until(WAIT, () -> runs.get() >= 10, "10 runs");
    }

    @Test
    void theHotLoopDoesNotAllocate() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        DeadlineScheduler scheduler = start();
        AtomicLong runs = new AtomicLong();
        AtomicLong other = new AtomicLong();
        scheduler.schedulePeriodic(100_000, 0, runs::incrementAndGet);
        scheduler.schedulePeriodic(130_000, 0, other::incrementAndGet);
        long id = scheduler.thread().threadId();
        Await.until(WAIT, () -> runs.get() >= 2_000, "warm-up runs");
        long bytesBefore = threads.getThreadAllocatedBytes(id);
        long runsBefore = runs.get();
        Await.until(WAIT, () -> runs.get() >= runsBefore + 5_000, "measured runs");
        long allocated = threads.getThreadAllocatedBytes(id) - bytesBefore;
        // Zero expected; the slack covers a one-off allocation by the JVM on that thread.
        assertThat(allocated).as("bytes allocated by the scheduler thread over 5,000 runs")
                .isLessThan(2_048);
    }
}
