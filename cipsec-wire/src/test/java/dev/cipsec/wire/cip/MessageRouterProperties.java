package dev.cipsec.wire.cip;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.EPathArbitraries;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;

class MessageRouterProperties {

    @Provide
    Arbitrary<MessageRouterRequest> requests() {
        return Combinators.combine(Arbitraries.integers().between(0, 0x7F), EPathArbitraries.paths(),
                EPathArbitraries.bytes(0, 40)).as(MessageRouterRequest::new);
    }

    @Provide
    Arbitrary<MessageRouterResponse> responses() {
        return Combinators.combine(Arbitraries.integers().between(0, 0x7F), Arbitraries.integers().between(0, 0xFF),
                Arbitraries.integers().between(0, 0xFFFF).list().ofMaxSize(6), EPathArbitraries.bytes(0, 40))
                .as(MessageRouterResponse::new);
    }

    @Property
    void requestsRoundTrip(@ForAll("requests") MessageRouterRequest req) throws Exception {
        Bytes b = req.toBytes();
        assertThat(b.length()).isEqualTo(req.encodedLength());
        MessageRouterRequest back = MessageRouterRequest.decode(b);
        assertThat(back).isEqualTo(req);
        assertThat(back.toBytes()).isEqualTo(b);
    }

    @Property
    void responsesRoundTrip(@ForAll("responses") MessageRouterResponse rsp) throws Exception {
        Bytes b = rsp.toBytes();
        assertThat(MessageRouterResponse.decode(b)).isEqualTo(rsp);
    }

    @Property
    void requestDecoderFailsOnlyWithWireFormatException(@ForAll @Size(max = 64) byte[] data) {
        try {
            MessageRouterRequest req = MessageRouterRequest.decode(WireReader.of(data));
            assertThat(req.encodedLength()).isLessThanOrEqualTo(data.length);
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Property
    void responseDecoderFailsOnlyWithWireFormatException(@ForAll @Size(max = 64) byte[] data) {
        try {
            MessageRouterResponse rsp = MessageRouterResponse.decode(WireReader.of(data));
            assertThat(rsp.encodedLength()).isEqualTo(data.length);
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Property
    void validRequestHeaderWithArbitraryPathFailsOnlyWithWireFormatException(@ForAll @Size(max = 60) byte[] path) {
        byte[] data = new byte[2 + path.length];
        data[0] = 0x0E;
        data[1] = (byte) (path.length / 2);
        System.arraycopy(path, 0, data, 2, path.length);
        try {
            MessageRouterRequest.decode(WireReader.of(data));
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Property
    void pathWordsMatchEncoding(@ForAll("requests") MessageRouterRequest req) {
        EPath p = req.path();
        assertThat(req.toBytes().get(1)).isEqualTo(p.words());
    }
}
