package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.TestPki;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubjectAltNamesTest {
    static final TestPki PKI = TestPki.create("san");

    static X509Certificate leaf(GeneralName... names) {
        return PKI.issue(TestPki.LeafSpec.of(KeyType.EC_P256, "device").subjectAltNames(names)).certificate();
    }

    @Test
    void addressesMatchIpEntriesOnly() {
        X509Certificate c = leaf(new GeneralName(GeneralName.iPAddress, "10.1.2.3"),
                new GeneralName(GeneralName.dNSName, "10.1.2.4"), new GeneralName(GeneralName.iPAddress, "fe80::1"));
        assertThat(SubjectAltNames.matches(c, "10.1.2.3")).isTrue();
        assertThat(SubjectAltNames.matches(c, "10.1.2.4")).as("a dNSName spelling an address is no address").isFalse();
        assertThat(SubjectAltNames.matches(c, "fe80:0:0:0:0:0:0:1")).isTrue();
        assertThat(SubjectAltNames.matches(c, "[fe80::1]")).isTrue();
        assertThat(SubjectAltNames.matches(c, "10.1.2.30")).isFalse();
    }

    @Test
    void namesMatchDnsEntriesIgnoringCaseWithOneLabelWildcards() {
        X509Certificate c = leaf(new GeneralName(GeneralName.dNSName, "Drive-7.plant.example"),
                new GeneralName(GeneralName.dNSName, "*.cell3.plant.example"), new GeneralName(GeneralName.dNSName, "*.com"));
        assertThat(SubjectAltNames.matches(c, "drive-7.PLANT.example")).isTrue();
        assertThat(SubjectAltNames.matches(c, "io1.cell3.plant.example")).isTrue();
        assertThat(SubjectAltNames.matches(c, "a.io1.cell3.plant.example")).as("one label only").isFalse();
        assertThat(SubjectAltNames.matches(c, "cell3.plant.example")).isFalse();
        assertThat(SubjectAltNames.matches(c, "anything.com")).as("no wildcard over a whole registered name").isFalse();
    }

    @Test
    void theCommonNameIsNeverUsed() {
        X509Certificate noSan = leaf();
        assertThat(SubjectAltNames.matches(noSan, "device")).isFalse();
        assertThatThrownBy(() -> SubjectAltNames.check(noSan, "device"))
                .isInstanceOfSatisfying(CertificateRejectedException.class,
                        e -> assertThat(e.check()).isEqualTo(CertificateRejectedException.Check.SUBJECT_ALT_NAME))
                .hasMessageContaining("sha256=");
    }
}
