package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.transport.tls.cert.TrustStore;
import org.bouncycastle.tls.AlertDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Certificate suites between our server and our client: every ECDSA and RSA suite, mutual auth, refusals. */
class TlsCertificateTest {
    static final TestPki PKI = TestPki.create();
    static final Duration CONNECT = Duration.ofSeconds(5);

    static TlsPolicy server(Identity id, CipherSuite... suites) {
        return TlsPolicy.builder().identity(id).suites(suites).peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false))
                .build();
    }

    static TlsPolicy client(CipherSuite... suites) {
        return TlsPolicy.builder().suites(suites).peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false)).build();
    }

    static Stream<Arguments> certificateSuites() {
        return Stream.of(CipherSuite.values()).filter(s -> s.keyExchange().usesCertificates())
                .flatMap(s -> s.keyExchange() == CipherSuite.KeyExchange.RSA
                        ? Stream.of(Arguments.of(s, KeyType.RSA))
                        : Stream.of(Arguments.of(s, KeyType.EC_P256), Arguments.of(s, KeyType.EC_P384)));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("certificateSuites")
    void everyCertificateSuiteCarriesData(CipherSuite suite, KeyType key) throws IOException {
        Identity id = PKI.issueServer(key, "adapter-" + key);
        try (TlsEcho echo = TlsEcho.start(server(id, suite));
             TlsStreamConnection c = new TlsConnector(client(suite)).connect(echo.address(), CONNECT)) {
            assertThat(TlsPskTest.roundTrip(c, "ping")).isEqualTo("ping");
            assertThat(c.info().suite()).isEqualTo(suite);
            assertThat(c.info().peerCertificates()).hasSize(2).first().isEqualTo(id.certificate());
            assertThat(c.info().pskIdentity()).isEmpty();
        }
    }

    @Test
    void mutualAuthenticationPassesTheClientChainToTheServer() throws IOException {
        Identity server = PKI.issueServer(KeyType.EC_P256, "adapter");
        Identity client = PKI.issueClient(KeyType.EC_P256, "scanner");
        TlsPolicy sp = server(server, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).toBuilder()
                .requireClientCertificate(true).build();
        TlsPolicy cp = client(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).toBuilder().identity(client).build();
        try (TlsEcho echo = TlsEcho.start(sp);
             TlsStreamConnection c = new TlsConnector(cp).connect(echo.address(), CONNECT)) {
            assertThat(TlsPskTest.roundTrip(c, "x")).isEqualTo("x");
            assertThat(echo.sessions()).singleElement()
                    .satisfies(info -> assertThat(info.peerCertificates().getFirst()).isEqualTo(client.certificate()));
        }
    }

    @Test
    void anRsaClientCertificateIsAcceptedByAnEcServer() throws IOException {
        Identity server = PKI.issueServer(KeyType.EC_P256, "adapter");
        Identity client = PKI.issueClient(KeyType.RSA, "scanner-rsa");
        TlsPolicy sp = server(server, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).toBuilder()
                .requireClientCertificate(true).build();
        TlsPolicy cp = client(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).toBuilder().identity(client).build();
        try (TlsEcho echo = TlsEcho.start(sp);
             TlsStreamConnection c = new TlsConnector(cp).connect(echo.address(), CONNECT)) {
            assertThat(TlsPskTest.roundTrip(c, "y")).isEqualTo("y");
        }
    }

    @Test
    void aClientWithoutCertificateIsRefusedWhenOneIsRequired() throws IOException {
        TlsPolicy sp = server(PKI.issueServer(KeyType.EC_P256, "adapter"), CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
                .toBuilder().requireClientCertificate(true).build();
        try (TlsEcho echo = TlsEcho.start(sp)) {
            TlsConnector connector = new TlsConnector(client(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
            assertThatThrownBy(() -> connector.connect(echo.address(), CONNECT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.alert()).isEqualTo(AlertDescription.handshake_failure));
        }
    }

    @Test
    void aServerFromAnotherPkiIsRefusedAsUnknownCaAndKeptForApproval(@TempDir Path dir) throws IOException {
        TestPki other = TestPki.create("other");
        TrustStore store = TrustStore.open(dir);
        for (var c : PKI.trustStore().anchors()) {
            dev.cipsec.transport.tls.cert.CredentialFiles.writePem(dir.resolve("trusted").resolve("root.pem"), List.of(c));
        }
        store = store.reload();
        Identity stranger = other.issueServer(KeyType.EC_P256, "rogue");
        TlsPolicy cp = TlsPolicy.builder().suites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
                .peerVerifier(PeerVerifier.trusting(store, false)).build();
        try (TlsEcho echo = TlsEcho.start(server(stranger, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
            assertThatThrownBy(() -> new TlsConnector(cp).connect(echo.address(), CONNECT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
                        assertThat(e.alert()).isEqualTo(AlertDescription.unknown_ca);
                        assertThat(e.alertFromPeer()).isFalse();
                        // Names the certificate the path stopped at: the stranger's intermediate, whose root we lack.
                        assertThat(e.getMessage()).contains("UNTRUSTED").contains("sha256=").contains("CN=other intermediate");
                    });
            assertThat(store.rejected()).singleElement().isEqualTo(stranger.certificate());
            // An operator approves it; the next handshake succeeds.
            store.approve(dev.cipsec.transport.tls.cert.CredentialFiles.sha256Fingerprint(stranger.certificate()));
            TlsPolicy approved = cp.toBuilder().peerVerifier(PeerVerifier.trusting(store.reload(), false)).build();
            try (TlsStreamConnection c = new TlsConnector(approved).connect(echo.address(), CONNECT)) {
                assertThat(c.info().peerCertificates().getFirst()).isEqualTo(stranger.certificate());
            }
        }
    }

    @Test
    void anExpiredServerCertificatePassesByDefaultAndFailsWithExpiryChecks() throws IOException {
        Identity expired = PKI.issue(TestPki.LeafSpec.of(KeyType.EC_P256, "old-adapter")
                .validity(Instant.now().minus(Duration.ofDays(400)), Instant.now().minus(Duration.ofDays(35))));
        try (TlsEcho echo = TlsEcho.start(server(expired, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
            // Devices often have no clock: expiry is off unless asked for.
            new TlsConnector(client(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)).connect(echo.address(), CONNECT)
                    .close();
            TlsPolicy strict = client(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).toBuilder()
                    .peerVerifier(PeerVerifier.trusting(PKI.trustStore(), true)).build();
            assertThatThrownBy(() -> new TlsConnector(strict).connect(echo.address(), CONNECT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
                        assertThat(e.alert()).isEqualTo(AlertDescription.certificate_expired);
                        assertThat(e.getMessage()).contains("EXPIRY");
                    });
        }
    }

    @Test
    void aRevokedClientCertificateIsRefusedWithCertificateRevoked() throws IOException {
        Identity client = PKI.issueClient(KeyType.EC_P256, "revoked-scanner");
        TrustStore withCrl = TrustStore.of(PKI.trustStore().anchors(), List.of(), List.of(PKI.crl(client.certificate())));
        TlsPolicy sp = TlsPolicy.builder().identity(PKI.issueServer(KeyType.EC_P256, "adapter"))
                .suites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).requireClientCertificate(true)
                .peerVerifier(PeerVerifier.trusting(withCrl, false)).build();
        TlsPolicy cp = client(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).toBuilder().identity(client).build();
        try (TlsEcho echo = TlsEcho.start(sp)) {
            assertThatThrownBy(() -> new TlsConnector(cp).connect(echo.address(), CONNECT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
                        assertThat(e.alert()).isEqualTo(AlertDescription.certificate_revoked);
                        assertThat(e.alertFromPeer()).isTrue();
                    });
            TlsPskTest.Await.failures(echo, 1);
            assertThat(echo.handler().stats().snapshot().failed()).containsKey("sent certificate_revoked");
        }
    }

    @Test
    void withTheSubjectAltNameCheckTheServerMustNameTheAddressConnectedTo() throws IOException {
        TlsPolicy checking = client(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).toBuilder()
                .checkSubjectAltName(true).build();
        // issueServer names 127.0.0.1; TlsEcho listens there.
        try (TlsEcho echo = TlsEcho.start(server(PKI.issueServer(KeyType.EC_P256, "adapter"),
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
             TlsStreamConnection c = new TlsConnector(checking).connect(
                     new java.net.InetSocketAddress("127.0.0.1", echo.address().getPort()), CONNECT)) {
            assertThat(c.info().suite()).isEqualTo(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        }
        Identity elsewhere = PKI.issue(TestPki.LeafSpec.of(KeyType.EC_P256, "other-device")
                .subjectAltNames(new org.bouncycastle.asn1.x509.GeneralName(
                        org.bouncycastle.asn1.x509.GeneralName.iPAddress, "10.9.9.9")));
        try (TlsEcho echo = TlsEcho.start(server(elsewhere, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
            var at = new java.net.InetSocketAddress("127.0.0.1", echo.address().getPort());
            assertThatThrownBy(() -> new TlsConnector(checking).connect(at, CONNECT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class, e -> {
                        assertThat(e.alert()).isEqualTo(AlertDescription.bad_certificate);
                        assertThat(e.getMessage()).contains("SUBJECT_ALT_NAME").contains("127.0.0.1");
                    });
            // Off by default: the same certificate is accepted on its chain alone.
            new TlsConnector(client(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)).connect(at, CONNECT).close();
        }
    }

    @Test
    void aClientThatTrustsNothingOffersNoCertificateSuite() {
        TlsPolicy p = TlsPolicy.builder().suites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).build();
        assertThat(p.clientSuites()).isEmpty();
        assertThatThrownBy(() -> new TlsConnector(p)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anRsaIdentityCannotServeEcdsaSuites() {
        TlsPolicy p = server(PKI.issueServer(KeyType.RSA, "rsa-adapter"), CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256);
        assertThat(p.serverSuites()).containsExactly(CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256);
    }
}
