package dev.cipsec.commission.est;

import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad input gets its status, and the CA issues nothing for it. */
class EstRefusalTest {
    static final String PKCS10 = "application/pkcs10";

    @TempDir
    Path tmp;

    Identity factory;
    EstPlant plant;

    @BeforeEach
    void start() throws Exception {
        factory = TestPki.selfSigned(KeyType.EC_P256, "factory plc1");
        plant = EstPlant.start(tmp, CredentialFiles.sha256Fingerprint(factory.certificate()).replace(":", ""),
                c -> c.withLimits(4096, 4, 2, 30));
    }

    @AfterEach
    void stop() {
        plant.close();
    }

    static byte[] b64(PKCS10CertificationRequest csr) throws Exception {
        return Base64.getMimeEncoder().encode(csr.getEncoded());
    }

    /** Sends and checks the status, and that the CA's list did not grow. */
    HttpResponse<String> refused(int status, HttpClient client, String op, String type, byte[] body, String... headers)
            throws Exception {
        int before = plant.issued().size();
        HttpResponse<String> r = plant.post(client, op, type, body, headers);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(plant.issued()).hasSize(before);
        return r;
    }

    X509Certificate enrolPlc1(KeyPair key) throws Exception {
        HttpResponse<String> r = plant.post(plant.httpClient(factory), "simpleenroll", PKCS10, b64(EstPlant.csr("plc1", key)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/pkcs7-mime");
        assertThat(r.headers().firstValue("Content-Transfer-Encoding")).contains("base64");
        CMSSignedData p7 = new CMSSignedData(Base64.getMimeDecoder().decode(r.body()));
        X509CertificateHolder h = p7.getCertificates().getMatches(null).iterator().next();
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        byte[] body = b64(EstPlant.csr("plc1", EstPlant.newKey()));
        refused(415, plant.httpClient(factory), "simpleenroll", "application/octet-stream", body);
        refused(415, plant.httpClient(factory), "simpleenroll", null, body);
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        byte[] body = new byte[5000];
        java.util.Arrays.fill(body, (byte) 'A');
        refused(413, plant.httpClient(factory), "simpleenroll", PKCS10, body);
    }

    @Test
    void malformedRequestsAre400() throws Exception {
        HttpClient c = plant.httpClient(factory);
        refused(400, c, "simpleenroll", PKCS10, "not base64 !!".getBytes(StandardCharsets.US_ASCII));
        refused(400, c, "simpleenroll", PKCS10, new byte[0]);
        refused(400, c, "simpleenroll", PKCS10, Base64.getEncoder().encode("no PKCS#10 here".getBytes(StandardCharsets.US_ASCII)));
        byte[] der = EstPlant.csr("plc1", EstPlant.newKey()).getEncoded();
        der[der.length - 10] ^= 0x01; // inside the signature
        refused(400, c, "simpleenroll", PKCS10, Base64.getEncoder().encode(der));
    }

    @Test
    void missingOrWrongAuthenticationIs401() throws Exception {
        HttpResponse<String> r = refused(401, plant.httpClient(null), "simpleenroll", PKCS10, b64(EstPlant.csr("plc1", EstPlant.newKey())));
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        String basic = "Basic " + Base64.getEncoder().encodeToString("someone:pw".getBytes(StandardCharsets.UTF_8));
        refused(401, plant.httpClient(null), "simpleenroll", PKCS10, b64(EstPlant.csr("plc1", EstPlant.newKey())),
                "Authorization", basic);
        refused(401, plant.httpClient(null), "simplereenroll", PKCS10, b64(EstPlant.csr("plc1", EstPlant.newKey())));
    }

    @Test
    void wrongMethodAndUnknownOperations() throws Exception {
        HttpClient c = plant.httpClient(factory);
        HttpResponse<String> get = c.send(HttpRequest.newBuilder(URI.create(plant.server.baseUri() + "simpleenroll")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        refused(404, c, "nothing", PKCS10, new byte[0]);
        refused(501, c, "serverkeygen", PKCS10, b64(EstPlant.csr("plc1", EstPlant.newKey())));
    }

    @Test
    void reenrolmentWithAForeignCertificateIs403() throws Exception {
        // A certificate from another CA with the same subject, and the factory certificate.
        TestPki other = TestPki.create("EST Test CA");
        Identity foreign = other.issueClient(KeyType.EC_P256, "plc1.line1");
        KeyPair key = EstPlant.newKey();
        refused(403, plant.httpClient(foreign), "simplereenroll", PKCS10, b64(EstPlant.csr("plc1.line1", key)));
        refused(403, plant.httpClient(factory), "simplereenroll", PKCS10, b64(EstPlant.csr("plc1.line1", key)));
    }

    @Test
    void reenrolmentWithARevokedCertificateIs403() throws Exception {
        KeyPair key = EstPlant.newKey();
        X509Certificate cert = enrolPlc1(key);
        plant.ca.revoke(cert.getSerialNumber(), PlantCa.reasonCode("keyCompromise"));
        Identity current = new Identity(key.getPrivate(), List.of(cert));
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        refused(403, plant.httpClient(current), "simplereenroll", PKCS10, b64(EstPlant.csr(subject, EstPlant.newKey())));
        // Nor does simpleenroll take a revoked plant certificate.
        refused(403, plant.httpClient(current), "simpleenroll", PKCS10, b64(EstPlant.csr(subject, EstPlant.newKey())));
    }

    @Test
    void reenrolmentMustKeepTheSubject() throws Exception {
        KeyPair key = EstPlant.newKey();
        X509Certificate cert = enrolPlc1(key);
        Identity current = new Identity(key.getPrivate(), List.of(cert));
        refused(403, plant.httpClient(current), "simplereenroll", PKCS10, b64(EstPlant.csr("drive1", EstPlant.newKey())));
        HttpResponse<String> ok = plant.post(plant.httpClient(current), "simplereenroll", PKCS10,
                b64(EstPlant.csr(X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()), EstPlant.newKey())));
        assertThat(ok.statusCode()).isEqualTo(200);
    }

    @Test
    void pendingStoreIsBounded() throws Exception {
        for (int i = 0; i < 2; i++) {
            Identity stranger = TestPki.selfSigned(KeyType.EC_P256, "stranger" + i);
            HttpResponse<String> r = plant.post(plant.httpClient(stranger), "simpleenroll", PKCS10,
                    b64(EstPlant.csr("new" + i, EstPlant.newKey())));
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(r.headers().firstValue("Retry-After")).contains("30");
        }
        Identity third = TestPki.selfSigned(KeyType.EC_P256, "stranger3");
        HttpResponse<String> r = refused(503, plant.httpClient(third), "simpleenroll", PKCS10,
                b64(EstPlant.csr("new3", EstPlant.newKey())));
        assertThat(r.headers().firstValue("Retry-After")).contains("30");
        assertThat(PendingStore.existing(plant.state).list()).hasSize(2);
    }

    @Test
    void deniedRequestIs403() throws Exception {
        Identity stranger = TestPki.selfSigned(KeyType.EC_P256, "stranger");
        byte[] body = b64(EstPlant.csr("drive1", EstPlant.newKey()));
        assertThat(plant.post(plant.httpClient(stranger), "simpleenroll", PKCS10, body).statusCode()).isEqualTo(202);
        PendingStore store = PendingStore.existing(plant.state);
        store.deny(store.list().getFirst().id());
        refused(403, plant.httpClient(stranger), "simpleenroll", PKCS10, body);
    }

    @Test
    void expiredVendorCertificateIs403NotPending() throws Exception {
        plant.close();
        TestPki vendor = TestPki.create("vendor");
        Identity expired = vendor.issue(TestPki.LeafSpec.of(KeyType.EC_P256, "old device")
                .eku(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_clientAuth)
                .validity(java.time.Instant.now().minus(java.time.Duration.ofDays(30)),
                        java.time.Instant.now().minus(java.time.Duration.ofDays(1))));
        plant = EstPlant.start(tmp.resolve("again"), "", c -> c.withVendorCa(
                dev.cipsec.transport.tls.cert.TrustStore.of(List.of(vendor.root()), List.of(), List.of())));
        refused(403, plant.httpClient(expired), "simpleenroll", PKCS10, b64(EstPlant.csr("drive1", EstPlant.newKey())));
        assertThat(PendingStore.existing(plant.state).list()).isEmpty();
    }
}
