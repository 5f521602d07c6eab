package dev.cipsec.objects;

import dev.cipsec.objects.std.AssemblyDefinition;
import dev.cipsec.objects.std.AssemblyInstance;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.objects.std.StandardObjects;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays every CIP request of the OpENer capture opener-explicit against a router configured
 * like OpENer's sample device and checks that our replies are byte-identical to OpENer's. There
 * is no deliberate difference in this scenario: OpENer answers every request there the way our
 * router's documented rules do.
 */
class OpenerGoldenTest {

    /** OpENer's POSIX sample application: vendor 1, type 12, product 65001, rev 2.3, 0x075BCD15. */
    static StandardObjects openerSampleDevice() {
        StandardObjects objects = StandardObjects.builder(
                        DeviceIdentity.of(1, 12, 65001, 2, 3, 0x075BCD15L, "OpENer PC"))
                .assembly(AssemblyDefinition.input(100, 32))
                .assembly(AssemblyDefinition.output(150, 32))
                .assembly(AssemblyDefinition.configuration(151, 10))
                .build();
        // The sample application copies the output assembly into the input assembly on each write
        // (fixtures README, "Provenance"): frames 29 and 31 show it.
        AssemblyInstance in = objects.assembly(100);
        objects.assembly(150).addListener((asm, data, src) -> in.write(data));
        return objects;
    }

    @Test
    void everyRequestOfOpenerExplicitGetsOpenersReplyBytes() {
        MessageRouter router = openerSampleDevice().router();
        List<Fixtures.Frame> frames = Fixtures.load("opener-explicit.hex");
        int compared = 0;
        for (int i = 0; i < frames.size(); i++) {
            Fixtures.Frame f = frames.get(i);
            byte[] p = f.payload();
            if (!f.toAdapter() || (p[0] & 0xFF) != 0x6F) {
                continue;
            }
            Fixtures.Frame reply = frames.get(i + 1);
            assertThat(reply.toAdapter()).isFalse();
            Bytes request = MrKit.mrBytesOfSendRRData(p);
            Bytes expected = MrKit.mrBytesOfSendRRData(reply.payload());
            Bytes ours = router.handle(request, RequestContext.forTest()).toBytes();
            assertThat(ours).as("reply to frame %d (%s)", f.number(), request).isEqualTo(expected);
            compared++;
        }
        assertThat(compared).isEqualTo(15);
    }

    @Test
    void getAttributesAllOnIdentityIsFrame23() {
        Bytes expected = MrKit.mrBytesOfSendRRData(Fixtures.frame("opener-explicit.hex", 23).payload());
        Bytes ours = openerSampleDevice().router()
                .handle(MrKit.req(0x01, "1/1"), RequestContext.forTest()).toBytes();
        assertThat(ours).isEqualTo(expected);
        assertThat(ours.toHex()).isEqualTo("8100000001000c00e9fd0203000015cd5b07094f70454e6572205043");
    }
}
