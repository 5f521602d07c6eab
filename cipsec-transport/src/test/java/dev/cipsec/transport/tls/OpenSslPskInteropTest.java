package dev.cipsec.transport.tls;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ECDHE-PSK against OpenSSL 3.0, both directions, for every PSK suite OpenSSL implements (it lacks
 * 0xD001), with application data through the session, not just the handshake.
 */
class OpenSslPskInteropTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String HEX_KEY = TlsPskTest.PSK.key().toHex();

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_PSK_WITH_NULL_SHA256", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"})
    void opensslClientAgainstOurServer(CipherSuite suite) throws IOException {
        try (TlsEcho echo = TlsEcho.start(TlsPskTest.psk(TlsPskTest.PSK, suite));
             OpenSslProcess client = OpenSslProcess.start("s_client", "-connect",
                     "127.0.0.1:" + echo.address().getPort(), "-tls1_2", "-psk_identity", "plant-7", "-psk", HEX_KEY,
                     "-cipher", suite.opensslName().orElseThrow() + ":@SECLEVEL=0", "-quiet", "-no_ign_eof")) {
            client.writeLine("hello " + suite.name());
            client.awaitLine(l -> l.equals("hello " + suite.name()), WAIT);
            client.closeStdin();
            assertThat(client.waitFor(WAIT)).isZero();
            assertThat(echo.sessions()).singleElement().satisfies(info -> {
                assertThat(info.suite()).isEqualTo(suite);
                assertThat(info.pskIdentity()).contains("plant-7");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_PSK_WITH_NULL_SHA256", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"})
    void ourClientAgainstOpensslServer(CipherSuite suite) throws IOException {
        try (OpenSslProcess.Server server = OpenSslProcess.server("-tls1_2", "-nocert", "-psk_identity", "plant-7",
                "-psk", HEX_KEY, "-cipher", suite.opensslName().orElseThrow() + ":@SECLEVEL=0", "-rev");
             TlsStreamConnection c = new TlsConnector(TlsPskTest.psk(TlsPskTest.PSK, suite))
                     .connect(server.address(), Duration.ofSeconds(5))) {
            assertThat(c.info().suite()).isEqualTo(suite);
            c.out().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            c.out().flush();
            // s_server -rev answers each line reversed.
            assertThat(new String(c.in().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("olleh\n");
            // OpenSSL negotiates encrypt-then-MAC for CBC; a NULL or AEAD offer must not carry it (java-stack.md C1).
            assertThat(c.info().encryptThenMac()).isEqualTo(suite.protection() == CipherSuite.Protection.CBC);
        }
    }
}
