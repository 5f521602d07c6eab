package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireWriter;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Port segment (reference §2.3): port number and link address. Encoded with the extended link
 * address flag whenever the link address is not exactly one byte, and with the 16-bit port form
 * when the port does not fit the 4-bit field (port ids 0 and 15 are reserved in the short form).
 */
public record PortSegment(int port, Bytes linkAddress) implements Segment {

    public PortSegment {
        Objects.requireNonNull(linkAddress, "linkAddress");
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        if (linkAddress.isEmpty() || linkAddress.length() > 0xFF) {
            throw new IllegalArgumentException("link address must be 1..255 bytes");
        }
    }

    /** A port segment whose link address is one byte (backplane slot, node number). */
    public static PortSegment of(int port, int link) {
        return new PortSegment(port, Bytes.of((byte) link));
    }

    /** A port segment whose link address is text, e.g. "192.168.1.10" or "10.0.0.5:2221". */
    public static PortSegment of(int port, String link) {
        return new PortSegment(port, Bytes.of(link.getBytes(StandardCharsets.US_ASCII)));
    }

    boolean extended() {
        return linkAddress.length() != 1;
    }

    boolean widePort() {
        return port >= 15;
    }

    /** The link address as text (meaningful for extended, ASCII addresses). */
    public String linkAddressText() {
        return new String(linkAddress.toArray(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public int encodedLength() {
        int n = 1 + (extended() ? 1 : 0) + (widePort() ? 2 : 0) + linkAddress.length();
        return n + (n & 1);
    }

    @Override
    public void encode(WireWriter w) {
        int start = w.position();
        w.u8((extended() ? 0x10 : 0) | (widePort() ? 0x0F : port));
        if (extended()) {
            w.u8(linkAddress.length());
        }
        if (widePort()) {
            w.u16(port);
        }
        w.bytes(linkAddress);
        if (((w.position() - start) & 1) != 0) {
            w.u8(0);
        }
    }
}
