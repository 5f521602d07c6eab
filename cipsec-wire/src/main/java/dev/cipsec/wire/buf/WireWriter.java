package dev.cipsec.wire.buf;

import java.nio.charset.StandardCharsets;

/**
 * Writes wire data into a caller-supplied array. Encoders compute their exact
 * {@code encodedLength()} first, so the hot path can reuse one buffer and allocate nothing.
 * Running past the end is a programming error and throws {@link IndexOutOfBoundsException}.
 */
public final class WireWriter {
    private final byte[] buf;
    private int pos;
    private final int limit;

    private WireWriter(byte[] buf, int off, int limit) {
        this.buf = buf;
        this.pos = off;
        this.limit = limit;
    }

    public static WireWriter into(byte[] buf, int off) {
        return new WireWriter(buf, off, buf.length);
    }

    public static WireWriter ofSize(int size) {
        return new WireWriter(new byte[size], 0, size);
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return limit - pos;
    }

    private void ensure(int n) {
        if (n > limit - pos) {
            throw new IndexOutOfBoundsException("write of " + n + " at " + pos + " exceeds " + limit);
        }
    }

    public WireWriter u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public WireWriter u16(int v) {
        ensure(2);
        buf[pos] = (byte) v;
        buf[pos + 1] = (byte) (v >>> 8);
        pos += 2;
        return this;
    }

    public WireWriter u16Be(int v) {
        ensure(2);
        buf[pos] = (byte) (v >>> 8);
        buf[pos + 1] = (byte) v;
        pos += 2;
        return this;
    }

    public WireWriter u32(long v) {
        ensure(4);
        buf[pos] = (byte) v;
        buf[pos + 1] = (byte) (v >>> 8);
        buf[pos + 2] = (byte) (v >>> 16);
        buf[pos + 3] = (byte) (v >>> 24);
        pos += 4;
        return this;
    }

    public WireWriter u32Be(long v) {
        ensure(4);
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
        pos += 4;
        return this;
    }

    public WireWriter i64(long v) {
        u32(v);
        u32(v >>> 32);
        return this;
    }

    public WireWriter zeros(int n) {
        ensure(n);
        java.util.Arrays.fill(buf, pos, pos + n, (byte) 0);
        pos += n;
        return this;
    }

    public WireWriter bytes(Bytes b) {
        ensure(b.length());
        pos = b.copyTo(buf, pos);
        return this;
    }

    public WireWriter bytes(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, pos, len);
        pos += len;
        return this;
    }

    public WireWriter ascii(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return bytes(b, 0, b.length);
    }

    /** Patches a little-endian UINT at an absolute position written earlier (e.g. a length). */
    public void patchU16(int at, int v) {
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
    }

    /** The whole backing array; valid when the writer was made by {@link #ofSize} and is full. */
    public byte[] array() {
        if (pos != limit) {
            throw new IllegalStateException("wrote " + pos + " of " + limit + " bytes");
        }
        return buf;
    }
}
