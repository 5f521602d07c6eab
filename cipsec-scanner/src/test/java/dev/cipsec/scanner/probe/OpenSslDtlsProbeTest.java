package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.probe.ProbeReport.Preference;
import dev.cipsec.scanner.probe.ProbeReport.SuiteResult;
import dev.cipsec.scanner.probe.ProbeReport.TransportReport;
import dev.cipsec.scanner.probe.ProbeReport.VersionResult;
import dev.cipsec.transport.tls.OpenSslProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import static dev.cipsec.scanner.probe.OpenSslTlsProbeTest.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

/** The probe against {@code openssl s_server -dtls1_2}: PSK and certificates, with the cookie exchange. */
class OpenSslDtlsProbeTest {
    /** Its own: the TLS test's directory exists only while that class runs. */
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path dir;

    static TransportReport probe(OpenSslProcess.Server server) {
        // s_server prints a TCP-style ACCEPT line with the UDP port it bound.
        return DtlsProbe.run(new InetSocketAddress("127.0.0.1", server.address().getPort()), TIMEOUT,
                ProbeOptions.DEFAULT_MAX_ATTEMPTS);
    }

    @Test
    void pskSuitesWithoutTheKey() throws IOException {
        try (OpenSslProcess.Server server = OpenSslProcess.server("-dtls1_2", "-serverpref", "-nocert", "-psk_identity", "plant-7",
                "-psk", OpenSslTlsProbeTest.PSK_HEX, "-cipher", "ECDHE-PSK-AES128-CBC-SHA256:ECDHE-PSK-NULL-SHA256:@SECLEVEL=0")) {
            TransportReport t = probe(server);
            assertThat(t.reachable()).isTrue();
            VersionResult v = t.version("DTLSv1.2").orElseThrow();
            assertThat(v.suites()).extracting(SuiteResult::name).containsExactly("TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
                    "TLS_ECDHE_PSK_WITH_NULL_SHA256");
            assertThat(v.preference()).isEqualTo(Preference.SERVER);
            assertThat(t.version("DTLSv1.0").orElseThrow().accepted()).isFalse();
        }
    }

    @Test
    void certificateSuitesWithTheChainAndTheClientCertificateRequest() throws IOException {
        OpenSslTlsProbeTest.writeIdentities(dir);
        try (OpenSslProcess.Server server = OpenSslProcess.server("-dtls1_2", "-cert", dir.resolve("ec.crt").toString(), "-key",
                dir.resolve("ec.key").toString(), "-verify", "1", "-CAfile", dir.resolve("root.pem").toString(),
                "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:@SECLEVEL=0")) {
            TransportReport t = probe(server);
            VersionResult v = t.version("DTLSv1.2").orElseThrow();
            assertThat(v.suites()).extracting(SuiteResult::name).containsExactlyInAnyOrder(
                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256");
            assertThat(t.certificates()).hasSize(1);
            assertThat(t.certificates().getFirst().chain().getFirst().subject()).isEqualTo("CN=probe-ec");
            assertThat(t.certificates().getFirst().clientAuth().orElseThrow().requested()).isTrue();
        }
    }

    /** Nothing answers: one timeout per DTLS version, then "unreachable". */
    @Test
    void aBlackHoleFinishesWithinOneTimeoutPerVersion() throws IOException {
        try (java.net.DatagramSocket hole = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Duration timeout = Duration.ofMillis(700);
            long t0 = System.nanoTime();
            TransportReport t = DtlsProbe.run((InetSocketAddress) hole.getLocalSocketAddress(), timeout, 50);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(t.reachable()).isFalse();
            assertThat(t.accepted()).isEmpty();
            assertThat(t.versions()).allSatisfy(v -> assertThat(v.refusal()).isEqualTo("timeout"));
            assertThat(took).isLessThan(timeout.multipliedBy(DtlsProbe.VERSIONS.length).plusMillis(1500));
        }
    }
}
