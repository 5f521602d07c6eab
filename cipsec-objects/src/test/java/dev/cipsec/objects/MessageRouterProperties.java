package dev.cipsec.objects;

import dev.cipsec.objects.std.AssemblyDefinition;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.objects.std.StandardObjects;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever arrives, the router answers with one well-formed reply to the same service. */
class MessageRouterProperties {
    private static final StandardObjects OBJECTS = StandardObjects.builder(DeviceIdentity.of(1, 12, 65001, 2, 3, 1, "x"))
            .assembly(AssemblyDefinition.input(100, 32)).assembly(AssemblyDefinition.output(150, 32))
            .resetHandler(type -> { }, java.util.Set.of(0, 1)).build();

    static {
        OBJECTS.router().register(Widget.cipClass());
    }

    private static void wellFormed(MessageRouterResponse r, int service) throws Exception {
        assertThat(r.service()).isEqualTo(service & 0x7F);
        Bytes enc = r.toBytes();
        assertThat(enc.length()).isLessThanOrEqualTo(OBJECTS.router().limits().maxResponseSize());
        assertThat(MessageRouterResponse.decode(WireReader.of(enc.toArray()))).isEqualTo(r);
        if (!r.isSuccess() && r.generalStatus() != 0x0A && r.generalStatus() != 0x1E) {
            assertThat(r.data().isEmpty()).isTrue();
        }
    }

    @Property(tries = 2000)
    void rawBytesNeverBreakTheRouter(@ForAll @Size(max = 48) byte[] raw) throws Exception {
        MessageRouterResponse r = OBJECTS.router().handle(Bytes.of(raw), RequestContext.forTest());
        wellFormed(r, raw.length == 0 ? 0 : raw[0]);
    }

    @Property(tries = 3000)
    void structuredRequestsNeverBreakTheRouter(@ForAll("requests") MessageRouterRequest req) throws Exception {
        RequestContext ctx = RequestContext.forTest();
        wellFormed(OBJECTS.router().handle(req, ctx), req.service());
    }

    @Provide
    Arbitrary<MessageRouterRequest> requests() {
        Arbitrary<Integer> service = Arbitraries.oneOf(Arbitraries.of(0x01, 0x03, 0x04, 0x05, 0x0A, 0x0E, 0x10, 0x4B,
                0x4C, 0x4D), Arbitraries.integers().between(0, 0x7F));
        Arbitrary<Integer> classId = Arbitraries.oneOf(Arbitraries.of(0x01, 0x02, 0x04, 0x06, 0xF5, 0xF6, 0x64),
                Arbitraries.integers().between(0, 0xFFFF));
        Arbitrary<Long> instance = Arbitraries.oneOf(Arbitraries.of(0L, 1L, 2L, 100L, 150L), Arbitraries.longs().between(0, 0xFFFF_FFFFL));
        Arbitrary<Integer> attribute = Arbitraries.oneOf(Arbitraries.integers().between(0, 16), Arbitraries.integers().between(-1, 0xFFFF));
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        return Combinators.combine(service, classId, instance, attribute, data).as((s, c, i, a, d) -> {
            EPath path = a < 0
                    ? EPath.of(LogicalSegment.of(LogicalType.CLASS, c), LogicalSegment.of(LogicalType.INSTANCE, i))
                    : EPath.of(LogicalSegment.of(LogicalType.CLASS, c), LogicalSegment.of(LogicalType.INSTANCE, i),
                    LogicalSegment.of(LogicalType.ATTRIBUTE, a));
            return new MessageRouterRequest(s, path, Bytes.of(d));
        });
    }
}
