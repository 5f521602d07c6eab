package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cpf.MalformedCases;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.PortSegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;

import static dev.cipsec.wire.buf.WireFormatException.Reason.LENGTH_MISMATCH;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TOO_MUCH_DATA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecurityCodecTest {
    static final Bytes ID = Bytes.fromHex("636c69656e7431"); // "client1"
    static final Bytes KEY = Bytes.fromHex("00112233445566778899aabbccddeeff");

    /** Decodes a whole value with the decoder a negative.tsv line names. */
    static Object decode(String decoder, Bytes b) throws WireFormatException {
        return switch (decoder) {
            case "cipherSuites" -> CipherSuiteList.decode(b);
            case "psk" -> PskList.decode(b);
            case "epathList" -> EPathList.decode(b);
            case "applyConfig" -> ApplyConfigRequest.decode(b);
            case "csr" -> CsrRequest.decode(b);
            case "certRef" -> CertificateReference.decode(b);
            case "certList" -> CertificateList.decode(b);
            default -> throw new IllegalArgumentException("unknown decoder " + decoder);
        };
    }

    static List<MalformedCases.Case> negative() {
        return MalformedCases.load("/fixtures/security/negative.tsv");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("negative")
    void malformedValueFailsWithExactReason(MalformedCases.Case c) {
        assertThatThrownBy(() -> decode(c.decoder(), Bytes.of(c.bytes())))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(c.reason()));
    }

    @Test
    void everyNegativeDecoderIsCovered() {
        assertThat(negative().stream().map(MalformedCases.Case::decoder).distinct())
                .containsExactlyInAnyOrder("cipherSuites", "psk", "epathList", "applyConfig", "csr", "certRef", "certList");
    }

    // --- cipher suites

    @Test
    void cipherSuitesAreWrittenHighByteFirst() {
        CipherSuiteList l = CipherSuiteList.of(0xC02B, 0xC02C, 0xC023, 0xC024, 0xC006);
        assertThat(l.toBytes()).isEqualTo(Bytes.fromHex("05 c02b c02c c023 c024 c006"));
        assertThat(l.encodedLength()).isEqualTo(11);
        assertThat(l.contains(0xC023)).isTrue();
        assertThat(l.contains(0x23C0)).isFalse();
        assertThat(CipherSuiteList.of().toBytes()).isEqualTo(Bytes.fromHex("00"));
    }

    @Test
    void cipherSuiteListStopsAtItsEnd() throws Exception {
        WireReader r = WireReader.of(Bytes.fromHex("01 c037 ff").toArray());
        assertThat(CipherSuiteList.decode(r)).isEqualTo(CipherSuiteList.of(0xC037));
        assertThat(r.remaining()).isEqualTo(1);
    }

    @Test
    void cipherSuiteListLimits() {
        assertThatIllegalArgumentException().isThrownBy(() -> CipherSuiteList.of(0x10000));
        assertThatIllegalArgumentException().isThrownBy(() -> CipherSuiteList.of(-1));
        assertThatIllegalArgumentException().isThrownBy(() -> new CipherSuiteList(Collections.nCopies(256, 0xC023)));
        assertThat(new CipherSuiteList(Collections.nCopies(255, 0xC023)).encodedLength()).isEqualTo(511);
    }

    // --- PSKs

    @Test
    void pskListOfOlderEditionHasNoUsageByte() throws Exception {
        PskList l = PskList.of(new PskEntry(ID, KEY));
        assertThat(l.withUsage()).isFalse();
        Bytes b = Bytes.fromHex("01 07 636c69656e7431 10 00112233445566778899aabbccddeeff");
        assertThat(l.toBytes()).isEqualTo(b);
        assertThat(PskList.decode(b)).isEqualTo(l);
    }

    @Test
    void pskListOfNewerEditionEndsEachEntryWithItsUsage() throws Exception {
        PskList l = PskList.of(new PskEntry(ID, KEY, OptionalInt.of(PskEntry.SERVER)),
                new PskEntry(Bytes.fromHex("41"), Bytes.fromHex("0102"), OptionalInt.of(PskEntry.ANY)));
        assertThat(l.withUsage()).isTrue();
        Bytes b = Bytes.fromHex("02 07 636c69656e7431 10 00112233445566778899aabbccddeeff 00 01 41 02 0102 02");
        assertThat(l.toBytes()).isEqualTo(b);
        assertThat(l.encodedLength()).isEqualTo(b.length());
        assertThat(PskList.decode(b)).isEqualTo(l);
    }

    @Test
    void usageLayoutIsTriedFirstAndTheOlderOneWhenItDoesNotEndExactly() throws Exception {
        // Same entry, one byte longer: only the usage layout consumes "…01" exactly.
        assertThat(PskList.decode(Bytes.fromHex("01 01 41 01 42 01")))
                .isEqualTo(PskList.of(new PskEntry(Bytes.fromHex("41"), Bytes.fromHex("42"), OptionalInt.of(1))));
        assertThat(PskList.decode(Bytes.fromHex("01 01 41 01 42")))
                .isEqualTo(PskList.of(new PskEntry(Bytes.fromHex("41"), Bytes.fromHex("42"))));
        // A byte 3 where a usage would be is no usage, and the older layout leaves it over.
        assertThatThrownBy(() -> PskList.decode(Bytes.fromHex("01 01 41 01 42 03")))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(LENGTH_MISMATCH));
    }

    /** The GAP of §12.4 in one example: an older-edition list of two entries that reads exactly as the newer layout. */
    @Test
    void olderEditionListThatAlsoFitsTheNewerLayoutReadsAsTheNewer() throws Exception {
        PskList older = PskList.of(new PskEntry(Bytes.EMPTY, Bytes.EMPTY), new PskEntry(Bytes.fromHex("0000"), Bytes.EMPTY));
        Bytes b = older.toBytes();
        assertThat(b).isEqualTo(Bytes.fromHex("02 00 00 02 0000 00"));
        PskList read = PskList.decode(b);
        assertThat(read).isEqualTo(PskList.of(new PskEntry(Bytes.EMPTY, Bytes.EMPTY, OptionalInt.of(2)),
                new PskEntry(Bytes.EMPTY, Bytes.EMPTY, OptionalInt.of(0))));
        assertThat(read.toBytes()).isEqualTo(b);
        assertThat(PskList.decode(WireReader.of(b.toArray()), false)).isEqualTo(older);
    }

    @Test
    void pskListWithKnownLayoutStopsAtItsEnd() throws Exception {
        // One entry with usage 2, then the next attribute's byte.
        byte[] gaa = Bytes.fromHex("01 01 41 00 02 00").toArray();
        WireReader r = WireReader.of(gaa);
        assertThat(PskList.decode(r, true)).isEqualTo(PskList.of(new PskEntry(Bytes.fromHex("41"), Bytes.EMPTY, OptionalInt.of(2))));
        assertThat(r.remaining()).isEqualTo(1);
        WireReader older = WireReader.of(gaa);
        assertThat(PskList.decode(older, false)).isEqualTo(PskList.of(new PskEntry(Bytes.fromHex("41"), Bytes.EMPTY)));
        assertThat(older.remaining()).isEqualTo(2);
    }

    @Test
    void redactedListKeepsIdentitiesAndUsagesButNoKeyBytes() throws Exception {
        PskList l = PskList.of(new PskEntry(ID, KEY, OptionalInt.of(PskEntry.CLIENT)));
        PskList read = l.redacted();
        assertThat(read.entries()).singleElement().satisfies(e -> {
            assertThat(e.identity()).isEqualTo(ID);
            assertThat(e.key().isEmpty()).isTrue();
            assertThat(e.usage()).hasValue(PskEntry.CLIENT);
        });
        assertThat(read.toBytes()).isEqualTo(Bytes.fromHex("01 07 636c69656e7431 00 01"));
        assertThat(PskList.decode(read.toBytes())).isEqualTo(read);
        assertThat(read.redacted()).isEqualTo(read);
    }

    @Test
    void pskToStringNeverShowsTheKey() {
        PskEntry e = new PskEntry(ID, KEY, OptionalInt.of(0));
        assertThat(e.toString()).contains("16 bytes").doesNotContain(KEY.toHex());
        assertThat(PskList.of(e).toString()).doesNotContain(KEY.toHex());
    }

    @Test
    void pskLimits() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PskEntry(Bytes.of(new byte[129]), KEY));
        assertThatIllegalArgumentException().isThrownBy(() -> new PskEntry(ID, Bytes.of(new byte[65])));
        assertThatIllegalArgumentException().isThrownBy(() -> new PskEntry(ID, KEY, OptionalInt.of(3)));
        assertThatIllegalArgumentException().isThrownBy(() -> PskList.of(new PskEntry(ID, KEY, OptionalInt.of(0)),
                new PskEntry(ID, KEY)));
        assertThatIllegalArgumentException().isThrownBy(() -> new PskList(Collections.nCopies(256, new PskEntry(ID, KEY))));
        PskEntry biggest = new PskEntry(Bytes.of(new byte[128]), Bytes.of(new byte[64]), OptionalInt.of(2));
        assertThat(PskList.of(biggest).encodedLength()).isEqualTo(1 + 1 + 128 + 1 + 64 + 1);
    }

    // --- EPATH lists

    @Test
    void epathListRoundTripsSeveralPathsIncludingAnEmptyOne() throws Exception {
        EPathList l = EPathList.of(EPath.classInstance(0x5F, 1), EPath.EMPTY, EPath.classInstance(0x37, 0x0101));
        Bytes b = Bytes.fromHex("03 02 205f2401 00 03 2037 2500 0101");
        assertThat(l.toBytes()).isEqualTo(b);
        assertThat(EPathList.decode(b)).isEqualTo(l);
        assertThat(l.encodedLength()).isEqualTo(b.length());
        assertThat(EPathList.empty().isEmpty()).isTrue();
    }

    @Test
    void epathListLimits() {
        EPath tooLong = EPath.of(PortSegment.of(2, "x".repeat(255)), PortSegment.of(2, "y".repeat(255)));
        assertThat(tooLong.words()).isGreaterThan(255);
        assertThatIllegalArgumentException().isThrownBy(() -> EPathList.of(tooLong));
        assertThatIllegalArgumentException().isThrownBy(() -> new EPathList(Collections.nCopies(256, EPath.EMPTY)));
    }

    // --- Apply_Config

    @Test
    void applyConfigOptionalFieldsGoByLength() throws Exception {
        assertThat(ApplyConfigRequest.decode(Bytes.EMPTY)).isEqualTo(new ApplyConfigRequest(0, 0));
        assertThat(ApplyConfigRequest.decode(Bytes.fromHex("0100"))).isEqualTo(new ApplyConfigRequest(1, 0));
        ApplyConfigRequest both = ApplyConfigRequest.decode(Bytes.fromHex("0300 e803"));
        assertThat(both).isEqualTo(new ApplyConfigRequest(3, 1000));
        assertThat(both.closeExisting()).isTrue();
        assertThat(both.objectCleanup()).isTrue();
        assertThat(both.toBytes()).isEqualTo(Bytes.fromHex("0300e803"));
        ApplyConfigRequest reserved = ApplyConfigRequest.decode(Bytes.fromHex("0480 0000"));
        assertThat(reserved.flags()).isEqualTo(0x8004);
        assertThat(reserved.closeExisting()).isFalse();
        assertThat(reserved.objectCleanup()).isFalse();
        assertThat(new ApplyConfigRequest(0, 0).toBytes()).isEqualTo(Bytes.fromHex("00000000"));
    }

    @Test
    void applyConfigLimits() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ApplyConfigRequest(0x10000, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> new ApplyConfigRequest(0, -1));
    }

    // --- Create_CSR

    static final CsrRequest CSR = new CsrRequest("plc-7", "ACME", "OT", "Linz", "Upper Austria", "AT",
            "ot@example.com", "SN-42", "DNS:plc-7.example.com");

    @Test
    void csrRequestWritesAllNineShortStrings() throws Exception {
        Bytes b = CSR.toBytes();
        assertThat(b.length()).isEqualTo(CSR.encodedLength()).isEqualTo(9 + CSR.fields().stream().mapToInt(String::length).sum());
        assertThat(b.slice(0, 6)).isEqualTo(Bytes.fromHex("05 706c632d37"));
        assertThat(CsrRequest.decode(b)).isEqualTo(CSR);
        assertThat(CsrRequest.deviceDefaults().toBytes()).isEqualTo(Bytes.of(new byte[9]));
    }

    @Test
    void csrRequestAcceptsSevenOrEightStrings() throws Exception {
        Bytes seven = Bytes.fromHex("01 41 00 00 00 00 02 4154 00");
        assertThat(CsrRequest.decode(seven)).isEqualTo(new CsrRequest("A", "", "", "", "", "AT", "", "", ""));
        Bytes eight = Bytes.fromHex("00 00 00 00 00 00 00 03 534e31");
        assertThat(CsrRequest.decode(eight)).isEqualTo(new CsrRequest("", "", "", "", "", "", "", "SN1", ""));
    }

    @Test
    void csrRequestKeepsLatin1AndRefusesWhatDoesNotFitAShortString() throws Exception {
        CsrRequest umlaut = new CsrRequest("Görz", "", "", "", "", "", "", "", "");
        assertThat(umlaut.toBytes().slice(0, 5)).isEqualTo(Bytes.fromHex("04 47f6727a"));
        assertThat(CsrRequest.decode(umlaut.toBytes())).isEqualTo(umlaut);
        assertThatIllegalArgumentException().isThrownBy(() -> new CsrRequest("€", "", "", "", "", "", "", "", ""));
        assertThatIllegalArgumentException().isThrownBy(() -> new CsrRequest("x".repeat(256), "", "", "", "", "", "", "", ""));
        assertThatThrownBy(() -> new CsrRequest(null, "", "", "", "", "", "", "", "")).isInstanceOf(NullPointerException.class);
    }

    @Test
    void csrTrailingTenthStringIsTooMuchData() {
        assertThatThrownBy(() -> CsrRequest.decode(Bytes.fromHex("00".repeat(9) + "01 41")))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(TOO_MUCH_DATA));
    }

    // --- certificate reference and list

    @Test
    void certificateReferenceKeepsUnknownStatusAndAnEmptyPath() throws Exception {
        CertificateReference none = new CertificateReference(CertificateReference.NOT_VERIFIED, EPath.EMPTY);
        assertThat(none.toBytes()).isEqualTo(Bytes.fromHex("0000"));
        assertThat(CertificateReference.decode(Bytes.fromHex("0000"))).isEqualTo(none);
        CertificateReference odd = CertificateReference.decode(Bytes.fromHex("07 02 20372405"));
        assertThat(odd.status()).isEqualTo(7);
        assertThat(odd.path()).isEqualTo(EPath.classInstance(0x37, 5));
        assertThat(odd.toBytes()).isEqualTo(Bytes.fromHex("07 02 20372405"));
        assertThatIllegalArgumentException().isThrownBy(() -> new CertificateReference(256, EPath.EMPTY));
    }

    @Test
    void certificateReferenceStopsAtItsEnd() throws Exception {
        WireReader r = WireReader.of(Bytes.fromHex("02 02 20372401 01 02 20372402").toArray());
        assertThat(CertificateReference.decode(r).status()).isEqualTo(CertificateReference.INVALID);
        assertThat(CertificateReference.decode(r).path()).isEqualTo(EPath.classInstance(0x37, 2));
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void certificateListWithSeveralEntries() throws Exception {
        CertificateList l = CertificateList.of(new CertificateList.Entry("A", EPath.classInstance(0x5F, 1)),
                new CertificateList.Entry("", EPath.classInstance(0x5F, 2)));
        Bytes b = Bytes.fromHex("02 01 41 02 205f2401 00 02 205f2402");
        assertThat(l.toBytes()).isEqualTo(b);
        assertThat(l.encodedLength()).isEqualTo(b.length());
        assertThat(CertificateList.decode(b)).isEqualTo(l);
        assertThatIllegalArgumentException().isThrownBy(() -> new CertificateList.Entry("x".repeat(256), EPath.EMPTY));
    }
}
