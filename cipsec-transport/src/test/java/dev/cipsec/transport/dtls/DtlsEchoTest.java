package dev.cipsec.transport.dtls;

import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.TlsHandshakeException;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsSessionInfo;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.Arrays;

import static dev.cipsec.transport.dtls.DtlsEcho.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
                assertThat(echo.port.dtlsStats().drops()).containsEntry(DtlsStats.Drop.DECRYPT_FAILURE, 0L)
                        .containsEntry(DtlsStats.Drop.GARBAGE, 0L).containsEntry(DtlsStats.Drop.QUEUE_FULL, 0L);
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
                Arrays.fill(big, (byte) 'x');
                client.send(big, 0, big.length, echo.address());
                assertThat(inbox.next()).hasSize(1400);
                client.peer(echo.address()).send(ascii("via peer"), 0, 8);
                assertThat(inbox.next()).isEqualTo("via peer");
            }
        }
    }

    @Test
    void mutualAuthenticationGivesTheServerTheClientChain() throws IOException {
        CipherSuite suite = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
        TlsPolicy server = TlsPolicy.builder()
                .identity(DtlsEcho.PKI.issueServer(KeyType.EC_P256, "adapter"))
                .suites(suite).requireClientCertificate(true)
                .peerVerifier(PeerVerifier.trusting(DtlsEcho.PKI.trustStore(), false)).build();
        Identity scanner =
                DtlsEcho.PKI.issueClient(KeyType.EC_P256, "scanner");
        TlsPolicy client = TlsPolicy.builder().identity(scanner)
                .suites(suite).peerVerifier(PeerVerifier.trusting(DtlsEcho.PKI.trustStore(), false))
                .build();
        try (DtlsEcho echo = DtlsEcho.start(server)) {
            DtlsEcho.Inbox inbox = new DtlsEcho.Inbox();
            try (DtlsClientPort c = DtlsEcho.client(echo.address(), client, inbox)) {
                c.send(ascii("hi"), 0, 2, echo.address());
                assertThat(inbox.next()).isEqualTo("hi");
                assertThat(echo.port.session(c.localAddress())).hasValueSatisfying(info ->
                        assertThat(info.peerCertificates()).first().isEqualTo(scanner.certificate()));
            }
            // Without a certificate the server refuses the handshake.
            assertThatThrownBy(() -> DtlsEcho.client(echo.address(),
                    DtlsEcho.certificateClient(suite), new DtlsEcho.Inbox()))
                    .isInstanceOf(TlsHandshakeException.class);
            DtlsEcho.await(() -> echo.port.dtlsStats().failed().containsKey("sent handshake_failure"),
                    "the refusal counted");
        }
    }
}
