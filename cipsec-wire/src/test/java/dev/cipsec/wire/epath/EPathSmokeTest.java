package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EPathSmokeTest {
    @Test
    void identityVendorPathMatchesOpenerCapture() throws Exception {
        // opener-explicit.hex frame 8: EPATH 20 01 24 01 30 01
        EPath p = EPath.classInstanceAttribute(1, 1, 1);
        assertThat(p.toBytes()).isEqualTo(Bytes.fromHex("200124013001"));
        assertThat(EPath.decode(WireReader.of(Bytes.fromHex("200124013001").toArray()), 3)).isEqualTo(p);
    }

    @Property
    void logicalPathsRoundTrip(@ForAll @IntRange(max = 0xFFFF) int cls, @ForAll @IntRange(max = Integer.MAX_VALUE) int inst,
                               @ForAll @IntRange(max = 0xFFFF) int attr) throws Exception {
        EPath p = EPath.classInstanceAttribute(cls, inst, attr);
        byte[] b = p.toBytes().toArray();
        assertThat(EPath.decode(WireReader.of(b), b.length / 2)).isEqualTo(p);
    }
}
