package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

import static dev.cipsec.wire.buf.WireFormatException.Reason.TOO_MUCH_DATA;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TRUNCATED;

/**
 * One encapsulation message: header plus command-specific data (reference §1.2). The data is kept
 * raw; decode it with the codec its command names ({@link RegisterSessionData}, {@link RrData},
 * {@link dev.cipsec.wire.cpf.CpfPacket} for List* replies).
 *
 * <p>Framing is the caller's job and is kept apart from parsing: on a stream, read
 * {@link EncapsulationHeader#SIZE} bytes, ask {@link #frameLength} how many the whole message has,
 * then {@link #decode} exactly those. On UDP one datagram is one message; use
 * {@link #decodeDatagram}, which tolerates a wrong length field and reports it.
 */
public record EncapsulationPacket(EncapsulationHeader header, Bytes data) {

    public EncapsulationPacket {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(data, "data");
        if (header.length() != data.length()) {
            throw new IllegalArgumentException("header length " + header.length() + " != data length " + data.length());
        }
    }

    /** A packet with options 0 and the length taken from {@code data}. */
    public static EncapsulationPacket of(int command, long session, long status, long context, Bytes data) {
        if (data.length() > 0xFFFF) {
            throw new IllegalArgumentException("encapsulation data longer than 65535 bytes: " + data.length());
        }
        return new EncapsulationPacket(new EncapsulationHeader(command, data.length(), session, status, context, 0), data);
    }

    public int encodedLength() {
        return EncapsulationHeader.SIZE + data.length();
    }

    public void encode(WireWriter w) {
        header.encode(w);
        w.bytes(data);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    /**
     * Decodes one message that must occupy exactly what remains in {@code r}: a length field
     * larger than the rest is {@code TRUNCATED}, a smaller one {@code TOO_MUCH_DATA}.
     */
    public static EncapsulationPacket decode(WireReader r) throws WireFormatException {
        EncapsulationHeader h = decodeHeader(r);
        return new EncapsulationPacket(h, r.bytes(h.length(), "encapsulation data"));
    }

    /**
     * Like {@link #decode(WireReader)} (same checks, same reasons) but copies nothing: returns the
     * header and leaves {@code r} at the start of the data, so the command's codec reads the data
     * in place from the same buffer.
     */
    public static EncapsulationHeader decodeHeader(WireReader r) throws WireFormatException {
        EncapsulationHeader h = EncapsulationHeader.decode(r);
        if (h.length() > r.remaining()) {
            throw new WireFormatException(TRUNCATED,
                    "encapsulation length " + h.length() + " exceeds the " + r.remaining() + " bytes after the header");
        }
        if (h.length() < r.remaining()) {
            throw new WireFormatException(TOO_MUCH_DATA,
                    "encapsulation length " + h.length() + " but " + r.remaining() + " bytes follow the header");
        }
        return h;
    }

    public static EncapsulationPacket decode(byte[] message) throws WireFormatException {
        return decode(WireReader.of(message));
    }

    /**
     * Decodes one UDP datagram as one message. The datagram's size, not the length field, bounds
     * the data: peers exist whose length field is wrong (the OpENer CIP Security build's
     * ListIdentity reply is 11 bytes short), and a discovery client must report such replies as
     * non-conforming rather than drop them. The returned packet's header carries the corrected
     * length; the declared one is in the result.
     */
    public static DecodedDatagram decodeDatagram(WireReader r) throws WireFormatException {
        EncapsulationHeader h = EncapsulationHeader.decode(r);
        int actual = r.remaining();
        if (actual > 0xFFFF) {
            throw new WireFormatException(TOO_MUCH_DATA, "datagram carries " + actual + " data bytes, more than a UINT length");
        }
        Bytes data = r.rest();
        if (actual == h.length()) {
            return new DecodedDatagram(new EncapsulationPacket(h, data), false, h.length());
        }
        EncapsulationHeader corrected = new EncapsulationHeader(h.command(), actual, h.sessionHandle(), h.status(),
                h.senderContext(), h.options());
        return new DecodedDatagram(new EncapsulationPacket(corrected, data), true, h.length());
    }

    public static DecodedDatagram decodeDatagram(byte[] datagram) throws WireFormatException {
        return decodeDatagram(WireReader.of(datagram));
    }

    /**
     * Stream framing: the size of the whole message whose header starts at {@code off}, that is
     * 24 plus its length field. Needs the 24 header bytes to be present.
     */
    public static int frameLength(byte[] header24, int off) {
        Objects.checkFromIndexSize(off, EncapsulationHeader.SIZE, header24.length);
        return EncapsulationHeader.SIZE + ((header24[off + 2] & 0xFF) | (header24[off + 3] & 0xFF) << 8);
    }

    @Override
    public String toString() {
        return header + (data.isEmpty() ? "" : " data=" + data);
    }
}
