package dev.cipsec.adapter;

import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EstSettingsTest {
    static final Identity CA = TestPki.selfSigned(KeyType.EC_P256, "plant CA");

    @TempDir
    Path dir;

    @Test
    void defaultsAndWhatBouncyCastleIsGiven() {
        EstSettings s = EstSettings.of(URI.create("https://est.plant:8443/.well-known/est"), List.of(CA.certificate()));
        assertThat(s.reenrolMargin()).isEqualTo(Duration.ofDays(30));
        assertThat(s.retryInitial()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.retryMax()).isEqualTo(Duration.ofMinutes(10));
        assertThat(EstSettings.authority(s.server())).isEqualTo("est.plant:8443");
        assertThat(EstSettings.label(s.server())).isEmpty();
        EstSettings labelled = EstSettings.of(URI.create("https://[::1]/.well-known/est/line1/"), List.of(CA.certificate()));
        assertThat(EstSettings.authority(labelled.server())).isEqualTo("[::1]:443");
        assertThat(EstSettings.label(labelled.server())).isEqualTo("line1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://est.plant/.well-known/est", "https://est.plant/est", "https://est.plant/.well-known/est/a/b",
            "https:///.well-known/est"})
    void refusesWhatIsNotAnEstServer(String uri) {
        assertThatThrownBy(() -> EstSettings.of(URI.create(uri), List.of(CA.certificate())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void needsATrustAnchorAndSaneTimings() {
        URI u = URI.create("https://est.plant/.well-known/est");
        assertThatThrownBy(() -> EstSettings.of(u, List.of())).hasMessageContaining("explicit trust anchor");
        EstSettings s = EstSettings.of(u, List.of(CA.certificate()));
        assertThatThrownBy(() -> s.withRetry(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.withRetry(Duration.ofSeconds(10), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.withReenrolMargin(Duration.ofDays(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.withRevocationCheck(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.revocationCheck()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void pullModelNeedsTls() {
        EstSettings s = EstSettings.of(URI.create("https://est.plant/.well-known/est"), List.of(CA.certificate()));
        assertThatThrownBy(() -> SecuritySettings.none().withEst(s)).hasMessageContaining("needs TLS");
    }

    @Test
    void profileJsonEstSection() throws Exception {
        Files.write(dir.resolve("plant-ca.pem"), CredentialFiles.pem(List.of(CA.certificate())).toArray());
        DeviceProfile p = DeviceProfile.fromJson("""
                { "security": { "est": { "url": "https://est.plant:8443/.well-known/est", "trust": "plant-ca.pem",
                                         "reenrolMarginDays": 10, "retryInitialSeconds": 2, "retryMaxSeconds": 60,
                                         "revocationCheckMinutes": 5 } } }
                """, dir);
        EstSettings est = p.security().est().orElseThrow();
        assertThat(est).isEqualTo(new EstSettings(URI.create("https://est.plant:8443/.well-known/est"), List.of(CA.certificate()),
                Duration.ofDays(10), Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofMinutes(5)));
        assertThatThrownBy(() -> DeviceProfile.fromJson("""
                { "security": { "est": { "url": "https://est.plant/.well-known/est" } } }
                """, dir)).hasMessageContaining("trust");
        assertThatThrownBy(() -> DeviceProfile.fromJson("""
                { "security": { "est": { "url": "https://est.plant/.well-known/est", "trust": "plant-ca.pem", "user": "x" } } }
                """, dir)).hasMessageContaining("user");
    }
}
