package dev.cipsec.objects;

import dev.cipsec.objects.std.MessageRouterObject;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.cipsec.objects.MrKit.hex;
import static dev.cipsec.objects.MrKit.req;
import static org.assertj.core.api.Assertions.assertThat;

class MultipleServicePacketTest {
    private final MessageRouter router = Widget.router();
    private final RequestContext ctx = RequestContext.forTest();

    MultipleServicePacketTest() {
        MessageRouterObject.register(router);
    }

    /** Count, offsets from the count field, then the requests. */
    static byte[] packet(List<MessageRouterRequest> requests) {
        int size = 2 + 2 * requests.size();
        for (MessageRouterRequest r : requests) {
            size += r.encodedLength();
        }
        WireWriter w = WireWriter.ofSize(size);
        w.u16(requests.size());
        int at = 2 + 2 * requests.size();
        for (MessageRouterRequest r : requests) {
            w.u16(at);
            at += r.encodedLength();
        }
        requests.forEach(r -> r.encode(w));
        return w.array();
    }

    private MessageRouterResponse msp(byte[] data) {
        return router.handle(req(0x0A, "2/1", data), ctx);
    }

    @Test
    void embeddedRequestsAreDispatchedInOrder() {
        MessageRouterResponse r = msp(packet(List.of(req(0x10, "0x64/1/2", (byte) 4), req(0x0E, "0x64/1/2"))));
        assertThat(r.generalStatus()).isZero();
        // count 2, offsets 6 and 10, replies "90 00 00 00" and "8e 00 00 00 04"
        assertThat(r.data().toHex()).isEqualTo("0200" + "0600" + "0a00" + "90000000" + "8e00000004");
    }

    @Test
    void anEmbeddedFailureIsEmbeddedServiceError() {
        MessageRouterResponse r = msp(packet(List.of(req(0x0E, "0x64/1/1"), req(0x0E, "0xE8/1/1"), req(0x32, "0x64/1"))));
        assertThat(r.generalStatus()).isEqualTo(0x1E);
        assertThat(r.data().toHex()).isEqualTo("0300" + "0800" + "0e00" + "1200" + "8e0000000700" + "8e000500" + "b2000800");
    }

    @Test
    void undecodableAndNestedRequestsAnswerInTheirSlots() {
        byte[] nested = packet(List.of(req(0x0E, "0x64/1/1")));
        byte[] data = packet(List.of(req(0x0A, "2/1", nested), req(0x0E, "0x64/1/1")));
        MessageRouterResponse r = msp(data);
        assertThat(r.generalStatus()).isEqualTo(0x1E);
        assertThat(r.data().toHex()).isEqualTo("0200" + "0600" + "0a00" + "8a000800" + "8e0000000700");

        // second request claims a 5-word path in 4 bytes
        MessageRouterResponse bad = msp(hex("0200" + "0600" + "0e00" + "0e0320642401" + "3001" + "0e05200124"));
        assertThat(bad.generalStatus()).isEqualTo(0x1E);
        assertThat(bad.data().toHex()).isEqualTo("0200" + "0600" + "0c00" + "8e0000000700" + "8e002600");
    }

    @Test
    void badCountsAndOffsetsAreRefusedWhole() {
        assertThat(msp(new byte[0]).generalStatus()).isEqualTo(0x13);
        assertThat(msp(hex("01")).generalStatus()).isEqualTo(0x13);
        assertThat(msp(hex("0300" + "0800")).generalStatus()).as("offset table truncated").isEqualTo(0x13);
        assertThat(msp(hex("0100" + "4000" + "0e0320642401")).generalStatus()).as("offset past the end").isEqualTo(0x13);
        assertThat(msp(hex("0100" + "0200" + "0e0320642401")).generalStatus()).as("offset into the table").isEqualTo(0x20);
        assertThat(msp(hex("0200" + "0600" + "0600" + "0e0320642401")).generalStatus()).as("repeated offset").isEqualTo(0x20);
        assertThat(msp(hex("0200" + "0600" + "0b00" + "0e0320642401")).generalStatus()).as("1-byte request").isEqualTo(0x20);
        assertThat(msp(hex("0100" + "0500" + "000e0320642401")).generalStatus()).as("gap after the table").isEqualTo(0x20);
        assertThat(msp(hex("0000" + "00")).generalStatus()).isEqualTo(0x15);
        MessageRouterResponse empty = msp(hex("0000"));
        assertThat(empty.generalStatus()).isZero();
        assertThat(empty.data().toHex()).isEqualTo("0000");
        byte[] many = new byte[2 + 2 * 33];
        many[0] = 33;
        assertThat(msp(many).generalStatus()).as("more than the limit").isEqualTo(0x02);
        MessageRouterResponse r = msp(packet(java.util.Collections.nCopies(32, req(0x0E, "0x64/1/1"))));
        assertThat(r.generalStatus()).isZero();
    }

    @Test
    void theWholeReplyMustFitTheLimit() {
        MessageRouter small = new MessageRouter(RouterLimits.DEFAULT.withMaxResponseSize(20));
        small.register(Widget.cipClass());
        MessageRouterObject.register(small);
        byte[] data = packet(List.of(req(0x0E, "0x64/1/1"), req(0x0E, "0x64/1/1"), req(0x0E, "0x64/1/1")));
        MessageRouterResponse r = small.handle(req(0x0A, "2/1", data), ctx);
        assertThat(r.toBytes().toHex()).isEqualTo("8a001100");
    }
}
