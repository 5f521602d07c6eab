package dev.cipsec.wire.io;

import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-packet codec must not allocate: one object per packet would show up as megabytes here. */
class IoHotPathAllocationTest {

    @Test
    void encodeAndWrapAllocateNothingPerPacket() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        byte[] payload = Bytes.fromHex("01000000" + "00".repeat(32)).toArray();
        byte[] buf = new byte[128];
        IoFrameView view = new IoFrameView();
        long sum = 0;
        int packets = 100_000;
        for (int round = 0; round < 2; round++) {   // the first round warms up and loads classes
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < packets; i++) {
                int n = IoFrame.encode(buf, 0, 0x26E70013L, i, i & 0xFFFF, payload, 0, payload.length);
                view.wrap(buf, 0, n);
                sum += view.encapSequence() + view.cipSequence() + RunIdleHeader.read(buf, view.dataOffset());
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                assertThat(allocated).as("bytes allocated for %d packets", packets).isLessThan(packets);
            }
        }
        assertThat(sum).isPositive();
    }
}
