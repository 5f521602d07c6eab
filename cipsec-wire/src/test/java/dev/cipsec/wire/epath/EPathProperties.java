package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;

class EPathProperties {

    @Provide
    Arbitrary<EPath> paths() {
        return EPathArbitraries.paths();
    }

    @Property
    void everyPathRoundTrips(@ForAll("paths") EPath path) throws Exception {
        byte[] b = path.toBytes().toArray();
        assertThat(b.length).isEven().isEqualTo(path.encodedLength());
        WireReader r = WireReader.of(b);
        EPath back = EPath.decode(r, path.words());
        assertThat(back).isEqualTo(path);
        assertThat(r.hasRemaining()).isFalse();
        assertThat(back.toBytes().toArray()).isEqualTo(b);
    }

    @Property
    void arbitraryBytesFailOnlyWithWireFormatException(@ForAll @Size(max = 80) byte[] data,
                                                       @ForAll @IntRange(max = 50) int words) {
        try {
            EPath p = EPath.decode(WireReader.of(data), words);
            // Non-canonical port segments (extended flag on a 1-byte link, 16-bit form for a small port)
            // re-encode shorter, so compare records, not sizes.
            assertThat(p.words()).isLessThanOrEqualTo(words);
            assertThat(EPath.decode(WireReader.of(p.toBytes().toArray()), p.words())).isEqualTo(p);
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }
}
