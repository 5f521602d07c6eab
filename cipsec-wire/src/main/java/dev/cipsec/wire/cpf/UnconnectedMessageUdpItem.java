package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

/**
 * Unconnected Message over UDP item (0x8003; reference §1.5), used for UCMM over DTLS/UDP: a UINT
 * whose bit 15 flags a response and bits 0–14 hold the message type, transaction ID UDINT, status
 * UDINT (encapsulation status values), then the Message Router PDU.
 */
public record UnconnectedMessageUdpItem(boolean response, int messageType, long transactionId, long status,
                                        Bytes message) implements CpfItem {
    public static final int TYPE_ID = 0x8003;
    /** Message type 1, "UCMM_NOACK". */
    public static final int UCMM_NOACK = 1;
    private static final int FIXED = 10;

    public UnconnectedMessageUdpItem {
        if (messageType < 0 || messageType > 0x7FFF) {
            throw new IllegalArgumentException("message type must fit 15 bits: " + messageType);
        }
        if (transactionId < 0 || transactionId > 0xFFFF_FFFFL || status < 0 || status > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("transaction ID and status must be UDINTs");
        }
        Objects.requireNonNull(message, "message");
        ItemLengths.check(FIXED, message.length(), "UCMM over UDP message");
    }

    @Override
    public int typeId() {
        return TYPE_ID;
    }

    @Override
    public int dataLength() {
        return FIXED + message.length();
    }

    @Override
    public void encodeData(WireWriter w) {
        w.u16((response ? 0x8000 : 0) | messageType).u32(transactionId).u32(status).bytes(message);
    }

    static UnconnectedMessageUdpItem decodeData(WireReader d) throws WireFormatException {
        int flags = d.u16("UCMM flags and message type");
        long transaction = d.u32("transaction ID");
        long status = d.u32("status");
        return new UnconnectedMessageUdpItem((flags & 0x8000) != 0, flags & 0x7FFF, transaction, status, d.rest());
    }
}
