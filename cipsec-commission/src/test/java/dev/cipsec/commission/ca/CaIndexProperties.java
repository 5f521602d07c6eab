package dev.cipsec.commission.ca;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CaIndexProperties {
    @Property
    void formattedIndexParsesBackToTheSameEntries(@ForAll("entries") List<CaIndex.Entry> entries) throws IOException {
        assertThat(CaIndex.parse(CaIndex.format(entries))).isEqualTo(entries);
    }

    @Property
    void arbitraryTextIsAnIndexOrAnIOException(@ForAll byte[] data) {
        try {
            CaIndex.parse(data);
        } catch (IOException expected) {
            assertThat(expected.getMessage()).startsWith("index.txt line ");
        }
    }

    @Property
    void arbitraryTabbedLinesAreAnIndexOrAnIOException(@ForAll("tabbed") String line) {
        try {
            CaIndex.parse(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException expected) {
            assertThat(expected.getMessage()).startsWith("index.txt line ");
        }
    }

    @Provide
    Arbitrary<String> tabbed() {
        Arbitrary<String> field = Arbitraries.strings().withChars("VRE0123456789ABCDEFZ,/=\t").ofMaxLength(20);
        return field.list().ofMaxSize(8).map(l -> String.join("\t", l));
    }

    @Provide
    Arbitrary<List<CaIndex.Entry>> entries() {
        // Whole seconds from 1950 (UTCTime's first year) to 9999 (GeneralizedTime's last).
        Arbitrary<Instant> time = Arbitraries.longs().between(Instant.parse("1950-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("9999-12-31T23:59:59Z").getEpochSecond()).map(Instant::ofEpochSecond);
        Arbitrary<BigInteger> serial = Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TWO.pow(159));
        Arbitrary<String> subject = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60).map(s -> "/CN=" + s);
        Arbitrary<CaIndex.Entry> valid = Combinators.combine(time, serial, subject)
                .as((t, s, n) -> new CaIndex.Entry(IssuedCertificate.Status.VALID, t, null, -1, s, n));
        Arbitrary<CaIndex.Entry> revoked = Combinators.combine(valid, time, Arbitraries.integers().between(0, 5))
                .as((e, t, r) -> e.revoke(t, r));
        return Arbitraries.oneOf(valid, revoked).list().ofMaxSize(20);
    }
}
