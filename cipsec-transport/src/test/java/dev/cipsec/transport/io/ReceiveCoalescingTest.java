package dev.cipsec.transport.io;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReceiveCoalescingTest {
    private static final long PAUSE = 100_000;

    @Test
    void pauseIsBoundedAndZeroIsOff() {
        assertThat(ReceiveCoalescing.defaults().pause()).isEqualTo(Duration.ofNanos(50_000));
        assertThat(ReceiveCoalescing.defaults().enabled()).isTrue();
        assertThat(ReceiveCoalescing.off().enabled()).isFalse();
        assertThat(ReceiveCoalescing.ofMicros(0)).isEqualTo(ReceiveCoalescing.off());
        assertThat(ReceiveCoalescing.ofMicros(1000).pause()).isEqualTo(ReceiveCoalescing.MAX_PAUSE);
        assertThatThrownBy(() -> ReceiveCoalescing.ofMicros(1001)).hasMessage("receive coalescing pause must be 0..1000 µs: 1001 µs");
        assertThatThrownBy(() -> ReceiveCoalescing.ofMicros(-1)).hasMessageContaining("0..1000");
        assertThatThrownBy(() -> ReceiveCoalescing.ofMicros(2000, "--rx-coalesce"))
                .hasMessage("--rx-coalesce must be 0..1000 µs: 2000 µs");
        assertThatThrownBy(() -> new ReceiveCoalescing(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReceiveCoalescing(null)).isInstanceOf(NullPointerException.class);
    }

    /** Feeds {@code n} arrivals {@code gapNanos} apart, each marked waited or not; returns the pauses taken. */
    private static long feed(ReceivePacer p, long[] clock, int n, long gapNanos, boolean waited) {
        long before = p.pauses();
        for (int i = 0; i < n; i++) {
            clock[0] += gapNanos;
            p.arrived(clock[0], waited);
            p.handled();
        }
        return p.pauses() - before;
    }

    @Test
    void aDenseStreamPausesOnlyAfterAWaitedDatagram() {
        ReceivePacer p = new ReceiveCoalescing(Duration.ofNanos(PAUSE)).pacer();
        long[] clock = {System.nanoTime()};
        // The average starts as sparse: the first datagrams of a stream are never held back.
        assertThat(feed(p, clock, 3, 10_000, true)).isZero();
        feed(p, clock, 100, 10_000, false);
        // Queued datagrams (the receive did not wait) are drained at full speed.
        assertThat(feed(p, clock, 50, 10_000, false)).isZero();
        // Caught up (the receive waited) with an average gap of 10 µs < 100 µs / 2: pause each time.
        assertThat(feed(p, clock, 20, 10_000, true)).isEqualTo(20);
    }

    @Test
    void aSparseStreamNeverPauses() {
        ReceivePacer p = new ReceiveCoalescing(Duration.ofNanos(PAUSE)).pacer();
        long[] clock = {System.nanoTime()};
        feed(p, clock, 100, 10_000, false);
        assertThat(feed(p, clock, 1, 10_000, true)).as("dense").isEqualTo(1);
        // The stream thins out to one datagram per ms: after a few the average says sparse again.
        feed(p, clock, 5, 1_000_000, true);
        assertThat(feed(p, clock, 200, 1_000_000, true)).isZero();
        // Right at the threshold (gap = pause / 2): two datagrams would not be expected in a pause.
        feed(p, clock, 100, PAUSE / 2, false);
        assertThat(feed(p, clock, 20, PAUSE / 2, true)).isZero();
    }

    @Test
    void offNeverPauses() {
        ReceivePacer p = ReceiveCoalescing.off().pacer();
        long[] clock = {System.nanoTime()};
        assertThat(feed(p, clock, 1000, 1_000, true)).isZero();
        assertThat(p.pauses()).isZero();
    }
}
