package dev.cipsec.adapter;

import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The profile's security section: TLS with the security objects, a vendor identity or a generated default one. */
class SecurityProfileTest {
    @TempDir
    Path dir;

    @Test
    void aVendorCertificateNamedByTheProfileIsTheDefaultIdentity() throws Exception {
        Identity vendor = TestPki.create("vendor").issueServer(KeyType.EC_P256, "vendor-device-0001");
        TestPki.writeIdentity(dir, "vendor", vendor);
        Files.writeString(dir.resolve("profile.json"), """
                { "network": { "bind": "127.0.0.1", "tcpPort": 0, "udpPort": -1, "ioPort": 0 },
                  "security": { "tlsPort": 0, "stateDirectory": "state", "suites": ["C02B", "ECDHE-ECDSA-AES128-SHA256"],
                                "certificate": "vendor.crt", "key": "vendor.key", "sessionTimeoutSeconds": 5 } }
                """);
        DeviceProfile p = DeviceProfile.load(dir.resolve("profile.json"));
        assertThat(p.security().enabled()).isTrue();
        assertThat(p.security().stateDirectory()).contains(dir.resolve("state"));
        assertThat(p.security().sessionTimeout()).isEqualTo(Duration.ofSeconds(5));
        try (CipDevice d = CipDevice.start(p)) {
            assertThat(d.defaultIdentity().certificate()).isEqualTo(vendor.certificate());
            assertThat(d.tlsPolicy().identity()).hasValueSatisfying(i -> assertThat(i.certificate()).isEqualTo(vendor.certificate()));
            assertThat(d.tlsPolicy().suites()).containsExactly(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256);
            assertThat(d.security().files().contents(1)).hasValueSatisfying(pem ->
                    assertThat(new String(pem.toArray())).startsWith("-----BEGIN CERTIFICATE-----"));
        }
        assertThat(dir.resolve("state")).isDirectory();
    }

    @Test
    void withoutAnIdentityTheDeviceCreatesItsDefaultOneAndKeepsIt() throws Exception {
        Files.writeString(dir.resolve("profile.json"), """
                { "network": { "bind": "127.0.0.1", "tcpPort": 0, "udpPort": -1, "ioPort": 0 },
                  "security": { "tlsPort": 0, "stateDirectory": "state" } }
                """);
        DeviceProfile p = DeviceProfile.load(dir.resolve("profile.json"));
        byte[] first;
        try (CipDevice d = CipDevice.start(p)) {
            first = d.defaultIdentity().certificate().getEncoded();
            assertThat(d.defaultIdentity().keyType()).isEqualTo(KeyType.EC_P256);
            assertThat(d.defaultIdentity().certificate().getSubjectX500Principal().getName()).contains("CN=cipsec adapter");
        }
        try (CipDevice d = CipDevice.start(p)) {
            assertThat(d.defaultIdentity().certificate().getEncoded()).isEqualTo(first);
        }
    }

    @Test
    void badSecuritySectionsAreRefusedWithTheirReason() {
        assertThatThrownBy(() -> DeviceProfile.fromJson("{\"security\": {\"tls\": true}}", dir))
                .hasMessageContaining("unknown key \"tls\"");
        assertThatThrownBy(() -> DeviceProfile.fromJson("{\"security\": {\"certificate\": \"a.pem\"}}", dir))
                .hasMessageContaining("go together");
        assertThatThrownBy(() -> DeviceProfile.fromJson("{\"security\": {\"suites\": [\"NOPE\"]}}", dir))
                .hasMessageContaining("security.suites[0]");
        assertThatThrownBy(() -> DeviceProfile.fromJson("{\"security\": {\"suites\": []}}", dir))
                .hasMessageContaining("non-empty");
        assertThatThrownBy(() -> DeviceProfile.fromJson("{\"security\": {\"certificate\": \"a.pem\", \"key\": \"a.key\"}}", dir))
                .hasMessageContaining("cannot read the vendor identity");
        assertThatThrownBy(() -> DeviceProfile.fromJson("{\"security\": {\"pkcs12\": \"a.p12\"}}", dir))
                .hasMessageContaining("pkcs12PasswordFile");
        assertThatThrownBy(() -> DeviceProfile.fromJson("{\"security\": {\"sessionTimeoutSeconds\": 0}}", dir))
                .hasMessageContaining("1..3600");
        assertThatThrownBy(() -> DeviceProfile.fromJson("{\"security\": {\"plainTcp\": \"no\"}}", dir))
                .hasMessageContaining("true or false");
    }
}
