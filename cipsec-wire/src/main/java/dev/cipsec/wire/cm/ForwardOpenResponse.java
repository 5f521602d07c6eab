package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;

import java.util.Objects;

/**
 * Successful Forward_Open / Large_Forward_Open reply data (reference §2.8): both connection ids
 * as the target settled them, the triad, the actual packet intervals, and an application reply
 * sized in words (so {@code applicationReply} has even length).
 */
public record ForwardOpenResponse(long otConnectionId, long toConnectionId, ConnectionTriad triad, long otApiMicros,
                                  long toApiMicros, Bytes applicationReply) {
    public static final int FIXED_LENGTH = 26;

    public ForwardOpenResponse {
        Checks.u32(otConnectionId, "otConnectionId");
        Checks.u32(toConnectionId, "toConnectionId");
        Objects.requireNonNull(triad, "triad");
        Checks.u32(otApiMicros, "otApiMicros");
        Checks.u32(toApiMicros, "toApiMicros");
        Checks.evenReply(applicationReply);
    }

    public int encodedLength() {
        return FIXED_LENGTH + applicationReply.length();
    }

    public void encode(WireWriter w) {
        w.u32(otConnectionId).u32(toConnectionId);
        triad.encode(w);
        w.u32(otApiMicros).u32(toApiMicros).u8(applicationReply.length() / 2).u8(0).bytes(applicationReply);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    /** The reply to a Forward_Open ({@code large} false) or Large_Forward_Open. */
    public MessageRouterResponse toResponse(boolean large) {
        return MessageRouterResponse.success(large ? ServiceCodes.LARGE_FORWARD_OPEN : ServiceCodes.FORWARD_OPEN,
                toBytes());
    }

    /** Decodes the reply data that fills {@code r}; the reserved byte is ignored. */
    public static ForwardOpenResponse decode(WireReader r) throws WireFormatException {
        r.require(FIXED_LENGTH, "Forward_Open reply");
        long ot = r.u32("O->T connection id");
        long to = r.u32("T->O connection id");
        ConnectionTriad triad = ConnectionTriad.decode(r);
        long otApi = r.u32("O->T API");
        long toApi = r.u32("T->O API");
        int words = r.u8("application reply size");
        r.u8("reserved");
        Bytes reply = r.bytes(words * 2, "application reply");
        r.expectEnd("Forward_Open reply");
        return new ForwardOpenResponse(ot, to, triad, otApi, toApi, reply);
    }
}
