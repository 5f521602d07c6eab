package dev.cipsec.adapter;

import dev.cipsec.adapter.io.IoRuntime;
import dev.cipsec.objects.CipInstance;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ConnectionTriad;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.ForwardCloseRequest;
import dev.cipsec.wire.cm.ForwardCloseResponse;
import dev.cipsec.wire.cm.ForwardOpenFailure;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cm.UnconnectedSendRequest;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.PortSegment;
import dev.cipsec.wire.epath.Segment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The Connection Manager's services: Forward_Open and Large_Forward_Open for class 3 connections to
 * the Message Router and, through {@link IoRuntime}, for class 0/1 I/O connections; Forward_Close
 * for both; Unconnected_Send addressed to this device. With the I/O port disabled, class 0/1 is
 * refused with 0x0103, and so is a class 0/1 Forward_Open over TLS unless hybrid I/O is allowed
 * ({@link SecuritySettings#hybridIo()}).
 */
final class ConnectionManagerServices {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionManagerServices.class);
    private static final int MESSAGE_ROUTER_CLASS = 0x02;
    private static final int MAX_TIMEOUT_MULTIPLIER = 7;

    private final DeviceRuntime device;

    ConnectionManagerServices(DeviceRuntime device) {
        this.device = device;
    }

    MessageRouterResponse forwardOpen(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        return forwardOpen(req, ctx, device.io(), false);
    }

    /**
     * A Forward_Open whose I/O runs on {@code io}: the plain runtime for requests over TCP, the DTLS one
     * for UCMM inside a DTLS session ({@code datagram}), where class 3 is refused because a class 3
     * connection belongs to an encapsulation session and a DTLS session has none.
     */
    MessageRouterResponse forwardOpen(MessageRouterRequest req, RequestContext ctx, IoRuntime io, boolean datagram)
            throws CipServiceException {
        boolean large = req.service() == ServiceCodes.LARGE_FORWARD_OPEN;
        device.cmCounters().openRequest();
        ForwardOpenRequest fo;
        try {
            fo = ForwardOpenRequest.decode(WireReader.of(req.data().toArray()), large);
        } catch (WireFormatException e) {
            device.cmCounters().openFormatReject();
            throw new CipServiceException(e.reason().generalStatus(), "malformed Forward_Open: " + e.getMessage());
        }
        ConnectionTriad triad = fo.triad();
        int transportClass = fo.transportTrigger() & 0x0F;
        if (transportClass <= 1 && io != null && ctx.secure() && !datagram && !device.profile().security().hybridIo()) {
            // GAP decision (docs/dtls.md): an originator that authenticated over TLS gets no plaintext
            // I/O unless the device is set up for hybrid operation; DTLS on UDP 2221 is the protected way.
            device.cmCounters().openOtherReject();
            return fail(req, triad, ExtendedStatus.TRANSPORT_TRIGGER_NOT_SUPPORTED);
        }
        if (transportClass <= 1 && io != null) {
            return openIo(io, fo, req, ctx, large);
        }
        if (transportClass != 3 || datagram) {
            device.cmCounters().openOtherReject();
            return fail(req, triad, ExtendedStatus.TRANSPORT_TRIGGER_NOT_SUPPORTED);
        }
        if ((fo.transportTrigger() & 0x80) == 0) {
            device.cmCounters().openOtherReject();
            return fail(req, triad, ExtendedStatus.DIRECTION_NOT_SUPPORTED);
        }
        if (fo.otParameters().connectionType() != NetworkConnectionParameters.POINT_TO_POINT) {
            device.cmCounters().openOtherReject();
            return fail(req, triad, ExtendedStatus.INVALID_OT_CONNECTION_TYPE);
        }
        if (fo.toParameters().connectionType() != NetworkConnectionParameters.POINT_TO_POINT) {
            device.cmCounters().openOtherReject();
            return fail(req, triad, ExtendedStatus.INVALID_TO_CONNECTION_TYPE);
        }
        if (!addressesMessageRouter(fo.connectionPath())) {
            device.cmCounters().openOtherReject();
            return fail(req, triad, ExtendedStatus.INVALID_SEGMENT_IN_PATH);
        }
        if (fo.otRpiMicros() == 0) {
            device.cmCounters().openOtherReject();
            return fail(req, triad, ExtendedStatus.RPI_NOT_SUPPORTED);
        }
        if (fo.timeoutMultiplier() > MAX_TIMEOUT_MULTIPLIER) {
            // Only 0..7 (x4..x512) are defined; larger shifts overflow or vanish in the arithmetic below.
            device.cmCounters().openOtherReject();
            return fail(req, triad, ExtendedStatus.MISCELLANEOUS);
        }
        // Inactivity timeout = O→T RPI x (4 << multiplier) (reference §2.6).
        long timeoutNanos = Math.multiplyExact(fo.otRpiMicros() * 1000L, 4L << fo.timeoutMultiplier());
        Class3Connection c;
        try {
            c = device.class3().open(fo.toConnectionId(), triad, ctx.sessionHandle(), timeoutNanos);
        } catch (CipServiceException e) {
            device.cmCounters().openResourceReject();
            return fail(req, triad, e.extendedStatus());
        }
        LOG.debug("class 3 connection opened: O->T 0x{} T->O 0x{} serial {}", Long.toHexString(c.otConnectionId()),
                Long.toHexString(c.toConnectionId()), triad.connectionSerial());
        ForwardOpenResponse ok = new ForwardOpenResponse(c.otConnectionId(), c.toConnectionId(), triad, fo.otRpiMicros(),
                fo.toRpiMicros(), Bytes.EMPTY);
        return ok.toResponse(large);
    }

    private MessageRouterResponse openIo(IoRuntime io, ForwardOpenRequest fo, MessageRouterRequest req, RequestContext ctx,
                                         boolean large) {
        IoRuntime.OpenResult result = io.forwardOpen(fo, ctx.peer(), ctx.ioItems().request());
        if (result instanceof IoRuntime.Opened ok) {
            ok.replyItems().forEach(ctx.ioItems()::addReply);
            return ok.response().toResponse(large);
        }
        ForwardOpenFailure failure = ((IoRuntime.Refused) result).failure();
        if (failure.extendedStatus() == ExtendedStatus.OUT_OF_CONNECTIONS) {
            device.cmCounters().openResourceReject();
        } else {
            device.cmCounters().openOtherReject();
        }
        return failure.toResponse(req.service());
    }

    MessageRouterResponse forwardClose(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        return forwardClose(req, device.io());
    }

    /** A Forward_Close for a connection of {@code io} (or a class 3 connection). */
    MessageRouterResponse forwardClose(MessageRouterRequest req, IoRuntime io) throws CipServiceException {
        device.cmCounters().closeRequest();
        ForwardCloseRequest fc;
        try {
            fc = ForwardCloseRequest.fromRequest(req);
        } catch (WireFormatException e) {
            device.cmCounters().closeFormatReject();
            throw new CipServiceException(e.reason().generalStatus(), "malformed Forward_Close: " + e.getMessage());
        }
        Class3Connection c = device.class3().close(fc.triad());
        if (c == null && io != null && io.forwardClose(fc.triad())) {
            return new ForwardCloseResponse(fc.triad(), Bytes.EMPTY).toResponse();
        }
        if (c == null) {
            device.cmCounters().closeOtherReject();
            return ForwardOpenFailure.of(fc.triad(), 0, ExtendedStatus.TARGET_CONNECTION_NOT_FOUND).toResponse(req.service());
        }
        LOG.debug("class 3 connection 0x{} closed", Long.toHexString(c.otConnectionId()));
        return new ForwardCloseResponse(fc.triad(), Bytes.EMPTY).toResponse();
    }

    /**
     * Unconnected_Send addressed to this device: an empty route or port 1 (backplane) link 0 is us.
     * The reply is the embedded reply itself (reference §2.8).
     */
    MessageRouterResponse unconnectedSend(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        UnconnectedSendRequest us;
        try {
            us = UnconnectedSendRequest.decode(WireReader.of(req.data().toArray()));
        } catch (WireFormatException e) {
            throw new CipServiceException(e.reason().generalStatus(), "malformed Unconnected_Send: " + e.getMessage());
        }
        if (!routesToUs(us.routePath())) {
            // Remaining path size (words) + reserved, as for any Unconnected_Send-level error.
            return new MessageRouterResponse(req.service(), GeneralStatus.CONNECTION_FAILURE,
                    List.of(ExtendedStatus.PORT_NOT_AVAILABLE), Bytes.of((byte) us.routePath().words(), (byte) 0));
        }
        return device.router().handle(us.embedded(), ctx);
    }

    private static MessageRouterResponse fail(MessageRouterRequest req, ConnectionTriad triad, int extended) {
        return ForwardOpenFailure.of(triad, 0, extended).toResponse(req.service());
    }

    /**
     * True for {@code 20 02 24 01}, optionally behind port segments that route to this device (port 1
     * link 0): scanners written for chassis-based controllers, digitalpetri's connection pool among
     * them, put the backplane hop in front of the Message Router path.
     */
    static boolean addressesMessageRouter(EPath path) {
        List<Segment> segs = path.segments();
        int first = 0;
        while (first < segs.size() && segs.get(first) instanceof PortSegment p && isBackplaneSlot0(p)) {
            first++;
        }
        segs = segs.subList(first, segs.size());
        return segs.size() == 2
                && segs.get(0) instanceof LogicalSegment c && c.type() == LogicalType.CLASS && c.value() == MESSAGE_ROUTER_CLASS
                && segs.get(1) instanceof LogicalSegment i && i.type() == LogicalType.INSTANCE && i.value() == 1;
    }

    static boolean routesToUs(EPath route) {
        List<Segment> segs = route.segments();
        if (segs.isEmpty()) {
            return true;
        }
        return segs.size() == 1 && segs.get(0) instanceof PortSegment p && isBackplaneSlot0(p);
    }

    private static boolean isBackplaneSlot0(PortSegment p) {
        return p.port() == 1 && p.linkAddress().length() == 1 && p.linkAddress().get(0) == 0;
    }
}
