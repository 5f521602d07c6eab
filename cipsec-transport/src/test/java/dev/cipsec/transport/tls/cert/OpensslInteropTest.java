package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.wire.testkit.PeerTools;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Our files read by openssl and openssl's files read by us: a tool nobody here wrote checks both directions. */
class OpensslInteropTest {
    private static final TestPki PKI = TestPki.create();

    @TempDir
    Path dir;
    private Path openssl;

    @BeforeEach
    void requireOpenssl() {
        openssl = PeerTools.require("openssl");
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(openssl.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl did not finish: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private String ok(String... args) throws IOException, InterruptedException {
        Result r = run(args);
        assertThat(r.exit()).as("openssl %s: %s", String.join(" ", args), r.output()).isZero();
        return r.output();
    }

    @Test
    void opensslVerifiesOurChainsAndSeesOurRevocation() throws Exception {
        PKI.writeTo(dir);
        Identity server = PKI.issueServer(KeyType.EC_P384, "server");
        Identity client = PKI.issueClient(KeyType.RSA, "client");
        TestPki.writeIdentity(dir, "server", server);
        TestPki.writeIdentity(dir, "client", client);
        assertThat(ok("verify", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", "server.crt", "server.crt"))
                .contains("server.crt: OK");
        assertThat(ok("verify", "-purpose", "sslclient", "-CAfile", "root.pem", "-untrusted", "client.crt", "client.crt"))
                .contains("client.crt: OK");
        // Keys and certificates written by us pair up for openssl.
        assertThat(ok("pkey", "-in", "server.key", "-pubout"))
                .isEqualTo(ok("x509", "-in", "server.crt", "-noout", "-pubkey"));

        TestPki.writeCrl(dir.resolve("crl.pem"), PKI.crl(server.certificate()));
        Result revoked = run("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "server.crt",
                "-CRLfile", "crl.pem", "server.crt");
        assertThat(revoked.exit()).isNotZero();
        assertThat(revoked.output()).contains("certificate revoked");
        assertThat(ok("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "client.crt", "-CRLfile", "crl.pem", "client.crt"))
                .contains("client.crt: OK");
    }

    @Test
    void fingerprintMatchesOpenssl() throws Exception {
        TestPki.writeCertificate(dir.resolve("root.pem"), PKI.root());
        String out = ok("x509", "-in", "root.pem", "-noout", "-fingerprint", "-sha256").trim();
        assertThat(out.substring(out.indexOf('=') + 1)).isEqualTo(CredentialFiles.sha256Fingerprint(PKI.root()));
    }

    @Test
    void pkcs12ExportedByOpensslIsRead() throws Exception {
        Identity id = PKI.issueServer(KeyType.EC_P256, "p12");
        TestPki.writeIdentity(dir, "id", id);
        ok("pkcs12", "-export", "-in", "id.crt", "-inkey", "id.key", "-name", "device", "-passout", "pass:changeit",
                "-out", "id.p12");
        char[] pw = "changeit".toCharArray();
        Identity byOnlyEntry = CredentialFiles.readPkcs12(dir.resolve("id.p12"), pw, null);
        Identity byAlias = CredentialFiles.readPkcs12(dir.resolve("id.p12"), pw, "device");
        assertThat(byOnlyEntry.chain()).containsExactlyElementsOf(id.chain());
        assertThat(byAlias.key()).isEqualTo(id.key());
        assertThat(byAlias.keyType()).isEqualTo(KeyType.EC_P256);
    }

    @Test
    void sec1KeyAndCertificateMadeByOpensslAreRead() throws Exception {
        // ecparam -genkey writes an "EC PARAMETERS" block before the SEC1 "EC PRIVATE KEY".
        ok("ecparam", "-name", "secp384r1", "-genkey", "-out", "ec.key");
        assertThat(Files.readString(dir.resolve("ec.key"))).contains("-----BEGIN EC PARAMETERS-----", "-----BEGIN EC PRIVATE KEY-----");
        ok("req", "-new", "-x509", "-key", "ec.key", "-subj", "/CN=made by openssl", "-days", "2", "-out", "ec.crt");
        Identity id = CredentialFiles.readIdentity(dir.resolve("ec.crt"), dir.resolve("ec.key"), null);
        assertThat(id.keyType()).isEqualTo(KeyType.EC_P384);
        assertThat(id.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=made by openssl");
        // Pinned, the openssl self-signed certificate verifies.
        TrustStore pinned = TrustStore.of(List.of(id.certificate()), List.of(), List.of());
        assertThat(new CertificateVerifier(pinned).verify(id.chain(), VerifyOptions.of(Purpose.SERVER, true))).hasSize(1);
    }

    @Test
    void pkcs1AndEncryptedPkcs8ConvertedByOpensslAreRead() throws Exception {
        Identity rsa = PKI.issueServer(KeyType.RSA, "rsa");
        TestPki.writeIdentity(dir, "rsa", rsa);
        ok("rsa", "-in", "rsa.key", "-traditional", "-out", "rsa1.key");
        assertThat(Files.readString(dir.resolve("rsa1.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(CredentialFiles.readIdentity(dir.resolve("rsa.crt"), dir.resolve("rsa1.key"), null).key())
                .isEqualTo(rsa.key());

        ok("pkcs8", "-topk8", "-in", "rsa.key", "-v2", "aes-256-cbc", "-passout", "pass:pw", "-out", "rsa-enc.key");
        assertThat(Files.readString(dir.resolve("rsa-enc.key"))).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(CredentialFiles.readPrivateKey(dir.resolve("rsa-enc.key"), "pw".toCharArray())).isEqualTo(rsa.key());

        ok("pkcs8", "-topk8", "-in", "rsa.key", "-nocrypt", "-outform", "DER", "-out", "rsa.der");
        assertThat(CredentialFiles.readPrivateKey(dir.resolve("rsa.der"), null)).isEqualTo(rsa.key());
    }
}
