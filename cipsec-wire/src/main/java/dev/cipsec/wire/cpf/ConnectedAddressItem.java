package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/** Connected Address item (0x00A1, length 4): the connection ID of a class 3 message (reference §2.11). */
public record ConnectedAddressItem(long connectionId) implements CpfItem {
    public static final int TYPE_ID = 0x00A1;

    public ConnectedAddressItem {
        if (connectionId < 0 || connectionId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("connection ID must be a UDINT: " + connectionId);
        }
    }

    @Override
    public int typeId() {
        return TYPE_ID;
    }

    @Override
    public int dataLength() {
        return 4;
    }

    @Override
    public void encodeData(WireWriter w) {
        w.u32(connectionId);
    }

    static ConnectedAddressItem decodeData(WireReader d) throws WireFormatException {
        return new ConnectedAddressItem(d.u32("connection ID"));
    }

    @Override
    public String toString() {
        return String.format("ConnectedAddressItem[0x%08X]", connectionId);
    }
}
