package dev.cipsec.transport.tls;

import dev.cipsec.wire.buf.Bytes;
import org.bouncycastle.tls.AlertDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ECDHE-PSK between our server and our client: every PSK suite, and each way a PSK handshake is refused. */
class TlsPskTest {
    static final PskCredential PSK = PskCredential.of("plant-7", Bytes.fromHex("00112233445566778899aabbccddeeff"));
    static final Duration CONNECT = Duration.ofSeconds(5);

    static TlsPolicy psk(PskCredential p, CipherSuite... suites) {
        return TlsPolicy.builder().psk(p).suites(suites).build();
    }

    static String roundTrip(TlsStreamConnection c, String text) throws IOException {
        byte[] out = text.getBytes(StandardCharsets.US_ASCII);
        c.out().write(out);
        c.out().flush();
        byte[] back = c.in().readNBytes(out.length);
        return new String(back, StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = "TLS_ECDHE_PSK_.*", mode = EnumSource.Mode.MATCH_ALL)
    void everyPskSuiteCarriesData(CipherSuite suite) throws IOException {
        try (TlsEcho echo = TlsEcho.start(psk(PSK, suite));
             TlsStreamConnection c = new TlsConnector(psk(PSK, suite)).connect(echo.address(), CONNECT)) {
            assertThat(roundTrip(c, "ping " + suite.name())).isEqualTo("ping " + suite.name());
            TlsSessionInfo info = c.info();
            assertThat(info.version()).isEqualTo("TLSv1.2");
            assertThat(info.suite()).isEqualTo(suite);
            assertThat(info.pskIdentity()).contains("plant-7");
            assertThat(info.peerCertificates()).isEmpty();
            assertThat(info.extendedMasterSecret()).isTrue();
            assertThat(info.encryptThenMac()).isEqualTo(suite.protection() == CipherSuite.Protection.CBC);
            assertThat(c.secure()).isTrue();
        }
    }

    @Test
    void theServersPreferenceOrderWins() throws IOException {
        TlsPolicy server = psk(PSK, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256);
        TlsPolicy client = psk(PSK, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
                CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
        try (TlsEcho echo = TlsEcho.start(server);
             TlsStreamConnection c = new TlsConnector(client).connect(echo.address(), CONNECT)) {
            assertThat(c.info().suite()).isEqualTo(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
        }
    }

    @Test
    void unknownIdentityIsRefusedWithUnknownPskIdentity() throws IOException {
        PskCredential stranger = PskCredential.of("someone-else", PSK.key());
        try (TlsEcho echo = TlsEcho.start(psk(PSK, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256))) {
            TlsConnector connector = new TlsConnector(psk(stranger, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256));
            assertThatThrownBy(() -> connector.connect(echo.address(), CONNECT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
                        assertThat(e.alert()).isEqualTo(AlertDescription.unknown_psk_identity);
                        assertThat(e.alertFromPeer()).isTrue();
                    });
            Await.failures(echo, 1);
            assertThat(echo.handler().stats().snapshot().failed()).containsKey("sent unknown_psk_identity");
        }
    }

    @Test
    void wrongKeyIsRefusedWithoutRevealingWhich() throws IOException {
        PskCredential wrong = PskCredential.of("plant-7", Bytes.fromHex("ffeeddccbbaa99887766554433221100"));
        try (TlsEcho echo = TlsEcho.start(psk(PSK, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256))) {
            TlsConnector connector = new TlsConnector(psk(wrong, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256));
            // The server cannot read the client's Finished: bad_record_mac (RFC 5246 §7.4.9 lets either end fail).
            assertThatThrownBy(() -> connector.connect(echo.address(), CONNECT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.alert()).isIn(AlertDescription.bad_record_mac, AlertDescription.decrypt_error));
            assertThat(echo.sessions()).isEmpty();
        }
    }

    @Test
    void aSuiteThePolicyForbidsIsRefusedWithHandshakeFailure() throws IOException {
        try (TlsEcho echo = TlsEcho.start(psk(PSK, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256))) {
            TlsConnector connector = new TlsConnector(psk(PSK, CipherSuite.TLS_ECDHE_PSK_WITH_NULL_SHA256));
            assertThatThrownBy(() -> connector.connect(echo.address(), CONNECT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
                        assertThat(e.alert()).isEqualTo(AlertDescription.handshake_failure);
                        assertThat(e.getMessage()).contains("handshake_failure");
                    });
        }
    }

    @Test
    void aPolicyWithoutUsableCredentialsIsRejectedUpFront() {
        TlsPolicy noPsk = TlsPolicy.builder().suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).build();
        assertThatThrownBy(() -> new TlsConnector(noPsk)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PSK");
        assertThatThrownBy(() -> new TlsServerHandler(noPsk, c -> { })).isInstanceOf(IllegalArgumentException.class);
        PskCredential clientOnly = new PskCredential(PSK.identity(), PSK.key(), PskCredential.Usage.CLIENT);
        assertThatThrownBy(() -> new TlsServerHandler(psk(clientOnly, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256),
                c -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSecondConnectionResumesTheSession() throws IOException {
        TlsPolicy p = psk(PSK, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
        TlsConnector connector = new TlsConnector(p);
        try (TlsEcho echo = TlsEcho.start(p)) {
            try (TlsStreamConnection first = connector.connect(echo.address(), CONNECT)) {
                assertThat(first.info().resumed()).isFalse();
                assertThat(roundTrip(first, "one")).isEqualTo("one");
            }
            try (TlsStreamConnection second = connector.connect(echo.address(), CONNECT)) {
                assertThat(second.info().resumed()).isTrue();
                assertThat(roundTrip(second, "two")).isEqualTo("two");
            }
            Await.completed(echo, 2);
            assertThat(echo.handler().stats().snapshot().resumed()).isEqualTo(1);
        }
    }

    @Test
    void aNewPolicyDoesNotResumeOldSessions() throws IOException {
        TlsPolicy p = psk(PSK, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
        TlsConnector connector = new TlsConnector(p);
        try (TlsEcho echo = TlsEcho.start(p)) {
            connector.connect(echo.address(), CONNECT).close();
            echo.handler().setPolicy(p.toBuilder().build());
            try (TlsStreamConnection again = connector.connect(echo.address(), CONNECT)) {
                assertThat(again.info().resumed()).isFalse();
            }
        }
    }

    @Test
    void aServerWithSeveralPsksAcceptsEachOfThem() throws IOException {
        PskCredential second = PskCredential.of("plant-8", Bytes.fromHex("0f0e0d0c0b0a09080706050403020100"));
        PskCredential serverOnly = new PskCredential(Bytes.of("hmi".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                Bytes.fromHex("aabbccddeeff00112233445566778899"), PskCredential.Usage.SERVER);
        TlsPolicy server = TlsPolicy.builder().psk(PSK).psk(second).psk(serverOnly)
                .suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).build();
        try (TlsEcho echo = TlsEcho.start(server)) {
            for (PskCredential p : List.of(PSK, second)) {
                try (TlsStreamConnection c = new TlsConnector(psk(p, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256))
                        .connect(echo.address(), CONNECT)) {
                    assertThat(c.info().pskIdentity()).contains(p.identityText());
                }
            }
            // A client holding a server-only key does not offer it: its policy has no PSK for a client.
            assertThat(TlsPolicy.builder().psk(serverOnly).suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).build()
                    .clientSuites()).isEmpty();
            // The server records a session when its side of the handshake returns, which may be after the client's.
            dev.cipsec.transport.Await.until(Duration.ofSeconds(10), () -> echo.sessions().size() == 2, "two sessions recorded");
            assertThat(echo.sessions()).extracting(i -> i.pskIdentity().orElseThrow()).containsExactly("plant-7", "plant-8");
        }
    }

    @Test
    void thePskKeyNeverPrints() {
        assertThat(PSK.toString()).contains("plant-7").doesNotContain("00112233");
    }

    /** Waits on the server's counters, which it updates after the client has its answer. */
    static final class Await {
        static void failures(TlsEcho echo, long n) {
            dev.cipsec.transport.Await.until(Duration.ofSeconds(10),
                    () -> echo.handler().stats().snapshot().failedTotal() >= n, n + " failed handshakes");
        }

        static void completed(TlsEcho echo, long n) {
            dev.cipsec.transport.Await.until(Duration.ofSeconds(10),
                    () -> echo.handler().stats().snapshot().completed() >= n, n + " completed handshakes");
        }
    }
}
