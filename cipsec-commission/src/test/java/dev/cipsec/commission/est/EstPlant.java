package dev.cipsec.commission.est;

import dev.cipsec.commission.ca.CaInit;
import dev.cipsec.commission.ca.CaKeyAccess;
import dev.cipsec.commission.ca.IssuedCertificate;
import dev.cipsec.commission.ca.KeyAlgorithm;
import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.Identity;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.jcajce.JcaJceUtils;
import org.bouncycastle.est.jcajce.JsseESTServiceBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.TrustAnchor;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A plant CA, a policy with a pinned and an unpinned device, and an EST server on a loopback port. */
final class EstPlant implements AutoCloseable {
    static final char[] PASSWORD = "est test password".toCharArray();

    final Path dir;
    final PlantCa ca;
    final Path policy;
    final Path state;
    final EstServer server;

    private EstPlant(Path dir, PlantCa ca, Path policy, Path state, EstServer server) {
        this.dir = dir;
        this.ca = ca;
        this.policy = policy;
        this.state = state;
        this.server = server;
    }

    /** plc1 (dnsName plc1.line1, pinned to {@code plc1Pin} when not empty) and drive1 (no pin) in zone line1. */
    static EstPlant start(Path dir, String plc1Pin, UnaryOperator<EstServerConfig> tune) throws IOException {
        PlantCa ca = PlantCa.init(dir.resolve("ca"), new CaInit(KeyAlgorithm.EC_P256,
                new CsrSubject("EST Test CA", "Acme", "", "", "", "FR", "", "", List.of()), 3650,
                new CaKeyAccess.Pkcs12(PASSWORD)));
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, policyJson(plc1Pin));
        Path state = dir.resolve("state");
        EstServerConfig config = tune.apply(EstServerConfig.of(ca, policy, state)
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        return new EstPlant(dir, ca, policy, state, EstServer.start(config));
    }

    static String policyJson(String plc1Pin) {
        return """
                {
                  "version": 1,
                  "settings": { "certificate": { "organization": "Acme", "country": "FR", "validityDays": 365 } },
                  "zones": [ { "name": "line1" } ],
                  "devices": [
                    { "name": "plc1", "zone": "line1", "address": "10.0.1.10", "dnsName": "plc1.line1"%s },
                    { "name": "drive1", "zone": "line1", "address": "10.0.1.11" }
                  ]
                }
                """.formatted(plc1Pin.isEmpty() ? "" : ", \"fingerprint\": \"" + plc1Pin + "\"");
    }

    int port() {
        return server.address().getPort();
    }

    List<IssuedCertificate> issued() throws IOException {
        return ca.list();
    }

    static KeyPair newKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static PKCS10CertificationRequest csr(X500Name subject, KeyPair keys) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static PKCS10CertificationRequest csr(String cn, KeyPair keys) {
        return csr(new X500Name("CN=" + cn), keys);
    }

    /** Bouncy Castle's EST client, presenting {@code client} when not null. */
    ESTService bcClient(Identity client) {
        JsseESTServiceBuilder b = new JsseESTServiceBuilder("127.0.0.1:" + port(),
                JcaJceUtils.getCertPathTrustManager(Set.of(new TrustAnchor(ca.certificate(), null)), null));
        if (client != null) {
            b.withKeyManagers(keyManagers(client));
        }
        return b.build();
    }

    /** The JDK's HTTP client over TLS trusting the plant CA, presenting {@code client} when not null. */
    HttpClient httpClient(Identity client) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(client == null ? null : keyManagers(client), tmf.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> post(HttpClient client, String op, String contentType, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUri() + op))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static KeyManager[] keyManagers(Identity id) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "k".toCharArray();
            ks.setKeyEntry("client", id.key(), pw, id.chain().toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            return kmf.getKeyManagers();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        ca.close();
    }
}
