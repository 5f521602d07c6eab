package dev.cipsec.wire.io;

/**
 * Serial-number arithmetic (RFC 1982 style) for the two I/O sequence numbers (reference §2.10):
 * the 16-bit CIP sequence count and the 32-bit encapsulation sequence number both wrap, so
 * "newer" means "ahead by less than half the number space". A difference of exactly half is
 * ambiguous and counts as not newer, so a consumer drops it rather than guessing.
 *
 * <p>Consumers drop a datagram whose encapsulation sequence number is not newer than the last
 * accepted one (stale or duplicate); the CIP sequence count tells whether the producer's data
 * changed (equal count = same data, e.g. a repeat at the RPI).
 */
public final class SequenceCounters {
    private SequenceCounters() {
    }

    /** Whether 16-bit {@code candidate} is after {@code last}, modulo 2^16. */
    public static boolean isNewer16(int candidate, int last) {
        int d = (candidate - last) & 0xFFFF;
        return d != 0 && d < 0x8000;
    }

    /** Whether 32-bit {@code candidate} is after {@code last}, modulo 2^32. */
    public static boolean isNewer32(long candidate, long last) {
        long d = (candidate - last) & 0xFFFF_FFFFL;
        return d != 0 && d < 0x8000_0000L;
    }

    /** Signed distance from {@code from} to {@code to} in 16-bit serial arithmetic (-32768..32767). */
    public static int delta16(int from, int to) {
        return (short) (to - from);
    }

    /** Signed distance from {@code from} to {@code to} in 32-bit serial arithmetic. */
    public static long delta32(long from, long to) {
        return (int) (to - from);
    }

    public static int next16(int seq) {
        return (seq + 1) & 0xFFFF;
    }

    public static long next32(long seq) {
        return (seq + 1) & 0xFFFF_FFFFL;
    }
}
