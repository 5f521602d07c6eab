package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Certificate suites against OpenSSL 3.0, both directions: every ECDHE-ECDSA and RSA suite of CIP
 * Security (OpenSSL implements them all), EC P-256 and RSA-2048 server keys, and mutual
 * authentication with EC and RSA client certificates. Data passes through every session.
 */
class OpenSslCertificateInteropTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final TestPki PKI = TestPki.create("interop");
    static Identity ecServer;
    static Identity rsaServer;
    static Identity ecClient;
    static Identity rsaClient;
    @TempDir
    static Path dir;

    @BeforeAll
    static void files() {
        ecServer = PKI.issueServer(KeyType.EC_P256, "ec-adapter");
        rsaServer = PKI.issueServer(KeyType.RSA, "rsa-adapter");
        ecClient = PKI.issueClient(KeyType.EC_P256, "ec-scanner");
        rsaClient = PKI.issueClient(KeyType.RSA, "rsa-scanner");
        PKI.writeTo(dir);
        for (var e : List.of(new Object[]{"ec-server", ecServer}, new Object[]{"rsa-server", rsaServer},
                new Object[]{"ec-client", ecClient}, new Object[]{"rsa-client", rsaClient})) {
            TestPki.writeIdentity(dir, (String) e[0], (Identity) e[1]);
        }
    }

    /** suite, client certificate ("none", "ec", "rsa"). */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (CipherSuite s : CipherSuite.values()) {
            if (s.keyExchange().usesCertificates()) {
                out.add(Arguments.of(s, "none"));
            }
        }
        out.add(Arguments.of(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ec"));
        out.add(Arguments.of(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, "rsa"));
        out.add(Arguments.of(CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256, "ec"));
        out.add(Arguments.of(CipherSuite.TLS_ECDHE_ECDSA_WITH_NULL_SHA, "rsa"));
        return out.stream();
    }

    static Identity serverIdentity(CipherSuite s) {
        return s.keyExchange() == CipherSuite.KeyExchange.RSA ? rsaServer : ecServer;
    }

    static String serverFiles(CipherSuite s) {
        return s.keyExchange() == CipherSuite.KeyExchange.RSA ? "rsa-server" : "ec-server";
    }

    static String cipher(CipherSuite s) {
        return s.opensslName().orElseThrow() + ":@SECLEVEL=0";
    }

    @ParameterizedTest(name = "{0}, client certificate {1}")
    @MethodSource("cases")
    void opensslClientAgainstOurServer(CipherSuite suite, String clientCert) throws IOException {
        TlsPolicy policy = TlsPolicy.builder().identity(serverIdentity(suite)).suites(suite)
                .peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false))
                .requireClientCertificate(!clientCert.equals("none")).build();
        List<String> args = new ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:PORT", "-tls1_2",
                "-cipher", cipher(suite), "-CAfile", dir.resolve("root.pem").toString(), "-verify_return_error",
                "-quiet", "-no_ign_eof"));
        if (!clientCert.equals("none")) {
            args.addAll(List.of("-cert", dir.resolve(clientCert + "-client.crt").toString(),
                    "-key", dir.resolve(clientCert + "-client.key").toString(),
                    "-cert_chain", dir.resolve("intermediate.pem").toString()));
        }
        try (TlsEcho echo = TlsEcho.start(policy)) {
            args.set(2, "127.0.0.1:" + echo.address().getPort());
            try (OpenSslProcess client = OpenSslProcess.start(args.toArray(String[]::new))) {
                client.writeLine("hello " + suite.name());
                client.awaitLine(l -> l.equals("hello " + suite.name()), WAIT);
                client.closeStdin();
                assertThat(client.waitFor(WAIT)).as(String.join("\n", client.output())).isZero();
            }
            assertThat(echo.sessions()).singleElement().satisfies(info -> {
                assertThat(info.suite()).isEqualTo(suite);
                if (!clientCert.equals("none")) {
                    Identity expected = clientCert.equals("ec") ? ecClient : rsaClient;
                    assertThat(info.peerCertificates().getFirst()).isEqualTo(expected.certificate());
                }
            });
        }
    }

    @ParameterizedTest(name = "{0}, client certificate {1}")
    @MethodSource("cases")
    void ourClientAgainstOpensslServer(CipherSuite suite, String clientCert) throws IOException {
        List<String> args = new ArrayList<>(List.of("-tls1_2", "-cipher", cipher(suite),
                "-cert", dir.resolve(serverFiles(suite) + ".crt").toString(),
                "-key", dir.resolve(serverFiles(suite) + ".key").toString(),
                "-cert_chain", dir.resolve("intermediate.pem").toString(), "-rev"));
        TlsPolicy.Builder policy = TlsPolicy.builder().suites(suite).peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false));
        if (!clientCert.equals("none")) {
            args.addAll(List.of("-Verify", "3", "-CAfile", dir.resolve("root.pem").toString(), "-verify_return_error"));
            policy.identity(clientCert.equals("ec") ? ecClient : rsaClient);
        }
        try (OpenSslProcess.Server server = OpenSslProcess.server(args.toArray(String[]::new));
             TlsStreamConnection c = new TlsConnector(policy.build()).connect(server.address(), Duration.ofSeconds(5))) {
            assertThat(c.info().suite()).isEqualTo(suite);
            assertThat(c.info().peerCertificates().getFirst()).isEqualTo(serverIdentity(suite).certificate());
            c.out().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            c.out().flush();
            assertThat(new String(c.in().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("olleh\n");
        }
    }
}
