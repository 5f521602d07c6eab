package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.cipsec.cli.MainTest.asMap;
import static dev.cipsec.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cipsec trust} over a trust directory, and the same directory used by {@code --trust DIR} of a client
 * command: a refused device certificate is kept in rejected/, the error says how to accept it, and after
 * {@code trust accept} the next connection works.
 */
class TrustCommandTest {
    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    static TestPki pki;
    /** A device with its own self-signed certificate, as a device out of the box has. */
    static Identity deviceCert;
    static CipDevice device;
    static String target;

    @BeforeAll
    static void start() throws IOException {
        pki = TestPki.create();
        deviceCert = TestPki.selfSigned(KeyType.EC_P256, "line 5 adapter");
        TlsPolicy policy = TlsPolicy.builder().identity(deviceCert)
                .peerVerifier(PeerVerifier.trusting(pki.trustStore(), false)).build();
        device = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(policy)).onEphemeralPorts());
        target = "127.0.0.1:" + device.tlsAddress().getPort();
    }

    @AfterAll
    static void stop() {
        device.close();
    }

    private Path pem(String name, java.security.cert.X509Certificate... certs) throws IOException {
        Path f = shared.resolve(name);
        CredentialFiles.writePem(f, List.of(certs));
        return f;
    }

    private static String hex(java.security.cert.X509Certificate c) {
        return CredentialFiles.sha256Fingerprint(c).replace(":", "");
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private MainTest.Run trust(String... args) {
        List<String> all = new ArrayList<>(List.of("trust", "--dir", dir.toString()));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    @Test
    void aRefusedDeviceCertificateIsKeptTheErrorSaysHowToAcceptItAndAfterAcceptTheConnectionWorks() throws Exception {
        Files.createDirectories(dir);
        MainTest.Run refused = run("identity", target, "--tls", "--trust", dir.toString());
        assertThat(refused.exit()).as(refused.err()).isEqualTo(Main.TLS);
        String fp = CredentialFiles.sha256Fingerprint(deviceCert.certificate());
        String accept = "cipsec trust --dir " + dir + " accept " + hex(deviceCert.certificate());
        assertThat(refused.err()).startsWith("cipsec: TLS handshake failed: sent alert unknown_ca")
                .contains("UNTRUSTED").contains("subject=CN=line 5 adapter").contains("issuer=CN=line 5 adapter")
                .contains("sha256=" + fp).contains("kept in " + dir.resolve("rejected"))
                .endsWith("to trust it run: " + accept + System.lineSeparator());
        assertThat(refused.err().strip().lines()).hasSize(1);
        assertThat(names(dir.resolve("rejected/certs"))).containsExactly(hex(deviceCert.certificate()) + ".der");

        MainTest.Run list = trust("list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("0 trusted, 0 issuers, 1 rejected, 0 CRLs")
                .contains("[rejected] CN=line 5 adapter (end entity)").contains("accept  " + accept);

        // Run exactly what the error printed.
        Matcher m = Pattern.compile("to trust it run: cipsec (.*)$").matcher(refused.err().strip());
        assertThat(m.find()).isTrue();
        MainTest.Run accepted = run(m.group(1).split(" "));
        assertThat(accepted.exit()).as(accepted.err()).isZero();
        assertThat(accepted.out()).startsWith("accepted into trusted:").contains("CN=line 5 adapter").contains(fp);

        MainTest.Run ok = run("identity", target, "--tls", "--trust", dir.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("cipsec adapter");
        assertThat(names(dir.resolve("rejected/certs"))).isEmpty();
    }

    @Test
    void theDeviceRuntimeKeepsARefusedClientCertificateInTheSameDirectory() throws Exception {
        Path certs = shared.resolve("device-credentials");
        Path serverCrt = TestPki.writeIdentity(certs, "server", pki.issueServer(KeyType.EC_P256, "cell 6 adapter"));
        Identity scanner = TestPki.selfSigned(KeyType.EC_P256, "cell 6 scanner");
        Path scannerCrt = TestPki.writeIdentity(certs, "scanner", scanner);
        Path rootPem = pem("device-root.pem", pki.root());
        String[] device = {"device", "--port", "0", "--udp-port", "-1", "--tls", "--tls-port", "0", "--dtls-port", "-1",
                "--cert", serverCrt.toString(), "--key", certs.resolve("server.key").toString(),
                "--trust", dir.toString(), "--require-client-cert"};
        String[] client = {"--tls", "--trust", rootPem.toString(), "--cert", scannerCrt.toString(),
                "--key", certs.resolve("scanner.key").toString()};
        Files.createDirectories(dir);
        try (DeviceTlsCommandTest.RunningDevice d = new DeviceTlsCommandTest.RunningDevice(device)) {
            MainTest.Run refused = run(TlsCommandsTest.concat(TlsCommandsTest.args("identity", d.target("tls")), client));
            assertThat(refused.exit()).isEqualTo(Main.TLS);
            assertThat(refused.err()).contains("received alert unknown_ca");
        }
        assertThat(names(dir.resolve("rejected/certs"))).containsExactly(hex(scanner.certificate()) + ".der");
        assertThat(trust("accept", hex(scanner.certificate()).substring(0, 8)).exit()).isZero();
        // The device reads the directory when it starts.
        try (DeviceTlsCommandTest.RunningDevice d = new DeviceTlsCommandTest.RunningDevice(device)) {
            MainTest.Run ok = run(TlsCommandsTest.concat(TlsCommandsTest.args("identity", d.target("tls")), client));
            assertThat(ok.exit()).as(ok.err()).isZero();
        }
    }

    @Test
    void aRefusalThatKeptNothingHasNoAcceptHint() throws Exception {
        // A trust PEM file, not a directory: nothing is kept, so nothing to accept.
        Path other = pem("other-root.pem", TestPki.create("other").root());
        MainTest.Run refused = run("identity", target, "--tls", "--trust", other.toString());
        assertThat(refused.exit()).isEqualTo(Main.TLS);
        assertThat(refused.err()).contains("UNTRUSTED").doesNotContain("cipsec trust");
    }

    @Test
    void listShowsEveryFolderAndCrlsAsTextAndJson() throws Exception {
        assertThat(trust("add", pem("root.pem", pki.root()).toString()).exit()).isZero();
        Path der = Files.write(shared.resolve("intermediate.der"), pki.intermediate().getEncoded());
        assertThat(trust("add", der.toString(), "--issuer").exit()).isZero();
        Path crl = TestPki.writeCrl(shared.resolve("intermediate.crl"), pki.crl(pki.issueServer(KeyType.EC_P256, "gone").certificate()));
        MainTest.Run addCrl = trust("add-crl", crl.toString());
        assertThat(addCrl.exit()).as(addCrl.err()).isZero();
        assertThat(addCrl.out()).contains("[crl] CN=cipsec test intermediate, 1 revoked")
                .contains("issuers/crls/" + hex(pki.intermediate()) + ".crl");

        MainTest.Run text = trust("list");
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("1 trusted, 1 issuers, 0 rejected, 1 CRLs")
                .contains("[trusted] CN=cipsec test root (CA)").contains("[issuers] CN=cipsec test intermediate (CA)")
                .contains("issuer  CN=cipsec test root").contains("sha256  " + CredentialFiles.sha256Fingerprint(pki.root()))
                .contains("valid   " + pki.root().getNotBefore().toInstant() + " .. " + pki.root().getNotAfter().toInstant())
                .contains("file    trusted/certs/" + hex(pki.root()) + ".der")
                .contains("[crl] CN=cipsec test intermediate").contains("revoked 1");

        MainTest.Run json = trust("list", "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        Map<String, Object> out = json.json();
        assertThat(out).containsEntry("directory", dir.toString());
        List<?> certs = (List<?>) out.get("certificates");
        assertThat(certs).hasSize(2);
        Map<String, Object> root = asMap(certs.get(0));
        assertThat(root).containsEntry("folder", "trusted").containsEntry("subject", "CN=cipsec test root")
                .containsEntry("issuer", "CN=cipsec test root").containsEntry("sha256", CredentialFiles.sha256Fingerprint(pki.root()))
                .containsEntry("notBefore", pki.root().getNotBefore().toInstant().toString())
                .containsEntry("notAfter", pki.root().getNotAfter().toInstant().toString())
                .containsEntry("ca", true).containsEntry("file", "trusted/certs/" + hex(pki.root()) + ".der");
        assertThat(asMap(certs.get(1))).containsEntry("folder", "issuers");
        assertThat((List<?>) out.get("crls")).singleElement().satisfies(c -> assertThat(asMap(c))
                .containsEntry("issuer", "CN=cipsec test intermediate").containsEntry("revoked", 1L));
    }

    @Test
    void listMarksExpiredCertificates() throws Exception {
        Identity old = pki.issue(TestPki.LeafSpec.of(KeyType.EC_P256, "retired")
                .validity(Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1))));
        assertThat(trust("add", pem("old.pem", old.certificate()).toString()).exit()).isZero();
        assertThat(trust("list").out()).contains("[trusted] CN=retired (end entity)").contains("(expired)");
    }

    @Test
    void rejectAndRemoveByPrefixAndUsageErrors() throws Exception {
        assertThat(trust("add", pem("root2.pem", pki.root()).toString(), "--json").json()).containsKey("added");
        String prefix = hex(pki.root()).substring(0, 10).toLowerCase(java.util.Locale.ROOT);

        MainTest.Run reject = trust("reject", prefix);
        assertThat(reject.exit()).as(reject.err()).isZero();
        assertThat(reject.out()).startsWith("moved to rejected:").contains("[rejected] CN=cipsec test root");
        assertThat(names(dir.resolve("rejected/certs"))).containsExactly(hex(pki.root()) + ".der");
        assertThat(names(dir.resolve("trusted/certs"))).isEmpty();

        MainTest.Run again = trust("reject", prefix);
        assertThat(again.exit()).isEqualTo(Main.USAGE);
        assertThat(again.err()).contains("no certificate in trusted/ or issuers/ matches fingerprint " + prefix.toUpperCase(java.util.Locale.ROOT));

        MainTest.Run remove = trust("remove", CredentialFiles.sha256Fingerprint(pki.root()), "--json");
        assertThat(remove.exit()).as(remove.err()).isZero();
        assertThat((List<?>) remove.json().get("removed")).singleElement()
                .satisfies(e -> assertThat(asMap(e)).containsEntry("folder", "rejected"));
        assertThat(names(dir.resolve("rejected/certs"))).isEmpty();

        assertThat(trust("accept", "123").err()).contains("at least 8 hex digits");
        assertThat(trust("accept", "123").exit()).isEqualTo(Main.USAGE);
        Path leaf = pem("leaf.pem", pki.issueServer(KeyType.EC_P256, "leaf").certificate());
        MainTest.Run notCa = trust("add", leaf.toString(), "--issuer");
        assertThat(notCa.exit()).isEqualTo(Main.USAGE);
        assertThat(notCa.err()).contains("is not a CA certificate");
        assertThat(trust("add", shared.resolve("absent.pem").toString()).exit()).isEqualTo(Main.USAGE);
        Path foreignCrl = TestPki.writeCrl(shared.resolve("foreign.crl"), TestPki.create("foreign").crl());
        assertThat(trust("add-crl", foreignCrl.toString()).exit()).isEqualTo(Main.USAGE);
    }

    @Test
    void theDirectoryIsRequiredAndMustExistForReading() {
        MainTest.Run noDir = run("trust", "list");
        assertThat(noDir.exit()).isEqualTo(Main.USAGE);
        assertThat(noDir.err()).contains("--dir");
        MainTest.Run missing = run("trust", "--dir", dir.resolve("typo").toString(), "list");
        assertThat(missing.exit()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).contains("no such directory");
        assertThat(Files.exists(dir.resolve("typo"))).isFalse();
        assertThat(run("trust", "--dir", dir.toString()).exit()).isEqualTo(Main.USAGE);
    }

    @Test
    void anUnreadableDirectoryFailsClosedWithTheIoCode() throws Exception {
        assertThat(trust("add", pem("root3.pem", pki.root()).toString()).exit()).isZero();
        Files.delete(dir.resolve("trusted/certs/" + hex(pki.root()) + ".der"));
        Files.delete(dir.resolve("trusted/certs"));
        Files.writeString(dir.resolve("trusted/certs"), "a file where the directory should be");
        MainTest.Run list = trust("list");
        assertThat(list.exit()).isEqualTo(Main.IO);
        MainTest.Run connect = run("identity", target, "--tls", "--trust", dir.toString());
        assertThat(connect.exit()).isEqualTo(Main.USAGE);
        assertThat(connect.err()).contains("--trust");
    }
}
