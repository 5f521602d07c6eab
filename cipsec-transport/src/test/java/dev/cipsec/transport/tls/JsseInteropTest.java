package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SunJSSE, the JDK's own TLS stack, against our server and our client in-process, for the
 * ECDHE-ECDSA suites it enables by default (its {@code jdk.tls.disabledAlgorithms} excludes the
 * RSA key-transport and NULL suites since JDK 24: {@link GnuTlsInteropTest} covers those), with
 * mutual authentication both ways.
 */
class JsseInteropTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final char[] PASSWORD = "changeit".toCharArray();
    static final TestPki PKI = TestPki.create("jsse");
    static Identity ecServer;
    static Identity ecClient;

    @BeforeAll
    static void identities() {
        ecServer = PKI.issueServer(KeyType.EC_P256, "jsse-adapter");
        ecClient = PKI.issueClient(KeyType.EC_P384, "jsse-scanner");
    }

    /** An SSLContext trusting our test root, presenting {@code id} when not null. */
    static SSLContext context(Identity id) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", PKI.root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (id != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("id", id.key(), PASSWORD, id.chain().toArray(Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD);
        }
        SSLContext ctx = SSLContext.getInstance("TLSv1.2");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    static String roundTrip(OutputStream out, InputStream in, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        out.write(b);
        out.flush();
        return new String(in.readNBytes(b.length), StandardCharsets.US_ASCII);
    }

    static void jsseClientAgainstOurServer(CipherSuite suite, Identity clientId, boolean requireClientCert) throws Exception {
        TlsPolicy policy = TlsPolicy.builder().identity(ecServer).suites(suite)
                .peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false)).requireClientCertificate(requireClientCert).build();
        try (TlsEcho echo = TlsEcho.start(policy);
             SSLSocket s = (SSLSocket) context(clientId).getSocketFactory().createSocket(
                     echo.address().getAddress(), echo.address().getPort())) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.setEnabledProtocols(new String[]{"TLSv1.2"});
            s.setEnabledCipherSuites(new String[]{suite.name()});
            s.startHandshake();
            assertThat(s.getSession().getCipherSuite()).isEqualTo(suite.name());
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat((X509Certificate) s.getSession().getPeerCertificates()[0]).isEqualTo(ecServer.certificate());
            assertThat(roundTrip(s.getOutputStream(), s.getInputStream(), "hello " + suite.name()))
                    .isEqualTo("hello " + suite.name());
            assertThat(roundTrip(s.getOutputStream(), s.getInputStream(), "x".repeat(40_000))).hasSize(40_000);
            assertThat(echo.sessions()).singleElement().satisfies(info -> {
                assertThat(info.suite()).isEqualTo(suite);
                assertThat(info.extendedMasterSecret()).isTrue();
                if (clientId != null) {
                    assertThat(info.peerCertificates().getFirst()).isEqualTo(clientId.certificate());
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"})
    void jsseClientAgainstOurServer(CipherSuite suite) throws Exception {
        jsseClientAgainstOurServer(suite, null, false);
    }

    @Test
    void jsseClientWithAP384CertificateAgainstOurServerRequiringOne() throws Exception {
        jsseClientAgainstOurServer(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ecClient, true);
    }

    /** A JSSE server on loopback echoing one connection; returns the suite JSSE negotiated. */
    static CompletableFuture<String> jsseEchoOnce(SSLServerSocket server) {
        CompletableFuture<String> negotiated = new CompletableFuture<>();
        Thread.ofVirtual().name("jsse-echo").start(() -> {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout((int) WAIT.toMillis());
                s.startHandshake();
                negotiated.complete(s.getSession().getCipherSuite());
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                negotiated.completeExceptionally(e);
            }
        });
        return negotiated;
    }

    static void ourClientAgainstJsseServer(CipherSuite suite, Identity clientId) throws Exception {
        TlsPolicy.Builder policy = TlsPolicy.builder().suites(suite).peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false));
        if (clientId != null) {
            policy.identity(clientId);
        }
        try (SSLServerSocket server = (SSLServerSocket) context(ecServer).getServerSocketFactory()
                .createServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            server.setEnabledProtocols(new String[]{"TLSv1.2"});
            server.setEnabledCipherSuites(new String[]{suite.name()});
            server.setNeedClientAuth(clientId != null);
            CompletableFuture<String> negotiated = jsseEchoOnce(server);
            try (TlsStreamConnection c = new TlsConnector(policy.build())
                    .connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), WAIT)) {
                assertThat(c.info().suite()).isEqualTo(suite);
                assertThat(c.info().extendedMasterSecret()).isTrue();
                assertThat(c.info().peerCertificates().getFirst()).isEqualTo(ecServer.certificate());
                assertThat(roundTrip(c.out(), c.in(), "hello " + suite.name())).isEqualTo("hello " + suite.name());
                assertThat(roundTrip(c.out(), c.in(), "y".repeat(40_000))).hasSize(40_000);
                assertThat(negotiated.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(suite.name());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"})
    void ourClientAgainstJsseServer(CipherSuite suite) throws Exception {
        ourClientAgainstJsseServer(suite, null);
    }

    @Test
    void ourClientWithACertificateAgainstAJsseServerRequiringOne() throws Exception {
        ourClientAgainstJsseServer(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, ecClient);
    }
}
