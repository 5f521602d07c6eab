package dev.cipsec.wire.buf;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string. Wire records hold this rather than {@code byte[]} so that they keep
 * value semantics ({@code equals}, {@code hashCode}) and never expose a live buffer.
 */
public final class Bytes {
    private static final HexFormat HEX = HexFormat.of();
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] data;

    private Bytes(byte[] owned) {
        this.data = owned;
    }

    /** Copies {@code src}. */
    public static Bytes of(byte... src) {
        return src.length == 0 ? EMPTY : new Bytes(src.clone());
    }

    /** Copies {@code len} bytes of {@code src} from {@code off}. */
    public static Bytes copyOf(byte[] src, int off, int len) {
        if (len == 0) {
            return EMPTY;
        }
        return new Bytes(Arrays.copyOfRange(src, off, off + len));
    }

    /** Takes ownership of {@code owned}: the caller must not touch the array afterwards. */
    static Bytes wrapOwned(byte[] owned) {
        return owned.length == 0 ? EMPTY : new Bytes(owned);
    }

    public static Bytes fromHex(String hex) {
        return wrapOwned(HEX.parseHex(hex.replaceAll("\\s", "")));
    }

    public int length() {
        return data.length;
    }

    public boolean isEmpty() {
        return data.length == 0;
    }

    public int get(int index) {
        return data[index] & 0xFF;
    }

    public byte[] toArray() {
        return data.clone();
    }

    /** Copies the bytes into {@code dst} at {@code off}; returns the offset after them. */
    public int copyTo(byte[] dst, int off) {
        System.arraycopy(data, 0, dst, off, data.length);
        return off + data.length;
    }

    public Bytes slice(int from, int to) {
        return copyOf(data, from, to - from);
    }

    public String toHex() {
        return HEX.formatHex(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return data.length <= 64 ? "0x" + toHex() : "0x" + HEX.formatHex(data, 0, 64) + "…(" + data.length + " bytes)";
    }
}
