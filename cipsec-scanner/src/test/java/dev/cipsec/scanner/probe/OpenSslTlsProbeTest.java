package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.probe.Finding.Code;
import dev.cipsec.scanner.probe.ProbeReport.CertificateReport;
import dev.cipsec.scanner.probe.ProbeReport.Preference;
import dev.cipsec.scanner.probe.ProbeReport.SuiteResult;
import dev.cipsec.scanner.probe.ProbeReport.TransportReport;
import dev.cipsec.scanner.probe.ProbeReport.VersionResult;
import dev.cipsec.transport.tls.OpenSslProcess;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probe against {@code openssl s_server} configured with known suites and versions: it must
 * report exactly those, in the order the server prefers, with the chain and the client certificate
 * request as OpenSSL sends them.
 */
class OpenSslTlsProbeTest {
    static final TestPki PKI = TestPki.create("probe");
    static final String PSK_HEX = "00112233445566778899aabbccddeeff";
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    static Path dir;
    static Identity ec;
    static Identity rsa;

    @BeforeAll
    static void identities() {
        writeIdentities(dir);
    }

    /** The identities and the PKI as PEM files in {@code dir}, for OpenSSL. */
    static void writeIdentities(Path dir) {
        ec = PKI.issueServer(KeyType.EC_P256, "probe-ec");
        rsa = PKI.issueServer(KeyType.RSA, "probe-rsa");
        TestPki.writeIdentity(dir, "ec", ec);
        TestPki.writeIdentity(dir, "rsa", rsa);
        PKI.writeTo(dir);
        // s_server sends -cert_chain as it is: the intermediates only.
        TestPki.writeCertificate(dir.resolve("ec-intermediates.pem"), PKI.intermediate());
    }

    static TransportReport probe(OpenSslProcess.Server server) {
        return TlsProbe.run(server.address(), TIMEOUT, ProbeOptions.DEFAULT_MAX_ATTEMPTS);
    }

    static List<String> names(VersionResult v) {
        return v.suites().stream().map(SuiteResult::name).toList();
    }

    static List<String> accepted(TransportReport t) {
        return t.accepted().stream().map(VersionResult::version).toList();
    }

    @Test
    void anEcServerWithANullSuiteInItsOwnOrder() throws IOException {
        try (OpenSslProcess.Server server = OpenSslProcess.server("-tls1_2", "-serverpref", "-cert", dir.resolve("ec.crt").toString(),
                "-key", dir.resolve("ec.key").toString(), "-cert_chain", dir.resolve("ec-intermediates.pem").toString(), "-cipher",
                "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0")) {
            TransportReport t = probe(server);
            assertThat(t.reachable()).isTrue();
            assertThat(accepted(t)).containsExactly("TLSv1.2");
            VersionResult v12 = t.version("TLSv1.2").orElseThrow();
            assertThat(names(v12)).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_NULL_SHA");
            assertThat(v12.preference()).isEqualTo(Preference.SERVER);
            assertThat(t.version("SSLv3").orElseThrow().refusal()).isNotEmpty();
            assertThat(v12.extensions().orElseThrow().extendedMasterSecret()).isTrue();
            assertThat(v12.extensions().orElseThrow().secureRenegotiation()).isTrue();

            assertThat(t.certificates()).hasSize(1);
            CertificateReport c = t.certificates().getFirst();
            assertThat(c.chain()).extracting(ProbeReport.CertificateInfo::subject).containsExactly("CN=probe-ec",
                    "CN=probe intermediate");
            assertThat(c.chain().getFirst().subject()).isEqualTo(ec.certificate().getSubjectX500Principal().getName());
            assertThat(c.chain().getFirst().sha256().replace(":", ""))
                    .isEqualToIgnoringCase(CredentialFiles.sha256Fingerprint(ec.certificate()).replace(":", ""));
            assertThat(c.chain().getFirst().keyType()).isEqualTo("EC P-256");
            assertThat(c.clientAuth().orElseThrow().requested()).isFalse();

            List<Code> codes = Findings.of(List.of(t), java.util.Optional.empty(), Instant.now()).stream()
                    .map(Finding::code).toList();
            assertThat(codes).containsExactlyInAnyOrder(Code.NULL_SUITES, Code.CLIENT_CERTIFICATE_NOT_REQUESTED);
        }
    }

    @Test
    void tls13NextToTls12InTheClientsOrder() throws IOException {
        try (OpenSslProcess.Server server = OpenSslProcess.server("-cert", dir.resolve("ec.crt").toString(),
                "-key", dir.resolve("ec.key").toString(), "-cipher",
                "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384", "-ciphersuites",
                "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256")) {
            TransportReport t = probe(server);
            assertThat(accepted(t)).containsExactly("TLSv1.2", "TLSv1.3");
            assertThat(names(t.version("TLSv1.2").orElseThrow())).containsExactlyInAnyOrder(
                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
            assertThat(t.version("TLSv1.2").orElseThrow().preference()).isEqualTo(Preference.CLIENT);
            assertThat(names(t.version("TLSv1.3").orElseThrow())).containsExactlyInAnyOrder(
                    "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
            assertThat(t.version("TLSv1.0").orElseThrow().accepted()).isFalse();
            assertThat(t.certificates()).extracting(CertificateReport::version).containsExactly("TLSv1.2", "TLSv1.3");
        }
    }

    @Test
    void aPskOnlyServerIsDetectedWithoutItsKey() throws IOException {
        try (OpenSslProcess.Server server = OpenSslProcess.server("-tls1_2", "-serverpref", "-nocert", "-psk_identity", "plant-7",
                "-psk", PSK_HEX, "-cipher", "ECDHE-PSK-CHACHA20-POLY1305:ECDHE-PSK-AES128-CBC-SHA256:ECDHE-PSK-NULL-SHA256:@SECLEVEL=0")) {
            TransportReport t = probe(server);
            assertThat(accepted(t)).containsExactly("TLSv1.2");
            assertThat(names(t.version("TLSv1.2").orElseThrow())).containsExactly(
                    "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
                    "TLS_ECDHE_PSK_WITH_NULL_SHA256");
            assertThat(t.certificates()).isEmpty();
            assertThat(t.version("TLSv1.2").orElseThrow().extensions().orElseThrow().encryptThenMac()).isTrue();
        }
    }

    @Test
    void anRsaServerThatAsksForAClientCertificateNamingItsCa() throws IOException {
        try (OpenSslProcess.Server server = OpenSslProcess.server("-tls1_2", "-serverpref", "-cert", dir.resolve("rsa.crt").toString(),
                "-key", dir.resolve("rsa.key").toString(), "-Verify", "1", "-CAfile", dir.resolve("root.pem").toString(),
                "-cipher", "AES256-SHA256:AES128-SHA256:NULL-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0")) {
            TransportReport t = probe(server);
            assertThat(accepted(t)).containsExactly("TLSv1.2");
            assertThat(names(t.version("TLSv1.2").orElseThrow())).containsExactly("TLS_RSA_WITH_AES_256_CBC_SHA256",
                    "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_NULL_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
            assertThat(t.certificates()).hasSize(1);
            CertificateReport c = t.certificates().getFirst();
            assertThat(c.chain().getFirst().keyType()).isEqualTo("RSA");
            assertThat(c.clientAuth().orElseThrow().requested()).isTrue();
            assertThat(c.clientAuth().orElseThrow().certificateAuthorities())
                    .containsExactly(org.bouncycastle.asn1.x500.X500Name.getInstance(
                            PKI.root().getSubjectX500Principal().getEncoded()).toString());
            List<Code> codes = Findings.of(List.of(t), java.util.Optional.empty(), Instant.now()).stream()
                    .map(Finding::code).toList();
            assertThat(codes).contains(Code.RSA_KEY_EXCHANGE, Code.NULL_SUITES).doesNotContain(
                    Code.CLIENT_CERTIFICATE_NOT_REQUESTED);
        }
    }
}
