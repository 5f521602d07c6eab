package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.probe.ProbeReport.CertificateInfo;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.X509Certificate;

/** The parts of a certificate a probe report shows. */
final class Certificates {
    private Certificates() {
    }

    static CertificateInfo describe(X509Certificate c) {
        PublicKey key = c.getPublicKey();
        String type;
        int bits;
        if (key instanceof RSAPublicKey rsa) {
            type = "RSA";
            bits = rsa.getModulus().bitLength();
        } else if (key instanceof ECPublicKey ec) {
            type = "EC " + curve(key);
            bits = ec.getParams().getCurve().getField().getFieldSize();
        } else {
            type = key.getAlgorithm();
            bits = switch (key.getAlgorithm()) {
                case "Ed25519", "X25519" -> 255;
                case "Ed448", "X448" -> 448;
                default -> 0;
            };
        }
        return new CertificateInfo(CredentialFiles.subject(c), CredentialFiles.issuer(c),
                c.getNotBefore().toInstant(), c.getNotAfter().toInstant(), type, bits, CredentialFiles.sha256Fingerprint(c), selfSigned(c));
    }

    private static String curve(PublicKey key) {
        try {
            Object params = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters();
            if (params instanceof ASN1ObjectIdentifier oid) {
                String nist = NISTNamedCurves.getName(oid);
                if (nist != null) {
                    return nist;
                }
                String name = ECNamedCurveTable.getName(oid);
                return name != null ? name : oid.getId();
            }
        } catch (RuntimeException e) {
            // Explicit curve parameters: no name to show.
        }
        return "(explicit curve)";
    }

    static boolean selfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

}
