package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

/**
 * A logical segment: class, instance, member, connection point, attribute or service id.
 *
 * @param format 0 = 8-bit, 1 = 16-bit, 2 = 32-bit value. Kept so a decoded path re-encodes
 *               byte for byte (a peer may send class 1 as a 16-bit segment).
 */
public record LogicalSegment(LogicalType type, long value, int format) implements Segment {

    public LogicalSegment {
        Objects.requireNonNull(type, "type");
        if (format < 0 || format > 2) {
            throw new IllegalArgumentException("format must be 0..2: " + format);
        }
        long max = format == 0 ? 0xFFL : format == 1 ? 0xFFFFL : 0xFFFF_FFFFL;
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(type + " value " + value + " does not fit format " + format);
        }
        if (type == LogicalType.SERVICE_ID && format != 0) {
            throw new IllegalArgumentException("service id segments are 8-bit only");
        }
        if (format == 2 && (type == LogicalType.CLASS || type == LogicalType.ATTRIBUTE)) {
            // CIP defines 32-bit logical format only for instance, member and connection point.
            throw new IllegalArgumentException(type + " has no 32-bit format");
        }
    }

    /** The smallest format that holds {@code value}. */
    public static LogicalSegment of(LogicalType type, long value) {
        int format = value <= 0xFF ? 0 : value <= 0xFFFF ? 1 : 2;
        return new LogicalSegment(type, value, format);
    }

    int typeByte() {
        return 0x20 | type.code() << 2 | format;
    }

    @Override
    public int encodedLength() {
        return switch (format) {
            case 0 -> 2;
            case 1 -> 4;
            default -> 6;
        };
    }

    @Override
    public void encode(WireWriter w) {
        w.u8(typeByte());
        switch (format) {
            case 0 -> w.u8((int) value);
            case 1 -> w.u8(0).u16((int) value);
            default -> w.u8(0).u32(value);
        }
    }

    @Override
    public String toString() {
        return type + "(" + value + (format == LogicalSegment.of(type, value).format ? "" : ", fmt" + format) + ")";
    }
}
