package dev.cipsec.objects.std;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.MessageRouter;
import dev.cipsec.wire.cip.ServiceCodes;

import static dev.cipsec.objects.CipDataTypes.UINT;
import static dev.cipsec.objects.CipDataTypes.uintCountedList;

/**
 * Message Router object (class 0x02, reference §3.2), instance 1: attribute 1 object list (UINT
 * count + UINT class ids), computed from the router's registry at each read so classes added
 * later appear; and Multiple_Service_Packet (0x0A).
 */
public final class MessageRouterObject {
    public static final int CLASS_ID = 0x02;

    private MessageRouterObject() {
    }

    /** Builds the class for {@code router} and registers it there. */
    public static CipClass<MessageRouter> register(MessageRouter router) {
        CipClass<MessageRouter> c = CipClass.<MessageRouter>builder(CLASS_ID, "Message Router").revision(1)
                .attributes(Attribute.get(1, "Object List", uintCountedList(UINT), MessageRouter::classIds).inGetAll())
                .instanceService(ServiceCodes.MULTIPLE_SERVICE_PACKET, router.multipleServicePacket())
                .instance(1, router)
                .build();
        return router.register(c);
    }
}
