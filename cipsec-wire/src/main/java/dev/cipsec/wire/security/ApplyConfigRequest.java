package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import static dev.cipsec.wire.buf.WireFormatException.Reason.TOO_MUCH_DATA;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TRUNCATED;

/**
 * Request data of EtherNet/IP Security Object (0x5E) service 0x4D Apply_Config (reference §5.4):
 * an optional WORD of apply-behaviour flags followed by an optional UINT close delay in
 * milliseconds (the unit Wireshark master names). Both fields are optional, so the decoder goes by
 * the data length: 0 bytes = (0, 0), 2 = (flags, 0), 4 = both. A partial field (1 or 3 bytes) is
 * {@code TRUNCATED}, more than 4 bytes {@code TOO_MUCH_DATA}. Flag bits other than the two named
 * ones are kept as sent. The encoder always writes the full 4 bytes.
 *
 * @param flags            WORD: {@link #CLOSE_EXISTING}, {@link #OBJECT_CLEANUP}, others reserved
 * @param closeDelayMillis UINT, how long existing connections live on after the apply when
 *                         {@link #CLOSE_EXISTING} is set
 */
public record ApplyConfigRequest(int flags, int closeDelayMillis) {
    /** Bit 0: close existing connections once the delay has elapsed. */
    public static final int CLOSE_EXISTING = 0x0001;
    /** Bit 1: run the CIP Security Object's Object_Cleanup after applying. */
    public static final int OBJECT_CLEANUP = 0x0002;
    public static final int ENCODED_LENGTH = 4;

    public ApplyConfigRequest {
        Fields.checkU16(flags, "apply behaviour flags");
        Fields.checkU16(closeDelayMillis, "close delay");
    }

    public boolean closeExisting() {
        return (flags & CLOSE_EXISTING) != 0;
    }

    public boolean objectCleanup() {
        return (flags & OBJECT_CLEANUP) != 0;
    }

    public int encodedLength() {
        return ENCODED_LENGTH;
    }

    public void encode(WireWriter w) {
        w.u16(flags).u16(closeDelayMillis);
    }

    public Bytes toBytes() {
        return Fields.toBytes(encodedLength(), this::encode);
    }

    /** Decodes the whole rest of {@code r} (service data has no length of its own). */
    public static ApplyConfigRequest decode(WireReader r) throws WireFormatException {
        return switch (r.remaining()) {
            case 0 -> new ApplyConfigRequest(0, 0);
            case 2 -> new ApplyConfigRequest(r.u16("apply behaviour flags"), 0);
            case 4 -> new ApplyConfigRequest(r.u16("apply behaviour flags"), r.u16("close delay"));
            case 1, 3 -> throw new WireFormatException(TRUNCATED,
                    "Apply_Config data of " + r.remaining() + " bytes ends inside a field");
            default -> throw new WireFormatException(TOO_MUCH_DATA,
                    "Apply_Config data of " + r.remaining() + " bytes; at most 4 expected");
        };
    }

    public static ApplyConfigRequest decode(Bytes data) throws WireFormatException {
        return decode(Fields.reader(data));
    }
}
