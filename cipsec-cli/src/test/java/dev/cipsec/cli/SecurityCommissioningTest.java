package dev.cipsec.cli;

import dev.cipsec.transport.tls.OpenSslCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.cipsec.cli.MainTest.asMap;
import static dev.cipsec.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commissioning the issue asks for, end to end through the command line: a device with TLS and a
 * state directory; pin its default certificate on first use; set a PSK and the allowed suites; have it
 * issue a CSR, sign it with a test CA, install and verify the certificate, make it the active one; then
 * prove with {@code openssl s_client} what the device now accepts and presents, and that a restart
 * keeps it all.
 */
class SecurityCommissioningTest {
    static final String PSK_HEX = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    static final Pattern FINGERPRINT = Pattern.compile("default certificate .* sha256 ([0-9A-F:]{95})");

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void commissionADeviceAndProveItWithOpenssl() throws Exception {
        Path state = dir.resolve("state");
        OpenSslCommand openssl = OpenSslCommand.in(dir);
        String[] deviceArgs = {"device", "--port", "0", "--udp-port", "-1", "--tls", "--tls-port", "0", "--dtls-port", "0", "--state", state.toString()};
        String fingerprint;
        try (DeviceTlsCommandTest.RunningDevice d = new DeviceTlsCommandTest.RunningDevice(deviceArgs)) {
            Matcher m = FINGERPRINT.matcher(d.out.toString());
            assertThat(m.find()).as(d.out.toString()).isTrue();
            fingerprint = m.group(1);
            String tls = d.target("tls");
            String plain = d.target("tcp");

            // Trust on first use: the pin is what tls-info sees; another pin is refused (exit 4).
            MainTest.Run info = run("tls-info", tls, "--pin-sha256", fingerprint.replace(":", "").toLowerCase(), "--json");
            assertThat(info.exit()).as(info.err()).isZero();
            assertThat(info.out()).contains(fingerprint);
            MainTest.Run wrongPin = run("tls-info", tls, "--pin-sha256", "00".repeat(32));
            assertThat(wrongPin.exit()).as(wrongPin.err()).isEqualTo(Main.TLS);
            assertThat(wrongPin.err()).contains("is not the pinned");

            MainTest.Run set = security(tls, "--tls", "--pin-sha256", fingerprint, "set", "--suites", "0xC02B,0xC037",
                    "--psk", "line-3:" + PSK_HEX + ":server", "--json");
            assertThat(set.exit()).as(set.err()).isZero();
            assertThat(set.json()).containsEntry("applied", true);

            // Configured: a plain TCP session is refused, naming the service.
            MainTest.Run plainBegin = run("security", plain, "begin");
            assertThat(plainBegin.exit()).isEqualTo(Main.REFUSED);
            assertThat(plainBegin.err()).contains("0x0F privilege violation").contains("0x5D Begin_Config");

            Path csr = dir.resolve("plc.csr");
            MainTest.Run csrRun = security(tls, "--tls", "--pin-sha256", fingerprint, "csr", "--instance", "plc-7", "--cn", "plc-7.example",
                    "--o", "Example", "--c", "FR", "--san", "DNS:plc-7.example", "--out", csr.toString(), "--json");
            assertThat(csrRun.exit()).as(csrRun.err()).isZero();
            long instance = ((Number) csrRun.json().get("instance")).longValue();
            assertThat(instance).isEqualTo(2);
            assertThat(openssl.ok("req", "-in", "plc.csr", "-verify", "-noout", "-subject")).contains("plc-7.example");

            openssl.ok("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                    "-out", "ca.pem", "-days", "30", "-subj", "/CN=cipsec commissioning CA");
            Files.writeString(dir.resolve("leaf.ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                    + "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:plc-7.example,IP:127.0.0.1\n");
            openssl.ok("x509", "-req", "-in", "plc.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30",
                    "-sha256", "-extfile", "leaf.ext", "-out", "plc.pem");

            MainTest.Run install = security(tls, "--tls", "--pin-sha256", fingerprint, "install-cert", "--instance", "plc-7",
                    "--cert", dir.resolve("plc.pem").toString(), "--ca", dir.resolve("ca.pem").toString(), "--json");
            assertThat(install.exit()).as(install.err()).isZero();
            assertThat(install.json()).containsEntry("state", "verified");

            MainTest.Run active = security(tls, "--tls", "--pin-sha256", fingerprint, "set", "--active-cert", Long.toString(instance));
            assertThat(active.exit()).as(active.err()).isZero();

            // The old suite is gone, the CA-signed certificate is presented, the PSK works.
            String port = tls.substring(tls.lastIndexOf(':') + 1);
            String connect = "127.0.0.1:" + port;
            OpenSslCommand.Result oldSuite = openssl.run("s_client", "-connect", connect, "-tls1_2",
                    "-cipher", "ECDHE-ECDSA-AES128-SHA256", "-CAfile", "ca.pem");
            assertThat(oldSuite.exit()).as(oldSuite.output()).isNotZero();
            assertThat(oldSuite.output()).contains("handshake failure");
            String verified = openssl.ok("s_client", "-connect", connect, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256",
                    "-CAfile", "ca.pem", "-verify_return_error");
            assertThat(verified).containsPattern("subject=.*CN = plc-7.example").contains("Verify return code: 0 (ok)")
                    .contains("ECDHE-ECDSA-AES128-GCM-SHA256");
            String psk = openssl.ok("s_client", "-connect", connect, "-tls1_2", "-cipher", "ECDHE-PSK-AES128-CBC-SHA256",
                    "-psk_identity", "line-3", "-psk", PSK_HEX);
            assertThat(psk).contains("ECDHE-PSK-AES128-CBC-SHA256").doesNotContain("alert");
            // The pinned default certificate is no longer what the device presents.
            assertThat(security(tls, "--tls", "--pin-sha256", fingerprint, "show").exit()).isEqualTo(Main.TLS);
        }

        // A restart with the same state directory keeps the policy, the certificate and the configured state.
        try (DeviceTlsCommandTest.RunningDevice d = new DeviceTlsCommandTest.RunningDevice(deviceArgs)) {
            Matcher m = FINGERPRINT.matcher(d.out.toString());
            assertThat(m.find()).isTrue();
            assertThat(m.group(1)).as("the default identity is kept too").isEqualTo(fingerprint);
            String tls = d.target("tls");
            MainTest.Run show = security(tls, "--tls", "--trust", dir.resolve("ca.pem").toString(), "show", "--json");
            assertThat(show.exit()).as(show.err()).isZero();
            Map<String, Object> eip = asMap(show.json().get("eipSecurity"));
            assertThat((List<Object>) eip.get("allowedSuites")).containsExactly(
                    "0xC02B TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "0xC037 TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256");
            assertThat((List<Object>) eip.get("activeCertificates")).containsExactly("0x5F/2");
            assertThat(eip.get("psks").toString()).contains("line-3").contains("server");
            assertThat(asMap(show.json().get("cipSecurity"))).containsEntry("state", 2L);
            MainTest.Run plainBegin = run("security", d.target("tcp"), "begin");
            assertThat(plainBegin.exit()).isEqualTo(Main.REFUSED);
            String psk = openssl.ok("s_client", "-connect", tls, "-tls1_2", "-cipher", "ECDHE-PSK-AES128-CBC-SHA256",
                    "-psk_identity", "line-3", "-psk", PSK_HEX);
            assertThat(psk).contains("ECDHE-PSK-AES128-CBC-SHA256");
        }
    }

    static MainTest.Run security(String target, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "security";
        all[1] = target;
        System.arraycopy(args, 0, all, 2, args.length);
        return run(all);
    }
}
