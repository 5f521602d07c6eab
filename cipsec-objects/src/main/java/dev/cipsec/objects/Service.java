package dev.cipsec.objects;

import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;

/**
 * A CIP service handler, registered on a {@link CipClass} for the class (instance 0) or for its
 * instances. The router has already resolved {@code target} from the request path; a handler
 * answers a failure either by throwing {@link CipServiceException} (reply without data) or by
 * returning a response with a non-zero status and data (e.g. Get_Attribute_List's 0x0A).
 */
@FunctionalInterface
public interface Service {
    MessageRouterResponse handle(CipInstance<?> target, MessageRouterRequest request, RequestContext ctx)
            throws CipServiceException;
}
