package dev.cipsec.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * Cuts a byte stream into length-prefixed frames without interpreting them (Netty's habit of
 * keeping framing apart from parsing): a fixed-size header, a caller-supplied function that reads
 * the body length out of the header, and a maximum frame size checked before any body byte is
 * read.
 *
 * <p><b>Timeouts.</b> Read timeouts of the underlying stream (e.g.
 * {@link StreamConnection#setReadTimeout}) surface as {@link SocketTimeoutException}. Such a
 * timeout applies to each single read, so it is an idle timeout: a peer that sends one byte just
 * before each timeout expires keeps a connection and a thread forever. Pass a whole-frame deadline
 * to {@link #readFrame(byte[], Duration)} to cut such a peer off: the deadline starts with the
 * first byte of a frame (time spent idle between frames is the idle timeout's business) and is
 * checked each time a read returns, so a frame is abandoned at the latest one read timeout after
 * its deadline.
 *
 * <p><b>After an error.</b> A timeout before the first byte of a frame leaves the reader in step
 * with the stream; the caller may read again. Any other failure (EOF or timeout inside a frame,
 * oversize frame, deadline) loses framing: later calls throw, and the caller must close the
 * stream.
 *
 * <p>Not thread-safe; one reader per stream.
 */
public final class FrameReader {

    /** Computes the body length from a frame's header. */
    @FunctionalInterface
    public interface BodyLength {
        /**
         * @param frame the frame buffer; the header occupies {@code frame[0, headerSize)}
         * @return the number of body bytes after the header; must not be negative
         */
        long bodyLength(byte[] frame);

        /** An unsigned 16-bit little-endian length at {@code offset} in the header. */
        static BodyLength u16LeAt(int offset) {
            if (offset < 0) {
                throw new IllegalArgumentException("offset " + offset);
            }
            return frame -> (frame[offset] & 0xFF) | (frame[offset + 1] & 0xFF) << 8;
        }
    }

    /**
     * Supplies a larger buffer when a frame does not fit the caller's: lets a connection start
     * with a small buffer and pay for a large one only when a peer sends a large frame.
     */
    @FunctionalInterface
    public interface Growth {
        /**
         * @param current the buffer holding the frame's header in {@code [0, headerSize)}
         * @param needed  the whole frame's length, at most the maximum frame size
         * @return a buffer of at least {@code needed} bytes with the header copied to its start
         * @throws IOException to abandon the frame (e.g. a memory budget is exhausted); framing is lost
         */
        byte[] grow(byte[] current, int needed) throws IOException;
    }

    private final InputStream in;
    private final int headerSize;
    private final BodyLength bodyLength;
    private final int maxFrameSize;
    private boolean framingLost;

    /**
     * @param headerSize   bytes of the fixed header, at least 1
     * @param bodyLength   reads the body length out of the header
     * @param maxFrameSize the largest whole frame (header + body) accepted, at least
     *                     {@code headerSize}
     */
    public FrameReader(InputStream in, int headerSize, BodyLength bodyLength, int maxFrameSize) {
        this.in = Objects.requireNonNull(in, "in");
        this.bodyLength = Objects.requireNonNull(bodyLength, "bodyLength");
        if (headerSize < 1) {
            throw new IllegalArgumentException("headerSize must be >= 1: " + headerSize);
        }
        if (maxFrameSize < headerSize) {
            throw new IllegalArgumentException(
                    "maxFrameSize " + maxFrameSize + " < headerSize " + headerSize);
        }
        this.headerSize = headerSize;
        this.maxFrameSize = maxFrameSize;
    }

    public int headerSize() {
        return headerSize;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** Reads the next frame with no whole-frame deadline; see {@link #readFrame(byte[], Duration)}. */
    public int readFrame(byte[] buf) throws IOException {
        return read(buf, 0);
    }

    /**
     * Reads the next frame into {@code buf[0, n)}, header first.
     *
     * @param buf          reused across calls; at least {@link #maxFrameSize()} long
     * @param maxFrameTime longest time from a frame's first byte to its last
     * @return the frame length {@code n}, or -1 on end of stream between frames
     * @throws FrameTooLargeException  the header announced a frame over the maximum; the body was
     *                                 not read
     * @throws EOFException            the stream ended inside a frame
     * @throws SocketTimeoutException  a read timed out ({@link FrameDeadlineException} when the
     *                                 whole-frame deadline passed)
     */
    public int readFrame(byte[] buf, Duration maxFrameTime) throws IOException {
        Objects.requireNonNull(maxFrameTime, "maxFrameTime");
        if (maxFrameTime.isNegative() || maxFrameTime.isZero()) {
            throw new IllegalArgumentException("maxFrameTime must be positive: " + maxFrameTime);
        }
        return read(buf, saturatedNanos(maxFrameTime));
    }

    /**
     * Like {@link #readFrame(byte[], Duration)}, but {@code buf} need only hold the header: a frame
     * longer than it is read into the buffer {@code growth} returns, which the caller keeps for the
     * next call.
     */
    public int readFrame(byte[] buf, Duration maxFrameTime, Growth growth) throws IOException {
        Objects.requireNonNull(maxFrameTime, "maxFrameTime");
        Objects.requireNonNull(growth, "growth");
        if (maxFrameTime.isNegative() || maxFrameTime.isZero()) {
            throw new IllegalArgumentException("maxFrameTime must be positive: " + maxFrameTime);
        }
        return read(buf, saturatedNanos(maxFrameTime), growth);
    }

    private int read(byte[] buf, long maxFrameNanos) throws IOException {
        return read(buf, maxFrameNanos, null);
    }

    private int read(byte[] buf, long maxFrameNanos, Growth growth) throws IOException {
        Objects.requireNonNull(buf, "buf");
        if (growth != null ? buf.length < headerSize : buf.length < maxFrameSize) {
            throw new IllegalArgumentException(
                    "buffer of " + buf.length + " bytes < maxFrameSize " + maxFrameSize);
        }
        if (framingLost) {
            throw new IOException("framing lost after an earlier error; close the stream");
        }
        Frame f = new Frame(maxFrameNanos);
        try {
            if (!fill(buf, 0, headerSize, f, "header")) {
                return -1;
            }
            long body = bodyLength.bodyLength(buf);
            if (body < 0) {
                throw new IOException("header yields a negative body length: " + body);
            }
            if (body > maxFrameSize - headerSize) {
                byte[] header = new byte[headerSize];
                System.arraycopy(buf, 0, header, 0, headerSize);
                throw new FrameTooLargeException(header, body, maxFrameSize);
            }
            int total = headerSize + (int) body;
            if (total > buf.length) {
                // Only with a Growth: without one the buffer holds any legal frame (checked above).
                f.started = true;
                byte[] bigger = growth.grow(buf, total);
                if (bigger.length < total) {
                    throw new IllegalStateException("grown buffer of " + bigger.length + " bytes < frame of " + total);
                }
                buf = bigger;
            }
            fill(buf, headerSize, total, f, "body");
            return total;
        } catch (IOException | RuntimeException e) {
            if (f.started) {
                framingLost = true;
            }
            throw e;
        }
    }

    /** Per-call progress, so a failure can tell whether framing is still intact. */
    private static final class Frame {
        final long maxNanos;
        boolean started;
        long firstByteAt;

        Frame(long maxNanos) {
            this.maxNanos = maxNanos;
        }
    }

    /** Reads {@code buf[from, to)}; returns false only on EOF before the frame's first byte. */
    private boolean fill(byte[] buf, int from, int to, Frame f, String part) throws IOException {
        int pos = from;
        while (pos < to) {
            if (f.started && f.maxNanos > 0 && System.nanoTime() - f.firstByteAt > f.maxNanos) {
                throw new FrameDeadlineException("frame incomplete after "
                        + Duration.ofNanos(f.maxNanos) + ": " + pos + " bytes received");
            }
            int n = in.read(buf, pos, to - pos);
            if (n < 0) {
                if (!f.started) {
                    return false;
                }
                throw new EOFException("stream ended inside the frame " + part + " after "
                        + pos + " bytes");
            }
            if (n > 0 && !f.started) {
                f.started = true;
                f.firstByteAt = System.nanoTime();
            }
            pos += n;
        }
        return true;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
