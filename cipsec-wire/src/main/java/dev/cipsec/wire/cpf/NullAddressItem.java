package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/** Null Address item (0x0000, length 0): the address item of unconnected messages. */
public record NullAddressItem() implements CpfItem {
    public static final int TYPE_ID = 0x0000;
    public static final NullAddressItem INSTANCE = new NullAddressItem();

    @Override
    public int typeId() {
        return TYPE_ID;
    }

    @Override
    public int dataLength() {
        return 0;
    }

    @Override
    public void encodeData(WireWriter w) {
    }

    static NullAddressItem decodeData(WireReader d) {
        return INSTANCE;
    }
}
