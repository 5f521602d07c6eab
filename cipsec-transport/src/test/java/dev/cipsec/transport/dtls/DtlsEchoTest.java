package dev.cipsec.transport.dtls;

import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.TlsSessionInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;

import static dev.cipsec.transport.dtls.DtlsEcho.ascii;
import static org.assertj.core.api.Assertions.assertThat;

/** Our DTLS client against our DTLS server: handshake, then datagrams both ways, per suite. */
class DtlsEchoTest {

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_PSK_WITH_NULL_SHA256", "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"})
    void pskSuitesCarryDatagrams(CipherSuite suite) throws IOException {
        try (DtlsEcho echo = DtlsEcho.start(DtlsEcho.psk(suite))) {
            DtlsEcho.Inbox inbox = new DtlsEcho.Inbox();
            try (DtlsClientPort client = DtlsEcho.client(echo.address(), DtlsEcho.psk(suite), inbox)) {
                TlsSessionInfo info = client.session().orElseThrow();
                assertThat(info.version()).isEqualTo("DTLSv1.2");
                assertThat(info.suite()).isEqualTo(suite);
                assertThat(info.pskIdentity()).contains("plant-7");
                assertThat(info.encryptThenMac()).isEqualTo(suite.protection() == CipherSuite.Protection.CBC);
                for (int i = 0; i < 5; i++) {
                    client.send(ascii("ping " + i), 0, ("ping " + i).length(), echo.address());
                    assertThat(inbox.next()).isEqualTo("ping " + i);
                }
                assertThat(echo.port.session(client.localAddress())).hasValueSatisfying(s ->
                        assertThat(s.suite()).isEqualTo(suite));
                assertThat(echo.port.dtlsStats().completed()).isEqualTo(1);
                assertThat(echo.port.dtlsStats().cookiesSent()).isEqualTo(1);
                assertThat(echo.port.stats().received()).isEqualTo(5);
                // Counted once the send returns, which may be after the client has the echo.
                DtlsEcho.await(() -> echo.port.stats().sent() == 5, "5 sends counted");
                assertThat(client.stats().received()).isEqualTo(5);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_NULL_SHA"})
    void certificateSuitesCarryDatagrams(CipherSuite suite) throws IOException {
        try (DtlsEcho echo = DtlsEcho.start(DtlsEcho.certificateServer(suite))) {
            DtlsEcho.Inbox inbox = new DtlsEcho.Inbox();
            try (DtlsClientPort client = DtlsEcho.client(echo.address(), DtlsEcho.certificateClient(suite), inbox)) {
                TlsSessionInfo info = client.session().orElseThrow();
                assertThat(info.suite()).isEqualTo(suite);
                assertThat(info.peerCertificates()).hasSize(2);
                byte[] big = new byte[1400];
                java.util.Arrays.fill(big, (byte) 'x');
                client.send(big, 0, big.length, echo.address());
                assertThat(inbox.next()).hasSize(1400);
                client.peer(echo.address()).send(ascii("via peer"), 0, 8);
                assertThat(inbox.next()).isEqualTo("via peer");
            }
        }
    }
}
