package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.probe.ProbeReport.CertificateInfo;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

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
        return new CertificateInfo(c.getSubjectX500Principal().getName(), c.getIssuerX500Principal().getName(),
                c.getNotBefore().toInstant(), c.getNotAfter().toInstant(), type, bits, sha256(c), selfSigned(c));
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

    static String sha256(X509Certificate c) {
        try {
            return HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }
}
