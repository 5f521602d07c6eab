package dev.cipsec.cli;

import dev.cipsec.adapter.config.Json;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.est.ESTException;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.EnrollmentResponse;
import org.bouncycastle.est.jcajce.JcaHttpAuthBuilder;
import org.bouncycastle.est.jcajce.JcaJceUtils;
import org.bouncycastle.est.jcajce.JsseESTServiceBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EstServerCommandTest {
    private static final String PASSWORD = "plant-ca-password";

    @TempDir
    Path tmp;

    Thread serverThread;

    record Run(int exit, String out, String err) {
    }

    static Run cipsec(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Collects what the server prints and completes once the banner is out. */
    static final class Banner extends Writer {
        final StringBuilder text = new StringBuilder();
        final CompletableFuture<String> ready = new CompletableFuture<>();

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            text.append(buf, off, len);
            if (text.indexOf("server certificate SHA-256") >= 0 && text.indexOf("\n", text.indexOf("SHA-256")) >= 0) {
                ready.complete(text.toString());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (serverThread != null) {
            serverThread.interrupt();
            serverThread.join(10_000);
        }
    }

    static KeyPair newKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static PKCS10CertificationRequest csr(String cn, KeyPair k) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), k.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate()));
    }

    static ESTService client(int port, X509Certificate ca, Identity id) throws Exception {
        JsseESTServiceBuilder b = new JsseESTServiceBuilder("127.0.0.1:" + port,
                JcaJceUtils.getCertPathTrustManager(Set.of(new TrustAnchor(ca, null)), null));
        if (id != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("k", id.key(), "k".toCharArray(), id.chain().toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "k".toCharArray());
            b.withKeyManagers(kmf.getKeyManagers());
        }
        return b.build();
    }

    @Test
    void serveHoldApproveDenyAndBasicUsers() throws Exception {
        Path pass = tmp.resolve("ca.pass");
        Files.writeString(pass, PASSWORD + "\n");
        Path ca = tmp.resolve("ca");
        assertThat(cipsec("ca", "init", "--dir", ca.toString(), "--cn", "Plant CA", "--o", "Acme",
                "--password-file", pass.toString()).exit()).isZero();
        Path policy = tmp.resolve("policy.json");
        Files.writeString(policy, """
                { "version": 1, "zones": [ { "name": "line1" } ],
                  "devices": [ { "name": "drive1", "zone": "line1", "address": "10.0.1.11" } ] }
                """);
        Path users = tmp.resolve("est-users");
        Path userPass = tmp.resolve("installer.pass");
        Files.writeString(userPass, "installer password\n");
        Run added = cipsec("est-server", "add-user", "--users", users.toString(), "--password-file", userPass.toString(), "installer");
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(Files.readString(users)).startsWith("installer:pbkdf2-sha256$").doesNotContain("installer password");
        assertThat(Files.getPosixFilePermissions(users)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);

        Path state = tmp.resolve("est");
        Banner banner = new Banner();
        serverThread = Thread.ofPlatform().start(() -> Main.execute(new PrintWriter(banner), new PrintWriter(new StringWriter()),
                "est-server", "--ca", ca.toString(), "--password-file", pass.toString(), "--policy", policy.toString(),
                "--state", state.toString(), "--port", "0", "--basic-auth", users.toString(), "--retry-after", "5"));
        String printed = banner.ready.get(60, TimeUnit.SECONDS);
        Matcher m = Pattern.compile("https://127\\.0\\.0\\.1:(\\d+)/\\.well-known/est/").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        int port = Integer.parseInt(m.group(1));
        X509Certificate caCert = CredentialFiles.readCertificates(ca.resolve("ca.pem")).getFirst();
        X509Certificate serverCert = CredentialFiles.readCertificates(state.resolve("server/server.pem")).getFirst();
        assertThat(printed).contains(CredentialFiles.sha256Fingerprint(serverCert)).doesNotContain(PASSWORD);

        // An unknown device waits; the operator approves it; a second is denied.
        Identity unknown = TestPki.selfSigned(KeyType.EC_P256, "new device");
        KeyPair k1 = newKey();
        assertThat(client(port, caCert, unknown).simpleEnroll(false, csr("drive1", k1), null).isCompleted()).isFalse();
        Identity other = TestPki.selfSigned(KeyType.EC_P256, "other device");
        KeyPair k2 = newKey();
        assertThat(client(port, caCert, other).simpleEnroll(false, csr("drive7", k2), null).isCompleted()).isFalse();

        Run pending = cipsec("est-server", "pending", "--state", state.toString(), "--json");
        assertThat(pending.exit()).as(pending.err()).isZero();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> requests = (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(pending.out())).get("requests");
        assertThat(requests).hasSize(2);
        String id1 = (String) requests.stream().filter(r -> r.get("csrSubject").equals("CN=drive1")).findFirst().orElseThrow().get("id");
        String id2 = (String) requests.stream().filter(r -> r.get("csrSubject").equals("CN=drive7")).findFirst().orElseThrow().get("id");
        Run text = cipsec("est-server", "pending", "--state", state.toString());
        assertThat(text.out()).contains(id1).contains(CredentialFiles.sha256Fingerprint(unknown.certificate()).replace(":", ""));

        assertThat(cipsec("est-server", "approve", id1, "--state", state.toString()).exit()).isZero();
        assertThat(cipsec("est-server", "deny", id2, "--state", state.toString()).exit()).isZero();
        EnrollmentResponse ok = client(port, caCert, unknown).simpleEnroll(false, csr("drive1", k1), null);
        assertThat(ok.isCompleted()).isTrue();
        X509CertificateHolder[] certs = ESTService.storeToArray(ok.getStore());
        assertThat(certs[0].getSubject().toString()).isEqualTo("CN=drive1");
        assertThatThrownBy(() -> client(port, caCert, other).simpleEnroll(false, csr("drive7", k2), null))
                .isInstanceOfSatisfying(ESTException.class, e -> assertThat(e.getStatusCode()).isEqualTo(403));

        // The basic user enrols a known device at once.
        EnrollmentResponse basic = client(port, caCert, null).simpleEnroll(false, csr("drive1", newKey()),
                new JcaHttpAuthBuilder("installer", "installer password".toCharArray()).build());
        assertThat(basic.isCompleted()).isTrue();

        Run unknownId = cipsec("est-server", "approve", "0123456789abcdef", "--state", state.toString());
        assertThat(unknownId.exit()).isEqualTo(Main.USAGE);
        Run noState = cipsec("est-server", "pending", "--state", tmp.resolve("nowhere").toString());
        assertThat(noState.exit()).isEqualTo(Main.IO);
        Run missing = cipsec("est-server", "--state", state.toString());
        assertThat(missing.exit()).isEqualTo(Main.USAGE);
    }
}
