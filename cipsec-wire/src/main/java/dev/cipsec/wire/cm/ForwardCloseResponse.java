package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;

import java.util.Objects;

/**
 * Successful Forward_Close reply data (reference §2.8): triad, application reply size (words),
 * reserved, application reply. A refused Forward_Close uses {@link ForwardOpenFailure}'s shape.
 */
public record ForwardCloseResponse(ConnectionTriad triad, Bytes applicationReply) {
    public static final int FIXED_LENGTH = 10;

    public ForwardCloseResponse {
        Objects.requireNonNull(triad, "triad");
        Checks.evenReply(applicationReply);
    }

    public int encodedLength() {
        return FIXED_LENGTH + applicationReply.length();
    }

    public void encode(WireWriter w) {
        triad.encode(w);
        w.u8(applicationReply.length() / 2).u8(0).bytes(applicationReply);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    public MessageRouterResponse toResponse() {
        return MessageRouterResponse.success(ServiceCodes.FORWARD_CLOSE, toBytes());
    }

    public static ForwardCloseResponse decode(WireReader r) throws WireFormatException {
        ConnectionTriad triad = ConnectionTriad.decode(r);
        int words = r.u8("application reply size");
        r.u8("reserved");
        Bytes reply = r.bytes(words * 2, "application reply");
        r.expectEnd("Forward_Close reply");
        return new ForwardCloseResponse(triad, reply);
    }
}
