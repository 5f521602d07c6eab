package dev.cipsec.transport.io;

import java.time.Duration;
import java.util.Objects;

/**
 * How a datagram port's receive thread trades a bounded input delay for far fewer wake-ups when
 * datagrams arrive densely.
 *
 * <p>Without it, a receive thread that keeps up with its traffic drains the socket, blocks, and is
 * woken again by the very next datagram: one wake-up (two context switches, and the sender's
 * share of the wake-up) per datagram. At 100,000 datagrams/s that is most of a core on a
 * two-core device, taken from the schedulers that must send on time. With it, once the thread has
 * caught up with a stream whose datagrams come less than {@code pause / 2} apart on average, it
 * sleeps for {@code pause} before receiving again and then takes what queued up meanwhile in one
 * go. A sparse stream is never delayed: the thread only sleeps while the recent average gap says
 * that at least two datagrams will arrive during the sleep.
 *
 * <p>The price is input latency: a datagram may wait up to {@code pause} plus the OS timer slack
 * (50 µs by default on Linux) in the socket. The default, 50 µs, engages above about 40,000
 * datagrams/s per port. Measured on two cores with both ends on one host, 1,000 connections at
 * RPI 10 ms, alternated 20 s runs: p99 lateness 0.4-11.9 ms and 21-26 s of system CPU without it,
 * 0.08-0.09 ms and 15 s with it (cipsec-bench README, "Receive coalescing").
 *
 * @param pause how long the thread sleeps once it has caught up with a dense stream; zero turns
 *              coalescing off (one wake-up per datagram, the least latency); at most {@link #MAX_PAUSE}
 */
public record ReceiveCoalescing(Duration pause) {
    public static final Duration DEFAULT_PAUSE = Duration.ofNanos(50_000);
    /** A longer sleep would delay a connection at the smallest RPI (1 ms) by more than one packet. */
    public static final Duration MAX_PAUSE = Duration.ofMillis(1);

    public ReceiveCoalescing {
        Objects.requireNonNull(pause, "pause");
        if (pause.isNegative() || pause.compareTo(MAX_PAUSE) > 0) {
            throw new IllegalArgumentException("receive coalescing pause must be 0.." + MAX_PAUSE.toNanos() / 1000 + " µs: "
                    + pause.toNanos() / 1000 + " µs");
        }
    }

    /** {@link #DEFAULT_PAUSE}. */
    public static ReceiveCoalescing defaults() {
        return new ReceiveCoalescing(DEFAULT_PAUSE);
    }

    /** One wake-up per datagram. */
    public static ReceiveCoalescing off() {
        return new ReceiveCoalescing(Duration.ZERO);
    }

    /** A pause of {@code micros} µs; 0 is {@link #off()}. */
    public static ReceiveCoalescing ofMicros(long micros) {
        return ofMicros(micros, "receive coalescing pause");
    }

    /** As {@link #ofMicros(long)}; an out-of-range value is an error naming {@code setting} (a key, an option). */
    public static ReceiveCoalescing ofMicros(long micros, String setting) {
        long max = MAX_PAUSE.toNanos() / 1000;
        if (micros < 0 || micros > max) {
            throw new IllegalArgumentException(setting + " must be 0.." + max + " µs: " + micros + " µs");
        }
        return new ReceiveCoalescing(Duration.ofNanos(micros * 1000));
    }

    public boolean enabled() {
        return !pause.isZero();
    }

    /** A pacer for one receive thread. */
    public ReceivePacer pacer() {
        return new ReceivePacer(pause.toNanos());
    }
}
