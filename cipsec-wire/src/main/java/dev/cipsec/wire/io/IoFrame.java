package dev.cipsec.wire.io;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;
import static dev.cipsec.wire.buf.WireFormatException.Reason.LENGTH_MISMATCH;

/**
 * A class 0/1 I/O datagram (reference §2.10): a CPF list of exactly two items, the Sequenced
 * Address item 0x8002 (length 8: connection id, encapsulation sequence number) followed by the
 * Connected Data item 0x00B1. For class 1 the data item begins with the 16-bit CIP sequence count,
 * which this record holds in {@code cipSequence}; {@code data} is what follows it. A run/idle
 * header is not interpreted here: it is the first four bytes of {@code data} (see
 * {@link RunIdleHeader}).
 *
 * <p>Item order is fixed (address first), as OpENer's I/O receive path expects and as Wireshark
 * needs to link the data to its connection; a datagram with other items or another order is
 * refused rather than guessed at. This record is for tests, tools and slow paths; the per-packet
 * path uses {@link #encode(byte[], int, long, long, int, byte[], int, int)} and
 * {@link IoFrameView}, which allocate nothing.
 *
 * @param cipSequence the class 1 sequence count 0..65535, or -1 for class 0 (no count on the wire)
 */
public record IoFrame(long connectionId, long encapSequence, int cipSequence, Bytes data) {
    public static final int ITEM_COUNT = 2;
    public static final int SEQUENCED_ADDRESS_ITEM = 0x8002;
    public static final int CONNECTED_DATA_ITEM = 0x00B1;
    /** Item count, address item and data item header: the bytes before the data item's contents. */
    public static final int HEADER_LENGTH = 18;
    /** Marks a class 0 frame in {@code cipSequence}. */
    public static final int NO_SEQUENCE = -1;

    public IoFrame {
        checkU32(connectionId, "connectionId");
        checkU32(encapSequence, "encapSequence");
        if (cipSequence < NO_SEQUENCE || cipSequence > 0xFFFF) {
            throw new IllegalArgumentException("cipSequence must be -1 (class 0) or 0..65535: " + cipSequence);
        }
        Objects.requireNonNull(data, "data");
        checkItemLength(cipSequence >= 0, data.length());
    }

    private static void checkU32(long v, String name) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(name + " must be a UDINT: " + v);
        }
    }

    private static void checkItemLength(boolean class1, int dataLength) {
        if (dataLength < 0 || dataLength + (class1 ? 2 : 0) > 0xFFFF) {
            throw new IllegalArgumentException("I/O data of " + dataLength + " bytes does not fit a CPF item");
        }
    }

    public boolean class1() {
        return cipSequence >= 0;
    }

    /** Bytes a frame with {@code dataLength} bytes of data occupies. */
    public static int frameLength(boolean class1, int dataLength) {
        return HEADER_LENGTH + (class1 ? 2 : 0) + dataLength;
    }

    public int encodedLength() {
        return frameLength(class1(), data.length());
    }

    public void encode(WireWriter w) {
        w.u16(ITEM_COUNT).u16(SEQUENCED_ADDRESS_ITEM).u16(8).u32(connectionId).u32(encapSequence)
                .u16(CONNECTED_DATA_ITEM).u16(data.length() + (class1() ? 2 : 0));
        if (class1()) {
            w.u16(cipSequence);
        }
        w.bytes(data);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    /**
     * Writes one frame into {@code dst} at {@code off} without allocating and returns the number
     * of bytes written. {@code cipSeq} -1 writes a class 0 frame. Too small a {@code dst} is an
     * {@link IndexOutOfBoundsException}, as with any array write.
     */
    public static int encode(byte[] dst, int off, long connectionId, long encapSeq, int cipSeq,
                             byte[] payload, int payloadOff, int payloadLen) {
        boolean class1 = cipSeq >= 0;
        if (cipSeq < NO_SEQUENCE || cipSeq > 0xFFFF) {
            throw new IllegalArgumentException("cipSeq must be -1 (class 0) or 0..65535: " + cipSeq);
        }
        checkItemLength(class1, payloadLen);
        Objects.checkFromIndexSize(payloadOff, payloadLen, payload.length);
        int total = frameLength(class1, payloadLen);
        Objects.checkFromIndexSize(off, total, dst.length);
        int p = off;
        p = put16(dst, p, ITEM_COUNT);
        p = put16(dst, p, SEQUENCED_ADDRESS_ITEM);
        p = put16(dst, p, 8);
        p = put32(dst, p, connectionId);
        p = put32(dst, p, encapSeq);
        p = put16(dst, p, CONNECTED_DATA_ITEM);
        p = put16(dst, p, payloadLen + (class1 ? 2 : 0));
        if (class1) {
            p = put16(dst, p, cipSeq);
        }
        System.arraycopy(payload, payloadOff, dst, p, payloadLen);
        return total;
    }

    private static int put16(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        return p + 2;
    }

    private static int put32(byte[] b, int p, long v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
        return p + 4;
    }

    /**
     * Decodes a datagram filling {@code r}. Reasons: wrong item count or item type is
     * {@code INVALID_VALUE}; an address item length other than 8, a data item longer than the
     * datagram or (class 1) shorter than its sequence count is {@code LENGTH_MISMATCH}; bytes after
     * the data item are {@code TOO_MUCH_DATA}; a datagram cut inside the headers is {@code TRUNCATED}.
     */
    public static IoFrame decode(WireReader r, boolean class1) throws WireFormatException {
        r.require(HEADER_LENGTH, "I/O frame header");
        int count = r.u16("CPF item count");
        if (count != ITEM_COUNT) {
            throw new WireFormatException(INVALID_VALUE, "I/O frame has " + count + " CPF items, expected 2");
        }
        int addrType = r.u16("address item type");
        if (addrType != SEQUENCED_ADDRESS_ITEM) {
            throw new WireFormatException(INVALID_VALUE, String.format("I/O address item 0x%04X, expected 0x8002", addrType));
        }
        int addrLen = r.u16("address item length");
        if (addrLen != 8) {
            throw new WireFormatException(LENGTH_MISMATCH, "sequenced address item length " + addrLen + ", expected 8");
        }
        long connectionId = r.u32("connection id");
        long encapSeq = r.u32("encapsulation sequence number");
        int dataType = r.u16("data item type");
        if (dataType != CONNECTED_DATA_ITEM) {
            throw new WireFormatException(INVALID_VALUE, String.format("I/O data item 0x%04X, expected 0x00B1", dataType));
        }
        int len = r.u16("data item length");
        if (len > r.remaining()) {
            throw new WireFormatException(LENGTH_MISMATCH,
                    "connected data item length " + len + " exceeds the " + r.remaining() + " bytes remaining");
        }
        if (class1 && len < 2) {
            throw new WireFormatException(LENGTH_MISMATCH, "class 1 data item of " + len + " bytes has no sequence count");
        }
        int cipSeq = class1 ? r.u16("CIP sequence count") : NO_SEQUENCE;
        Bytes data = r.bytes(len - (class1 ? 2 : 0), "I/O data");
        r.expectEnd("I/O frame");
        return new IoFrame(connectionId, encapSeq, cipSeq, data);
    }
}
