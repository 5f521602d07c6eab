package dev.cipsec.bench;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adapter's per-packet paths allocate nothing, counted per thread (unlike JMH's GC profiler,
 * which also sees every idle background thread): the receive path on the calling thread, the
 * producer on the scheduler thread.
 */
class IoPathAllocationTest {
    private final IoPathBenchmark bench = new IoPathBenchmark();
    private com.sun.management.ThreadMXBean threads;

    @BeforeEach
    void setUp() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        threads = (com.sun.management.ThreadMXBean) bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        bench.setup();
    }

    @AfterEach
    void tearDown() {
        bench.tearDown();
    }

    @Test
    void consumingOtPacketsWithNewDataAllocatesNothing() {
        int packets = 100_000;
        for (int i = 0; i < packets; i++) {   // warm-up: class loading, JIT, the first snapshot
            bench.consumeOtPacket();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < packets; i++) {
            bench.consumeOtPacket();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // Under one byte per packet on average: a single allocation per packet would be at least 16
        // bytes each. A one-off (a class initialised, a JIT deoptimisation) of a kilobyte or so has
        // been seen on a loaded machine and is not what this guards against.
        assertThat(allocated).as("bytes allocated for %d O->T packets", packets).isLessThan(packets);
    }

    @Test
    void producingToPacketsAllocatesNothingOnTheSchedulerThread() {
        int packets = 2_000;
        for (int i = 0; i < 200; i++) {
            bench.produceToPacket();
        }
        long scheduler = bench.port.sender.threadId();
        long before = threads.getThreadAllocatedBytes(scheduler);
        for (int i = 0; i < packets; i++) {
            bench.produceToPacket();
        }
        long allocated = threads.getThreadAllocatedBytes(scheduler) - before;
        assertThat(allocated).as("bytes the scheduler allocated for %d T->O packets", packets).isLessThan(packets);
    }
}
