package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;

import java.util.Arrays;

/**
 * Test-only SendRRData framing by fixed offsets, so the Connection Manager tests do not depend on
 * the encapsulation codecs: 24-byte header, interface handle 0, timeout, CPF count 2, a Null
 * address item and an Unconnected Data item (0x00B2) holding the Message Router PDU. Items after
 * it (the sockaddr items of a Forward_Open and its reply) are left out by {@link #mrPdu}.
 */
public final class SendRRDataFrames {
    /** Offset of the 0x00B2 item's length field. */
    static final int ITEM_LENGTH_OFFSET = 38;
    /** Offset of the Message Router PDU in a SendRRData frame. */
    public static final int MR_OFFSET = 40;

    private SendRRDataFrames() {
    }

    /** The Message Router request or reply carried by a SendRRData frame. */
    public static byte[] mrPdu(byte[] frame) {
        int command = u16(frame, 0);
        if (command != 0x006F || u16(frame, 30) < 2 || u16(frame, 32) != 0 || u16(frame, 36) != 0x00B2) {
            throw new IllegalArgumentException("not a SendRRData frame with Null + Unconnected Data items");
        }
        int len = u16(frame, ITEM_LENGTH_OFFSET);
        return Arrays.copyOfRange(frame, MR_OFFSET, MR_OFFSET + len);
    }

    /** A SendRRData frame (session 1, the given context) around {@code mr}. */
    public static byte[] wrap(Bytes mr, long context) {
        int cpf = 2 + 4 + 4 + mr.length();
        byte[] f = new byte[24 + 6 + cpf];
        put16(f, 0, 0x006F);
        put16(f, 2, 6 + cpf);
        put32(f, 4, 1);
        for (int i = 0; i < 8; i++) {
            f[12 + i] = (byte) (context >>> (8 * i));
        }
        put16(f, 28, 10);               // timeout
        put16(f, 30, 2);                // item count
        put16(f, 36, 0x00B2);
        put16(f, ITEM_LENGTH_OFFSET, mr.length());
        mr.copyTo(f, MR_OFFSET);
        return f;
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }

    private static void put16(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
    }

    private static void put32(byte[] b, int p, long v) {
        for (int i = 0; i < 4; i++) {
            b[p + i] = (byte) (v >>> (8 * i));
        }
    }
}
