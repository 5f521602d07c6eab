package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cpf.ConnectedAddressItem;
import dev.cipsec.wire.cpf.ConnectedDataItem;
import dev.cipsec.wire.cpf.CpfItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;

import java.util.Objects;

/**
 * Data of SendRRData and SendUnitData (reference §1.3): interface handle UDINT (0 = CIP), timeout
 * UINT, then a CPF list.
 */
public record RrData(long interfaceHandle, int timeout, CpfPacket cpf) {
    public static final long CIP_INTERFACE = 0;
    private static final int PREFIX = 6;

    public RrData {
        EncapsulationHeader.checkU32(interfaceHandle, "interface handle");
        EncapsulationHeader.checkU16(timeout, "timeout");
        Objects.requireNonNull(cpf, "cpf");
    }

    /** SendRRData for an unconnected message: Null Address + Unconnected Data carrying {@code mrMessage}. */
    public static RrData unconnected(int timeout, Bytes mrMessage) {
        return new RrData(CIP_INTERFACE, timeout, CpfPacket.of(NullAddressItem.INSTANCE, new UnconnectedDataItem(mrMessage)));
    }

    /** SendUnitData for class 3: Connected Address + Connected Data (sequence count + MR message already in {@code data}). */
    public static RrData connected(long connectionId, Bytes data) {
        return new RrData(CIP_INTERFACE, 0, CpfPacket.of(new ConnectedAddressItem(connectionId), new ConnectedDataItem(data)));
    }

    /**
     * Bytes that SendRRData data adds around an unconnected message: interface handle, timeout,
     * item count, Null Address item, Unconnected Data item header.
     */
    public static final int UNCONNECTED_OVERHEAD = PREFIX + 2 + CpfItem.HEADER_SIZE + CpfItem.HEADER_SIZE;

    public int encodedLength() {
        return PREFIX + cpf.encodedLength();
    }

    public void encode(WireWriter w) {
        w.u32(interfaceHandle).u16(timeout);
        cpf.encode(w);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    /**
     * Writes what {@code unconnected(timeout, m).encode(w)} writes, minus the message itself: the
     * caller encodes the {@code mrLength} bytes of the message right after. Builds no records, so
     * the per-request path can encode into a reused buffer.
     */
    public static void encodeUnconnectedPrefix(WireWriter w, int timeout, int mrLength) {
        EncapsulationHeader.checkU16(timeout, "timeout");
        if (mrLength < 0 || mrLength > 0xFFFF) {
            throw new IllegalArgumentException("unconnected data longer than a CPF item can hold: " + mrLength);
        }
        w.u32(CIP_INTERFACE).u16(timeout).u16(2)
                .u16(NullAddressItem.TYPE_ID).u16(0)
                .u16(UnconnectedDataItem.TYPE_ID).u16(mrLength);
    }

    /**
     * The fast path for the common case: if the data in {@code r} is exactly the canonical
     * unconnected form (CIP interface, two items: an empty Null Address item, then an Unconnected
     * Data item filling the rest) and {@code maxItems} allows two items, returns {@code r} itself,
     * positioned at the message bytes (the item fills the rest, so no narrower reader is needed).
     * Otherwise returns null and the position of {@code r} is unspecified:
     * decode the same bytes again with {@link #decode(WireReader, int)}, which reports what is
     * wrong. Never throws for any input; where it returns a reader, {@code decode} would have
     * produced {@code unconnected(timeout, <those bytes>)}.
     */
    public static WireReader unconnectedData(WireReader r, int maxItems) throws WireFormatException {
        if (maxItems < 2 || r.remaining() < UNCONNECTED_OVERHEAD) {
            return null;
        }
        if (r.u32("interface handle") != CIP_INTERFACE) {
            return null;
        }
        r.u16("timeout");
        if (r.u16("CPF item count") != 2
                || r.u16("CPF item type") != NullAddressItem.TYPE_ID || r.u16("CPF item length") != 0
                || r.u16("CPF item type") != UnconnectedDataItem.TYPE_ID) {
            return null;
        }
        int length = r.u16("CPF item length");
        return length == r.remaining() ? r : null;
    }

    /** Decodes data occupying everything that remains in {@code r}. */
    public static RrData decode(WireReader r, int maxItems) throws WireFormatException {
        long handle = r.u32("interface handle");
        int timeout = r.u16("timeout");
        return new RrData(handle, timeout, CpfPacket.decode(r, maxItems));
    }

    public static RrData decode(WireReader r) throws WireFormatException {
        return decode(r, CpfPacket.DEFAULT_MAX_ITEMS);
    }

    public static RrData decode(Bytes b) throws WireFormatException {
        return decode(WireReader.of(b.toArray()));
    }
}
