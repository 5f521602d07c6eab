package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.wire.buf.Bytes;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceCredentialsTest {
    private static final TestPki PKI = TestPki.create("creds");
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final char[] PW = "device-state".toCharArray();

    private static Identity device() {
        return DeviceCredentials.generateDefault("cipsec adapter", "SN-0001", new SecureRandom(), NOW);
    }

    @Test
    void defaultIdentityHasTheDocumentedShape() throws Exception {
        Identity id = device();
        X509Certificate c = id.certificate();
        assertThat(id.keyType()).isEqualTo(KeyType.EC_P256);
        assertThat(id.chain()).hasSize(1);
        assertThat(c.getVersion()).isEqualTo(3);
        assertThat(c.getSigAlgName()).isEqualTo("SHA256withECDSA");
        X500Name subject = X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
        assertThat(subject.getRDNs(BCStyle.CN)[0].getFirst().getValue().toString()).isEqualTo("cipsec adapter");
        assertThat(subject.getRDNs(BCStyle.SERIALNUMBER)[0].getFirst().getValue().toString()).isEqualTo("SN-0001");
        assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
        c.verify(c.getPublicKey());
        assertThat(c.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofDays(1)));
        assertThat(c.getNotAfter().toInstant()).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
        assertThat(c.getSerialNumber().signum()).isPositive();
        assertThat(c.getSerialNumber().toByteArray().length).isBetween(1, 20);
        // End entity: cA=false, digitalSignature only (no keyCertSign without cA), both TLS roles, SKI, no SAN.
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        assertThat(c.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        boolean[] ku = c.getKeyUsage();
        assertThat(ku[0]).isTrue();
        for (int i = 1; i < ku.length; i++) {
            assertThat(ku[i]).as("key usage bit %d", i).isFalse();
        }
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(c.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
        assertThat(c.getExtensionValue(Extension.authorityKeyIdentifier.getId())).isNull();
        assertThat(c.getSubjectAlternativeNames()).isNull();
        assertThat(DeviceCredentials.matches(c, id.key())).isTrue();
    }

    @Test
    void defaultIdentityWithoutSerialNumberHasOnlyTheCommonName() {
        Identity id = DeviceCredentials.generateDefault("plc", "", new SecureRandom(), NOW);
        assertThat(id.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=plc");
    }

    @Test
    void defaultIdentitiesAreDistinct() {
        SecureRandom random = new SecureRandom();
        Identity a = DeviceCredentials.generateDefault("a", "1", random);
        Identity b = DeviceCredentials.generateDefault("a", "1", random);
        assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
        assertThat(a.certificate().getPublicKey()).isNotEqualTo(b.certificate().getPublicKey());
        assertThat(DeviceCredentials.matches(a.certificate(), b.key())).isFalse();
        // Validity starts a day before the real clock when no time is given.
        assertThat(a.certificate().getNotBefore().toInstant())
                .isBetween(Instant.now().minus(Duration.ofDays(1)).minusSeconds(60), Instant.now().minus(Duration.ofDays(1)));
    }

    @Test
    void defaultIdentityRefusesBadFields() {
        assertThatThrownBy(() -> DeviceCredentials.generateDefault("", "1", new SecureRandom(), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("common name");
        assertThatThrownBy(() -> DeviceCredentials.generateDefault("x".repeat(65), "1", new SecureRandom(), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("common name longer than 64");
        assertThatThrownBy(() -> DeviceCredentials.generateDefault("x", "SN_1", new SecureRandom(), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PrintableString");
    }

    @Test
    void defaultIdentityIsAcceptedPinnedForBothRoles() throws Exception {
        Identity id = device();
        CertificateVerifier v = new CertificateVerifier(TrustStore.of(List.of(id.certificate()), List.of(), List.of()));
        assertThat(v.verify(id.chain(), VerifyOptions.of(Purpose.SERVER, true))).containsExactly(id.certificate());
        assertThat(v.verify(id.chain(), VerifyOptions.of(Purpose.CLIENT, true).withNow(Instant.parse("9000-01-01T00:00:00Z"))))
                .containsExactly(id.certificate());
    }

    @Test
    void csrIsSignedByTheDeviceKeyAndCarriesSubjectAndNames() throws Exception {
        Identity id = device();
        CsrSubject s = new CsrSubject("plc-7.plant.example", "Example Foods", "Packaging", "Lyon", "Rhone", "fr",
                "ot@plant.example", "SN-0001", List.of("DNS:plc-7.plant.example", "IP:10.1.2.7", "fd00::7",
                "URI:urn:cip:plc-7", "email:ot@plant.example"));
        byte[] pem = DeviceCredentials.createCsrPem(id, s);
        String text = new String(pem, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("-----BEGIN CERTIFICATE REQUEST-----").endsWith("-----END CERTIFICATE REQUEST-----\n");
        PKCS10CertificationRequest csr = csr(pem);
        assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(id.certificate().getPublicKey()))).isTrue();
        assertThat(csr.getSubject()).isEqualTo(new X500Name(
                "C=FR,ST=Rhone,L=Lyon,O=Example Foods,OU=Packaging,CN=plc-7.plant.example,SERIALNUMBER=SN-0001,E=ot@plant.example"));
        GeneralNames sans = GeneralNames.fromExtensions(requestedExtensions(csr), Extension.subjectAlternativeName);
        assertThat(sans.getNames()).containsExactly(
                new GeneralName(GeneralName.dNSName, "plc-7.plant.example"),
                new GeneralName(GeneralName.iPAddress, "10.1.2.7"),
                new GeneralName(GeneralName.iPAddress, "fd00::7"),
                new GeneralName(GeneralName.uniformResourceIdentifier, "urn:cip:plc-7"),
                new GeneralName(GeneralName.rfc822Name, "ot@plant.example"));
        // HIL's CSR buffer is 2048 bytes (reference §6.4): an EC CSR with every field fits.
        assertThat(pem.length).isLessThan(2048);
    }

    @Test
    void emptyCsrFieldsTakeTheDevicesCurrentSubject() throws Exception {
        Identity id = device();
        PKCS10CertificationRequest csr = csr(DeviceCredentials.createCsrPem(id, CsrSubject.of("")));
        assertThat(csr.getSubject()).isEqualTo(X500Name.getInstance(id.certificate().getSubjectX500Principal().getEncoded()));
        assertThat(csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)).isEmpty();

        PKCS10CertificationRequest renamed = csr(DeviceCredentials.createCsrPem(id,
                new CsrSubject("new name", "Org", "", "", "", "", "", "", List.of())));
        assertThat(renamed.getSubject()).isEqualTo(new X500Name("O=Org,CN=new name,SERIALNUMBER=SN-0001"));
    }

    @Test
    void csrSignedByACaGivesACertificateMatchingTheDeviceKey() throws Exception {
        Identity id = device();
        PKCS10CertificationRequest csr = csr(DeviceCredentials.createCsrPem(id, CsrSubject.of("plc")));
        Identity issued = PKI.issue(TestPki.LeafSpec.of(KeyType.EC_P256, "plc")
                .keyPair(new java.security.KeyPair(
                        new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(csr).getPublicKey(), id.key())));
        X509Certificate parsed = DeviceCredentials.parseCertificates(pem(issued.chain())).getFirst();
        assertThat(DeviceCredentials.matches(parsed, id.key())).isTrue();
        assertThat(DeviceCredentials.matches(parsed, device().key())).isFalse();
    }

    @Test
    void certificatesFromPemDerAndPkcs7() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "server");
        List<X509Certificate> chain = List.of(server.certificate(), PKI.intermediate(), PKI.root());
        assertThat(DeviceCredentials.parseCertificates(pem(chain))).containsExactlyElementsOf(chain);
        assertThat(DeviceCredentials.parseCertificates(Bytes.of(server.certificate().getEncoded())))
                .containsExactly(server.certificate());
        // PKCS#7 encodes certificates as a sorted SET; whatever order went in, the chain comes out leaf first.
        byte[] p7 = pkcs7(List.of(PKI.root(), server.certificate(), PKI.intermediate()), List.of());
        assertThat(DeviceCredentials.parseCertificates(Bytes.of(p7))).containsExactlyElementsOf(chain);
        assertThat(DeviceCredentials.parseCertificates(pemBlock("PKCS7", p7))).containsExactlyElementsOf(chain);
        // Unrelated certificates are not a chain: returned as encoded.
        Identity other = TestPki.selfSigned(KeyType.EC_P256, "other");
        byte[] two = pkcs7(List.of(other.certificate(), PKI.root()), List.of());
        assertThat(DeviceCredentials.parseCertificates(Bytes.of(two))).containsExactlyInAnyOrder(other.certificate(), PKI.root());
    }

    @Test
    void crlsFromPemDerAndPkcs7() throws Exception {
        X509CRL crl = PKI.crl(PKI.issueServer(KeyType.EC_P256, "revoked").certificate());
        assertThat(DeviceCredentials.parseCrls(Bytes.of(crl.getEncoded()))).containsExactly(crl);
        assertThat(DeviceCredentials.parseCrls(pemBlock("X509 CRL", crl.getEncoded()))).containsExactly(crl);
        byte[] p7 = pkcs7(List.of(), List.of(crl));
        assertThat(DeviceCredentials.parseCrls(Bytes.of(p7))).containsExactly(crl);
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(Bytes.of(p7)))
                .isInstanceOf(IOException.class).hasMessageContaining("holds no certificate");
        assertThatThrownBy(() -> DeviceCredentials.parseCrls(pem(List.of(PKI.root()))))
                .isInstanceOf(IOException.class).hasMessageContaining("no X509 CRL");
    }

    @Test
    void parsersRefuseWhatTheyCannotUse() throws Exception {
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(Bytes.EMPTY))
                .isInstanceOf(IOException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(Bytes.of("hello".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(IOException.class).hasMessageContaining("not a certificate");
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(pemBlock("X509 CRL", PKI.crl().getEncoded())))
                .isInstanceOf(IOException.class).hasMessageContaining("no CERTIFICATE");
        // A ContentInfo that is not signedData.
        byte[] data = new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {PKCSObjectIdentifiers.data,
                new org.bouncycastle.asn1.DERTaggedObject(0, new DERUTF8String("x"))}).toASN1Primitive().getEncoded();
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(Bytes.of(data)))
                .isInstanceOf(IOException.class).hasMessageContaining("is not signedData");
        assertThatThrownBy(() -> DeviceCredentials.parseCrls(Bytes.of(new byte[] {0x30, 0x03, 0x06, 0x01, 0x00})))
                .isInstanceOf(IOException.class);
    }

    @Test
    void moreThanSixtyFourCertificatesAreRefused() throws Exception {
        List<X509Certificate> many = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            many.add(PKI.root());
        }
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(pem(many)))
                .isInstanceOf(IOException.class).hasMessageContaining("more than 64");
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(Bytes.of(pkcs7Raw(65))))
                .isInstanceOf(IOException.class).hasMessageContaining("more than 64");
    }

    @Test
    void tenMebibytesAreRefusedBeforeParsing() {
        // Valid-looking PEM armour: a parser that started would take seconds on 10 MiB; the bound answers first.
        byte[] blob = new byte[10 << 20];
        byte[] begin = "-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(begin, 0, blob, 0, begin.length);
        java.util.Arrays.fill(blob, begin.length, blob.length, (byte) 'A');
        Bytes big = Bytes.of(blob);
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(big))
                .isInstanceOf(IOException.class).hasMessageContaining("10485760 bytes, more than the 1048576 allowed");
        assertThatThrownBy(() -> DeviceCredentials.parseCrls(big))
                .isInstanceOf(IOException.class).hasMessageContaining("more than the 1048576 allowed");
        assertThatThrownBy(() -> DeviceCredentials.readPkcs12(big, PW))
                .isInstanceOf(IOException.class).hasMessageContaining("more than the 1048576 allowed");
        Bytes justOver = Bytes.of(new byte[DeviceCredentials.MAX_INPUT_BYTES + 1]);
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(justOver))
                .isInstanceOf(IOException.class).hasMessageContaining("more than the 1048576 allowed");
    }

    @Test
    void pkcs12RoundTripsIdentitiesAndSecrets() throws Exception {
        Identity dev = device();
        Identity commissioned = PKI.issueServer(KeyType.EC_P256, "plc");
        Identity rsa = PKI.issueClient(KeyType.RSA, "rsa");
        Map<String, Identity> ids = new LinkedHashMap<>();
        ids.put("default", dev);
        ids.put("cert-2", commissioned);
        ids.put("rsa", rsa);
        Map<String, Bytes> secrets = new LinkedHashMap<>();
        secrets.put("psk-0", Bytes.fromHex("00112233445566778899aabbccddeeff"));
        secrets.put("psk-1", Bytes.of(new byte[64]));
        secrets.put("one-byte", Bytes.of((byte) 0x7F));
        Bytes p12 = DeviceCredentials.writePkcs12(ids, secrets, PW);
        DeviceCredentials.Pkcs12Contents back = DeviceCredentials.readPkcs12(p12, PW);
        assertThat(back.identities()).containsOnlyKeys("default", "cert-2", "rsa");
        assertThat(back.identities().get("default")).isEqualTo(dev);
        assertThat(back.identities().get("cert-2").chain()).containsExactlyElementsOf(commissioned.chain());
        assertThat(back.identities().get("rsa").key()).isEqualTo(rsa.key());
        assertThat(back.secrets()).isEqualTo(secrets);
        assertThat(back.toString()).doesNotContain("00112233");
        // Fresh salts: two writes of the same contents differ, both read back the same.
        Bytes again = DeviceCredentials.writePkcs12(ids, secrets, PW);
        assertThat(again).isNotEqualTo(p12);
        assertThat(DeviceCredentials.readPkcs12(again, PW).secrets()).isEqualTo(secrets);
    }

    @Test
    void pkcs12WithAnEmptyPasswordAndNoEntriesRoundTrips() throws Exception {
        Bytes p12 = DeviceCredentials.writePkcs12(Map.of(), Map.of(), new char[0]);
        DeviceCredentials.Pkcs12Contents back = DeviceCredentials.readPkcs12(p12, new char[0]);
        assertThat(back.identities()).isEmpty();
        assertThat(back.secrets()).isEmpty();
    }

    @Test
    void pkcs12WrongPasswordOrDamageIsAnIOException() throws Exception {
        Bytes p12 = DeviceCredentials.writePkcs12(Map.of("default", device()), Map.of("psk", Bytes.fromHex("010203")), PW);
        assertThatThrownBy(() -> DeviceCredentials.readPkcs12(p12, "wrong".toCharArray()))
                .isInstanceOf(IOException.class).hasMessageContaining("wrong password");
        byte[] damaged = p12.toArray();
        damaged[damaged.length / 2] ^= 0x01;
        assertThatThrownBy(() -> DeviceCredentials.readPkcs12(Bytes.of(damaged), PW)).isInstanceOf(IOException.class);
        byte[] truncated = java.util.Arrays.copyOf(p12.toArray(), p12.length() - 10);
        assertThatThrownBy(() -> DeviceCredentials.readPkcs12(Bytes.of(truncated), PW)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> DeviceCredentials.readPkcs12(Bytes.of("junk".getBytes(StandardCharsets.US_ASCII)), PW))
                .isInstanceOf(IOException.class).hasMessageContaining("not a usable PKCS#12");
    }

    @Test
    void pkcs12RefusesAliasesTheJdkWouldChange() throws Exception {
        Identity dev = device();
        assertThatThrownBy(() -> DeviceCredentials.writePkcs12(Map.of("Default", dev), Map.of(), PW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower case");
        assertThatThrownBy(() -> DeviceCredentials.writePkcs12(Map.of(), Map.of("", Bytes.fromHex("01")), PW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceCredentials.writePkcs12(Map.of("x", dev), Map.of("x", Bytes.fromHex("01")), PW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both");
        assertThatThrownBy(() -> DeviceCredentials.writePkcs12(Map.of(), Map.of("psk", Bytes.EMPTY), PW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        Map<String, Bytes> tooMany = new LinkedHashMap<>();
        for (int i = 0; i <= DeviceCredentials.MAX_PKCS12_ENTRIES; i++) {
            tooMany.put("s" + i, Bytes.fromHex("01"));
        }
        assertThatThrownBy(() -> DeviceCredentials.writePkcs12(Map.of(), tooMany, PW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 256");
    }

    @Test
    void pkcs12KeyNotMatchingItsCertificateIsRefusedOnRead() throws Exception {
        // The JDK's PKCS12 stores whatever pair it is given; reading checks the pair.
        Identity a = device();
        Identity b = device();
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("mixed", a.key(), PW, new java.security.cert.Certificate[] {b.certificate()});
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ks.store(out, PW);
        assertThatThrownBy(() -> DeviceCredentials.readPkcs12(Bytes.of(out.toByteArray()), PW))
                .isInstanceOf(IOException.class).hasMessageContaining("does not match");
    }

    @Test
    void pkcs12TrustedCertificateEntriesAreSkipped() throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("anchor", PKI.root());
        Identity dev = device();
        ks.setKeyEntry("default", dev.key(), PW, dev.chain().toArray(java.security.cert.Certificate[]::new));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ks.store(out, PW);
        DeviceCredentials.Pkcs12Contents c = DeviceCredentials.readPkcs12(Bytes.of(out.toByteArray()), PW);
        assertThat(c.identities()).containsOnlyKeys("default");
        assertThat(c.secrets()).isEmpty();
    }

    static PKCS10CertificationRequest csr(byte[] pem) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            return (PKCS10CertificationRequest) p.readObject();
        }
    }

    private static Extensions requestedExtensions(PKCS10CertificationRequest csr) {
        var attrs = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        assertThat(attrs).hasSize(1);
        return Extensions.getInstance(attrs[0].getAttrValues().getObjectAt(0));
    }

    static Bytes pem(List<X509Certificate> certs) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            for (X509Certificate c : certs) {
                w.writeObject(c);
            }
        }
        return Bytes.of(text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static Bytes pemBlock(String type, byte[] der) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(new org.bouncycastle.util.io.pem.PemObject(type, der));
        }
        return Bytes.of(text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** A certs-only / CRLs-only SignedData, as {@code openssl crl2pkcs7} writes. */
    private static byte[] pkcs7(List<X509Certificate> certs, List<X509CRL> crls) throws Exception {
        CMSSignedDataGenerator g = new CMSSignedDataGenerator();
        g.addCertificates(new JcaCertStore(certs));
        for (X509CRL crl : crls) {
            g.addCRL(new X509CRLHolder(crl.getEncoded()));
        }
        return g.generate(new CMSProcessableByteArray(new byte[0]), false).getEncoded();
    }

    /** A SignedData with {@code n} copies of the root (a generator would drop duplicates from the SET). */
    private static byte[] pkcs7Raw(int n) throws Exception {
        org.bouncycastle.asn1.ASN1EncodableVector certs = new org.bouncycastle.asn1.ASN1EncodableVector();
        for (int i = 0; i < n; i++) {
            certs.add(org.bouncycastle.asn1.x509.Certificate.getInstance(PKI.root().getEncoded()));
        }
        org.bouncycastle.asn1.cms.SignedData sd = new org.bouncycastle.asn1.cms.SignedData(
                new org.bouncycastle.asn1.DERSet(), new org.bouncycastle.asn1.cms.ContentInfo(PKCSObjectIdentifiers.data, null),
                new org.bouncycastle.asn1.DLSet(certs), null, new org.bouncycastle.asn1.DERSet());
        return new org.bouncycastle.asn1.cms.ContentInfo(new ASN1ObjectIdentifier("1.2.840.113549.1.7.2"), sd).getEncoded();
    }
}
