package dev.cipsec.transport.tls.cert;

import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsrSubjectTest {

    private static CsrSubject withSans(String... sans) {
        return new CsrSubject("cn", "", "", "", "", "", "", "", List.of(sans));
    }

    @Test
    void prefixedNamesMapToTheirGeneralNameTypes() {
        assertThat(withSans("DNS:plc.example", "dns:*.plant.example", "IP:192.168.1.10", "ip:fe80::1", "URI:https://x.example/a",
                "email:ot@x.example").generalNames()).containsExactly(
                new GeneralName(GeneralName.dNSName, "plc.example"),
                new GeneralName(GeneralName.dNSName, "*.plant.example"),
                new GeneralName(GeneralName.iPAddress, "192.168.1.10"),
                new GeneralName(GeneralName.iPAddress, "fe80::1"),
                new GeneralName(GeneralName.uniformResourceIdentifier, "https://x.example/a"),
                new GeneralName(GeneralName.rfc822Name, "ot@x.example"));
    }

    @Test
    void bareValuesAreAddressesOrHostNames() {
        assertThat(withSans("10.0.0.5", "::1", "2001:db8::5", "plc-1", "plc-1.plant.example").generalNames()).containsExactly(
                new GeneralName(GeneralName.iPAddress, "10.0.0.5"),
                new GeneralName(GeneralName.iPAddress, "::1"),
                new GeneralName(GeneralName.iPAddress, "2001:db8::5"),
                new GeneralName(GeneralName.dNSName, "plc-1"),
                new GeneralName(GeneralName.dNSName, "plc-1.plant.example"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.256", "-plc", "plc_1", "a..b", "DNS:", "DNS:bad name", "DNS:*.", "IP:10.0.0",
            "IP:plc", "IP:10.0.0.0/8", "URI:relative/path", "URI:", "email:no-at", "email:a@b c", "x400:foo",
            "ot@x.example", "plc.ex\u00e4mple"})
    void malformedNamesAreRefused(String san) {
        assertThatThrownBy(() -> withSans(san)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLabelOf63AndANameOf253AreTheLimits() {
        String label = "a".repeat(63);
        assertThat(withSans(label + ".example").generalNames()).hasSize(1);
        assertThatThrownBy(() -> withSans("a".repeat(64) + ".example")).isInstanceOf(IllegalArgumentException.class);
        String name253 = String.join(".", Collections.nCopies(4, "a".repeat(62))) + ".a";
        assertThat(name253).hasSize(253);
        assertThat(withSans(name253).generalNames()).hasSize(1);
        assertThatThrownBy(() -> withSans(name253 + "c")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countryIsTwoLettersOrEmpty() {
        assertThat(CsrSubject.validCountry("")).isTrue();
        assertThat(CsrSubject.validCountry("DE")).isTrue();
        assertThat(CsrSubject.validCountry("de")).isTrue();
        assertThat(CsrSubject.validCountry("DEU")).isFalse();
        assertThat(CsrSubject.validCountry("D1")).isFalse();
        assertThat(CsrSubject.validCountry("D")).isFalse();
        assertThatThrownBy(() -> new CsrSubject("cn", "", "", "", "", "DEU", "", "", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("country");
        assertThatThrownBy(() -> new CsrSubject("cn", "", "", "", "", "1A", "", "", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two letters");
    }

    @Test
    void fieldsAreBoundedAndFreeOfControlCharacters() {
        assertThat(new CsrSubject("c".repeat(64), "o".repeat(64), "u".repeat(64), "l".repeat(128), "s".repeat(128), "",
                "e@" + "x".repeat(253), "S".repeat(64), List.of())).isNotNull();
        assertThatThrownBy(() -> new CsrSubject("c".repeat(65), "", "", "", "", "", "", "", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("common name longer than 64");
        assertThatThrownBy(() -> new CsrSubject("", "", "", "l".repeat(129), "", "", "", "", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("locality");
        assertThatThrownBy(() -> new CsrSubject("a\nb", "", "", "", "", "", "", "", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control characters");
        assertThatThrownBy(() -> new CsrSubject("", "", "", "", "", "", "not an address", "", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("e-mail");
        assertThatThrownBy(() -> new CsrSubject("", "", "", "", "", "", "", "SN#1", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PrintableString");
        assertThatThrownBy(() -> new CsrSubject(null, "", "", "", "", "", "", "", List.of()))
                .isInstanceOf(NullPointerException.class);
        // Unicode is fine where the encoding is UTF8String.
        assertThat(new CsrSubject("Förderband 3", "Société", "", "Zürich", "", "CH", "", "", List.of()).commonName())
                .isEqualTo("Förderband 3");
    }

    @Test
    void atMostThirtyTwoNames() {
        String[] names = new String[CsrSubject.MAX_SUBJECT_ALT_NAMES + 1];
        for (int i = 0; i < names.length; i++) {
            names[i] = "h" + i;
        }
        assertThatThrownBy(() -> withSans(names)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 32");
        assertThat(withSans(java.util.Arrays.copyOf(names, 32)).subjectAltNames()).hasSize(32);
    }

    @Test
    void theRequestsSingleStringSplitsOnCommas() {
        assertThat(CsrSubject.splitSubjectAltNames("")).isEmpty();
        assertThat(CsrSubject.splitSubjectAltNames(" , ")).isEmpty();
        assertThat(CsrSubject.splitSubjectAltNames("DNS:plc.example, IP:10.0.0.5,fd00::5"))
                .containsExactly("DNS:plc.example", "IP:10.0.0.5", "fd00::5");
    }
}
