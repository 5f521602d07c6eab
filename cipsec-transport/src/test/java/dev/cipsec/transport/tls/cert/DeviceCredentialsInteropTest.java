package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.OpenSslCommand;
import dev.cipsec.transport.tls.OpenSslProcess;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsEcho;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What DeviceCredentials makes, checked by OpenSSL 3.0; and what OpenSSL makes, read by DeviceCredentials. */
class DeviceCredentialsInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TestPki PKI = TestPki.create("creds interop");
    private static final CipherSuite SUITE = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;

    @TempDir
    Path dir;
    private OpenSslCommand openssl;
    private Identity device;

    @BeforeEach
    void setUp() {
        openssl = OpenSslCommand.in(dir);
        device = DeviceCredentials.generateDefault("cipsec adapter", "SN-0001", new SecureRandom());
    }

    @Test
    void opensslReadsTheDefaultCertificateAsDocumented() throws Exception {
        TestPki.writeIdentity(dir, "device", device);
        String text = openssl.ok("x509", "-in", "device.crt", "-noout", "-text");
        assertThat(text).contains("Subject: CN = cipsec adapter, serialNumber = SN-0001",
                "Issuer: CN = cipsec adapter, serialNumber = SN-0001",
                "Not After : Dec 31 23:59:59 9999 GMT", "ecdsa-with-SHA256", "NIST CURVE: P-256",
                "X509v3 Basic Constraints: critical", "CA:FALSE", "X509v3 Key Usage: critical", "Digital Signature",
                "TLS Web Server Authentication, TLS Web Client Authentication", "X509v3 Subject Key Identifier");
        assertThat(text).doesNotContain("Certificate Sign", "Subject Alternative Name");
        // Pinned (the certificate is its own trust anchor), it verifies for both TLS roles.
        assertThat(openssl.ok("verify", "-purpose", "sslserver", "-CAfile", "device.crt", "device.crt")).contains("device.crt: OK");
        assertThat(openssl.ok("verify", "-purpose", "sslclient", "-CAfile", "device.crt", "device.crt")).contains("device.crt: OK");
    }

    @Test
    void opensslClientHandshakesWithTheDefaultIdentityPinned() throws Exception {
        TestPki.writeIdentity(dir, "device", device);
        assertHandshake(device, dir.resolve("device.crt"));
    }

    @Test
    void csrIsReadAndVerifiedByOpensslAndItsSignedCertificateServesTls() throws Exception {
        CsrSubject subject = new CsrSubject("plc-7.plant.example", "Example Foods", "Packaging", "Lyon", "", "FR", "", "",
                List.of("DNS:plc-7.plant.example", "IP:127.0.0.1", "fd00::7"));
        Files.write(dir.resolve("device.csr"), DeviceCredentials.createCsrPem(device, subject));
        String text = openssl.ok("req", "-in", "device.csr", "-verify", "-noout", "-text");
        assertThat(text).contains("verify OK",
                "Subject: C = FR, L = Lyon, O = Example Foods, OU = Packaging, CN = plc-7.plant.example, serialNumber = SN-0001",
                "X509v3 Subject Alternative Name", "DNS:plc-7.plant.example, IP Address:127.0.0.1, IP Address:FD00:0:0:0:0:0:0:7",
                "NIST CURVE: P-256", "ecdsa-with-SHA256");

        PKI.writeTo(dir);
        TestPki.writeIdentity(dir, "ca", PKI.intermediateIdentity());
        openssl.ok("x509", "-req", "-in", "device.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "30", "-copy_extensions", "copy", "-out", "signed.pem");
        List<X509Certificate> signed = DeviceCredentials.parseCertificates(Bytes.of(Files.readAllBytes(dir.resolve("signed.pem"))));
        assertThat(signed).hasSize(1);
        X509Certificate cert = signed.getFirst();
        assertThat(DeviceCredentials.matches(cert, device.key())).isTrue();
        assertThat(DeviceCredentials.matches(cert, DeviceCredentials.generateDefault("x", "", new SecureRandom()).key())).isFalse();
        assertThat(SubjectAltNames.matches(cert, "plc-7.plant.example")).isTrue();
        assertThat(SubjectAltNames.matches(cert, "[fd00::7]")).isTrue();

        // The commissioned identity: the device's own key with the CA-signed chain, verified by openssl up to the root.
        Identity commissioned = new Identity(device.key(), List.of(cert, PKI.intermediate()));
        assertHandshake(commissioned, dir.resolve("root.pem"));
    }

    @Test
    void certificatesFromOpensslPkcs7ComeOutLeafFirst() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "server");
        List<X509Certificate> chain = List.of(server.certificate(), PKI.intermediate(), PKI.root());
        CredentialFiles.writePem(dir.resolve("chain.pem"), chain);
        openssl.ok("crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain.p7b");
        openssl.ok("crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER", "-out", "chain.p7b.der");
        assertThat(Files.readString(dir.resolve("chain.p7b"))).startsWith("-----BEGIN PKCS7-----");
        assertThat(DeviceCredentials.parseCertificates(Bytes.of(Files.readAllBytes(dir.resolve("chain.p7b")))))
                .containsExactlyElementsOf(chain);
        assertThat(DeviceCredentials.parseCertificates(Bytes.of(Files.readAllBytes(dir.resolve("chain.p7b.der")))))
                .containsExactlyElementsOf(chain);
        // Files too: CredentialFiles shares the parser.
        assertThat(CredentialFiles.readCertificates(dir.resolve("chain.p7b"))).containsExactlyElementsOf(chain);
    }

    @Test
    void crlsFromOpensslPemDerAndPkcs7() throws Exception {
        X509CRL crl = PKI.crl(PKI.issueServer(KeyType.EC_P256, "revoked").certificate());
        TestPki.writeCrl(dir.resolve("crl.pem"), crl);
        openssl.ok("crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der");
        openssl.ok("crl2pkcs7", "-in", "crl.pem", "-out", "crl.p7b");
        for (String f : List.of("crl.pem", "crl.der", "crl.p7b")) {
            assertThat(DeviceCredentials.parseCrls(Bytes.of(Files.readAllBytes(dir.resolve(f))))).as(f).containsExactly(crl);
        }
    }

    @Test
    void opensslReadsOurPkcs12WithSecretsAndWeReadOpensslsPkcs12() throws Exception {
        Identity commissioned = PKI.issueServer(KeyType.EC_P256, "plc");
        Map<String, Identity> ids = new LinkedHashMap<>();
        ids.put("default", device);
        ids.put("cert-2", commissioned);
        Map<String, Bytes> secrets = Map.of("psk-0", Bytes.fromHex("00112233445566778899aabbccddeeff"));
        Files.write(dir.resolve("state.p12"), DeviceCredentials.writePkcs12(ids, secrets, "s3cret".toCharArray()).toArray());

        String info = openssl.ok("pkcs12", "-info", "-nokeys", "-in", "state.p12", "-passin", "pass:s3cret");
        assertThat(info).contains("MAC: sha256", "Secret bag", "friendlyName: psk-0", "friendlyName: default",
                "friendlyName: cert-2", "subject=CN = cipsec adapter, serialNumber = SN-0001", "subject=CN = plc",
                "PBES2, PBKDF2, AES-256-CBC");
        assertThat(openssl.run("pkcs12", "-info", "-nokeys", "-in", "state.p12", "-passin", "pass:wrong").exit()).isNotZero();
        // openssl decrypts our key entries: the default key comes out as the key we wrote.
        openssl.ok("pkcs12", "-in", "state.p12", "-passin", "pass:s3cret", "-nocerts", "-nodes", "-out", "keys.pem");
        String keys = Files.readString(dir.resolve("keys.pem"));
        Files.writeString(dir.resolve("default.key"), keys.substring(keys.indexOf("friendlyName: default")));
        assertThat(CredentialFiles.readPrivateKey(dir.resolve("default.key"), null)).isEqualTo(device.key());

        TestPki.writeIdentity(dir, "plc", commissioned);
        openssl.ok("pkcs12", "-export", "-in", "plc.crt", "-inkey", "plc.key", "-name", "device", "-passout", "pass:pw",
                "-out", "openssl.p12");
        DeviceCredentials.Pkcs12Contents read = DeviceCredentials.readPkcs12(
                Bytes.of(Files.readAllBytes(dir.resolve("openssl.p12"))), "pw".toCharArray());
        assertThat(read.identities()).containsOnlyKeys("device");
        assertThat(read.identities().get("device").chain()).containsExactlyElementsOf(commissioned.chain());
        assertThat(read.identities().get("device").key()).isEqualTo(commissioned.key());
    }

    /** openssl s_client trusting {@code caFile} completes an ECDHE-ECDSA handshake with our server and echoes a line. */
    private void assertHandshake(Identity serverIdentity, Path caFile) throws Exception {
        TlsPolicy policy = TlsPolicy.builder().identity(serverIdentity).suites(SUITE)
                .peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false)).build();
        try (TlsEcho echo = TlsEcho.start(policy);
             OpenSslProcess client = OpenSslProcess.start("s_client", "-connect", "127.0.0.1:" + echo.address().getPort(),
                     "-tls1_2", "-cipher", SUITE.opensslName().orElseThrow(), "-CAfile", caFile.toString(),
                     "-verify_return_error", "-quiet", "-no_ign_eof")) {
            client.writeLine("hello device");
            client.awaitLine(l -> l.equals("hello device"), WAIT);
            client.closeStdin();
            assertThat(client.waitFor(WAIT)).as(String.join("\n", client.output())).isZero();
            assertThat(echo.sessions()).singleElement().satisfies(info -> assertThat(info.suite()).isEqualTo(SUITE));
        }
    }
}
