package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.PortSegment;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.cipsec.objects.MrKit.hex;
import static dev.cipsec.objects.MrKit.req;
import static org.assertj.core.api.Assertions.assertThat;

class MessageRouterTest {
    private final MessageRouter router = Widget.router();
    private final RequestContext ctx = RequestContext.forTest();

    private MessageRouterResponse send(int service, String path, byte... data) {
        return router.handle(req(service, path, data), ctx);
    }

    private static void status(MessageRouterResponse r, int expected) {
        assertThat(r.generalStatus()).as("%s", r).isEqualTo(expected);
    }

    private static void error(MessageRouterResponse r, int expected) {
        status(r, expected);
        assertThat(r.data().isEmpty()).as("error replies carry no data").isTrue();
    }

    @Test
    void getAttributeSingleReadsTheTable() {
        MessageRouterResponse r = send(0x0E, "0x64/1/1");
        assertThat(r.toBytes().toHex()).isEqualTo("8e0000000700");
    }

    @Test
    void unknownClassOrInstanceIsPathDestinationUnknown() {
        error(send(0x0E, "0xE8/1/1"), 0x05);
        error(send(0x0E, "0x64/3/1"), 0x05);
        error(send(0x01, "0x64"), 0x05);
    }

    @Test
    void pathsThatAreNotClassInstanceAttributeArePathSegmentErrors() {
        error(router.handle(req(0x0E, EPath.EMPTY, Bytes.EMPTY), ctx), 0x04);
        error(router.handle(req(0x0E, EPath.of(LogicalSegment.of(LogicalType.INSTANCE, 1)), Bytes.EMPTY), ctx), 0x04);
        error(router.handle(req(0x0E, EPath.of(new PortSegment(1, Bytes.of((byte) 0))), Bytes.EMPTY), ctx), 0x04);
        EPath four = EPath.of(LogicalSegment.of(LogicalType.CLASS, 0x64), LogicalSegment.of(LogicalType.INSTANCE, 1),
                LogicalSegment.of(LogicalType.ATTRIBUTE, 1), LogicalSegment.of(LogicalType.MEMBER, 1));
        error(router.handle(req(0x0E, four, Bytes.EMPTY), ctx), 0x04);
        EPath swapped = EPath.of(LogicalSegment.of(LogicalType.CLASS, 0x64), LogicalSegment.of(LogicalType.ATTRIBUTE, 1));
        error(router.handle(req(0x0E, swapped, Bytes.EMPTY), ctx), 0x04);
    }

    @Test
    void unknownServiceIsServiceNotSupported() {
        error(send(0x32, "0x64/1"), 0x08);
        error(send(0x4B, "0x64/0"), 0x08); // instance-level service asked of the class
        error(send(0x05, "0x64/1"), 0x08);
    }

    @Test
    void attributeStatuses() {
        error(send(0x0E, "0x64/1/99"), 0x14);
        error(send(0x0E, "0x64/1"), 0x14); // no attribute segment: OpENer looks up attribute 0
        error(send(0x0E, "0x64/1/1", (byte) 0), 0x15);
        error(send(0x10, "0x64/1/99", (byte) 1), 0x14);
        error(send(0x10, "0x64/1/1", (byte) 1, (byte) 0), 0x0E);
        error(send(0x10, "0x64/1/2", (byte) 11), 0x09);
        error(send(0x10, "0x64/1/2"), 0x13);
        error(send(0x10, "0x64/1/2", (byte) 1, (byte) 2), 0x15);
        error(send(0x10, "0x64/1/3", hex("0561")), 0x13);
        error(send(0x10, "0x64/1/4", (byte) 1, (byte) 0), 0x0F);
        status(send(0x10, "0x64/1/2", (byte) 9), 0x00);
        assertThat(send(0x0E, "0x64/1/2").data().toHex()).isEqualTo("09");
        assertThat(send(0x0E, "0x64/2/2").data().toHex()).as("instances keep their own state").isEqualTo("01");
    }

    @Test
    void privilegeHookSeesTheTransport() {
        RequestContext secure = RequestContext.secure(new InetSocketAddress("127.0.0.1", 1), 7, "CN=tool");
        MessageRouterResponse r = router.handle(req(0x10, "0x64/1/4", (byte) 0x34, (byte) 0x12), secure);
        status(r, 0x00);
        assertThat(send(0x0E, "0x64/1/4").data().toHex()).isEqualTo("3412");
    }

    @Test
    void replyTooLargeIsReplyDataTooLarge() {
        error(send(0x0E, "0x64/1/5"), 0x11);
        MessageRouter roomy = new MessageRouter(RouterLimits.DEFAULT.withMaxResponseSize(604));
        roomy.register(Widget.cipClass());
        assertThat(roomy.handle(req(0x0E, "0x64/1/5"), ctx).data().length()).isEqualTo(600);
    }

    @Test
    void undecodableBytesGetTheirStatus() {
        assertThat(router.handle(Bytes.fromHex("0e05200124013001"), ctx).toBytes().toHex()).isEqualTo("8e002600");
        assertThat(router.handle(Bytes.fromHex("0e01e000"), ctx).toBytes().toHex()).isEqualTo("8e000400");
        assertThat(router.handle(Bytes.fromHex("0e02210064"), ctx).toBytes().toHex())
                .as("16-bit class segment cut by the path size").isEqualTo("8e002600");
        assertThat(router.handle(Bytes.fromHex("0e"), ctx).toBytes().toHex()).isEqualTo("8e001300");
        assertThat(router.handle(Bytes.EMPTY, ctx).toBytes().toHex()).isEqualTo("80001300");
        assertThat(router.handle(Bytes.fromHex("8e0220642401"), ctx).toBytes().toHex()).isEqualTo("8e000800");
        // symbolic segment with a non-ASCII character: cipsec-wire's record rejects it with an
        // IllegalArgumentException, which must still become a path segment error
        assertThat(router.handle(Bytes.fromHex("4c0161ff"), ctx).toBytes().toHex()).isEqualTo("cc000400");
    }

    @Test
    void handlerFailuresBecomeStatuses() {
        error(send(0x4B, "0x64/1"), 0x1F);
        MessageRouterResponse r = send(0x4C, "0x64/1");
        assertThat(r.toBytes().toHex()).isEqualTo("cc0001010001");
        assertThat(send(0x4D, "0x64/1", (byte) 5).toBytes().toHex()).isEqualTo("cd00000005");
    }

    @Test
    void classAttributesAreStandard() {
        assertThat(send(0x0E, "0x64/0/1").data().toHex()).isEqualTo("0300");
        assertThat(send(0x0E, "0x64/0/2").data().toHex()).isEqualTo("0200");
        assertThat(send(0x0E, "0x64/0/3").data().toHex()).isEqualTo("0200");
        assertThat(send(0x0E, "0x64/0/6").data().toHex()).isEqualTo("0700");
        assertThat(send(0x0E, "0x64/0/7").data().toHex()).isEqualTo("0700");
        error(send(0x0E, "0x64/0/4"), 0x14);
        error(send(0x10, "0x64/0/1", (byte) 1, (byte) 0), 0x0E);
        // revision, max instance, number of instances, optional lists (empty), max ids
        assertThat(send(0x01, "0x64/0").data().toHex()).isEqualTo("03000200020000000000" + "07000700");
    }

    @Test
    void getAttributesAllFollowsPositions() {
        assertThat(send(0x01, "0x64/1").data().toHex()).isEqualTo("0700" + "01" + "0000" + "0000");
    }

    @Test
    void getAttributeListReportsEachAttribute() {
        MessageRouterResponse ok = send(0x03, "0x64/1", hex("020001000200"));
        status(ok, 0x00);
        assertThat(ok.data().toHex()).isEqualTo("0200" + "0100" + "0000" + "0700" + "0200" + "0000" + "01");
        MessageRouterResponse mixed = send(0x03, "0x64/1", hex("02006300010000"), new byte[0]);
        status(mixed, 0x15);
        MessageRouterResponse partial = send(0x03, "0x64/1", hex("020063000100"));
        status(partial, 0x0A);
        assertThat(partial.data().toHex()).isEqualTo("0200" + "6300" + "1400" + "0100" + "0000" + "0700");
        error(send(0x03, "0x64/1", hex("03000100")), 0x13);
        error(send(0x03, "0x64/1", hex("01")), 0x13);
        status(send(0x03, "0x64/1", hex("0000")), 0x00);
    }

    private MessageRouterResponse send(int service, String path, byte[] data, byte[] more) {
        byte[] all = new byte[data.length + more.length];
        System.arraycopy(data, 0, all, 0, data.length);
        System.arraycopy(more, 0, all, data.length, more.length);
        return send(service, path, all);
    }

    @Test
    void setAttributeListSetsEachAttribute() {
        MessageRouterResponse ok = send(0x04, "0x64/1", hex("0200" + "0200" + "05" + "0300" + "026869"));
        status(ok, 0x00);
        assertThat(ok.data().toHex()).isEqualTo("0200" + "02000000" + "03000000");
        assertThat(send(0x0E, "0x64/1/3").data().toHex()).isEqualTo("026869");

        MessageRouterResponse refused = send(0x04, "0x64/1", hex("0300" + "0100" + "0800" + "0200" + "63" + "0200" + "04"));
        status(refused, 0x0A);
        assertThat(refused.data().toHex()).isEqualTo("0300" + "01000e00" + "02000900" + "02000000");

        MessageRouterResponse stops = send(0x04, "0x64/1", hex("0200" + "6300" + "01" + "0200" + "04"));
        status(stops, 0x0A);
        assertThat(stops.data().toHex()).as("an unknown attribute's length is unknown: the list ends there")
                .isEqualTo("0100" + "63001400");
        error(send(0x04, "0x64/1", hex("0300" + "0200")), 0x13);
        error(send(0x04, "0x64/1", hex("0100" + "0200" + "05" + "ff")), 0x15);
    }

    @Test
    void servicesAndInstancesCanBeAddedAtRuntime() {
        CipClass<?> c = router.cipClass(Widget.CLASS_ID);
        c.registerInstanceService(0x4E, (t, r, x) -> MessageRouterResponse.success(r.service(), Bytes.of((byte) t.id())));
        c.registerClassService(0x4E, (t, r, x) -> MessageRouterResponse.success(r.service(), Bytes.of((byte) 0xCC)));
        assertThat(send(0x4E, "0x64/2").data().toHex()).isEqualTo("02");
        assertThat(send(0x4E, "0x64/0").data().toHex()).isEqualTo("cc");
        @SuppressWarnings("unchecked")
        CipClass<Widget> widgets = (CipClass<Widget>) c;
        widgets.addInstance(9, new Widget());
        assertThat(send(0x0E, "0x64/9/1").data().toHex()).isEqualTo("0700");
        assertThat(send(0x0E, "0x64/0/2").data().toHex()).isEqualTo("0900");
        assertThat(send(0x0E, "0x64/0/3").data().toHex()).isEqualTo("0300");
    }

    @Test
    void getAttributesAllWithoutIncludedAttributesIsNotSupported() {
        MessageRouter r = new MessageRouter();
        r.register(CipClass.<Widget>builder(0x65, "Bare")
                .attributes(Attribute.get(1, "x", CipDataTypes.USINT, (Widget w) -> 1)).instance(1, new Widget()).build());
        status(r.handle(req(0x01, "0x65/1"), ctx), 0x08);
        status(r.handle(req(0x0E, "0x65/1/1"), ctx), 0x00);
    }

    @Test
    void omittedCommonServicesAreNotSupported() {
        MessageRouter r = new MessageRouter();
        r.register(CipClass.<Widget>builder(0x66, "ReadOnly").withoutInstanceService(0x10).withoutClassService(0x01)
                .attributes(Attribute.getSet(1, "x", CipDataTypes.USINT, (Widget w) -> 1, (w, v, c) -> { }))
                .instance(1, new Widget()).build());
        status(r.handle(req(0x10, "0x66/1/1", (byte) 1), ctx), 0x08);
        status(r.handle(req(0x01, "0x66/0"), ctx), 0x08);
    }

    @Test
    void concurrentSetsAndGetsStayConsistentPerInstance() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Boolean>> jobs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                jobs.add(() -> {
                    for (int i = 0; i < 2000; i++) {
                        int v = (seed * 2000 + i) & 0xFFFF;
                        if (router.handle(req(0x10, "0x64/1/6", (byte) v, (byte) (v >>> 8)), ctx).generalStatus() != 0) {
                            return false;
                        }
                        Bytes all = router.handle(req(0x01, "0x64/1"), ctx).data();
                        // a (bytes 3-4) and b (bytes 5-6) are written together under the instance lock
                        if (all.get(3) != all.get(5) || all.get(4) != all.get(6)) {
                            return false;
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> f : pool.invokeAll(jobs)) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void afterReplyActionsRunOnlyWhenTheTransportSaysSo() {
        List<String> log = new ArrayList<>();
        router.cipClass(Widget.CLASS_ID).registerInstanceService(0x4F, (t, r, c) -> {
            c.runAfterReply(() -> log.add("ran"));
            return MessageRouterResponse.success(r.service(), Bytes.EMPTY);
        });
        status(send(0x4F, "0x64/1"), 0x00);
        assertThat(log).isEmpty();
        ctx.afterReply().runAll();
        assertThat(log).containsExactly("ran");
        ctx.afterReply().runAll();
        assertThat(log).containsExactly("ran");
    }
}
