package dev.cipsec.adapter;

import dev.cipsec.wire.testkit.Fixtures;

import java.util.HexFormat;

/** Byte-level helpers for comparing our frames with the OpENer captures. */
final class Frames {
    /** OpENer hands out session handle 1 in every capture. */
    static final long OPENER_SESSION = 1;

    private Frames() {
    }

    static long session(byte[] frame) {
        return (frame[4] & 0xFFL) | (frame[5] & 0xFFL) << 8 | (frame[6] & 0xFFL) << 16 | (frame[7] & 0xFFL) << 24;
    }

    /** A copy of {@code frame} with the header's session handle replaced. */
    static byte[] withSession(byte[] frame, long session) {
        byte[] b = frame.clone();
        for (int i = 0; i < 4; i++) {
            b[4 + i] = (byte) (session >>> (8 * i));
        }
        return b;
    }

    /** OpENer's session handle 1 becomes ours; any other value (0, a deliberately wrong one) is kept. */
    static byte[] rewriteOpenerSession(byte[] frame, long ours) {
        return session(frame) == OPENER_SESSION ? withSession(frame, ours) : frame.clone();
    }

    static byte[] payload(String file, int frame) {
        return Fixtures.frame(file, frame).payload();
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
