package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import static dev.cipsec.wire.buf.WireFormatException.Reason.LENGTH_MISMATCH;

/**
 * One Common Packet Format item (reference §1.5): type ID UINT, length UINT, data. Every item is
 * bounded by its own length: its decoder sees only those bytes and must consume all of them.
 * Types we do not decode are kept as {@link UnknownItem}, never fatal.
 */
public sealed interface CpfItem permits NullAddressItem, ConnectedAddressItem, SequencedAddressItem,
        UnconnectedDataItem, ConnectedDataItem, SockaddrItem, CipIdentityItem, CipSecurityItem, ListServicesItem,
        UnconnectedMessageUdpItem, UnknownItem {

    /** Size of the type ID and length fields in front of every item's data. */
    int HEADER_SIZE = 4;

    int typeId();

    /** Length of the item's data, as written in its length field. */
    int dataLength();

    /** Writes the item's data, without type and length. */
    void encodeData(WireWriter w);

    default int encodedLength() {
        return HEADER_SIZE + dataLength();
    }

    default void encode(WireWriter w) {
        w.u16(typeId()).u16(dataLength());
        encodeData(w);
    }

    /**
     * Decodes one item. A length past the end of {@code r} is {@code LENGTH_MISMATCH}; the item's
     * decoder reads a sub-reader of exactly that length, so it cannot reach into the next item
     * (short data is {@code TRUNCATED}, leftover data {@code TOO_MUCH_DATA}).
     */
    static CpfItem decode(WireReader r) throws WireFormatException {
        int type = r.u16("CPF item type");
        int length = r.u16("CPF item length");
        if (length > r.remaining()) {
            throw new WireFormatException(LENGTH_MISMATCH, String.format(
                    "CPF item 0x%04X length %d exceeds the %d bytes remaining", type, length, r.remaining()));
        }
        WireReader d = r.sub(length, "CPF item data");
        CpfItem item = switch (type) {
            case NullAddressItem.TYPE_ID -> NullAddressItem.decodeData(d);
            case ConnectedAddressItem.TYPE_ID -> ConnectedAddressItem.decodeData(d);
            case SequencedAddressItem.TYPE_ID -> SequencedAddressItem.decodeData(d);
            case UnconnectedDataItem.TYPE_ID -> UnconnectedDataItem.decodeData(d);
            case ConnectedDataItem.TYPE_ID -> ConnectedDataItem.decodeData(d);
            case SockaddrItem.O_TO_T, SockaddrItem.T_TO_O -> SockaddrItem.decodeData(type, d);
            case CipIdentityItem.TYPE_ID -> CipIdentityItem.decodeData(d);
            case CipSecurityItem.TYPE_ID -> CipSecurityItem.isDecodedLength(length)
                    ? CipSecurityItem.decodeData(d) : new UnknownItem(type, d.rest());
            case ListServicesItem.COMMUNICATIONS -> ListServicesItem.decodeData(type, d);
            case UnconnectedMessageUdpItem.TYPE_ID -> UnconnectedMessageUdpItem.decodeData(d);
            default -> new UnknownItem(type, d.rest());
        };
        d.expectEnd(String.format("CPF item 0x%04X", type));
        return item;
    }
}
