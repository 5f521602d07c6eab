package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * The common services (reference §2.4) every class answers through its attribute tables:
 * Get_Attributes_All, Get_Attribute_Single, Set_Attribute_Single, Get_Attribute_List and
 * Set_Attribute_List.
 *
 * <p>Choices where stacks differ: a Get/Set_Attribute_Single whose path names no attribute is
 * answered 0x14 attribute not supported, as OpENer does (it looks up attribute 0); request data
 * on a service that takes none is 0x15 too much data; in a list service any failed entry makes
 * the general status 0x0A attribute list error, with the per-entry statuses in the data.
 */
public final class CommonServices {
    private CommonServices() {
    }

    public static final Service GET_ATTRIBUTES_ALL = (target, req, ctx) -> {
        noData(req);
        return MessageRouterResponse.success(req.service(), target.getAttributesAll());
    };

    public static final Service GET_ATTRIBUTE_SINGLE = (target, req, ctx) -> {
        noData(req);
        return MessageRouterResponse.success(req.service(), target.getAttribute(attributeId(req)));
    };

    public static final Service SET_ATTRIBUTE_SINGLE = (target, req, ctx) -> {
        target.setAttribute(attributeId(req), reader(req), true, ctx);
        return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
    };

    /** Request: count UINT + ids UINT[]; reply: count UINT + {id UINT, status UINT, value if status 0}. */
    public static final Service GET_ATTRIBUTE_LIST = (target, req, ctx) -> {
        WireReader r = reader(req);
        int count = u16(r);
        int[] ids = new int[count];
        try {
            r.requireCount(count, 2, "attribute ids");
            for (int i = 0; i < count; i++) {
                ids[i] = r.u16("attribute id");
            }
        } catch (WireFormatException e) {
            throw new CipServiceException(GeneralStatus.NOT_ENOUGH_DATA, e.getMessage());
        }
        if (r.hasRemaining()) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, r.remaining() + " bytes after the attribute list");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeU16(out, count);
        boolean failed = false;
        for (int id : ids) {
            writeU16(out, id);
            try {
                Bytes value = target.getAttribute(id);
                writeU16(out, GeneralStatus.SUCCESS);
                out.writeBytes(value.toArray());
            } catch (CipServiceException e) {
                writeU16(out, e.generalStatus());
                failed = true;
            }
        }
        return response(req, failed, out);
    };

    /**
     * Request: count UINT + {id UINT, value}; reply: count UINT + {id UINT, status UINT}. An entry
     * whose length cannot be known (unknown attribute, undecodable value) ends the list: the reply
     * lists the entries up to and including it.
     */
    public static final Service SET_ATTRIBUTE_LIST = (target, req, ctx) -> setList(target, req, ctx);

    private static <S> MessageRouterResponse setList(CipInstance<S> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        WireReader r = reader(req);
        int count = u16(r);
        try {
            r.requireCount(count, 2, "attribute entries");
        } catch (WireFormatException e) {
            throw new CipServiceException(GeneralStatus.NOT_ENOUGH_DATA, e.getMessage());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int answered = 0;
        boolean failed = false;
        for (int i = 0; i < count; i++) {
            int id = u16(r);
            int status = GeneralStatus.SUCCESS;
            boolean stop = false;
            try {
                Attribute.PendingSet<S> pending = target.decodeForSet(id, r);
                try {
                    target.apply(pending, ctx);
                } catch (CipServiceException e) {
                    status = e.generalStatus();
                }
            } catch (CipServiceException e) {
                status = e.generalStatus();
                stop = true;
            }
            writeU16(body, id);
            writeU16(body, status);
            answered++;
            failed |= status != GeneralStatus.SUCCESS;
            if (stop) {
                break;
            }
        }
        if (!failed && r.hasRemaining()) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, r.remaining() + " bytes after the attribute list");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeU16(out, answered);
        out.writeBytes(body.toByteArray());
        return response(req, failed, out);
    }

    /** The common service for {@code code}; one of {@link CipClass#COMMON_SERVICES}. */
    static Service forCode(int code) {
        return switch (code) {
            case ServiceCodes.GET_ATTRIBUTES_ALL -> GET_ATTRIBUTES_ALL;
            case ServiceCodes.GET_ATTRIBUTE_SINGLE -> GET_ATTRIBUTE_SINGLE;
            case ServiceCodes.SET_ATTRIBUTE_SINGLE -> SET_ATTRIBUTE_SINGLE;
            case ServiceCodes.GET_ATTRIBUTE_LIST -> GET_ATTRIBUTE_LIST;
            case ServiceCodes.SET_ATTRIBUTE_LIST -> SET_ATTRIBUTE_LIST;
            default -> throw new IllegalArgumentException("not a common service: " + code);
        };
    }

    private static MessageRouterResponse response(MessageRouterRequest req, boolean failed, ByteArrayOutputStream out) {
        int status = failed ? GeneralStatus.ATTRIBUTE_LIST_ERROR : GeneralStatus.SUCCESS;
        return new MessageRouterResponse(req.service(), status, List.of(), Bytes.of(out.toByteArray()));
    }

    private static int attributeId(MessageRouterRequest req) throws CipServiceException {
        int id = req.path().attributeId();
        if (id < 0) {
            throw new CipServiceException(GeneralStatus.ATTRIBUTE_NOT_SUPPORTED, "no attribute in path " + req.path());
        }
        return id;
    }

    private static void noData(MessageRouterRequest req) throws CipServiceException {
        if (!req.data().isEmpty()) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, "service takes no data");
        }
    }

    static WireReader reader(MessageRouterRequest req) {
        return WireReader.of(req.data().toArray());
    }

    private static int u16(WireReader r) throws CipServiceException {
        try {
            return r.u16("count or id");
        } catch (WireFormatException e) {
            throw new CipServiceException(GeneralStatus.NOT_ENOUGH_DATA, e.getMessage());
        }
    }

    private static void writeU16(ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
    }
}
