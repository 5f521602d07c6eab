package dev.cipsec.cli;

import dev.cipsec.adapter.config.Json;
import dev.cipsec.transport.tls.OpenSslCommand;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.DeviceCredentials;
import dev.cipsec.transport.tls.cert.Identity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CaCommandTest {
    private static final String PASSWORD = "s3cret-plant-ca-password";

    @TempDir
    Path tmp;

    Path ca;
    Path pass;

    record Run(int exit, String out, String err) {
    }

    static Run cipsec(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeEach
    void init() throws Exception {
        ca = tmp.resolve("ca");
        pass = tmp.resolve("ca.pass");
        Files.writeString(pass, PASSWORD + "\n");
        Run r = cipsec("ca", "init", "--dir", ca.toString(), "--cn", "Plant CA", "--o", "ACME", "--c", "DE",
                "--algorithm", "ec-p384", "--validity-days", "1000", "--password-file", pass.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("CA created in " + ca).contains("CN=Plant CA,O=ACME,C=DE").contains("ec-p384")
                .doesNotContain(PASSWORD);
    }

    private Path deviceCsr(String name) throws Exception {
        Identity device = DeviceCredentials.generateDefault("factory-" + name, "", new SecureRandom());
        Path csr = tmp.resolve(name + ".csr");
        Files.write(csr, DeviceCredentials.createCsrPem(device, new CsrSubject(name, "Vendor", "", "", "", "",
                "", "", List.of("DNS:" + name + ".factory"))));
        return csr;
    }

    @Test
    void initIssueRevokeCrlListWorkTogetherAndOpensslAgrees() throws Exception {
        Run issued = cipsec("ca", "issue", "--dir", ca.toString(), "--csr", deviceCsr("plc1").toString(), "--cn", "plc1.line1",
                "--san", "IP:192.168.1.10, DNS:plc1.plant", "--days", "90", "--out", tmp.resolve("plc1.pem").toString(),
                "--password-file", pass.toString(), "--json");
        assertThat(issued.exit()).as(issued.err()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(issued.out());
        String serial = (String) json.get("serial");
        assertThat(json.get("subject")).isEqualTo("CN=plc1.line1,O=Vendor");
        assertThat(json.get("subjectAltNames")).isEqualTo(List.of("IP:192.168.1.10", "DNS:plc1.plant"));
        X509Certificate cert = CredentialFiles.readCertificates(tmp.resolve("plc1.pem")).getFirst();
        assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays()).isEqualTo(90);

        // Without subject options the CSR's subject and names are used.
        Run second = cipsec("ca", "issue", "--dir", ca.toString(), "--csr", deviceCsr("plc2").toString(),
                "--out", tmp.resolve("plc2.pem").toString(), "--password-file", pass.toString());
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).contains("CN=plc2,O=Vendor").contains("[DNS:plc2.factory]");

        Run revoke = cipsec("ca", "revoke", "--dir", ca.toString(), "--serial", serial, "--reason", "keyCompromise",
                "--password-file", pass.toString());
        assertThat(revoke.exit()).as(revoke.err()).isZero();
        assertThat(revoke.out()).contains("revoked serial " + serial + " (keyCompromise)");

        Run crl = cipsec("ca", "crl", "--dir", ca.toString(), "--next-update", "2d", "--out", tmp.resolve("published.crl").toString(),
                "--password-file", pass.toString());
        assertThat(crl.exit()).as(crl.err()).isZero();
        assertThat(crl.out()).contains("CRL with 1 revoked certificate,");
        assertThat(tmp.resolve("published.crl")).hasSameBinaryContentAs(ca.resolve("crl.pem"));

        OpenSslCommand openssl = OpenSslCommand.in(tmp);
        String caPem = ca.resolve("ca.pem").toString();
        assertThat(openssl.run("verify", "-crl_check", "-CAfile", caPem, "-CRLfile", "published.crl", "plc1.pem").output())
                .contains("certificate revoked");
        openssl.ok("verify", "-crl_check", "-CAfile", caPem, "-CRLfile", "published.crl", "plc2.pem");

        Run list = cipsec("ca", "list", "--dir", ca.toString());
        assertThat(list.exit()).isZero();
        assertThat(list.out()).containsPattern(serial + " +R ").contains("(revoked ").contains("keyCompromise)")
                .containsPattern("[0-9A-F]{32} +V ").contains("/O=Vendor/CN=plc2").contains("2 certificates");
        Run listJson = cipsec("ca", "list", "--dir", ca.toString(), "--json");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(listJson.out())).get("certificates");
        assertThat(rows).extracting(r -> r.get("status")).containsExactly("R", "V");
        assertThat(rows.getFirst().get("sha256")).isEqualTo(CredentialFiles.sha256Fingerprint(cert));
        assertThat(rows.getFirst().get("reason")).isEqualTo("keyCompromise");
    }

    @Test
    void refusalsAndUsageErrorsHaveTheirExitCodesAndNeverShowThePassword() throws Exception {
        Run again = cipsec("ca", "init", "--dir", ca.toString(), "--password-file", pass.toString());
        assertThat(again.exit()).isEqualTo(Main.IO);
        assertThat(again.err()).contains("already holds a CA");

        Run unknown = cipsec("ca", "revoke", "--dir", ca.toString(), "--serial", "0A0B", "--password-file", pass.toString());
        assertThat(unknown.exit()).isEqualTo(Main.REFUSED);
        assertThat(unknown.err()).contains("0A0B was not issued by this CA");

        Path broken = tmp.resolve("broken.csr");
        byte[] csr = Files.readAllBytes(deviceCsr("x"));
        String text = new String(csr);
        int body = text.indexOf('\n') + 40;
        // One base64 character changed inside the CSR body (the subject), the signature left as it was.
        Files.writeString(broken, text.substring(0, body) + (text.charAt(body) == 'A' ? 'B' : 'A') + text.substring(body + 1));
        Run refused = cipsec("ca", "issue", "--dir", ca.toString(), "--csr", broken.toString(), "--cn", "x",
                "--out", tmp.resolve("x.pem").toString(), "--password-file", pass.toString());
        assertThat(refused.exit()).as(refused.err()).isEqualTo(Main.REFUSED);
        assertThat(tmp.resolve("x.pem")).doesNotExist();

        if (System.getenv(CaCommand.PASSWORD_ENV) == null) {
            Run noPassword = cipsec("ca", "crl", "--dir", ca.toString());
            assertThat(noPassword.exit()).isEqualTo(Main.USAGE);
            assertThat(noPassword.err()).contains("--password-file").contains(CaCommand.PASSWORD_ENV);
        }

        Path wrong = tmp.resolve("wrong.pass");
        Files.writeString(wrong, "not-the-password");
        Run bad = cipsec("ca", "crl", "--dir", ca.toString(), "--password-file", wrong.toString());
        assertThat(bad.exit()).isEqualTo(Main.IO);
        assertThat(bad.err()).doesNotContain("not-the-password");

        assertThat(cipsec("ca", "revoke", "--dir", ca.toString(), "--serial", "zz", "--password-file", pass.toString()).exit())
                .isEqualTo(Main.USAGE);
        assertThat(cipsec("ca", "revoke", "--dir", ca.toString(), "--serial", "01", "--reason", "bored",
                "--password-file", pass.toString()).exit()).isEqualTo(Main.USAGE);
        assertThat(cipsec("ca", "crl", "--dir", ca.toString(), "--next-update", "soon", "--password-file", pass.toString()).exit())
                .isEqualTo(Main.USAGE);
        assertThat(cipsec("ca", "init", "--dir", tmp.resolve("other").toString(), "--algorithm", "dsa-1024",
                "--password-file", pass.toString()).exit()).isEqualTo(Main.USAGE);
        assertThat(cipsec("ca", "list", "--dir", tmp.resolve("nothing").toString()).exit()).isEqualTo(Main.IO);
    }

    @Test
    void nextUpdateAcceptsShortFormsAndIso() {
        assertThat(CaCommand.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(CaCommand.parseDuration("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(CaCommand.parseDuration("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(CaCommand.parseDuration("P2DT3H")).isEqualTo(Duration.ofHours(51));
        assertThat(CaCommand.parseSerial("0x1f:2a")).isEqualTo(new java.math.BigInteger("1F2A", 16));
    }
}
