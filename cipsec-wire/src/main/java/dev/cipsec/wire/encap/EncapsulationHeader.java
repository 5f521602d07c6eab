package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/**
 * The 24-byte encapsulation header (reference §1.2), all fields little-endian.
 *
 * @param command       UINT, see {@link EncapsulationCommand}
 * @param length        UINT, bytes of command-specific data after the header
 * @param sessionHandle UDINT
 * @param status        UDINT, see {@link EncapsulationStatus}
 * @param senderContext the 8 opaque context bytes read little-endian into a long, so that writing
 *                      it back little-endian echoes the peer's bytes exactly
 * @param options       UDINT, 0 on the wire; kept as received so the layer above decides
 */
public record EncapsulationHeader(int command, int length, long sessionHandle, long status, long senderContext,
                                  long options) {

    public static final int SIZE = 24;

    public EncapsulationHeader {
        checkU16(command, "command");
        checkU16(length, "length");
        checkU32(sessionHandle, "session handle");
        checkU32(status, "status");
        checkU32(options, "options");
    }

    public int encodedLength() {
        return SIZE;
    }

    public void encode(WireWriter w) {
        w.u16(command).u16(length).u32(sessionHandle).u32(status).i64(senderContext).u32(options);
    }

    /**
     * Writes a header with options 0 from its fields, for the per-message path that encodes
     * straight into a reused buffer without building the record. Same range checks as the record.
     */
    public static void encode(WireWriter w, int command, int length, long sessionHandle, long status, long senderContext) {
        checkU16(command, "command");
        checkU16(length, "length");
        checkU32(sessionHandle, "session handle");
        checkU32(status, "status");
        w.u16(command).u16(length).u32(sessionHandle).u32(status).i64(senderContext).u32(0);
    }

    public static EncapsulationHeader decode(WireReader r) throws WireFormatException {
        r.require(SIZE, "encapsulation header");
        return new EncapsulationHeader(r.u16("command"), r.u16("length"), r.u32("session handle"), r.u32("status"),
                r.i64("sender context"), r.u32("options"));
    }

    /**
     * The Max Response Delay in milliseconds of a ListIdentity request: Wireshark and OpENer read
     * the first two context bytes as a UINT (0 means the target's default).
     */
    public int maxResponseDelayMillis() {
        return (int) (senderContext & 0xFFFF);
    }

    /** The sender context as the 8 bytes on the wire. */
    public Bytes senderContextBytes() {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (senderContext >>> (8 * i));
        }
        return Bytes.of(b);
    }

    /** The long that {@link #senderContext} holds for these 8 wire bytes. */
    public static long senderContext(Bytes eightBytes) {
        if (eightBytes.length() != 8) {
            throw new IllegalArgumentException("sender context is 8 bytes, got " + eightBytes.length());
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | eightBytes.get(i);
        }
        return v;
    }

    /** A ListIdentity request context: delay in the first two bytes, the rest zero. */
    public static long listIdentityContext(int maxResponseDelayMillis) {
        checkU16(maxResponseDelayMillis, "max response delay");
        return maxResponseDelayMillis;
    }

    static void checkU16(int v, String what) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be a UINT (0..65535): " + v);
        }
    }

    static void checkU32(long v, String what) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(what + " must be a UDINT (0..4294967295): " + v);
        }
    }

    @Override
    public String toString() {
        return String.format("%s len=%d session=0x%08X status=%s context=%s%s", EncapsulationCommand.describe(command),
                length, sessionHandle, EncapsulationStatus.describe(status), senderContextBytes().toHex(),
                options == 0 ? "" : String.format(" options=0x%08X", options));
    }
}
