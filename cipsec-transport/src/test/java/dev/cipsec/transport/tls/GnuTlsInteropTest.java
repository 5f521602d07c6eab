package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GnuTLS ({@code gnutls-cli}), a second TLS stack independent of OpenSSL and Bouncy Castle, against
 * our server for every certificate suite, data through its stdin and stdout. (Only this direction:
 * {@code gnutls-serv} cannot bind to loopback only; {@link JsseInteropTest} covers our client.)
 */
class GnuTlsInteropTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final TestPki PKI = TestPki.create("gnutls");
    static Identity ecServer;
    static Identity rsaServer;
    static Identity ecClient;
    @TempDir
    static Path dir;

    @BeforeAll
    static void files() {
        ecServer = PKI.issueServer(KeyType.EC_P256, "gnutls-ec-adapter");
        rsaServer = PKI.issueServer(KeyType.RSA, "gnutls-rsa-adapter");
        ecClient = PKI.issueClient(KeyType.EC_P256, "gnutls-ec-scanner");
        PKI.writeTo(dir);
        // GnuTLS sends the certificate file as the chain: leaf then intermediate.
        TestPki.writeIdentity(dir, "ec-client", ecClient);
    }

    /**
     * The client key as GnuTLS reads it: it wants the public key inside the EC private key, which the
     * JDK's PKCS#8 encoding leaves out (it is optional), so {@code openssl ec} rewrites the key with it.
     */
    static Path gnutlsReadableKey(String name) throws IOException {
        Path out = dir.resolve(name + "-gnutls.key");

        try (OpenSslProcess p = OpenSslProcess.start("ec", "-in", dir.resolve(name + ".key").toString(),
                "-out", out.toString())) {
            assertThat(p.waitFor(WAIT)).as(String.join("\n", p.output())).isZero();
        }
        return out;
    }

    /** A GnuTLS priority string allowing TLS 1.2 and exactly {@code suite}. */
    static String priority(CipherSuite suite) {
        String kx = suite.keyExchange() == CipherSuite.KeyExchange.RSA ? "RSA" : "ECDHE-ECDSA";
        String name = suite.name();
        String cipher;
        if (name.contains("AES_128_GCM")) {
            cipher = "AES-128-GCM";
        } else if (name.contains("AES_256_GCM")) {
            cipher = "AES-256-GCM";
        } else if (name.contains("CHACHA20")) {
            cipher = "CHACHA20-POLY1305";
        } else if (name.contains("AES_128_CBC")) {
            cipher = "AES-128-CBC";
        } else if (name.contains("AES_256_CBC")) {
            cipher = "AES-256-CBC";
        } else {
            cipher = "NULL";
        }
        String mac = suite.protection() == CipherSuite.Protection.AEAD ? "AEAD"
                : name.endsWith("SHA384") ? "SHA384" : name.endsWith("SHA256") ? "SHA256" : "SHA1";
        return "NONE:+VERS-TLS1.2:+" + kx + ":+" + cipher + ":+" + mac + ":+SIGN-ALL:+GROUP-ALL:+COMP-NULL";
    }

    static void roundTripThroughGnutlsCli(TlsEcho echo, CipherSuite suite, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--priority", priority(suite),
                "--x509cafile", dir.resolve("root.pem").toString(), "-p", Integer.toString(echo.address().getPort())));
        args.addAll(List.of(extra));
        args.add("127.0.0.1");
        try (OpenSslProcess cli = OpenSslProcess.startTool("gnutls-cli", args.toArray(String[]::new))) {
            cli.awaitLineContaining("Handshake was completed", WAIT);
            cli.writeLine("hello " + suite.name());
            cli.awaitLine(l -> l.equals("hello " + suite.name()), WAIT);
            cli.writeLine("second line");
            cli.awaitLine(l -> l.equals("second line"), WAIT);
            cli.closeStdin();
            assertThat(cli.waitFor(WAIT)).as(String.join("\n", cli.output())).isZero();
            assertThat(cli.output()).as("gnutls-cli verified our chain").noneMatch(l -> l.contains("is NOT trusted"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, mode = EnumSource.Mode.MATCH_ANY, names = {"TLS_ECDHE_ECDSA_.*", "TLS_RSA_.*"})
    void gnutlsCliAgainstOurServer(CipherSuite suite) throws IOException {
        Identity id = suite.keyExchange() == CipherSuite.KeyExchange.RSA ? rsaServer : ecServer;
        try (TlsEcho echo = TlsEcho.start(TlsPolicy.builder().identity(id).suites(suite).build())) {
            roundTripThroughGnutlsCli(echo, suite);
            assertThat(echo.sessions()).singleElement().satisfies(info -> {
                assertThat(info.version()).isEqualTo("TLSv1.2");
                assertThat(info.suite()).isEqualTo(suite);
                assertThat(info.extendedMasterSecret()).isTrue();
                assertThat(info.secureRenegotiation()).isTrue();
                assertThat(info.encryptThenMac()).isEqualTo(suite.protection() == CipherSuite.Protection.CBC);
            });
        }
    }

    @Test
    void gnutlsCliWithAClientCertificateAgainstOurServerRequiringOne() throws IOException {
        CipherSuite suite = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
        TlsPolicy policy = TlsPolicy.builder().identity(ecServer).suites(suite)
                .peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false)).requireClientCertificate(true).build();
        try (TlsEcho echo = TlsEcho.start(policy)) {
            roundTripThroughGnutlsCli(echo, suite, "--x509certfile", dir.resolve("ec-client.crt").toString(),
                    "--x509keyfile", gnutlsReadableKey("ec-client").toString());
            assertThat(echo.sessions()).singleElement().satisfies(info ->
                    assertThat(info.peerCertificates().getFirst()).isEqualTo(ecClient.certificate()));
        }
    }
}
