package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

/** Unconnected Data item (0x00B2): a Message Router request or response carried by SendRRData. */
public record UnconnectedDataItem(Bytes data) implements CpfItem {
    public static final int TYPE_ID = 0x00B2;

    public UnconnectedDataItem {
        Objects.requireNonNull(data, "data");
        ItemLengths.check(0, data.length(), "unconnected data");
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

    static UnconnectedDataItem decodeData(WireReader d) {
        return new UnconnectedDataItem(d.rest());
    }
}
