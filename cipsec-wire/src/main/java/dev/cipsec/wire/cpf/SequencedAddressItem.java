package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/**
 * Sequenced Address item (0x8002, length 8): connection ID and encapsulation sequence number of
 * a class 0/1 I/O packet (reference §2.10).
 */
public record SequencedAddressItem(long connectionId, long sequenceNumber) implements CpfItem {
    public static final int TYPE_ID = 0x8002;

    public SequencedAddressItem {
        if (connectionId < 0 || connectionId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("connection ID must be a UDINT: " + connectionId);
        }
        if (sequenceNumber < 0 || sequenceNumber > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("sequence number must be a UDINT: " + sequenceNumber);
        }
    }

    @Override
    public int typeId() {
        return TYPE_ID;
    }

    @Override
    public int dataLength() {
        return 8;
    }

    @Override
    public void encodeData(WireWriter w) {
        w.u32(connectionId).u32(sequenceNumber);
    }

    static SequencedAddressItem decodeData(WireReader d) throws WireFormatException {
        return new SequencedAddressItem(d.u32("connection ID"), d.u32("sequence number"));
    }

    @Override
    public String toString() {
        return String.format("SequencedAddressItem[0x%08X #%d]", connectionId, sequenceNumber);
    }
}
