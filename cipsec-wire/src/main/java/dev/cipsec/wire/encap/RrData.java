package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cpf.ConnectedAddressItem;
import dev.cipsec.wire.cpf.ConnectedDataItem;
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
