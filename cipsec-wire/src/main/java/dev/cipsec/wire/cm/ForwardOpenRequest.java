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
 * Forward_Open (0x54) or Large_Forward_Open (0x5B) request data, the part after the Message
 * Router header (reference §2.6). The two differ only in the width of the network connection
 * parameters: 16 bits in Forward_Open, 32 bits in Large_Forward_Open. The three reserved bytes
 * after the timeout multiplier are written as zero and ignored on decode.
 *
 * @param priorityTimeTick  bit 4 priority, bits 0–3 tick time (2^n ms)
 * @param timeoutTicks      unconnected time-out = 2^tick × ticks ms
 * @param timeoutMultiplier 0..7 for ×4 … ×512 (other values are kept for the target to refuse)
 * @param transportTrigger  see {@link TransportTrigger}
 */
public record ForwardOpenRequest(boolean large, int priorityTimeTick, int timeoutTicks, long otConnectionId,
                                 long toConnectionId, int connectionSerial, int originatorVendorId,
                                 long originatorSerial, int timeoutMultiplier, long otRpiMicros,
                                 NetworkConnectionParameters otParameters, long toRpiMicros,
                                 NetworkConnectionParameters toParameters, int transportTrigger,
                                 EPath connectionPath) {

    /** Bytes before the connection path in a Forward_Open. */
    public static final int FIXED_LENGTH = 36;
    /** Bytes before the connection path in a Large_Forward_Open. */
    public static final int FIXED_LENGTH_LARGE = 40;

    public ForwardOpenRequest {
        Checks.u8(priorityTimeTick, "priorityTimeTick");
        Checks.u8(timeoutTicks, "timeoutTicks");
        Checks.u32(otConnectionId, "otConnectionId");
        Checks.u32(toConnectionId, "toConnectionId");
        Checks.u16(connectionSerial, "connectionSerial");
        Checks.u16(originatorVendorId, "originatorVendorId");
        Checks.u32(originatorSerial, "originatorSerial");
        Checks.u8(timeoutMultiplier, "timeoutMultiplier");
        Checks.u32(otRpiMicros, "otRpiMicros");
        Checks.u32(toRpiMicros, "toRpiMicros");
        Objects.requireNonNull(otParameters, "otParameters");
        Objects.requireNonNull(toParameters, "toParameters");
        if (!large && !(otParameters.fitsWord16() && toParameters.fitsWord16())) {
            throw new IllegalArgumentException("connection sizes above 511 bytes need a Large_Forward_Open");
        }
        Checks.u8(transportTrigger, "transportTrigger");
        Checks.path(connectionPath, "connectionPath");
    }

    public ConnectionTriad triad() {
        return new ConnectionTriad(connectionSerial, originatorVendorId, originatorSerial);
    }

    public TransportTrigger trigger() {
        return new TransportTrigger(transportTrigger);
    }

    public int service() {
        return large ? ServiceCodes.LARGE_FORWARD_OPEN : ServiceCodes.FORWARD_OPEN;
    }

    public int encodedLength() {
        return (large ? FIXED_LENGTH_LARGE : FIXED_LENGTH) + connectionPath.encodedLength();
    }

    public void encode(WireWriter w) {
        w.u8(priorityTimeTick).u8(timeoutTicks).u32(otConnectionId).u32(toConnectionId)
                .u16(connectionSerial).u16(originatorVendorId).u32(originatorSerial)
                .u8(timeoutMultiplier).zeros(3)
                .u32(otRpiMicros);
        writeParameters(w, otParameters);
        w.u32(toRpiMicros);
        writeParameters(w, toParameters);
        w.u8(transportTrigger).u8(connectionPath.words());
        connectionPath.encode(w);
    }

    private void writeParameters(WireWriter w, NetworkConnectionParameters p) {
        if (large) {
            w.u32(p.toWord32());
        } else {
            w.u16(p.toWord16());
        }
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    /** The whole Message Router request: service 0x54 or 0x5B to the Connection Manager (20 06 24 01). */
    public MessageRouterRequest toRequest() {
        return new MessageRouterRequest(service(), Checks.CONNECTION_MANAGER, toBytes());
    }

    /**
     * Decodes the service data that fills {@code r}. A path size beyond the data is
     * {@code PATH_SIZE_INVALID}; bytes after the path are {@code TOO_MUCH_DATA}.
     */
    public static ForwardOpenRequest decode(WireReader r, boolean large) throws WireFormatException {
        r.require(large ? FIXED_LENGTH_LARGE : FIXED_LENGTH, large ? "Large_Forward_Open" : "Forward_Open");
        int tick = r.u8("priority/time tick");
        int ticks = r.u8("timeout ticks");
        long ot = r.u32("O->T connection id");
        long to = r.u32("T->O connection id");
        int serial = r.u16("connection serial number");
        int vendor = r.u16("originator vendor id");
        long origSerial = r.u32("originator serial number");
        int multiplier = r.u8("timeout multiplier");
        r.skip(3, "reserved");
        long otRpi = r.u32("O->T RPI");
        NetworkConnectionParameters otParams = readParameters(r, large);
        long toRpi = r.u32("T->O RPI");
        NetworkConnectionParameters toParams = readParameters(r, large);
        int trigger = r.u8("transport class/trigger");
        int words = r.u8("connection path size");
        if (words * 2 > r.remaining()) {
            throw new WireFormatException(PATH_SIZE_INVALID,
                    "connection path size " + words + " words exceeds the " + r.remaining() + " bytes remaining");
        }
        EPath path = EPath.decode(r, words);
        r.expectEnd("Forward_Open");
        return new ForwardOpenRequest(large, tick, ticks, ot, to, serial, vendor, origSerial, multiplier, otRpi,
                otParams, toRpi, toParams, trigger, path);
    }

    private static NetworkConnectionParameters readParameters(WireReader r, boolean large) throws WireFormatException {
        return large ? NetworkConnectionParameters.fromWord32(r.u32("network connection parameters"))
                : NetworkConnectionParameters.fromWord16(r.u16("network connection parameters"));
    }

    /** Decodes the data of a Forward_Open or Large_Forward_Open request, chosen by its service code. */
    public static ForwardOpenRequest fromRequest(MessageRouterRequest req) throws WireFormatException {
        Checks.expectService(req, ServiceCodes.FORWARD_OPEN, ServiceCodes.LARGE_FORWARD_OPEN);
        return decode(WireReader.of(req.data().toArray()), req.service() == ServiceCodes.LARGE_FORWARD_OPEN);
    }
}
