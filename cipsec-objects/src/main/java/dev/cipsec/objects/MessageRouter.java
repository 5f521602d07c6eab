package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.Segment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The Message Router: resolves a request path to a class, instance and attribute of the
 * registered objects, runs the service, and always answers with a response (it never throws).
 *
 * <p>Statuses (OpENer's replies in the fixtures are the golden behaviour):
 * <ul>
 *   <li>0x04 path segment error: the path is not class, instance [, attribute] logical segments;</li>
 *   <li>0x05 path destination unknown: no such class (OpENer, fixture frame 33), no such instance,
 *       or no instance segment. OpENer and CIPster deliberately answer 0x05 rather than 0x16
 *       object does not exist for a missing instance, citing the ODVA conformance tool; we follow;</li>
 *   <li>0x08 service not supported at that level (frame 37); 0x14 attribute not supported (frame 35);</li>
 *   <li>0x26 path size invalid, 0x04, 0x13 when raw request bytes do not decode ({@link #handle(Bytes, RequestContext)});</li>
 *   <li>0x11 reply data too large when the encoded reply exceeds {@link RouterLimits#maxResponseSize()};</li>
 *   <li>0x1F vendor specific error when a handler fails unexpectedly (a bug: logged at WARN).</li>
 * </ul>
 *
 * <p>Thread-safe: classes can be registered at runtime; requests from many sessions run
 * concurrently and only contend on the instance they address.
 */
public final class MessageRouter {
    private static final Logger LOG = LoggerFactory.getLogger(MessageRouter.class);

    private final ConcurrentSkipListMap<Integer, CipClass<?>> classes = new ConcurrentSkipListMap<>();
    private final RouterLimits limits;

    public MessageRouter(RouterLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public MessageRouter() {
        this(RouterLimits.DEFAULT);
    }

    public RouterLimits limits() {
        return limits;
    }

    /** Adds a class; fails if its id is taken. */
    public <S> CipClass<S> register(CipClass<S> cipClass) {
        if (classes.putIfAbsent(cipClass.classId(), cipClass) != null) {
            throw new IllegalStateException(String.format("class 0x%02X is already registered", cipClass.classId()));
        }
        return cipClass;
    }

    /** The class registered under {@code classId}, or null. */
    public CipClass<?> cipClass(int classId) {
        return classes.get(classId);
    }

    /** Registered class ids in ascending order (the Message Router object list). */
    public List<Integer> classIds() {
        return new ArrayList<>(classes.keySet());
    }

    /**
     * Decodes raw request bytes (the Unconnected/Connected Data item's payload) and handles them.
     * Bytes that do not decode are answered with the status their defect maps to, echoing the
     * service code when there is one.
     */
    public MessageRouterResponse handle(Bytes requestBytes, RequestContext ctx) {
        MessageRouterRequest req;
        try {
            req = decode(requestBytes);
        } catch (WireFormatException e) {
            return undecodable(requestBytes, e);
        }
        return handle(req, ctx);
    }

    /** Handles a decoded request; never throws. */
    public MessageRouterResponse handle(MessageRouterRequest req, RequestContext ctx) {
        MessageRouterResponse resp = dispatch(req, ctx, false);
        if (resp.encodedLength() > limits.maxResponseSize()) {
            return MessageRouterResponse.error(req.service(), GeneralStatus.REPLY_DATA_TOO_LARGE);
        }
        return resp;
    }

    /**
     * The Multiple_Service_Packet service (0x0A) bound to this router, for the Message Router
     * object to register. Request: count UINT, offsets UINT[count] measured from the count field,
     * then the embedded requests, each ending where the next begins. Reply: the same shape with the
     * embedded replies; general status 0x1E embedded service error when any of them failed.
     *
     * <p>Malformed lists: fewer bytes than the count and offsets need, or an offset past the end,
     * is 0x13 not enough data; offsets that point into the offset table, do not increase, or leave
     * fewer than 2 bytes for a request are 0x20 invalid parameter; a count above
     * {@link RouterLimits#maxEmbeddedRequests()} is 0x02 resource unavailable. An embedded
     * Multiple_Service_Packet is answered 0x08 in its slot so that nesting cannot recurse.
     */
    public Service multipleServicePacket() {
        return (target, req, ctx) -> multiple(req, ctx);
    }

    private MessageRouterResponse multiple(MessageRouterRequest req, RequestContext ctx) throws CipServiceException {
        byte[] data = req.data().toArray();
        if (data.length < 2) {
            throw new CipServiceException(GeneralStatus.NOT_ENOUGH_DATA, "no service count");
        }
        int count = (data[0] & 0xFF) | (data[1] & 0xFF) << 8;
        if (count > limits.maxEmbeddedRequests()) {
            throw new CipServiceException(GeneralStatus.RESOURCE_UNAVAILABLE, count + " embedded requests");
        }
        int table = 2 + 2 * count;
        if (table > data.length) {
            throw new CipServiceException(GeneralStatus.NOT_ENOUGH_DATA, "offset table truncated");
        }
        int[] offsets = new int[count + 1];
        for (int i = 0; i < count; i++) {
            offsets[i] = (data[2 + 2 * i] & 0xFF) | (data[3 + 2 * i] & 0xFF) << 8;
            if (offsets[i] >= data.length) {
                throw new CipServiceException(GeneralStatus.NOT_ENOUGH_DATA, "offset " + offsets[i] + " past the end");
            }
        }
        offsets[count] = data.length;
        if (count == 0 && data.length > 2) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, "data after an empty service list");
        }
        for (int i = 0; i < count; i++) {
            int min = i == 0 ? table : offsets[i - 1] + 2;
            if (offsets[i] < min || offsets[i + 1] - offsets[i] < 2 || (i == 0 && offsets[0] != table)) {
                throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "bad offset " + offsets[i] + " for request " + i);
            }
        }
        List<Bytes> replies = new ArrayList<>(count);
        boolean failed = false;
        for (int i = 0; i < count; i++) {
            Bytes embedded = Bytes.copyOf(data, offsets[i], offsets[i + 1] - offsets[i]);
            MessageRouterResponse r;
            try {
                r = dispatch(decode(embedded), ctx, true);
            } catch (WireFormatException e) {
                r = undecodable(embedded, e);
            }
            failed |= !r.isSuccess();
            replies.add(r.toBytes());
        }
        int size = 2 + 2 * count;
        for (Bytes b : replies) {
            size += b.length();
        }
        if (size > 0xFFFF) {
            throw new CipServiceException(GeneralStatus.REPLY_DATA_TOO_LARGE);
        }
        WireWriter w = WireWriter.ofSize(size);
        w.u16(count);
        int at = 2 + 2 * count;
        for (Bytes b : replies) {
            w.u16(at);
            at += b.length();
        }
        replies.forEach(w::bytes);
        return new MessageRouterResponse(req.service(), failed ? GeneralStatus.EMBEDDED_SERVICE_ERROR : GeneralStatus.SUCCESS,
                List.of(), Bytes.of(w.array()));
    }

    /**
     * Decodes a request. cipsec-wire's EPATH decoder can still let a segment record's
     * IllegalArgumentException escape (e.g. a symbolic segment with non-ASCII characters); here
     * that is a path segment error like any other malformed segment.
     */
    static MessageRouterRequest decode(Bytes requestBytes) throws WireFormatException {
        try {
            return MessageRouterRequest.decode(WireReader.of(requestBytes.toArray()));
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(WireFormatException.Reason.PATH_SEGMENT_ERROR, e.getMessage());
        }
    }

    private static MessageRouterResponse undecodable(Bytes requestBytes, WireFormatException e) {
        return refusal(requestBytes.isEmpty() ? 0 : requestBytes.get(0) & 0x7F, e);
    }

    /**
     * The reply to a request that does not decode, for transports that decode requests themselves
     * (in place), so that they answer exactly as {@link #handle(Bytes, RequestContext)} does.
     */
    public static MessageRouterResponse refusal(int service, WireFormatException e) {
        int status = switch (e.reason()) {
            case PATH_SIZE_INVALID -> GeneralStatus.PATH_SIZE_INVALID;
            case PATH_SEGMENT_ERROR -> GeneralStatus.PATH_SEGMENT_ERROR;
            case INVALID_VALUE -> GeneralStatus.SERVICE_NOT_SUPPORTED; // a reply code sent as a request
            default -> e.reason().generalStatus();
        };
        return MessageRouterResponse.error(service, status);
    }

    private MessageRouterResponse dispatch(MessageRouterRequest req, RequestContext ctx, boolean embedded) {
        try {
            try {
                if (embedded && req.service() == ServiceCodes.MULTIPLE_SERVICE_PACKET) {
                    throw new CipServiceException(GeneralStatus.SERVICE_NOT_SUPPORTED, "nested Multiple_Service_Packet");
                }
                CipInstance<?> target = resolve(req);
                Service service = target.cipClass().service(target.id(), req.service());
                if (service == null) {
                    throw new CipServiceException(GeneralStatus.SERVICE_NOT_SUPPORTED);
                }
                MessageRouterResponse resp = service.handle(target, req, ctx);
                // A successful Unconnected_Send is answered by the embedded request's own reply.
                boolean ok = resp != null
                        && (resp.service() == req.service() || req.service() == ServiceCodes.UNCONNECTED_SEND);
                if (!ok) {
                    throw new IllegalStateException("handler for " + req + " answered " + resp);
                }
                return resp;
            } catch (CipServiceException e) {
                return new MessageRouterResponse(req.service(), e.generalStatus(), additional(e), Bytes.EMPTY);
            }
        } catch (RuntimeException e) {
            LOG.warn("handler failed on {}", req, e);
            return MessageRouterResponse.error(req.service(), GeneralStatus.VENDOR_SPECIFIC);
        }
    }

    private CipInstance<?> resolve(MessageRouterRequest req) throws CipServiceException {
        List<Segment> segs = req.path().segments();
        long[] ids = {-1, -1, -1};
        LogicalType[] order = {LogicalType.CLASS, LogicalType.INSTANCE, LogicalType.ATTRIBUTE};
        if (segs.isEmpty() || segs.size() > 3) {
            throw new CipServiceException(GeneralStatus.PATH_SEGMENT_ERROR, "path " + req.path());
        }
        for (int i = 0; i < segs.size(); i++) {
            if (!(segs.get(i) instanceof LogicalSegment l) || l.type() != order[i]) {
                throw new CipServiceException(GeneralStatus.PATH_SEGMENT_ERROR, "path " + req.path());
            }
            ids[i] = l.value();
        }
        CipClass<?> c = classes.get((int) ids[0]);
        if (c == null || ids[1] < 0) {
            throw new CipServiceException(GeneralStatus.PATH_DESTINATION_UNKNOWN, "path " + req.path());
        }
        CipInstance<?> inst = c.instance(ids[1]);
        if (inst == null) {
            throw new CipServiceException(GeneralStatus.PATH_DESTINATION_UNKNOWN, "path " + req.path());
        }
        return inst;
    }

    private static List<Integer> additional(CipServiceException e) {
        int[] a = e.additionalStatus();
        List<Integer> out = new ArrayList<>(a.length);
        for (int v : a) {
            out.add(v);
        }
        return out;
    }
}
