package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.epath.EPath;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;

/**
 * The CIP elementary and constructed data types attributes use (CIP Vol 1 appendix C), each a
 * {@link CipDataType}. Integers up to 32 bits travel as {@link Integer} (UDINT/DWORD as
 * {@link Long} so that they stay unsigned); 64-bit ones as {@link Long} bit patterns. Encoding a
 * value outside the type's range is a programming error ({@link IllegalArgumentException});
 * decoding never accepts one.
 */
public final class CipDataTypes {
    private CipDataTypes() {
    }

    /** Reads a value of some type; the decode half of {@link #struct}. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(WireReader r) throws WireFormatException;
    }

    /** Builds a type from its three halves; used for structs and class-specific encodings. */
    public static <T> CipDataType<T> struct(String name, ToIntFunction<T> length, BiConsumer<T, WireWriter> encoder,
                                            Decoder<T> decoder) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(length, "length");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        return new CipDataType<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int encodedLength(T value) {
                return length.applyAsInt(value);
            }

            @Override
            public void encode(T value, WireWriter w) {
                encoder.accept(value, w);
            }

            @Override
            public T decode(WireReader r) throws WireFormatException {
                return decoder.decode(r);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** A struct whose encoding always has {@code size} bytes. */
    public static <T> CipDataType<T> fixedStruct(String name, int size, BiConsumer<T, WireWriter> encoder,
                                                 Decoder<T> decoder) {
        return struct(name, v -> size, encoder, decoder);
    }

    private static CipDataType<Integer> integer(String name, int size, long min, long max, boolean signed) {
        return fixedStruct(name, size, (v, w) -> {
            long x = v;
            if (x < min || x > max) {
                throw new IllegalArgumentException(name + " out of range: " + v);
            }
            switch (size) {
                case 1 -> w.u8(v);
                case 2 -> w.u16(v);
                default -> w.u32(v);
            }
        }, r -> switch (size) {
            case 1 -> signed ? (int) (byte) r.u8(name) : r.u8(name);
            case 2 -> signed ? (int) (short) r.u16(name) : r.u16(name);
            default -> r.i32(name);
        });
    }

    private static CipDataType<Long> unsigned32(String name) {
        return fixedStruct(name, 4, (v, w) -> {
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException(name + " out of range: " + v);
            }
            w.u32(v);
        }, r -> r.u32(name));
    }

    private static CipDataType<Long> sixtyFour(String name) {
        return fixedStruct(name, 8, (v, w) -> w.i64(v), r -> r.i64(name));
    }

    /** BOOL: one byte, 0 or 1; anything else is an invalid value. */
    public static final CipDataType<Boolean> BOOL = fixedStruct("BOOL", 1, (v, w) -> w.u8(v ? 1 : 0), r -> {
        int b = r.u8("BOOL");
        if (b > 1) {
            throw new WireFormatException(INVALID_VALUE, "BOOL must be 0 or 1, got " + b);
        }
        return b == 1;
    });
    public static final CipDataType<Integer> SINT = integer("SINT", 1, Byte.MIN_VALUE, Byte.MAX_VALUE, true);
    public static final CipDataType<Integer> USINT = integer("USINT", 1, 0, 0xFF, false);
    public static final CipDataType<Integer> BYTE = integer("BYTE", 1, 0, 0xFF, false);
    public static final CipDataType<Integer> INT = integer("INT", 2, Short.MIN_VALUE, Short.MAX_VALUE, true);
    public static final CipDataType<Integer> UINT = integer("UINT", 2, 0, 0xFFFF, false);
    public static final CipDataType<Integer> WORD = integer("WORD", 2, 0, 0xFFFF, false);
    public static final CipDataType<Integer> DINT = integer("DINT", 4, Integer.MIN_VALUE, Integer.MAX_VALUE, true);
    public static final CipDataType<Long> UDINT = unsigned32("UDINT");
    public static final CipDataType<Long> DWORD = unsigned32("DWORD");
    public static final CipDataType<Long> LINT = sixtyFour("LINT");
    /** ULINT as the unsigned bit pattern in a {@code long} (use {@link Long#toUnsignedString}). */
    public static final CipDataType<Long> ULINT = sixtyFour("ULINT");
    /** REAL: IEEE 754 single; the raw bits are kept so that any NaN payload re-encodes unchanged. */
    public static final CipDataType<Float> REAL = fixedStruct("REAL", 4,
            (v, w) -> w.u32(Float.floatToRawIntBits(v) & 0xFFFF_FFFFL), r -> Float.intBitsToFloat(r.i32("REAL")));
    public static final CipDataType<Double> LREAL = fixedStruct("LREAL", 8,
            (v, w) -> w.i64(Double.doubleToRawLongBits(v)), r -> Double.longBitsToDouble(r.i64("LREAL")));

    /** SHORT_STRING: USINT length + ISO-8859-1 characters, no pad. */
    public static final CipDataType<String> SHORT_STRING = struct("SHORT_STRING", s -> 1 + latin1(s, 0xFF).length,
            (s, w) -> {
                byte[] b = latin1(s, 0xFF);
                w.u8(b.length).bytes(b, 0, b.length);
            }, r -> r.ascii(r.u8("SHORT_STRING length"), "SHORT_STRING"));

    /** STRING: UINT length + ISO-8859-1 characters, no pad. */
    public static final CipDataType<String> STRING = struct("STRING", s -> 2 + latin1(s, 0xFFFF).length,
            (s, w) -> {
                byte[] b = latin1(s, 0xFFFF);
                w.u16(b.length).bytes(b, 0, b.length);
            }, r -> r.ascii(r.u16("STRING length"), "STRING"));

    /**
     * STRING padded to an even number of characters, as the TCP/IP Interface object encodes its
     * domain and host names (reference §3.5); the pad byte is not part of the value.
     */
    public static final CipDataType<String> PADDED_STRING = struct("STRING (padded)",
            s -> {
                int n = latin1(s, 0xFFFF).length;
                return 2 + n + (n & 1);
            },
            (s, w) -> {
                byte[] b = latin1(s, 0xFFFF);
                w.u16(b.length).bytes(b, 0, b.length);
                if ((b.length & 1) != 0) {
                    w.u8(0);
                }
            }, r -> {
                int n = r.u16("STRING length");
                String s = r.ascii(n, "STRING");
                if ((n & 1) != 0) {
                    r.skip(1, "STRING pad");
                }
                return s;
            });

    /** A padded EPATH preceded by its size in 16-bit words as a UINT (TCP/IP attribute 4). */
    public static final CipDataType<EPath> EPATH_UINT_SIZED = struct("EPATH (UINT size)",
            p -> 2 + p.encodedLength(),
            (p, w) -> {
                w.u16(p.words());
                p.encode(w);
            }, r -> {
                int words = r.u16("EPATH size");
                try {
                    return EPath.decode(r, words);
                } catch (IllegalArgumentException e) {
                    // cipsec-wire's segment records may reject a decoded value this way (see MessageRouter.decode)
                    throw new WireFormatException(WireFormatException.Reason.PATH_SEGMENT_ERROR, e.getMessage());
                }
            });

    /** Everything that remains; only for the last value of a request (never in a list). */
    public static final CipDataType<Bytes> REMAINING_BYTES = struct("BYTE[]", Bytes::length,
            (b, w) -> w.bytes(b), WireReader::rest);

    /** Exactly {@code size} bytes (assembly data, MAC address, reserved blocks). */
    public static CipDataType<Bytes> bytes(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size");
        }
        return fixedStruct("BYTE[" + size + "]", size, (b, w) -> {
            if (b.length() != size) {
                throw new IllegalArgumentException("expected " + size + " bytes, got " + b.length());
            }
            w.bytes(b);
        }, r -> r.bytes(size, "BYTE[" + size + "]"));
    }

    /** Exactly {@code count} values of {@code element}. */
    public static <T> CipDataType<List<T>> array(CipDataType<T> element, int count) {
        return struct(element.name() + "[" + count + "]", l -> listLength(element, l), (l, w) -> {
            if (l.size() != count) {
                throw new IllegalArgumentException("expected " + count + " elements, got " + l.size());
            }
            l.forEach(v -> element.encode(v, w));
        }, r -> {
            r.requireCount(count, 1, element.name() + " array");
            return readList(element, r, count);
        });
    }

    /** A UINT count followed by that many values (e.g. the Message Router object list). */
    public static <T> CipDataType<List<T>> uintCountedList(CipDataType<T> element) {
        return countedList(element, 2, 0xFFFF);
    }

    /** A USINT count followed by that many values (e.g. the IANA port admin list). */
    public static <T> CipDataType<List<T>> usintCountedList(CipDataType<T> element) {
        return countedList(element, 1, 0xFF);
    }

    private static <T> CipDataType<List<T>> countedList(CipDataType<T> element, int countSize, int maxCount) {
        String name = (countSize == 1 ? "USINT" : "UINT") + " count + " + element.name() + "[]";
        return struct(name, l -> countSize + listLength(element, l), (l, w) -> {
            if (l.size() > maxCount) {
                throw new IllegalArgumentException(name + ": too many elements " + l.size());
            }
            if (countSize == 1) {
                w.u8(l.size());
            } else {
                w.u16(l.size());
            }
            l.forEach(v -> element.encode(v, w));
        }, r -> {
            int count = countSize == 1 ? r.u8(name) : r.u16(name);
            r.requireCount(count, 1, name);
            return readList(element, r, count);
        });
    }

    private static <T> int listLength(CipDataType<T> element, List<T> l) {
        int n = 0;
        for (T v : l) {
            n += element.encodedLength(v);
        }
        return n;
    }

    private static <T> List<T> readList(CipDataType<T> element, WireReader r, int count) throws WireFormatException {
        List<T> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(element.decode(r));
        }
        return List.copyOf(out);
    }

    private static byte[] latin1(String s, int max) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                throw new IllegalArgumentException("not ISO-8859-1: " + s);
            }
        }
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length > max) {
            throw new IllegalArgumentException("string longer than " + max + ": " + b.length);
        }
        return b;
    }
}
