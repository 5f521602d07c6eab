package dev.cipsec.cli;

import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.wire.testkit.Await;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.cipsec.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code cipsec device --tls ...} run as the command line runs it, with our client commands against it. */
class DeviceTlsCommandTest {
    static final String PSK_HEX = "00112233445566778899aabbccddeeff0011223344556677";

    @TempDir
    static Path dir;

    static TestPki pki;
    static Path serverCrt;
    static Path serverKey;
    static Path clientCrt;
    static Path clientKey;
    static Path clientP12;
    static Path p12Password;
    static Path root;
    static Path pskFile;
    static Path clientEncryptedKey;
    static Path keyPassword;

    @BeforeAll
    static void credentials() throws Exception {
        pki = TestPki.create();
        pki.writeTo(dir);
        root = dir.resolve("root.pem");
        serverCrt = TestPki.writeIdentity(dir, "server", pki.issueServer(KeyType.EC_P256, "cell 4 adapter"));
        serverKey = dir.resolve("server.key");
        Identity client = pki.issueClient(KeyType.EC_P384, "cell 4 scanner");
        clientCrt = TestPki.writeIdentity(dir, "client", client);
        clientKey = dir.resolve("client.key");
        p12Password = Files.writeString(dir.resolve("p12.pass"), "s3cret\n");
        clientP12 = pkcs12(dir.resolve("client.p12"), client, "s3cret".toCharArray());
        pskFile = Files.writeString(dir.resolve("psk.hex"), PSK_HEX);
        clientEncryptedKey = encryptedKey(dir.resolve("client-enc.key"), client, "k3y pass".toCharArray());
        keyPassword = Files.writeString(dir.resolve("key.pass"), "k3y pass\n");
    }

    /** The client key as an "ENCRYPTED PRIVATE KEY" PEM (PKCS#8, AES-256-CBC), as openssl pkcs8 -topk8 writes it. */
    static Path encryptedKey(Path file, Identity id, char[] password) throws Exception {
        // Its own provider instance: the test must not depend on another test having registered Bouncy Castle.
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setPassword(password).build();
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(new JcaPKCS8Generator(id.key(), encryptor));
        }
        return Files.writeString(file, text.toString());
    }

    static Path pkcs12(Path file, Identity id, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("scanner", id.key(), password, id.chain().toArray(Certificate[]::new));
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password);
        }
        return file;
    }

    /** A device command running on its own thread until closed (interrupted), as Ctrl-C ends it. */
    static final class RunningDevice implements AutoCloseable {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final Thread thread;
        final int[] exit = {-1};

        RunningDevice(String... args) {
            thread = new Thread(() -> exit[0] = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args));
            thread.start();
            Await.until(Duration.ofSeconds(20), () -> out.toString().contains("listening on") || !thread.isAlive(),
                    "device start-up line");
            assertThat(out.toString()).as(err.toString()).contains("listening on");
        }

        String target(String listener) {
            Matcher m = Pattern.compile(listener + " \\S*?:(\\d+)").matcher(out.toString());
            assertThat(m.find()).as(out.toString()).isTrue();
            return "127.0.0.1:" + m.group(1);
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
            assertThat(thread.isAlive()).isFalse();
            assertThat(exit[0]).as(err.toString()).isEqualTo(Main.OK);
        }
    }

    /** --tls and its flags override parts of a profile's security section; they do not throw the rest away. */
    @Test
    void tlsFlagsKeepTheProfilesStateDirectoryAndEstTimings() throws Exception {
        Path profile = dir.resolve("profile.json");
        java.nio.file.Files.writeString(profile, """
                { "security": { "stateDirectory": "profile-state", "tlsPort": 0, "dtlsPort": -1 } }
                """);
        try (RunningDevice d = new RunningDevice("device", "--profile", profile.toString(), "--port", "0", "--udp-port", "-1",
                "--tls", "--tls-port", "0")) {
            assertThat(dir.resolve("profile-state")).isDirectory();
            assertThat(d.out.toString()).doesNotContain("dtls ");
            MainTest.Run r = run("get", d.target("tls"), "1/1/7", "--as", "short_string", "--tls", "--pin-sha256",
                    java.util.regex.Pattern.compile("sha256 (\\S+)").matcher(d.out.toString()).results().findFirst().orElseThrow().group(1));
            assertThat(r.exit()).as(r.err()).isZero();
        }
    }

    @Test
    void secureOnlyPskDeviceWithAKeyLog() throws Exception {
        Path keylog = dir.resolve("device-keys.log");
        try (RunningDevice d = new RunningDevice("device", "--port", "0", "--udp-port", "-1", "--tls", "--tls-port", "0", "--dtls-port", "0",
                "--secure-only", "--psk-identity", "cell-4", "--psk-key-file", pskFile.toString(), "--keylog", keylog.toString())) {
            assertThat(d.out.toString()).doesNotContain("tcp ").contains("TLS suites 0x").contains("PSK identities cell-4");
            String tls = d.target("tls");
            MainTest.Run r = run("get", tls, "1/1/7", "--as", "short_string", "--tls", "--psk-identity", "cell-4",
                    "--psk-key-file", pskFile.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo("cipsec adapter");
            List<String> lines = Files.readAllLines(keylog);
            assertThat(lines).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("CLIENT_RANDOM "));
        }
    }

    @Test
    void certificateDeviceBesidePlainTcpRequiringClientCertificates() throws Exception {
        try (RunningDevice d = new RunningDevice("device", "--port", "0", "--udp-port", "-1", "--tls", "--tls-port", "0", "--dtls-port", "0",
                "--cert", serverCrt.toString(), "--key", serverKey.toString(), "--trust", root.toString(), "--require-client-cert",
                "--check-expiry")) {
            String out = d.out.toString();
            assertThat(out).contains("tcp ").contains("certificate CN=cell 4 adapter")
                    .contains("sha256 " + CredentialFiles.sha256Fingerprint(CredentialFiles.readCertificates(serverCrt).get(0)))
                    .contains("client certificates required");
            String tls = d.target("tls");

            MainTest.Run p12 = run("identity", tls, "--tls", "--trust", root.toString(), "--pkcs12", clientP12.toString(),
                    "--pkcs12-password-file", p12Password.toString(), "--check-expiry");
            assertThat(p12.exit()).as(p12.err()).isZero();
            assertThat(p12.out()).contains("cipsec adapter");

            MainTest.Run pem = run("tls-info", tls, "--trust", root.toString(), "--cert", clientCrt.toString(),
                    "--key", clientKey.toString(), "--json");
            assertThat(pem.exit()).as(pem.err()).isZero();
            assertThat(pem.json()).containsEntry("suite", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");

            MainTest.Run encrypted = run("get", tls, "1/1/1", "--tls", "--trust", root.toString(), "--cert", clientCrt.toString(),
                    "--key", clientEncryptedKey.toString(), "--key-password-file", keyPassword.toString());
            assertThat(encrypted.exit()).as(encrypted.err()).isZero();

            MainTest.Run anonymous = run("identity", tls, "--tls", "--trust", root.toString());
            assertThat(anonymous.exit()).isEqualTo(Main.TLS);
            assertThat(anonymous.err()).startsWith("cipsec: TLS handshake failed: received alert ");

            MainTest.Run plain = run("get", d.target("tcp"), "1/1/7", "--as", "short_string");
            assertThat(plain.exit()).as(plain.err()).isZero();
        }
    }

    @Test
    void dtlsPortServesDtlsBesideTls() throws Exception {
        try (RunningDevice d = new RunningDevice("device", "--port", "0", "--udp-port", "-1", "--tls", "--tls-port", "0", "--dtls-port", "0",
                "--psk-identity", "cell-4", "--psk-key-file", pskFile.toString(),
                "--suites", "0xD001")) {
            String dtls = d.target("dtls");
            int port = Integer.parseInt(dtls.substring(dtls.indexOf(':') + 1));
            var policy = dev.cipsec.transport.tls.TlsPolicy.builder()
                    .psk(dev.cipsec.transport.tls.PskCredential.of("cell-4", dev.cipsec.wire.buf.Bytes.fromHex(PSK_HEX.strip())))
                    .suites(dev.cipsec.transport.tls.CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).build();
            try (var client = dev.cipsec.transport.dtls.DtlsClientPort.connect(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1500, "cli-test", policy,
                    Duration.ofSeconds(12), (buf, off, len, from) -> { })) {
                assertThat(client.session()).hasValueSatisfying(s -> assertThat(s.pskIdentity()).contains("cell-4"));
            }
        }
        assertThat(run("device", "--port", "0", "--udp-port", "-1", "--dtls-port", "0").err()).contains("without --tls");
    }

    @Test
    void deviceTlsUsageErrors() {
        // Without credentials the device serves its default EC certificate: only a suite list that cannot use it is an error.
        MainTest.Run pskSuitesWithoutPsk = run("device", "--port", "0", "--udp-port", "-1", "--tls", "--tls-port", "0", "--dtls-port", "0",
                "--suites", "0xC037");
        assertThat(pskSuitesWithoutPsk.exit()).isEqualTo(Main.USAGE);
        assertThat(pskSuitesWithoutPsk.err()).contains("none of the allowed --suites");
        assertThat(run("device", "--port", "0", "--udp-port", "-1", "--state", "x").err()).contains("without --tls");
        assertThat(run("device", "--port", "0", "--tls", "--pin-sha256", "00".repeat(32)).err()).contains("for clients");
        MainTest.Run noTls = run("device", "--port", "0", "--udp-port", "-1", "--secure-only");
        assertThat(noTls.exit()).isEqualTo(Main.USAGE);
        assertThat(noTls.err()).contains("without --tls");
        assertThat(run("device", "--port", "0", "--udp-port", "-1", "--tls", "--tls-port", "0", "--dtls-port", "0", "--cert", serverCrt.toString(),
                "--key", serverKey.toString(), "--require-client-cert").exit()).isEqualTo(Main.USAGE);
        MainTest.Run rsaOnlyWithEcKey = run("device", "--port", "0", "--udp-port", "-1", "--tls", "--tls-port", "0", "--dtls-port", "0",
                "--cert", serverCrt.toString(), "--key", serverKey.toString(), "--suites", "0x003C");
        assertThat(rsaOnlyWithEcKey.exit()).isEqualTo(Main.USAGE);
        assertThat(rsaOnlyWithEcKey.err()).contains("none of the allowed --suites");
        assertThat(run("device", "--port", "0", "--udp-port", "-1", "--tls", "--cert", clientKey.toString(),
                "--key", serverKey.toString()).exit()).isNotZero();
    }

    @Test
    void helpListsTheTlsOptions() {
        MainTest.Run device = run("device", "--help");
        assertThat(device.out()).contains("--tls").contains("--tls-port").contains("--secure-only").contains("--require-client-cert")
                .contains("--psk-key-file").contains("--pkcs12").contains("--keylog");
        MainTest.Run get = run("get", "--help");
        assertThat(get.out()).contains("--psk-identity").contains("--trust").contains("--suites").contains("--check-expiry")
                .contains("--tls-timeout");
        MainTest.Run info = run("tls-info", "--help");
        assertThat(info.exit()).isZero();
        assertThat(info.out()).startsWith("Usage: cipsec tls-info");
    }
}
