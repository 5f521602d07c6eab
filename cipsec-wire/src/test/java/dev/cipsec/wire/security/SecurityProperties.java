package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class SecurityProperties {

    @Provide
    Arbitrary<CipherSuiteList> suites() {
        return SecurityArbitraries.cipherSuites();
    }

    @Provide
    Arbitrary<PskList> psks() {
        return SecurityArbitraries.pskLists();
    }

    @Provide
    Arbitrary<EPathList> epathLists() {
        return SecurityArbitraries.epathLists();
    }

    @Provide
    Arbitrary<ApplyConfigRequest> applyConfigs() {
        return SecurityArbitraries.applyConfigs();
    }

    @Provide
    Arbitrary<CsrRequest> csrs() {
        return SecurityArbitraries.csrRequests();
    }

    @Provide
    Arbitrary<CertificateReference> certRefs() {
        return SecurityArbitraries.certificateReferences();
    }

    @Provide
    Arbitrary<CertificateList> certLists() {
        return SecurityArbitraries.certificateLists();
    }

    @Property
    void cipherSuiteListsRoundTrip(@ForAll("suites") CipherSuiteList l) throws Exception {
        Bytes b = l.toBytes();
        assertThat(b.length()).isEqualTo(l.encodedLength());
        assertThat(CipherSuiteList.decode(b)).isEqualTo(l);
    }

    /**
     * A list of the newer edition, or of at most one entry, comes back as it was. An older-edition
     * list of several entries can happen to read exactly as the newer layout too (the GAP of
     * §12.4: nothing on the wire tells them apart); then the decoder prefers the newer one, and the
     * bytes still survive unchanged.
     */
    @Property
    void pskListsRoundTrip(@ForAll("psks") PskList l) throws Exception {
        Bytes b = l.toBytes();
        assertThat(b.length()).isEqualTo(l.encodedLength());
        PskList back = PskList.decode(b);
        assertThat(back.toBytes()).isEqualTo(b);
        if (l.withUsage() || l.entries().size() <= 1) {
            assertThat(back).isEqualTo(l);
        }
        WireReader known = WireReader.of(b.toArray());
        assertThat(PskList.decode(known, l.withUsage())).isEqualTo(l);
        assertThat(known.hasRemaining()).isFalse();
        assertThat(PskList.decode(l.redacted().toBytes())).isEqualTo(l.redacted());
    }

    @Property
    void epathListsRoundTrip(@ForAll("epathLists") EPathList l) throws Exception {
        Bytes b = l.toBytes();
        assertThat(b.length()).isEqualTo(l.encodedLength());
        assertThat(EPathList.decode(b)).isEqualTo(l);
    }

    @Property
    void applyConfigRequestsRoundTrip(@ForAll("applyConfigs") ApplyConfigRequest a) throws Exception {
        assertThat(ApplyConfigRequest.decode(a.toBytes())).isEqualTo(a);
        assertThat(ApplyConfigRequest.decode(a.toBytes().slice(0, 2))).isEqualTo(new ApplyConfigRequest(a.flags(), 0));
    }

    @Property
    void csrRequestsRoundTrip(@ForAll("csrs") CsrRequest c) throws Exception {
        Bytes b = c.toBytes();
        assertThat(b.length()).isEqualTo(c.encodedLength());
        assertThat(CsrRequest.decode(b)).isEqualTo(c);
    }

    @Property
    void certificateReferencesRoundTrip(@ForAll("certRefs") CertificateReference c) throws Exception {
        assertThat(c.toBytes().length()).isEqualTo(c.encodedLength());
        assertThat(CertificateReference.decode(c.toBytes())).isEqualTo(c);
    }

    @Property
    void certificateListsRoundTrip(@ForAll("certLists") CertificateList l) throws Exception {
        assertThat(l.toBytes().length()).isEqualTo(l.encodedLength());
        assertThat(CertificateList.decode(l.toBytes())).isEqualTo(l);
    }

    /** Every decoder either refuses with a reason or returns a value that survives a re-encode. */
    @Property(tries = 2000)
    void arbitraryBytesFailOnlyWithWireFormatException(@ForAll @Size(max = 80) byte[] data) {
        Bytes b = Bytes.of(data);
        check(b, CipherSuiteList::decode, CipherSuiteList::toBytes);
        check(b, PskList::decode, PskList::toBytes);
        check(b, EPathList::decode, EPathList::toBytes);
        check(b, ApplyConfigRequest::decode, ApplyConfigRequest::toBytes);
        check(b, CsrRequest::decode, CsrRequest::toBytes);
        check(b, CertificateReference::decode, CertificateReference::toBytes);
        check(b, CertificateList::decode, CertificateList::toBytes);
        for (boolean withUsage : new boolean[] {true, false}) {
            check(b, v -> PskList.decode(WireReader.of(v.toArray()), withUsage), PskList::toBytes);
        }
    }

    /** Bytes that start like a real value reach deeper than uniform noise does. */
    @Property(tries = 2000)
    void mutatedGoldenBytesFailOnlyWithWireFormatException(@ForAll @Size(min = 1, max = 6) byte[] noise,
                                                          @ForAll("prefixes") Bytes prefix) {
        byte[] data = new byte[prefix.length() + noise.length];
        prefix.copyTo(data, 0);
        System.arraycopy(noise, 0, data, prefix.length(), noise.length);
        arbitraryBytesFailOnlyWithWireFormatException(data);
        arbitraryBytesFailOnlyWithWireFormatException(prefix.slice(0, prefix.length() / 2 + 1).toArray());
    }

    @Provide
    Arbitrary<Bytes> prefixes() {
        return Arbitraries.of(
                Bytes.fromHex("08003b003c003dc006c023c024c03ac037"),
                Bytes.fromHex("0102205f2401"),
                Bytes.fromHex("011a44656661756c742044657669636520436572746966696361746502205f2401"),
                Bytes.fromHex("010220372401"),
                Bytes.fromHex("02 07 636c69656e7431 10 00112233445566778899aabbccddeeff 00 01 41 02 0102"),
                Bytes.fromHex("05 706c632d37 04 41434d45 00 00 00 02 4154"));
    }

    private interface Decoder<T> {
        T decode(Bytes b) throws WireFormatException;
    }

    private static <T> void check(Bytes b, Decoder<T> decoder, Function<T, Bytes> encoder) {
        T value;
        try {
            value = decoder.decode(b);
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
            return;
        }
        try {
            assertThat(decoder.decode(encoder.apply(value))).isEqualTo(value);
        } catch (WireFormatException e) {
            throw new AssertionError("re-encoded " + value + " does not decode", e);
        }
    }
}
