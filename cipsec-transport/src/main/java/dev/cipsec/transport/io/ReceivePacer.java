package dev.cipsec.transport.io;

import java.util.concurrent.locks.LockSupport;

/**
 * The per-thread state of {@link ReceiveCoalescing}: one receive thread calls {@link #arrived}
 * for each datagram and {@link #handled} after handing it on; other threads only read
 * {@link #pauses()}.
 *
 * <p>Whether a datagram was waited for is told by the caller: a receive call (or select) that
 * took longer than {@link #WAITED_NANOS} blocked, so the socket had been drained. Only then may
 * the thread sleep; while datagrams are queued it keeps receiving at full speed.
 */
public final class ReceivePacer {
    /** A receive that returns a queued datagram takes about a microsecond; one that blocked, several. */
    public static final long WAITED_NANOS = 5_000;
    /** The average gap starts as "sparse", so nothing is delayed until a dense stream shows. */
    private static final long SPARSE = 1_000_000_000L;

    private final long pauseNanos;
    private long last = System.nanoTime();
    private long gap = SPARSE;
    private boolean pauseDue;
    /** Written by the receive thread only. */
    private volatile long pauses;

    ReceivePacer(long pauseNanos) {
        this.pauseNanos = pauseNanos;
    }

    /**
     * A datagram arrived at {@code now}; {@code waited} says whether the call that returned it
     * blocked for it.
     */
    public void arrived(long now, boolean waited) {
        if (pauseNanos == 0) {
            return;
        }
        // Average of the last ~8 gaps: reacts within a few datagrams, ignores a single burst.
        gap += (now - last - gap) >> 3;
        last = now;
        if (waited && gap < pauseNanos / 2) {
            pauseDue = true;
        }
    }

    /** After the datagram was handed on: sleeps if {@link #arrived} found the stream dense. */
    public void handled() {
        if (pauseDue) {
            pauseDue = false;
            pauses++;
            LockSupport.parkNanos(pauseNanos);
        }
    }

    /** False for a pacer that never sleeps: its caller may skip timing the receives. */
    public boolean enabled() {
        return pauseNanos > 0;
    }

    /** Sleeps taken so far. */
    public long pauses() {
        return pauses;
    }
}
