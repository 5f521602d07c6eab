package dev.cipsec.wire.file;

/** Range checks for the compact constructors. */
final class Checks {
    private Checks() {
    }

    static int u8(int v, String what) {
        if (v < 0 || v > 0xFF) {
            throw new IllegalArgumentException(what + " must be a USINT: " + v);
        }
        return v;
    }

    static int u16(int v, String what) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be a UINT: " + v);
        }
        return v;
    }

    static long u32(long v, String what) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(what + " must be a UDINT: " + v);
        }
        return v;
    }
}
