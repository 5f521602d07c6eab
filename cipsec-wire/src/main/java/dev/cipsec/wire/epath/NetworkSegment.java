package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

/**
 * Network segment 0x40 | subtype (reference §2.3). Subtypes 0x00–0x0F carry one data byte (e.g.
 * 0x03 production inhibit time in ms); subtypes 0x10–0x1F carry a word count and that many words
 * (0x10 safety, 0x11 production inhibit in µs, 0x1F extended).
 */
public record NetworkSegment(int subtype, Bytes data) implements Segment {

    public NetworkSegment {
        Objects.requireNonNull(data, "data");
        if (subtype < 0 || subtype > 0x1F) {
            throw new IllegalArgumentException("subtype must be 0..31: " + subtype);
        }
        if (subtype < 0x10 ? data.length() != 1 : (data.length() & 1) != 0 || data.length() > 2 * 0xFF) {
            throw new IllegalArgumentException("bad data length " + data.length() + " for network subtype " + subtype);
        }
    }

    public static NetworkSegment productionInhibitMillis(int ms) {
        return new NetworkSegment(0x03, Bytes.of((byte) ms));
    }

    @Override
    public int encodedLength() {
        return subtype < 0x10 ? 2 : 2 + data.length();
    }

    @Override
    public void encode(WireWriter w) {
        w.u8(0x40 | subtype);
        if (subtype >= 0x10) {
            w.u8(data.length() / 2);
        }
        w.bytes(data);
    }
}
