package dev.cipsec.transport.tls.cert;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;

import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates and CRLs out of a PKCS#7 / CMS SignedData (the "certs-only" form {@code openssl crl2pkcs7}
 * writes and the File Object's encoding 3 and 5 carry). Signatures of the SignedData itself are not looked at:
 * the certificates are verified on their own wherever they are used.
 */
final class Pkcs7 {
    private Pkcs7() {
    }

    /** The ContentInfo when {@code der} is one (a SEQUENCE starting with an OID), else null. */
    static ContentInfo contentInfoOrNull(byte[] der) {
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
            if (seq.size() >= 1 && seq.getObjectAt(0) instanceof ASN1ObjectIdentifier) {
                return ContentInfo.getInstance(seq);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The certificates, leaf first when they form one chain. A SignedData's certificates are a SET, and DER
     * encoders (openssl's among them) sort SETs, so the order a file was made in is not kept: the chain order
     * is rebuilt from the names. Certificates that do not form one chain are returned as encoded.
     */
    static List<X509Certificate> certificates(ContentInfo ci) throws IOException {
        ASN1Set set = signedData(ci).getCertificates();
        List<X509Certificate> out = new ArrayList<>();
        if (set == null) {
            return out;
        }
        requireAtMost(set.size());
        try {
            for (ASN1Encodable e : set) {
                // Tagged choices are attribute or other certificates, not X.509 ones.
                if (!(e instanceof ASN1TaggedObject)) {
                    out.add(CredentialFiles.certificate(e.toASN1Primitive().getEncoded()));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("PKCS#7 holds a certificate that does not parse: " + e.getMessage(), e);
        }
        return chainOrder(out);
    }

    static List<X509CRL> crls(ContentInfo ci) throws IOException {
        ASN1Set set = signedData(ci).getCRLs();
        List<X509CRL> out = new ArrayList<>();
        if (set == null) {
            return out;
        }
        requireAtMost(set.size());
        try {
            for (ASN1Encodable e : set) {
                if (!(e instanceof ASN1TaggedObject)) {
                    out.add(CredentialFiles.crl(e.toASN1Primitive().getEncoded()));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("PKCS#7 holds a CRL that does not parse: " + e.getMessage(), e);
        }
        return out;
    }

    private static SignedData signedData(ContentInfo ci) throws IOException {
        if (!CMSObjectIdentifiers.signedData.equals(ci.getContentType())) {
            throw new IOException("PKCS#7 content type " + ci.getContentType() + " is not signedData");
        }
        try {
            return SignedData.getInstance(ci.getContent());
        } catch (RuntimeException e) {
            throw new IOException("PKCS#7 signedData does not parse: " + e.getMessage(), e);
        }
    }

    private static void requireAtMost(int n) throws IOException {
        if (n > CredentialFiles.MAX_OBJECTS_PER_FILE) {
            throw new IOException("PKCS#7 holds " + n + " objects, more than " + CredentialFiles.MAX_OBJECTS_PER_FILE);
        }
    }

    /** Leaf first, then each issuer, when exactly one certificate issues none of the others and names link them all. */
    static List<X509Certificate> chainOrder(List<X509Certificate> certs) {
        List<X509Certificate> leaves = new ArrayList<>();
        for (X509Certificate c : certs) {
            boolean issuesAnother = false;
            for (X509Certificate other : certs) {
                if (other != c && !selfIssued(other) && other.getIssuerX500Principal().equals(c.getSubjectX500Principal())) {
                    issuesAnother = true;
                    break;
                }
            }
            if (!issuesAnother) {
                leaves.add(c);
            }
        }
        if (leaves.size() != 1) {
            return certs;
        }
        List<X509Certificate> ordered = new ArrayList<>();
        List<X509Certificate> left = new ArrayList<>(certs);
        X509Certificate current = leaves.getFirst();
        while (current != null) {
            ordered.add(current);
            left.remove(current);
            X500Principal issuer = current.getIssuerX500Principal();
            current = selfIssued(current) ? null
                    : left.stream().filter(c -> c.getSubjectX500Principal().equals(issuer)).findFirst().orElse(null);
        }
        return left.isEmpty() ? ordered : certs;
    }

    private static boolean selfIssued(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }
}
