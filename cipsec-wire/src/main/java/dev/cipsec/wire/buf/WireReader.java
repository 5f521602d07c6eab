package dev.cipsec.wire.buf;

import static dev.cipsec.wire.buf.WireFormatException.Reason.COUNT_TOO_LARGE;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TOO_MUCH_DATA;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TRUNCATED;

/**
 * The only way codecs read wire data: a bounded cursor over a byte array. Every read checks what
 * remains first, so no length or count taken from the wire is ever used before it is checked.
 *
 * <p>Little-endian is the default (CIP and encapsulation); the big-endian exceptions (sockaddr,
 * cipher-suite ids) have their own named methods. Not thread-safe; cheap enough to create per
 * decode (escape analysis usually removes it).
 */
public final class WireReader {
    private final byte[] buf;
    private int pos;
    private int limit;

    private WireReader(byte[] buf, int off, int limit) {
        this.buf = buf;
        this.pos = off;
        this.limit = limit;
    }

    /** Reads {@code buf[off, off+len)}; the array is read in place and must not change meanwhile. */
    public static WireReader of(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off > buf.length - len) {
            throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " size=" + buf.length);
        }
        return new WireReader(buf, off, off + len);
    }

    public static WireReader of(byte[] buf) {
        return new WireReader(buf, 0, buf.length);
    }

    /**
     * Points this reader at {@code [off, off+len)} of the same array, for a receive loop that
     * keeps one reader per buffer: a fresh reader per frame escapes into the decoders and is
     * garbage on every request.
     */
    public WireReader reset(int off, int len) {
        if (off < 0 || len < 0 || off > buf.length - len) {
            throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " size=" + buf.length);
        }
        pos = off;
        limit = off + len;
        return this;
    }

    public int remaining() {
        return limit - pos;
    }

    public boolean hasRemaining() {
        return pos < limit;
    }

    /** Absolute position in the underlying array. */
    public int position() {
        return pos;
    }

    /** Fails with {@code TRUNCATED} unless at least {@code n} bytes remain. */
    public void require(int n, String what) throws WireFormatException {
        if (n < 0 || n > limit - pos) {
            throw new WireFormatException(TRUNCATED,
                    what + ": needs " + n + " bytes, " + (limit - pos) + " remain");
        }
    }

    /**
     * Checks a count read from the wire against what remains, given each element's minimum size,
     * before any allocation for it.
     */
    public void requireCount(long count, int minElementSize, String what) throws WireFormatException {
        if (count < 0 || count * (long) minElementSize > limit - pos) {
            throw new WireFormatException(COUNT_TOO_LARGE,
                    what + ": count " + count + " x " + minElementSize + " bytes exceeds the " + (limit - pos) + " remaining");
        }
    }

    /** Fails with {@code TOO_MUCH_DATA} if anything remains. */
    public void expectEnd(String what) throws WireFormatException {
        if (pos != limit) {
            throw new WireFormatException(TOO_MUCH_DATA, what + ": " + (limit - pos) + " unexpected trailing bytes");
        }
    }

    public int u8(String what) throws WireFormatException {
        require(1, what);
        return buf[pos++] & 0xFF;
    }

    public int u16(String what) throws WireFormatException {
        require(2, what);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    public int u16Be(String what) throws WireFormatException {
        require(2, what);
        int v = (buf[pos] & 0xFF) << 8 | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    /** 32-bit little-endian as an {@code int} (bit pattern; use {@link #u32} for the unsigned value). */
    public int i32(String what) throws WireFormatException {
        require(4, what);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    public long u32(String what) throws WireFormatException {
        return i32(what) & 0xFFFF_FFFFL;
    }

    public int i32Be(String what) throws WireFormatException {
        require(4, what);
        int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public long u32Be(String what) throws WireFormatException {
        return i32Be(what) & 0xFFFF_FFFFL;
    }

    public long i64(String what) throws WireFormatException {
        long lo = u32(what);
        long hi = u32(what);
        return hi << 32 | lo;
    }

    public void skip(int n, String what) throws WireFormatException {
        require(n, what);
        pos += n;
    }

    /** Copies the next {@code n} bytes out. */
    public Bytes bytes(int n, String what) throws WireFormatException {
        require(n, what);
        Bytes b = Bytes.copyOf(buf, pos, n);
        pos += n;
        return b;
    }

    /** Copies everything that remains. */
    public Bytes rest() {
        Bytes b = Bytes.copyOf(buf, pos, limit - pos);
        pos = limit;
        return b;
    }

    /** Reads {@code n} bytes as Latin-1/ASCII text. */
    public String ascii(int n, String what) throws WireFormatException {
        require(n, what);
        String s = new String(buf, pos, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        pos += n;
        return s;
    }

    /**
     * A reader over the next {@code n} bytes; this reader moves past them. Used to bound a nested
     * structure by its declared length.
     */
    public WireReader sub(int n, String what) throws WireFormatException {
        require(n, what);
        WireReader r = new WireReader(buf, pos, pos + n);
        pos += n;
        return r;
    }

    /**
     * Bounds this reader to its next {@code n} bytes and returns the previous limit for
     * {@link #popLimit}: the allocation-free form of {@link #sub} for hot decoders (the
     * {@code pushLimit}/{@code popLimit} pair of protobuf's CodedInputStream).
     */
    public int pushLimit(int n, String what) throws WireFormatException {
        require(n, what);
        int old = limit;
        limit = pos + n;
        return old;
    }

    /** Restores a limit returned by {@link #pushLimit}; the bounded bytes must all have been read. */
    public void popLimit(int oldLimit) {
        if (pos != limit || oldLimit < limit || oldLimit > buf.length) {
            throw new IllegalStateException("popLimit at " + pos + " with limit " + limit + " and old limit " + oldLimit);
        }
        limit = oldLimit;
    }

    /** Looks at the byte at {@code pos + ahead} without moving. */
    public int peekU8(int ahead, String what) throws WireFormatException {
        require(ahead + 1, what);
        return buf[pos + ahead] & 0xFF;
    }
}
