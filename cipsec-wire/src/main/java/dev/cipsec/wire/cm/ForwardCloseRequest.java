package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.EPath;

import java.util.Objects;

import static dev.cipsec.wire.buf.WireFormatException.Reason.PATH_SIZE_INVALID;

/**
 * Forward_Close (0x4E) request data (reference §2.8): priority/tick, timeout ticks, triad, path
 * size (words), reserved, connection path. The reserved byte is written as zero and ignored.
 */
public record ForwardCloseRequest(int priorityTimeTick, int timeoutTicks, ConnectionTriad triad, EPath connectionPath) {
    public static final int FIXED_LENGTH = 12;

    public ForwardCloseRequest {
        Checks.u8(priorityTimeTick, "priorityTimeTick");
        Checks.u8(timeoutTicks, "timeoutTicks");
        Objects.requireNonNull(triad, "triad");
        Checks.path(connectionPath, "connectionPath");
    }

    public int encodedLength() {
        return FIXED_LENGTH + connectionPath.encodedLength();
    }

    public void encode(WireWriter w) {
        w.u8(priorityTimeTick).u8(timeoutTicks);
        triad.encode(w);
        w.u8(connectionPath.words()).u8(0);
        connectionPath.encode(w);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    public MessageRouterRequest toRequest() {
        return new MessageRouterRequest(ServiceCodes.FORWARD_CLOSE, Checks.CONNECTION_MANAGER, toBytes());
    }

    public static ForwardCloseRequest decode(WireReader r) throws WireFormatException {
        r.require(FIXED_LENGTH, "Forward_Close");
        int tick = r.u8("priority/time tick");
        int ticks = r.u8("timeout ticks");
        ConnectionTriad triad = ConnectionTriad.decode(r);
        int words = r.u8("connection path size");
        r.u8("reserved");
        if (words * 2 > r.remaining()) {
            throw new WireFormatException(PATH_SIZE_INVALID,
                    "connection path size " + words + " words exceeds the " + r.remaining() + " bytes remaining");
        }
        EPath path = EPath.decode(r, words);
        r.expectEnd("Forward_Close");
        return new ForwardCloseRequest(tick, ticks, triad, path);
    }

    public static ForwardCloseRequest fromRequest(MessageRouterRequest req) throws WireFormatException {
        Checks.expectService(req, ServiceCodes.FORWARD_CLOSE, ServiceCodes.FORWARD_CLOSE);
        return decode(WireReader.of(req.data().toArray()));
    }
}
