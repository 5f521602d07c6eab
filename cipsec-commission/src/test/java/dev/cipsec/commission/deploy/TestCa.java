package dev.cipsec.commission.deploy;

import dev.cipsec.transport.tls.cert.CsrSubject;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;

/** A minimal in-memory CA for the deployment tests (the plant CA proper has its own tests). */
final class TestCa implements CertificateAuthority {
    private static final AtomicLong SERIALS = new AtomicLong(1000);
    final AtomicInteger issued = new AtomicInteger();
    private final KeyPair keys;
    private final X509Certificate cert;

    TestCa(String cn) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            keys = g.generateKeyPair();
            X500Name name = new X500Name("CN=" + cn);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIALS.incrementAndGet()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365))), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public X509Certificate certificate() {
        return cert;
    }

    @Override
    public X509Certificate issue(byte[] csr, CsrSubject subject, int validityDays) throws IOException, GeneralSecurityException {
        PKCS10CertificationRequest req;
        String text = new String(csr, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN")) {
            try (PEMParser p = new PEMParser(new StringReader(text))) {
                req = (PKCS10CertificationRequest) p.readObject();
            }
        } else {
            req = new PKCS10CertificationRequest(csr);
        }
        try {
            if (!req.isSignatureValid(new JcaContentVerifierProviderBuilder().build(req.getSubjectPublicKeyInfo()))) {
                throw new GeneralSecurityException("CSR signature does not verify");
            }
            X500NameBuilder nb = new X500NameBuilder(BCStyle.INSTANCE);
            if (!subject.organization().isEmpty()) {
                nb.addRDN(BCStyle.O, subject.organization());
            }
            nb.addRDN(BCStyle.CN, subject.commonName());
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    org.bouncycastle.asn1.x500.X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(validityDays))), nb.build(),
                    new JcaPKCS10CertificationRequest(req).getPublicKey())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            if (!subject.subjectAltNames().isEmpty()) {
                GeneralName[] names = subject.subjectAltNames().stream().map(s -> s.startsWith("IP:")
                        ? new GeneralName(GeneralName.iPAddress, s.substring(3)) : new GeneralName(GeneralName.dNSName,
                        s.replaceFirst("^DNS:", ""))).toArray(GeneralName[]::new);
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            issued.incrementAndGet();
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException | org.bouncycastle.pkcs.PKCSException e) {
            throw new GeneralSecurityException(e);
        }
    }

    @Override
    public Optional<X509CRL> crl() {
        return Optional.empty();
    }
}
