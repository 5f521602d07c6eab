package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

/**
 * Connected Data item (0x00B1). Class 3: sequence count UINT + Message Router PDU (reference §2.11);
 * class 0/1: I/O payload (§2.10). The data is kept raw because its layout depends on the connection.
 */
public record ConnectedDataItem(Bytes data) implements CpfItem {
    public static final int TYPE_ID = 0x00B1;

    public ConnectedDataItem {
        Objects.requireNonNull(data, "data");
        ItemLengths.check(0, data.length(), "connected data");
    }

    @Override
    public int typeId() {
        return TYPE_ID;
    }

    @Override
    public int dataLength() {
        return data.length();
    }

    @Override
    public void encodeData(WireWriter w) {
        w.bytes(data);
    }

    static ConnectedDataItem decodeData(WireReader d) {
        return new ConnectedDataItem(d.rest());
    }
}
