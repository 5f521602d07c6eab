package dev.cipsec.commission.est;

import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.TrustStore;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.CACertsResponse;
import org.bouncycastle.est.ESTException;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.EnrollmentResponse;
import org.bouncycastle.est.jcajce.JcaHttpAuthBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bouncy Castle's EST client (what the device side will use) against our server. */
class EstServerTest {
    @TempDir
    Path tmp;

    static X509Certificate single(EnrollmentResponse r) throws Exception {
        assertThat(r.isCompleted()).isTrue();
        X509CertificateHolder[] certs = ESTService.storeToArray(r.getStore());
        assertThat(certs).hasSize(1);
        return new JcaX509CertificateConverter().getCertificate(certs[0]);
    }

    @Test
    void cacertsAndCsrattrs() throws Exception {
        try (EstPlant plant = EstPlant.start(tmp, "", c -> c)) {
            CACertsResponse r = plant.bcClient(null).getCACerts();
            X509CertificateHolder[] certs = ESTService.storeToArray(r.getCertificateStore());
            assertThat(certs).hasSize(1);
            assertThat(certs[0].getEncoded()).isEqualTo(plant.ca.certificate().getEncoded());
            assertThat(plant.bcClient(null).getCSRAttributes().getAttributesResponse().getRequirements())
                    .containsExactly(X9ObjectIdentifiers.ecdsa_with_SHA256);
            // The server's certificate is the plant CA's, kept across restarts.
            assertThat(plant.server.serverCertificate().getIssuerX500Principal())
                    .isEqualTo(plant.ca.certificate().getSubjectX500Principal());
            plant.server.serverCertificate().verify(plant.ca.certificate().getPublicKey());
            assertThat(Files.exists(plant.state.resolve("server/server.key"))).isTrue();
        }
    }

    @Test
    void pinnedDeviceEnrolsAtOnceAndReenrolsWithItsPlantCertificate() throws Exception {
        Identity factory = TestPki.selfSigned(KeyType.EC_P256, "factory plc1");
        String pin = CredentialFiles.sha256Fingerprint(factory.certificate()).replace(":", "");
        try (EstPlant plant = EstPlant.start(tmp, pin, c -> c)) {
            int before = plant.issued().size();
            KeyPair deviceKey = EstPlant.newKey();
            // The device asks for any name: the policy decides what it is called.
            X509Certificate cert = single(plant.bcClient(factory).simpleEnroll(false, EstPlant.csr("whatever", deviceKey), null));
            assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=plc1.line1,O=Acme,C=FR");
            assertThat(cert.getSubjectAlternativeNames()).contains(List.of(7, "10.0.1.10"));
            assertThat(cert.getPublicKey()).isEqualTo(deviceKey.getPublic());
            cert.verify(plant.ca.certificate().getPublicKey());
            assertThat(plant.issued()).hasSize(before + 1);

            // Re-enrolment (rekey) authenticated by the plant certificate, same subject.
            KeyPair newKey = EstPlant.newKey();
            X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
            X509Certificate renewed = single(plant.bcClient(new Identity(deviceKey.getPrivate(), List.of(cert)))
                    .simpleEnroll(true, EstPlant.csr(subject, newKey), null));
            assertThat(renewed.getSubjectX500Principal()).isEqualTo(cert.getSubjectX500Principal());
            assertThat(renewed.getSerialNumber()).isNotEqualTo(cert.getSerialNumber());
            assertThat(renewed.getPublicKey()).isEqualTo(newKey.getPublic());
            assertThat(plant.issued()).hasSize(before + 2);
        }
    }

    @Test
    void unknownDeviceIsHeldUntilApproved() throws Exception {
        try (EstPlant plant = EstPlant.start(tmp, "", c -> c.withLimits(64 * 1024, 4, 8, 7))) {
            Identity stranger = TestPki.selfSigned(KeyType.EC_P256, "stranger");
            KeyPair key = EstPlant.newKey();
            int before = plant.issued().size();
            EnrollmentResponse first = plant.bcClient(stranger).simpleEnroll(false, EstPlant.csr("drive1", key), null);
            assertThat(first.isCompleted()).isFalse();
            assertThat(first.getNotBefore()).isGreaterThan(System.currentTimeMillis());
            List<PendingRequest> held = PendingStore.existing(plant.state).list();
            assertThat(held).singleElement().satisfies(r -> {
                assertThat(r.status()).isEqualTo(PendingRequest.Status.PENDING);
                assertThat(r.clientFingerprint()).isEqualTo(EstServer.fingerprintHex(stranger.certificate()));
                assertThat(r.csrSubject()).isEqualTo("CN=drive1");
            });
            // Asking again before a decision: still 202, still one request.
            assertThat(plant.bcClient(stranger).simpleEnroll(false, EstPlant.csr("drive1", key), null).isCompleted()).isFalse();
            assertThat(PendingStore.existing(plant.state).list()).hasSize(1);
            assertThat(plant.issued()).hasSize(before);

            PendingStore.existing(plant.state).approve(held.getFirst().id(), "");
            X509Certificate cert = single(plant.bcClient(stranger).simpleEnroll(false, EstPlant.csr("drive1", key), null));
            assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=drive1,O=Acme,C=FR");
            assertThat(PendingStore.existing(plant.state).list()).isEmpty();
            assertThat(plant.issued()).hasSize(before + 1);
        }
    }

    @Test
    void approvalCanAssignTheDeviceAndDenialRefuses() throws Exception {
        try (EstPlant plant = EstPlant.start(tmp, "", c -> c)) {
            Identity a = TestPki.selfSigned(KeyType.EC_P256, "new-a");
            Identity b = TestPki.selfSigned(KeyType.EC_P256, "new-b");
            KeyPair ka = EstPlant.newKey();
            KeyPair kb = EstPlant.newKey();
            plant.bcClient(a).simpleEnroll(false, EstPlant.csr("mystery", ka), null);
            plant.bcClient(b).simpleEnroll(false, EstPlant.csr("other", kb), null);
            PendingStore store = PendingStore.existing(plant.state);
            List<PendingRequest> held = store.list();
            assertThat(held).hasSize(2);
            String idA = held.stream().filter(r -> r.csrSubject().equals("CN=mystery")).findFirst().orElseThrow().id();
            String idB = held.stream().filter(r -> r.csrSubject().equals("CN=other")).findFirst().orElseThrow().id();
            store.approve(idA, "plc1");
            store.deny(idB);
            int before = plant.issued().size();

            X509Certificate cert = single(plant.bcClient(a).simpleEnroll(false, EstPlant.csr("mystery", ka), null));
            assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=plc1.line1,O=Acme,C=FR");
            assertThatThrownBy(() -> plant.bcClient(b).simpleEnroll(false, EstPlant.csr("other", kb), null))
                    .isInstanceOfSatisfying(ESTException.class, e -> assertThat(e.getStatusCode()).isEqualTo(403));
            assertThat(plant.issued()).hasSize(before + 1);
            assertThat(store.get(idB)).get().extracting(PendingRequest::status).isEqualTo(PendingRequest.Status.DENIED);
        }
    }

    @Test
    void vendorCertificateEnrolsAKnownEntryAtOnceAndHoldsAnUnknownOne() throws Exception {
        TestPki vendor = TestPki.create("vendor");
        Identity device = vendor.issueClient(KeyType.EC_P256, "vendor-device-1");
        try (EstPlant plant = EstPlant.start(tmp, "", c -> c.withVendorCa(
                TrustStore.of(List.of(vendor.root()), List.of(), List.of())))) {
            X509Certificate cert = single(plant.bcClient(device).simpleEnroll(false, EstPlant.csr("drive1", EstPlant.newKey()), null));
            assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=drive1,O=Acme,C=FR");
            EnrollmentResponse unknown = plant.bcClient(device).simpleEnroll(false, EstPlant.csr("drive9", EstPlant.newKey()), null);
            assertThat(unknown.isCompleted()).isFalse();
            assertThat(PendingStore.existing(plant.state).list()).hasSize(1);
        }
    }

    @Test
    void vendorCertificateDoesNotTakeAnEntryPinnedToAnotherDevice() throws Exception {
        TestPki vendor = TestPki.create("vendor");
        Identity device = vendor.issueClient(KeyType.EC_P256, "vendor-device-2");
        String otherPin = "AB".repeat(32);
        try (EstPlant plant = EstPlant.start(tmp, otherPin, c -> c.withVendorCa(
                TrustStore.of(List.of(vendor.root()), List.of(), List.of())))) {
            int before = plant.issued().size();
            EnrollmentResponse r = plant.bcClient(device).simpleEnroll(false, EstPlant.csr("plc1.line1", EstPlant.newKey()), null);
            assertThat(r.isCompleted()).isFalse();
            assertThat(plant.issued()).hasSize(before);
        }
    }

    @Test
    void basicCredentialsEnrolAKnownEntry() throws Exception {
        Path users = tmp.resolve("users");
        Files.writeString(users, "# EST users\n" + BasicAuthFile.hashLine("installer", "s3cret pass".toCharArray(), 10_000) + "\n");
        BasicAuthFile basic = BasicAuthFile.read(users);
        try (EstPlant plant = EstPlant.start(tmp, "", c -> c.withBasicAuth(basic))) {
            X509Certificate cert = single(plant.bcClient(null).simpleEnroll(false, EstPlant.csr("drive1", EstPlant.newKey()),
                    new JcaHttpAuthBuilder("installer", "s3cret pass".toCharArray()).build()));
            assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=drive1,O=Acme,C=FR");
            int before = plant.issued().size();
            assertThatThrownBy(() -> plant.bcClient(null).simpleEnroll(false, EstPlant.csr("drive1", EstPlant.newKey()),
                    new JcaHttpAuthBuilder("installer", "wrong".toCharArray()).build()))
                    .isInstanceOfSatisfying(ESTException.class, e -> assertThat(e.getStatusCode()).isEqualTo(401));
            assertThat(plant.issued()).hasSize(before);
        }
    }

    @Test
    void serverCertificateIsKeptAcrossRestarts() throws Exception {
        X509Certificate first;
        try (EstPlant plant = EstPlant.start(tmp, "", c -> c)) {
            first = plant.server.serverCertificate();
            plant.server.close();
            try (EstServer again = EstServer.start(EstServerConfig.of(plant.ca, plant.policy, plant.state)
                    .withBind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0)))) {
                assertThat(again.serverCertificate()).isEqualTo(first);
            }
        }
    }
}
