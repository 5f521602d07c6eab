package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

/**
 * An item kept by its length and re-encoded unchanged: types we do not decode (0x0087, 0x0088,
 * vendor types) and 0x0086 items of a length no known edition defines (see {@link CipSecurityItem}).
 */
public record UnknownItem(int typeId, Bytes data) implements CpfItem {

    public UnknownItem {
        if (typeId < 0 || typeId > 0xFFFF) {
            throw new IllegalArgumentException("type ID must be a UINT: " + typeId);
        }
        Objects.requireNonNull(data, "data");
        ItemLengths.check(0, data.length(), "item data");
    }

    @Override
    public int dataLength() {
        return data.length();
    }

    @Override
    public void encodeData(WireWriter w) {
        w.bytes(data);
    }

    @Override
    public String toString() {
        return String.format("UnknownItem[0x%04X %s]", typeId, data);
    }
}
