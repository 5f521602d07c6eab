package dev.cipsec.commission.ca;

import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaIndexTest {
    /** Lines as openssl ca 3.0 writes them (V, R with reason, R without, E, GeneralizedTime past 2049). */
    private static final String OPENSSL_INDEX = """
            V\t270101120000Z\t\t01\tunknown\t/C=DE/O=ACME/CN=plc1
            R\t270101120000Z\t261126101500Z,keyCompromise\t0A1B\tunknown\t/CN=plc2
            R\t270101120000Z\t261126101500Z\t0C\tunknown\t/CN=plc3
            E\t990101000000Z\t\t0D\tunknown\t/CN=old
            V\t20510101000000Z\t\t0E\tunknown\t/CN=long-lived
            """;

    @Test
    void readsWhatOpensslWritesAndWritesItBackByteForByte() throws IOException {
        List<CaIndex.Entry> entries = CaIndex.parse(OPENSSL_INDEX.getBytes(StandardCharsets.UTF_8));
        assertThat(entries).extracting(CaIndex.Entry::status).containsExactly(IssuedCertificate.Status.VALID,
                IssuedCertificate.Status.REVOKED, IssuedCertificate.Status.REVOKED, IssuedCertificate.Status.EXPIRED,
                IssuedCertificate.Status.VALID);
        assertThat(entries.get(0).expiry()).isEqualTo(Instant.parse("2027-01-01T12:00:00Z"));
        assertThat(entries.get(1).revoked()).isEqualTo(Instant.parse("2026-11-26T10:15:00Z"));
        assertThat(entries.get(1).reason()).isEqualTo(1);
        assertThat(entries.get(1).serial()).isEqualTo(BigInteger.valueOf(0x0A1B));
        assertThat(entries.get(2).reason()).isZero();
        assertThat(entries.get(3).expiry()).isEqualTo(Instant.parse("1999-01-01T00:00:00Z"));
        assertThat(entries.get(4).expiry()).isEqualTo(Instant.parse("2051-01-01T00:00:00Z"));
        // Reason 0 is written by name (openssl writes what -crl_reason named; a bare time reads back the same).
        String expected = OPENSSL_INDEX.replace("261126101500Z\t0C", "261126101500Z,unspecified\t0C");
        assertThat(new String(CaIndex.format(entries), StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void malformedLinesNameTheirLineNumber() {
        for (String bad : List.of("V\t270101120000Z\t\t01\tunknown", "X\t270101120000Z\t\t01\tunknown\t/CN=a",
                "V\t2701011200Z\t\t01\tunknown\t/CN=a", "R\t270101120000Z\t261126101500Z,noSuchReason\t01\tunknown\t/CN=a",
                "V\t270101120000Z\t261126101500Z\t01\tunknown\t/CN=a", "V\t270101120000Z\t\tXYZ\tunknown\t/CN=a")) {
            assertThatThrownBy(() -> CaIndex.parse(("V\t270101120000Z\t\t01\tunknown\t/CN=ok\n" + bad + "\n").getBytes()))
                    .as(bad).isInstanceOf(IOException.class).hasMessageStartingWith("index.txt line 2:");
        }
    }

    @Test
    void timesSwitchToGeneralizedTimeIn2050AndSerialsAreEvenLengthUpperCaseHex() {
        assertThat(CaIndex.time(Instant.parse("2049-12-31T23:59:59Z"))).isEqualTo("491231235959Z");
        assertThat(CaIndex.time(Instant.parse("2050-01-01T00:00:00Z"))).isEqualTo("20500101000000Z");
        assertThat(CaIndex.hex(BigInteger.valueOf(0xABC))).isEqualTo("0ABC");
        assertThat(CaIndex.hex(BigInteger.valueOf(0x1F))).isEqualTo("1F");
    }

    @Test
    void subjectsAreWrittenAsOpensslOneline() {
        assertThat(CaIndex.oneLine(new X500Name("C=DE,O=ACME\\, Inc.,CN=plc 1"))).isEqualTo("/C=DE/O=ACME, Inc./CN=plc 1");
        assertThat(CaIndex.oneLine(PlantCa.x500Name(new dev.cipsec.transport.tls.cert.CsrSubject("plc", "O", "", "", "", "de",
                "ops@plant.example", "SN1", List.of())))).isEqualTo("/C=DE/O=O/CN=plc/serialNumber=SN1/emailAddress=ops@plant.example");
    }

    @Test
    void reasonNamesAreOpensslsAndOthersAreUnknown() {
        assertThat(CaIndex.reasonCode("keyCompromise")).isEqualTo(1);
        assertThat(CaIndex.reasonCode("CACompromise")).isEqualTo(2);
        assertThat(CaIndex.reasonCode("cessationofoperation")).isEqualTo(5);
        assertThat(CaIndex.reasonCode("privilegeWithdrawn")).isEqualTo(-1);
        assertThat(CaIndex.knownReason(6)).isFalse();
    }
}
