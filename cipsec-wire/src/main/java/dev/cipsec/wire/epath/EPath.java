package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static dev.cipsec.wire.buf.WireFormatException.Reason.PATH_SEGMENT_ERROR;
import static dev.cipsec.wire.buf.WireFormatException.Reason.PATH_SIZE_INVALID;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TRUNCATED;

/**
 * A padded EPATH (reference §2.3): the form used in Message Router request paths, connection
 * paths and attribute values. Its size on the wire is always a whole number of 16-bit words.
 */
public record EPath(List<Segment> segments) {
    public static final EPath EMPTY = new EPath(List.of());
    /** Path sizes are USINT word counts wherever an EPATH travels. */
    public static final int MAX_WORDS = 0xFF;

    public EPath {
        segments = List.copyOf(Objects.requireNonNull(segments, "segments"));
    }

    public static EPath of(Segment... segments) {
        return new EPath(List.of(segments));
    }

    public static EPath classInstance(int classId, long instanceId) {
        return of(LogicalSegment.of(LogicalType.CLASS, classId), LogicalSegment.of(LogicalType.INSTANCE, instanceId));
    }

    public static EPath classInstanceAttribute(int classId, long instanceId, int attributeId) {
        return of(LogicalSegment.of(LogicalType.CLASS, classId), LogicalSegment.of(LogicalType.INSTANCE, instanceId),
                LogicalSegment.of(LogicalType.ATTRIBUTE, attributeId));
    }

    /**
     * Parses "class/instance[/attribute]" as the CLI and logs write paths: each number decimal or
     * 0x-prefixed hex (e.g. "0x01/1/7", "4/100/3"). A leading "@" is accepted and ignored.
     */
    public static EPath parse(String text) {
        String t = text.strip();
        if (t.startsWith("@")) {
            t = t.substring(1);
        }
        String[] parts = t.split("/");
        if (parts.length < 1 || parts.length > 3 || t.isEmpty()) {
            throw new IllegalArgumentException("expected class/instance[/attribute], got '" + text + "'");
        }
        LogicalType[] types = {LogicalType.CLASS, LogicalType.INSTANCE, LogicalType.ATTRIBUTE};
        List<Segment> segs = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            long v;
            try {
                v = p.startsWith("0x") || p.startsWith("0X") ? Long.parseLong(p.substring(2), 16) : Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number: '" + p + "' in path '" + text + "'");
            }
            segs.add(LogicalSegment.of(types[i], v));
        }
        return new EPath(segs);
    }

    /** Encoded size in bytes (even). */
    public int encodedLength() {
        int n = 0;
        for (Segment s : segments) {
            n += s.encodedLength();
        }
        return n;
    }

    /** Encoded size in 16-bit words, as path-size fields carry it. */
    public int words() {
        return encodedLength() / 2;
    }

    public void encode(WireWriter w) {
        for (Segment s : segments) {
            s.encode(w);
        }
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    /** The value of the first logical segment of {@code type}, or -1 when there is none. */
    public long logical(LogicalType type) {
        for (Segment s : segments) {
            if (s instanceof LogicalSegment l && l.type() == type) {
                return l.value();
            }
        }
        return -1;
    }

    public int classId() {
        return (int) logical(LogicalType.CLASS);
    }

    public long instanceId() {
        return logical(LogicalType.INSTANCE);
    }

    public int attributeId() {
        return (int) logical(LogicalType.ATTRIBUTE);
    }

    /**
     * Decodes exactly {@code words} 16-bit words. Not enough bytes in {@code r} is
     * {@code TRUNCATED} (not enough data); segments that do not fill the declared size exactly
     * are {@code PATH_SIZE_INVALID}; unknown segment types are {@code PATH_SEGMENT_ERROR}.
     */
    public static EPath decode(WireReader r, int words) throws WireFormatException {
        if (words < 0) {
            throw new WireFormatException(PATH_SIZE_INVALID, "negative path size");
        }
        if (words == 0) {
            return EMPTY;
        }
        // r itself, bounded to the path: a sub-reader per request path would be garbage on the hot path.
        WireReader p = r;
        int outerLimit = r.pushLimit(words * 2, "EPATH");
        // Up to three segments (class/instance/attribute, the per-request case) are held in locals
        // and become an immutable list directly, which the constructor keeps without copying.
        Segment s0 = null;
        Segment s1 = null;
        Segment s2 = null;
        List<Segment> more = null;
        int n = 0;
        try {
            while (p.hasRemaining()) {
                Segment s = decodeSegment(p);
                switch (n++) {
                    case 0 -> s0 = s;
                    case 1 -> s1 = s;
                    case 2 -> s2 = s;
                    default -> {
                        if (more == null) {
                            more = new ArrayList<>(Math.min(words, 8));
                            more.add(s0);
                            more.add(s1);
                            more.add(s2);
                        }
                        more.add(s);
                    }
                }
            }
        } catch (WireFormatException e) {
            if (e.reason() == TRUNCATED) {
                throw new WireFormatException(PATH_SIZE_INVALID, "segment runs past path size " + words + " words: " + e.getMessage());
            }
            throw e;
        }
        r.popLimit(outerLimit);
        return new EPath(switch (n) {
            case 1 -> List.of(s0);
            case 2 -> List.of(s0, s1);
            case 3 -> List.of(s0, s1, s2);
            default -> more;
        });
    }

    /** Decodes one segment from a reader bounded to the path; exposed for codecs with mixed content. */
    static Segment decodeSegment(WireReader p) throws WireFormatException {
        int b = p.u8("segment type");
        int kind = b >>> 5;
        switch (kind) {
            case 0: { // port
                boolean ext = (b & 0x10) != 0;
                int port = b & 0x0F;
                int linkLen = ext ? p.u8("port link address size") : 1;
                if (port == 0x0F) {
                    port = p.u16("extended port");
                }
                if (port == 0) {
                    throw new WireFormatException(PATH_SEGMENT_ERROR, "port segment with port 0");
                }
                if (linkLen == 0) {
                    throw new WireFormatException(PATH_SEGMENT_ERROR, "port segment with empty link address");
                }
                Bytes link = p.bytes(linkLen, "port link address");
                int consumed = 1 + (ext ? 1 : 0) + ((b & 0x0F) == 0x0F ? 2 : 0) + linkLen;
                if ((consumed & 1) != 0) {
                    p.skip(1, "port segment pad");
                }
                return new PortSegment(port, link);
            }
            case 1: { // logical
                int ltype = (b >>> 2) & 0x07;
                int format = b & 0x03;
                if (ltype == 5) {
                    int keyFormat = p.u8("electronic key format");
                    if (b != ElectronicKeySegment.SEGMENT_TYPE || keyFormat != ElectronicKeySegment.KEY_FORMAT) {
                        throw new WireFormatException(PATH_SEGMENT_ERROR,
                                String.format("unsupported special segment 0x%02x format %d", b, keyFormat));
                    }
                    int vendor = p.u16("key vendor");
                    int type = p.u16("key device type");
                    int product = p.u16("key product code");
                    int major = p.u8("key major revision");
                    int minor = p.u8("key minor revision");
                    return new ElectronicKeySegment(vendor, type, product, (major & 0x80) != 0, major & 0x7F, minor);
                }
                LogicalType type = LogicalType.ofCode(ltype);
                if (type == null || format == 3 || (type == LogicalType.SERVICE_ID && format != 0)
                        || (format == 2 && (type == LogicalType.CLASS || type == LogicalType.ATTRIBUTE))) {
                    throw new WireFormatException(PATH_SEGMENT_ERROR, String.format("unsupported logical segment 0x%02x", b));
                }
                long v = switch (format) {
                    case 0 -> p.u8("logical value");
                    case 1 -> {
                        p.skip(1, "logical pad");
                        yield p.u16("logical value");
                    }
                    default -> {
                        p.skip(1, "logical pad");
                        yield p.u32("logical value");
                    }
                };
                return new LogicalSegment(type, v, format);
            }
            case 2: { // network
                int sub = b & 0x1F;
                if (sub < 0x10) {
                    return new NetworkSegment(sub, p.bytes(1, "network segment data"));
                }
                int words = p.u8("network segment size");
                return new NetworkSegment(sub, p.bytes(words * 2, "network segment data"));
            }
            case 3: { // symbolic
                int len = b & 0x1F;
                if (len == 0) {
                    throw new WireFormatException(PATH_SEGMENT_ERROR, "extended symbolic segments are not supported");
                }
                String s = asciiSymbol(p, len, "symbol");
                if (((1 + len) & 1) != 0) {
                    p.skip(1, "symbol pad");
                }
                return new SymbolicSegment(s);
            }
            case 4: { // data
                if (b == 0x80) {
                    int words = p.u8("data segment size");
                    return new DataSegment.Simple(p.bytes(words * 2, "data segment"));
                }
                if (b == 0x91) {
                    int len = p.u8("ANSI symbol size");
                    if (len == 0) {
                        throw new WireFormatException(PATH_SEGMENT_ERROR, "empty ANSI symbol");
                    }
                    String s = asciiSymbol(p, len, "ANSI symbol");
                    if ((len & 1) != 0) {
                        p.skip(1, "ANSI symbol pad");
                    }
                    return new DataSegment.AnsiSymbol(s);
                }
                throw new WireFormatException(PATH_SEGMENT_ERROR, String.format("unsupported data segment 0x%02x", b));
            }
            default:
                throw new WireFormatException(PATH_SEGMENT_ERROR, String.format("unsupported segment type 0x%02x", b));
        }
    }

    /** Symbols are ASCII; a byte above 0x7F is a malformed segment, not a programming error. */
    private static String asciiSymbol(WireReader p, int len, String what) throws WireFormatException {
        String s = p.ascii(len, what);
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) > 0x7F) {
                throw new WireFormatException(PATH_SEGMENT_ERROR, what + " has a non-ASCII byte");
            }
        }
        return s;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Segment s : segments) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            if (s instanceof LogicalSegment l) {
                String name = switch (l.type()) {
                    case CLASS -> String.format("class 0x%02X", l.value());
                    case INSTANCE -> "instance " + l.value();
                    case ATTRIBUTE -> "attribute " + l.value();
                    case CONNECTION_POINT -> "connpoint " + l.value();
                    case MEMBER -> "member " + l.value();
                    case SERVICE_ID -> "service " + l.value();
                };
                sb.append(name);
            } else {
                sb.append(s);
            }
        }
        return "[" + sb + "]";
    }
}
