package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPathArbitraries;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionManagerProperties {

    static Arbitrary<Integer> u8() {
        return Arbitraries.integers().between(0, 0xFF);
    }

    static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    static Arbitrary<ConnectionTriad> triads() {
        return Combinators.combine(u16(), u16(), u32()).as(ConnectionTriad::new);
    }

    static Arbitrary<NetworkConnectionParameters> parameters(int maxSize) {
        return Combinators.combine(Arbitraries.integers().between(0, maxSize), Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3), Arbitraries.of(true, false))
                .as(NetworkConnectionParameters::new);
    }

    @Provide
    Arbitrary<ForwardOpenRequest> forwardOpens() {
        return Arbitraries.of(true, false).flatMap(large -> {
            Arbitrary<NetworkConnectionParameters> params = parameters(large ? 0xFFFF : 0x1FF);
            Arbitrary<long[]> ids = Combinators.combine(u32(), u32(), u32(), u32(), u32())
                    .as((a, b, c, d, e) -> new long[]{a, b, c, d, e});
            return Combinators.combine(u8(), u8(), ids, triads(), u8(), params, params, u8())
                    .flatAs((tick, ticks, id, triad, mult, ot, to, trig) -> EPathArbitraries.paths().map(path ->
                            new ForwardOpenRequest(large, tick, ticks, id[0], id[1], triad.connectionSerial(),
                                    triad.originatorVendorId(), triad.originatorSerial(), mult, id[2], ot, id[3], to, trig, path)));
        });
    }

    @Property
    void forwardOpenRoundTrips(@ForAll("forwardOpens") ForwardOpenRequest fo) throws Exception {
        MessageRouterRequest req = fo.toRequest();
        Bytes b = req.toBytes();
        ForwardOpenRequest back = ForwardOpenRequest.fromRequest(MessageRouterRequest.decode(b));
        assertThat(back).isEqualTo(fo);
        assertThat(back.toRequest().toBytes()).isEqualTo(b);
    }

    @Provide
    Arbitrary<ForwardOpenResponse> forwardOpenReplies() {
        Arbitrary<Bytes> reply = Arbitraries.integers().between(0, 10).flatMap(w -> EPathArbitraries.bytes(2 * w, 2 * w));
        return Combinators.combine(u32(), u32(), triads(), u32(), u32(), reply).as(ForwardOpenResponse::new);
    }

    @Property
    void forwardOpenReplyRoundTrips(@ForAll("forwardOpenReplies") ForwardOpenResponse r, @ForAll boolean large)
            throws Exception {
        MessageRouterResponse rsp = MessageRouterResponse.decode(r.toResponse(large).toBytes());
        assertThat(ForwardOpenResponse.decode(WireReader.of(rsp.data().toArray()))).isEqualTo(r);
    }

    @Provide
    Arbitrary<ForwardOpenFailure> failures() {
        return Combinators.combine(triads(), u8(), Arbitraries.integers().between(1, 0xFF), u16().list().ofMaxSize(8))
                .as(ForwardOpenFailure::new);
    }

    @Property
    void failureRoundTrips(@ForAll("failures") ForwardOpenFailure f) throws Exception {
        MessageRouterResponse rsp = MessageRouterResponse.decode(f.toResponse(0x54).toBytes());
        assertThat(ForwardOpenFailure.fromResponse(rsp)).isEqualTo(f);
    }

    @Provide
    Arbitrary<ForwardCloseRequest> forwardCloses() {
        return Combinators.combine(u8(), u8(), triads(), EPathArbitraries.paths()).as(ForwardCloseRequest::new);
    }

    @Property
    void forwardCloseRoundTrips(@ForAll("forwardCloses") ForwardCloseRequest fc) throws Exception {
        assertThat(ForwardCloseRequest.fromRequest(MessageRouterRequest.decode(fc.toRequest().toBytes()))).isEqualTo(fc);
    }

    @Provide
    Arbitrary<UnconnectedSendRequest> unconnectedSends() {
        Arbitrary<MessageRouterRequest> embedded = Combinators.combine(Arbitraries.integers().between(0, 0x7F),
                EPathArbitraries.paths(), EPathArbitraries.bytes(0, 21)).as(MessageRouterRequest::new);
        return Combinators.combine(u8(), u8(), embedded, EPathArbitraries.paths()).as(UnconnectedSendRequest::new);
    }

    @Property
    void unconnectedSendRoundTrips(@ForAll("unconnectedSends") UnconnectedSendRequest us) throws Exception {
        Bytes b = us.toRequest().toBytes();
        UnconnectedSendRequest back = UnconnectedSendRequest.fromRequest(MessageRouterRequest.decode(b));
        assertThat(back).isEqualTo(us);
        assertThat(back.toRequest().toBytes()).isEqualTo(b);
    }

    @Property
    void decodersFailOnlyWithWireFormatException(@ForAll @Size(max = 90) byte[] data) {
        for (int codec = 0; codec < 7; codec++) {
            WireReader r = WireReader.of(data);
            try {
                switch (codec) {
                    case 0 -> ForwardOpenRequest.decode(r, false);
                    case 1 -> ForwardOpenRequest.decode(r, true);
                    case 2 -> ForwardOpenResponse.decode(r);
                    case 3 -> ForwardOpenFailure.decode(r, 1, List.of(0x0127, 0x0010));
                    case 4 -> ForwardCloseRequest.decode(r);
                    case 5 -> ForwardCloseResponse.decode(r);
                    default -> UnconnectedSendRequest.decode(r);
                }
            } catch (WireFormatException expected) {
                assertThat(expected.reason()).isNotNull();
            }
        }
    }

    /** Random bytes rarely get past the fixed part; these keep a valid prefix and fuzz the path. */
    @Property
    void forwardOpenWithFuzzedPathFailsOnlyWithWireFormatException(@ForAll @Size(max = 60) byte[] tail,
                                                                   @ForAll boolean large) {
        byte[] fixed = ConnectionManagerCodecTest.forwardOpen(large, 38).toBytes().toArray();
        int prefix = large ? ForwardOpenRequest.FIXED_LENGTH_LARGE : ForwardOpenRequest.FIXED_LENGTH;
        byte[] data = new byte[prefix + tail.length];
        System.arraycopy(fixed, 0, data, 0, prefix);
        System.arraycopy(tail, 0, data, prefix, tail.length);
        data[prefix - 1] = (byte) (tail.length / 2);
        try {
            ForwardOpenRequest fo = ForwardOpenRequest.decode(WireReader.of(data), large);
            assertThat(fo.toBytes().length()).isLessThanOrEqualTo(data.length);
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }
}
