package dev.cipsec.cli;

import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.wire.buf.Bytes;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Throw-away credentials for the demo device, made fresh in memory at every run so no key ships with
 * the project: a self-signed EC P-256 certificate (the client pins it) and a random PSK.
 */
final class DemoCredentials {
    private static final SecureRandom RANDOM = new SecureRandom();

    private DemoCredentials() {
    }

    /**
     * A self-signed end-entity certificate for {@code cn}. Key usage digitalSignature and EKU serverAuth
     * are what a verifier checks on a TLS server leaf; cA=false keeps it from ever signing others. Valid
     * from an hour ago (clock skew) for a day: the demo lives for seconds.
     */
    static Identity selfSignedDevice(String cn) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair kp = g.generateKeyPair();
            X500Name name = new X500Name("CN=" + cn);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(64, RANDOM).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new Identity(kp.getPrivate(), List.of(cert));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
                 | org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException("cannot make the demo certificate: " + e, e);
        }
    }

    /** A random 32-byte PSK under {@code identity}. */
    static PskCredential randomPsk(String identity) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PskCredential.of(identity, Bytes.of(key));
    }
}
