package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.epath.EPath;

import java.nio.charset.StandardCharsets;

/**
 * Test helpers: building MR requests, and the SendRRData framing written here by hand because the
 * encapsulation codecs are developed in parallel (fixed offsets: 24-byte header, interface handle,
 * timeout, item count, Null address item, Unconnected Data item header, then the MR bytes at 40).
 */
public final class MrKit {
    private MrKit() {
    }

    public static final int MR_OFFSET = 40;

    public static MessageRouterRequest req(int service, String path, byte... data) {
        return new MessageRouterRequest(service, EPath.parse(path), Bytes.of(data));
    }

    public static MessageRouterRequest req(int service, EPath path, Bytes data) {
        return new MessageRouterRequest(service, path, data);
    }

    public static byte[] hex(String h) {
        return Bytes.fromHex(h).toArray();
    }

    /** The Unconnected Data item payload of a SendRRData frame. */
    public static Bytes mrBytesOfSendRRData(byte[] frame) {
        int command = (frame[0] & 0xFF) | (frame[1] & 0xFF) << 8;
        if (command != 0x6F) {
            throw new IllegalArgumentException("not SendRRData: " + command);
        }
        int itemType = (frame[36] & 0xFF) | (frame[37] & 0xFF) << 8;
        if (itemType != 0xB2) {
            throw new IllegalArgumentException("second item is not Unconnected Data: " + itemType);
        }
        int len = (frame[38] & 0xFF) | (frame[39] & 0xFF) << 8;
        return Bytes.copyOf(frame, MR_OFFSET, len);
    }

    /** A SendRRData frame carrying {@code mr} in an Unconnected Data item. */
    public static byte[] sendRRData(long session, String context8, Bytes mr) {
        int body = 16 + mr.length();
        WireWriter w = WireWriter.ofSize(24 + body);
        w.u16(0x6F).u16(body).u32(session).u32(0);
        byte[] ctx = context8.getBytes(StandardCharsets.US_ASCII);
        if (ctx.length != 8) {
            throw new IllegalArgumentException("sender context must be 8 bytes");
        }
        w.bytes(ctx, 0, 8).u32(0);
        w.u32(0).u16(0).u16(2).u16(0).u16(0).u16(0xB2).u16(mr.length()).bytes(mr);
        return w.array();
    }
}
