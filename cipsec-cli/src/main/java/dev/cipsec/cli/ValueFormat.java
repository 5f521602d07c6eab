package dev.cipsec.cli;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/** How {@code get} shows and {@code set} parses an attribute value. */
enum ValueFormat {
    HEX, BOOL, USINT, UINT, UDINT, SINT, INT, DINT, REAL, SHORT_STRING;

    static ValueFormat parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown value type '" + s + "' (hex, bool, usint, uint, udint, sint, int, dint, real, short_string)");
        }
    }

    /** Renders {@code data}; a value that does not fit the type is shown in hex with a note. */
    String render(Bytes data) {
        if (this == HEX) {
            return data.toHex();
        }
        try {
            WireReader r = WireReader.of(data.toArray());
            String s = switch (this) {
                case BOOL -> r.u8("bool") != 0 ? "true" : "false";
                case USINT -> Integer.toString(r.u8("usint"));
                case UINT -> Integer.toString(r.u16("uint"));
                case UDINT -> Long.toString(r.u32("udint"));
                case SINT -> Integer.toString((byte) r.u8("sint"));
                case INT -> Integer.toString((short) r.u16("int"));
                case DINT -> Integer.toString(r.i32("dint"));
                case REAL -> Float.toString(Float.intBitsToFloat(r.i32("real")));
                case SHORT_STRING -> r.ascii(r.u8("length"), "characters");
                case HEX -> throw new IllegalStateException();
            };
            r.expectEnd(name().toLowerCase(Locale.ROOT));
            return s;
        } catch (WireFormatException e) {
            return data.toHex() + " (not a " + name().toLowerCase(Locale.ROOT) + ": " + e.getMessage() + ")";
        }
    }

    /** Encodes a user-typed value; throws IllegalArgumentException on a bad value. */
    Bytes encode(String text) {
        String t = text.strip();
        return switch (this) {
            case HEX -> {
                String h = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
                h = h.replaceAll("[\\s:_-]", "");
                if ((h.length() & 1) != 0) {
                    throw new IllegalArgumentException("hex value needs an even number of digits: " + text);
                }
                try {
                    yield Bytes.of(HexFormat.of().parseHex(h));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not hex: " + text);
                }
            }
            case BOOL -> Bytes.of((byte) (Boolean.parseBoolean(t) || t.equals("1") ? 1 : 0));
            case USINT -> le(range(t, 0, 0xFF), 1);
            case UINT -> le(range(t, 0, 0xFFFF), 2);
            case UDINT -> le(range(t, 0, 0xFFFF_FFFFL), 4);
            case SINT -> le(range(t, Byte.MIN_VALUE, Byte.MAX_VALUE), 1);
            case INT -> le(range(t, Short.MIN_VALUE, Short.MAX_VALUE), 2);
            case DINT -> le(range(t, Integer.MIN_VALUE, Integer.MAX_VALUE), 4);
            case REAL -> le(Float.floatToIntBits(Float.parseFloat(t)), 4);
            case SHORT_STRING -> {
                byte[] b = t.getBytes(StandardCharsets.ISO_8859_1);
                if (b.length > 255) {
                    throw new IllegalArgumentException("SHORT_STRING holds at most 255 characters");
                }
                WireWriter w = WireWriter.ofSize(1 + b.length);
                w.u8(b.length).bytes(b, 0, b.length);
                yield Bytes.of(w.array());
            }
        };
    }

    private static long range(String t, long min, long max) {
        long v;
        try {
            v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer: " + t);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(t + " is outside " + min + ".." + max);
        }
        return v;
    }

    private static Bytes le(long v, int size) {
        WireWriter w = WireWriter.ofSize(size);
        for (int i = 0; i < size; i++) {
            w.u8((int) (v >>> (8 * i)));
        }
        return Bytes.of(w.array());
    }
}
