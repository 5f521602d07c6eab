package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterResponse;

import static dev.cipsec.objects.CipDataTypes.SHORT_STRING;
import static dev.cipsec.objects.CipDataTypes.UINT;
import static dev.cipsec.objects.CipDataTypes.USINT;
import static dev.cipsec.objects.CipDataTypes.bytes;

/** A small test class (0x64) whose attribute table exercises every access rule. */
final class Widget {
    static final int CLASS_ID = 0x64;

    int fixed = 7;
    int level = 1;
    String label = "w";
    int secret;
    int a;
    int b;

    static CipClass<Widget> cipClass() {
        return CipClass.<Widget>builder(CLASS_ID, "Widget").revision(3)
                .attributes(
                        Attribute.get(1, "Fixed", UINT, (Widget w) -> w.fixed).inGetAll(),
                        Attribute.getSet(2, "Level", USINT, (Widget w) -> w.level, (w, v, c) -> w.level = v)
                                .validIf(v -> v <= 10).inGetAll(),
                        Attribute.getSet(3, "Label", SHORT_STRING, (Widget w) -> w.label, (w, v, c) -> w.label = v),
                        Attribute.getSet(4, "Secret", UINT, (Widget w) -> w.secret, (w, v, c) -> w.secret = v)
                                .setAllowedIf(RequestContext::secure),
                        Attribute.get(5, "Big", bytes(600), (Widget w) -> Bytes.of(new byte[600])),
                        // a and b are written together; Get_Attributes_All must never show them apart
                        Attribute.getSet(6, "A", UINT, (Widget w) -> w.a, (w, v, c) -> {
                            w.a = v;
                            Thread.onSpinWait();
                            w.b = v;
                        }).inGetAll(),
                        Attribute.get(7, "B", UINT, (Widget w) -> w.b).inGetAll())
                .instanceService(0x4B, (t, r, c) -> {
                    throw new IllegalStateException("handler bug");
                })
                .instanceService(0x4C, (t, r, c) -> {
                    throw new CipServiceException(GeneralStatus.CONNECTION_FAILURE, 0x0100);
                })
                .instanceService(0x4D, (t, r, c) -> MessageRouterResponse.success(r.service(), r.data()))
                .instance(1, new Widget())
                .instance(2, new Widget())
                .build();
    }

    static MessageRouter router() {
        MessageRouter r = new MessageRouter();
        r.register(cipClass());
        return r;
    }
}
