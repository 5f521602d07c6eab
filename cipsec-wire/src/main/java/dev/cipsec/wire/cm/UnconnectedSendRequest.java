package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.EPath;

import java.util.Objects;

import static dev.cipsec.wire.buf.WireFormatException.Reason.LENGTH_MISMATCH;
import static dev.cipsec.wire.buf.WireFormatException.Reason.PATH_SIZE_INVALID;

/**
 * Unconnected_Send (0x52) request data (reference §2.8): priority/tick, timeout ticks, embedded
 * request size UINT (bytes), the embedded Message Router request, a pad byte when that size is
 * odd, route path size USINT (words), reserved, route path (port segments). The reply carries
 * the embedded reply directly, so there is no Unconnected_Send reply record.
 */
public record UnconnectedSendRequest(int priorityTimeTick, int timeoutTicks, MessageRouterRequest embedded,
                                     EPath routePath) {

    public UnconnectedSendRequest {
        Checks.u8(priorityTimeTick, "priorityTimeTick");
        Checks.u8(timeoutTicks, "timeoutTicks");
        Objects.requireNonNull(embedded, "embedded");
        if (embedded.encodedLength() > 0xFFFF) {
            throw new IllegalArgumentException("embedded request longer than 65535 bytes");
        }
        Checks.path(routePath, "routePath");
    }

    public int encodedLength() {
        int n = embedded.encodedLength();
        return 4 + n + (n & 1) + 2 + routePath.encodedLength();
    }

    public void encode(WireWriter w) {
        int n = embedded.encodedLength();
        w.u8(priorityTimeTick).u8(timeoutTicks).u16(n);
        embedded.encode(w);
        if ((n & 1) != 0) {
            w.u8(0);
        }
        w.u8(routePath.words()).u8(0);
        routePath.encode(w);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    public MessageRouterRequest toRequest() {
        return new MessageRouterRequest(ServiceCodes.UNCONNECTED_SEND, Checks.CONNECTION_MANAGER, toBytes());
    }

    /**
     * Decodes the service data filling {@code r}. An embedded size beyond the data is
     * {@code LENGTH_MISMATCH}; a route path size beyond it is {@code PATH_SIZE_INVALID}.
     */
    public static UnconnectedSendRequest decode(WireReader r) throws WireFormatException {
        int tick = r.u8("priority/time tick");
        int ticks = r.u8("timeout ticks");
        int size = r.u16("embedded request size");
        if (size > r.remaining()) {
            throw new WireFormatException(LENGTH_MISMATCH,
                    "embedded request size " + size + " exceeds the " + r.remaining() + " bytes remaining");
        }
        MessageRouterRequest embedded = MessageRouterRequest.decode(r.sub(size, "embedded request"));
        if ((size & 1) != 0) {
            r.skip(1, "embedded request pad");
        }
        int words = r.u8("route path size");
        r.u8("reserved");
        if (words * 2 > r.remaining()) {
            throw new WireFormatException(PATH_SIZE_INVALID,
                    "route path size " + words + " words exceeds the " + r.remaining() + " bytes remaining");
        }
        EPath route = EPath.decode(r, words);
        r.expectEnd("Unconnected_Send");
        return new UnconnectedSendRequest(tick, ticks, embedded, route);
    }

    public static UnconnectedSendRequest fromRequest(MessageRouterRequest req) throws WireFormatException {
        Checks.expectService(req, ServiceCodes.UNCONNECTED_SEND, ServiceCodes.UNCONNECTED_SEND);
        return decode(WireReader.of(req.data().toArray()));
    }
}
