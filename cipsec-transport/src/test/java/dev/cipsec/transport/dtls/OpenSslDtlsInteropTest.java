package dev.cipsec.transport.dtls;

import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.OpenSslProcess;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.cipsec.transport.dtls.DtlsEcho.WAIT;
import static dev.cipsec.transport.dtls.DtlsEcho.ascii;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DTLS 1.2 against OpenSSL 3.0 ({@code s_server -dtls1_2} / {@code s_client -dtls1_2}), both
 * directions, PSK and certificate suites, with datagrams through the session: OpenSSL's stdin
 * becomes records, the records it receives come out on its stdout.
 */
class OpenSslDtlsInteropTest {
    static final String HEX_KEY = DtlsEcho.PSK.key().toHex();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_PSK_WITH_NULL_SHA256", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"})
    void opensslClientAgainstOurServerWithPsk(CipherSuite suite) throws IOException {
        try (DtlsEcho echo = DtlsEcho.start(DtlsEcho.psk(suite));
             OpenSslProcess client = OpenSslProcess.start(client(echo, suite, "-psk_identity", "plant-7", "-psk", HEX_KEY))) {
            echoThrough(client, echo, suite);
            assertThat(echo.port.dtlsStats().cookiesSent()).isGreaterThanOrEqualTo(1);
            assertThat(echo.port.dtlsStats().completed()).isEqualTo(1);
            assertThat(echo.port.session(onlyPeer(echo))).hasValueSatisfying(info -> {
                        assertThat(info.suite()).isEqualTo(suite);
                        assertThat(info.pskIdentity()).contains("plant-7");
                    });
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_NULL_SHA"})
    void opensslClientAgainstOurServerWithCertificates(CipherSuite suite) throws IOException {
        DtlsEcho.PKI.writeTo(dir);
        try (DtlsEcho echo = DtlsEcho.start(DtlsEcho.certificateServer(suite));
             OpenSslProcess client = OpenSslProcess.start(client(echo, suite, "-CAfile",
                     dir.resolve("root.pem").toString(), "-verify_return_error"))) {
            echoThrough(client, echo, suite);
            assertThat(echo.port.session(onlyPeer(echo))).hasValueSatisfying(info ->
                    assertThat(info.suite()).isEqualTo(suite));
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_PSK_WITH_NULL_SHA256", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"})
    void ourClientAgainstOpensslServerWithPsk(CipherSuite suite) throws IOException {
        try (OpenSslProcess.Server server = OpenSslProcess.server("-dtls1_2", "-nocert", "-psk_identity", "plant-7",
                "-psk", HEX_KEY, "-cipher", suite.opensslName().orElseThrow() + ":@SECLEVEL=0")) {
            exchange(server, DtlsEcho.psk(suite), suite);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_NULL_SHA"})
    void ourClientAgainstOpensslServerWithCertificates(CipherSuite suite) throws IOException {
        Identity id = DtlsEcho.PKI.issueServer(KeyType.EC_P256, "openssl-adapter");
        Path crt = TestPki.writeIdentity(dir, "adapter", id);
        try (OpenSslProcess.Server server = OpenSslProcess.server("-dtls1_2", "-cert", crt.toString(), "-key",
                dir.resolve("adapter.key").toString(), "-cert_chain", crt.toString(), "-cipher", suite.opensslName().orElseThrow() + ":@SECLEVEL=0")) {
            exchange(server, DtlsEcho.certificateClient(suite), suite);
        }
    }

    private static String[] client(DtlsEcho echo, CipherSuite suite, String... more) {
        List<String> a = new ArrayList<>(List.of("s_client", "-dtls1_2", "-connect", "127.0.0.1:" + echo.address().getPort(),
                "-cipher", suite.opensslName().orElseThrow() + ":@SECLEVEL=0", "-quiet"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Each line OpenSSL writes is one record; the echo sends it back and OpenSSL prints it. */
    private static void echoThrough(OpenSslProcess client, DtlsEcho echo, CipherSuite suite) throws IOException {
        for (int i = 0; i < 3; i++) {
            String line = "hello " + i + " " + suite.name();
            client.writeLine(line);
            client.awaitLine(l -> l.equals(line), WAIT);
            assertThat(echo.inbox.next()).isEqualTo(line + "\n");
        }
    }

    private static InetSocketAddress onlyPeer(DtlsEcho echo) {
        DtlsEcho.await(() -> echo.port.sessionCount() == 1, "one session");
        // The echo's inbox saw the peer; the port knows it by the same address.
        return echo.lastPeer();
    }

    private static void exchange(OpenSslProcess.Server server, TlsPolicy policy, CipherSuite suite) throws IOException {
        DtlsEcho.Inbox inbox = new DtlsEcho.Inbox();
        try (DtlsClientPort client = DtlsEcho.client(server.address(), policy, inbox)) {
            assertThat(client.session().orElseThrow().suite()).isEqualTo(suite);
            for (int i = 0; i < 3; i++) {
                String line = "to openssl " + i;
                client.send(ascii(line + "\n"), 0, line.length() + 1, server.address());
                server.process().awaitLine(l -> l.equals(line), WAIT);
            }
            server.process().writeLine("from openssl");
            assertThat(inbox.next()).isEqualTo("from openssl\n");
        }
    }
}
