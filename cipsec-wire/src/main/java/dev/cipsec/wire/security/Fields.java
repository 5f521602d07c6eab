package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.epath.EPath;

import java.util.Objects;
import java.util.function.Consumer;

/** Range checks and the SHORT_STRING / sized-EPATH pieces shared by the security attribute codecs. */
final class Fields {
    /** SHORT_STRING, USINT counts and USINT path sizes all top out here. */
    static final int USINT_MAX = 0xFF;

    private Fields() {
    }

    static int checkU8(int v, String what) {
        if (v < 0 || v > USINT_MAX) {
            throw new IllegalArgumentException(what + " must be a USINT: " + v);
        }
        return v;
    }

    static int checkU16(int v, String what) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be a UINT: " + v);
        }
        return v;
    }

    static int checkCount(int size, String what) {
        if (size > USINT_MAX) {
            throw new IllegalArgumentException(what + ": at most 255 entries, got " + size);
        }
        return size;
    }

    /**
     * A SHORT_STRING holds one byte per character; we read and write them as ISO-8859-1, so a
     * character above U+00FF would not survive the round trip and is refused up front.
     */
    static String checkShortString(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.length() > USINT_MAX) {
            throw new IllegalArgumentException(what + ": a SHORT_STRING holds at most 255 characters, got " + s.length());
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                throw new IllegalArgumentException(what + ": character U+" + Integer.toHexString(s.charAt(i))
                        + " at " + i + " is not one byte");
            }
        }
        return s;
    }

    static EPath checkPath(EPath p, String what) {
        Objects.requireNonNull(p, what);
        if (p.words() > EPath.MAX_WORDS) {
            throw new IllegalArgumentException(what + ": path of " + p.words() + " words exceeds 255");
        }
        return p;
    }

    static void writeShortString(WireWriter w, String s) {
        w.u8(s.length()).ascii(s);
    }

    static String readShortString(WireReader r, String what) throws WireFormatException {
        int n = r.u8(what + " length");
        return r.ascii(n, what);
    }

    /** USINT path size in words, then the padded EPATH. */
    static void writeSizedPath(WireWriter w, EPath p) {
        w.u8(p.words());
        p.encode(w);
    }

    static EPath readSizedPath(WireReader r, String what) throws WireFormatException {
        int words = r.u8(what + " size");
        return EPath.decode(r, words);
    }

    static Bytes toBytes(int length, Consumer<WireWriter> encoder) {
        WireWriter w = WireWriter.ofSize(length);
        encoder.accept(w);
        return Bytes.of(w.array());
    }

    static WireReader reader(Bytes b) {
        return WireReader.of(b.toArray());
    }
}
