package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.adapter.config.Json;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.cipsec.cli.MainTest.asMap;
import static dev.cipsec.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client commands against an in-process device with a TLS listener on an ephemeral port (so
 * {@code --tls} marks the target secure): PSK and certificate authentication, refusals and their exit
 * code, tls-info and the key log.
 */
class TlsCommandsTest {
    static final String PSK_ID = "line-3";
    static final String PSK_HEX = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    @TempDir
    static Path dir;

    static TestPki pki;
    static Identity server;
    static CipDevice device;
    static String target;
    static Path rootPem;
    static Path pskKeyFile;

    @BeforeAll
    static void start() throws IOException {
        pki = TestPki.create();
        server = pki.issueServer(KeyType.EC_P256, "line 3 adapter");
        TlsPolicy policy = TlsPolicy.builder().psk(PskCredential.of(PSK_ID, Bytes.fromHex(PSK_HEX))).identity(server)
                .peerVerifier(PeerVerifier.trusting(pki.trustStore(), false)).build();
        device = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(policy)).onEphemeralPorts());
        DemoCommand.mirror(device, "150:100");
        target = "127.0.0.1:" + device.tlsAddress().getPort();
        pki.writeTo(dir);
        rootPem = dir.resolve("root.pem");
        pskKeyFile = Files.writeString(dir.resolve("psk.hex"), PSK_HEX + "\n");
    }

    @AfterAll
    static void stop() {
        device.close();
    }

    static String[] args(String... parts) {
        return parts;
    }

    static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static final String[] PSK = {"--tls", "--psk-identity", PSK_ID, "--psk-key", PSK_HEX};

    static String[] certTrust() {
        return new String[]{"--tls", "--trust", rootPem.toString()};
    }

    @Test
    void identityOverPsk() {
        MainTest.Run r = run(concat(args("identity", target), PSK));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("cipsec adapter").contains("CIP Security: profiles 0x0002");
    }

    @Test
    void getOverACertificateSuiteTrustingTheRootFile() {
        MainTest.Run r = run(concat(args("get", target, "1/1/7", "--as", "short_string"), certTrust()));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("cipsec adapter");
    }

    @Test
    void setWithThePskKeyFromAFileThenGetOverAClass3Connection() {
        String value = "a5".repeat(32);
        MainTest.Run set = run("set", target, "4/150/3", value, "--tls", "--psk-identity", PSK_ID, "--psk-key-file", pskKeyFile.toString());
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(device.assembly(150).data().toHex()).isEqualTo(value);
        MainTest.Run get = run(concat(args("get", target, "4/100/3", "--connected"), PSK));
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.out().strip()).isEqualTo(value);
    }

    @Test
    void trustStoreDirectoryAcceptsTheDeviceAndKeepsAnUntrustedOneForApproval() throws IOException {
        Path store = dir.resolve("store");
        Files.createDirectories(store.resolve("trusted"));
        TestPki.writeCertificate(store.resolve("trusted/root.pem"), pki.root());
        MainTest.Run ok = run("identity", target, "--tls", "--trust", store.toString(), "--suites", "0xC02C");
        assertThat(ok.exit()).as(ok.err()).isZero();

        Path other = dir.resolve("other-store");
        Files.createDirectories(other.resolve("trusted"));
        TestPki.writeCertificate(other.resolve("trusted/root.pem"), TestPki.create("other").root());
        MainTest.Run refused = run("identity", target, "--tls", "--trust", other.toString());
        assertThat(refused.exit()).isEqualTo(Main.TLS);
        String fingerprint = CredentialFiles.sha256Fingerprint(server.certificate());
        assertThat(refused.err()).startsWith("cipsec: TLS handshake failed: sent alert unknown_ca")
                .contains("certificate was refused: UNTRUSTED")
                // The path stops at the intermediate, whose issuer (our root) the other store does not know.
                .contains("subject=CN=cipsec test intermediate").contains("issuer=CN=cipsec test root")
                .contains("sha256=" + CredentialFiles.sha256Fingerprint(pki.intermediate()));
        assertThat(refused.err().strip().lines()).hasSize(1);
        try (var files = Files.list(other.resolve("rejected/certs"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .anySatisfy(name -> assertThat(name).containsIgnoringCase(fingerprint.replace(":", "").substring(0, 16)));
        }
    }

    @Test
    void wrongPskExitsWithTheHandshakeCodeAndNamesTheAlert() {
        MainTest.Run r = run("get", target, "1/1/1", "--tls", "--psk-identity", PSK_ID, "--psk-key", "00" + PSK_HEX.substring(2));
        assertThat(r.exit()).isEqualTo(Main.TLS);
        assertThat(r.err()).startsWith("cipsec: TLS handshake failed: received alert ").contains("wrong pre-shared key?");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void unknownPskIdentityIsRefusedWithTheHandshakeCode() {
        MainTest.Run r = run("get", target, "1/1/1", "--tls", "--psk-identity", "nobody", "--psk-key", PSK_HEX);
        assertThat(r.exit()).isEqualTo(Main.TLS);
        assertThat(r.err()).startsWith("cipsec: TLS handshake failed: received alert ");
    }

    @Test
    void aSilentPeerEndsWithTheHandshakeTimeout() throws IOException {
        // The kernel completes the TCP handshake from the backlog; nobody ever answers the ClientHello.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress())) {
            MainTest.Run r = run(concat(args("identity", "127.0.0.1:" + silent.getLocalPort(), "--tls-timeout", "300ms"), PSK));
            assertThat(r.exit()).isEqualTo(Main.TLS);
            assertThat(r.err()).startsWith("cipsec: TLS handshake with ").contains("timed out");
        }
    }

    @Test
    void aSecureTargetWithoutCredentialsIsAUsageError() {
        MainTest.Run r = run("identity", target, "--tls");
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("is CIP Security (TLS)").contains("--psk-identity").contains("--trust");
        MainTest.Run port2221 = run("get", "127.0.0.1:2221", "1/1/1");
        assertThat(port2221.exit()).isEqualTo(Main.USAGE);
        assertThat(port2221.err()).contains("127.0.0.1:2221 is CIP Security");
    }

    @Test
    void tlsUsageErrors() {
        String plain = "127.0.0.1:" + device.tcpAddress().getPort();
        MainTest.Run onPlain = run("identity", plain, "--psk-identity", PSK_ID, "--psk-key", PSK_HEX);
        assertThat(onPlain.exit()).isEqualTo(Main.USAGE);
        assertThat(onPlain.err()).contains("is plain EtherNet/IP");
        assertThat(run("identity", target, "--tls", "--psk-identity", PSK_ID).exit()).isEqualTo(Main.USAGE);
        assertThat(run("identity", target, "--tls", "--psk-identity", PSK_ID, "--psk-key", "xyz").exit()).isEqualTo(Main.USAGE);
        assertThat(run(concat(args("identity", target, "--psk-key-file", pskKeyFile.toString()), PSK)).exit()).isEqualTo(Main.USAGE);
        assertThat(run(concat(args("identity", target, "--suites", "TLS_NO_SUCH_SUITE"), PSK)).exit()).isEqualTo(Main.USAGE);
        MainTest.Run noUsable = run(concat(args("identity", target, "--suites", "0xC02B"), PSK));
        assertThat(noUsable.exit()).isEqualTo(Main.USAGE);
        assertThat(noUsable.err()).contains("none of the allowed --suites");
        assertThat(run(concat(args("identity", target, "--cert", rootPem.toString()), PSK)).exit()).isEqualTo(Main.USAGE);
        assertThat(run(concat(args("identity", target, "--pkcs12", rootPem.toString()), PSK)).exit()).isEqualTo(Main.USAGE);
        assertThat(run(concat(args("identity", target, "--check-expiry"), PSK)).exit()).isEqualTo(Main.USAGE);
        assertThat(run(concat(args("identity", target, "--tls-timeout", "soon"), PSK)).exit()).isEqualTo(Main.USAGE);
        MainTest.Run notACertificate = run("identity", target, "--tls", "--trust", pskKeyFile.toString());
        assertThat(notACertificate.exit()).isEqualTo(Main.USAGE);
        assertThat(notACertificate.err()).startsWith("cipsec: --trust: " + pskKeyFile);
        MainTest.Run missing = run(concat(args("identity", target, "--cert", dir.resolve("none.crt").toString(), "--key",
                dir.resolve("none.key").toString()), PSK));
        assertThat(missing.exit()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).startsWith("cipsec: --cert/--key: ").contains("none.crt");
    }

    @Test
    void tlsInfoJsonWithACertificateChain() {
        MainTest.Run r = run(concat(args("tls-info", target, "--json", "--suites", "ECDHE-ECDSA-AES256-GCM-SHA384"), certTrust()));
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> m = r.json();
        assertThat(m).containsEntry("target", target).containsEntry("version", "TLSv1.2")
                .containsEntry("suite", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384").containsEntry("suiteId", "0xC02C")
                .containsEntry("resumed", false).containsEntry("extendedMasterSecret", true)
                .containsEntry("encryptThenMac", false).containsEntry("secureRenegotiation", true).doesNotContainKey("pskIdentity");
        List<?> chain = (List<?>) m.get("peerCertificates");
        assertThat(chain).hasSize(2);
        Map<String, Object> leaf = asMap(chain.get(0));
        assertThat(leaf).containsEntry("subject", "CN=line 3 adapter").containsEntry("issuer", "CN=cipsec test intermediate")
                .containsEntry("sha256", CredentialFiles.sha256Fingerprint(server.certificate()))
                .containsEntry("keyType", "EC P-256")
                .containsEntry("notBefore", server.certificate().getNotBefore().toInstant().toString())
                .containsEntry("notAfter", server.certificate().getNotAfter().toInstant().toString());
        assertThat(asMap(chain.get(1))).containsEntry("subject", "CN=cipsec test intermediate");
    }

    @Test
    void tlsInfoHumanWithPskAndTheCbcSuiteShowsEncryptThenMac() {
        MainTest.Run r = run("tls-info", target, "--psk-identity", PSK_ID, "--psk-key-file", pskKeyFile.toString(),
                "--suites", "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(target + ": TLSv1.2 TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256 (0xC037)")
                .containsPattern("PSK identity +line-3").containsPattern("encrypt-then-MAC +yes")
                .containsPattern("extended master secret +yes").doesNotContain("certificate [");
    }

    @Test
    void tlsInfoHumanShowsTheChain() {
        MainTest.Run r = run(concat(args("tls-info", target), certTrust()));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("certificate [0]").contains("CN=line 3 adapter")
                .contains(CredentialFiles.sha256Fingerprint(server.certificate())).contains("certificate [1]").contains("EC P-256");
    }

    @Test
    void tlsInfoWithoutAPortMeans2221() {
        assertThat(ClientOptionsMixin.target("plc.example", true)).isEqualTo(new dev.cipsec.scanner.Target("plc.example", 2221, true));
        assertThat(ClientOptionsMixin.target("plc.example:44818", true).port()).isEqualTo(44818);
        assertThat(ClientOptionsMixin.target("plc.example:44818", true).secure()).isTrue();
        assertThat(ClientOptionsMixin.target("plc.example", false)).isEqualTo(new dev.cipsec.scanner.Target("plc.example", 44818, false));
    }

    @Test
    void keyLogGetsAClientRandomLinePerHandshake() throws IOException {
        Path log = dir.resolve("keys.log");
        MainTest.Run r = run(concat(args("get", target, "1/1/1", "--keylog", log.toString()), PSK));
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).matches("CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}");
    }

    @Test
    void sslKeyLogFileIsTheFallbackForClients() {
        ClientOptionsMixin m = new ClientOptionsMixin();
        m.tls = new TlsOptions();
        assertThat(m.keyLogFile(Map.of())).isEmpty();
        assertThat(m.keyLogFile(Map.of("SSLKEYLOGFILE", "/tmp/k.log"))).contains(Path.of("/tmp/k.log"));
        m.tls.keyLog = Path.of("/tmp/explicit.log");
        assertThat(m.keyLogFile(Map.of("SSLKEYLOGFILE", "/tmp/k.log"))).contains(Path.of("/tmp/explicit.log"));
    }

    /** A secure I/O target is the DTLS port: Forward_Open, I/O and Forward_Close in one DTLS session. */
    @Test
    void ioOverDtls() {
        MainTest.Run r = run(concat(args("io", "127.0.0.1:" + device.dtlsAddress().getPort(), "--rpi", "10ms", "--duration",
                "300ms", "--multiplier", "4", "--json"), PSK));
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> m = asMap(Json.parse(r.out()));
        assertThat((Long) m.get("received")).isPositive();
        assertThat(m).containsEntry("timed_out", false).containsEntry("transport", "dtls");
    }

    @Test
    void defaultSuitesPreferAead() {
        List<CipherSuite> d = TlsOptions.defaultSuites();
        assertThat(d).containsExactlyInAnyOrderElementsOf(CipherSuite.DEFAULTS);
        List<CipherSuite.Protection> order = new ArrayList<>();
        d.forEach(s -> order.add(s.protection()));
        assertThat(order.indexOf(CipherSuite.Protection.CBC)).isGreaterThan(order.lastIndexOf(CipherSuite.Protection.AEAD));
    }
}
