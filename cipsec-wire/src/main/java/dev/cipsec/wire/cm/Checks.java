package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;

/** Range checks and constants shared by the Connection Manager records. */
final class Checks {
    /** Connection Manager class 0x06, instance 1: the request path of every CM service (20 06 24 01). */
    static final EPath CONNECTION_MANAGER = EPath.of(new LogicalSegment(LogicalType.CLASS, 0x06, 0),
            new LogicalSegment(LogicalType.INSTANCE, 1, 0));

    private Checks() {
    }

    static void u8(int v, String name) {
        if (v < 0 || v > 0xFF) {
            throw new IllegalArgumentException(name + " must be 0..255: " + v);
        }
    }

    static void u16(int v, String name) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(name + " must be 0..65535: " + v);
        }
    }

    static void u32(long v, String name) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(name + " must be 0..4294967295: " + v);
        }
    }

    static void path(EPath p, String name) {
        if (p == null) {
            throw new NullPointerException(name);
        }
        if (p.words() > EPath.MAX_WORDS) {
            throw new IllegalArgumentException(name + " longer than 255 words");
        }
    }

    static void evenReply(Bytes reply) {
        if (reply == null) {
            throw new NullPointerException("applicationReply");
        }
        if ((reply.length() & 1) != 0 || reply.length() > 2 * 0xFF) {
            throw new IllegalArgumentException("application reply is sized in words: even length up to 510, got "
                    + reply.length());
        }
    }

    /** Fails unless {@code req} is service {@code service} (or {@code alt}) addressed to the Connection Manager. */
    static void expectService(MessageRouterRequest req, int service, int alt) throws WireFormatException {
        if (req.service() != service && req.service() != alt) {
            throw new WireFormatException(INVALID_VALUE, String.format("service 0x%02X is not 0x%02X", req.service(), service));
        }
    }
}
