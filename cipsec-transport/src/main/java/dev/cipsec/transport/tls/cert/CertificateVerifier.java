package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.cert.CertificateRejectedException.Check;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies a peer's certificate chain against a {@link TrustStore}. Fails closed: the first failed check is
 * thrown as a {@link CertificateRejectedException} naming it and the certificate it failed on.
 *
 * <p>Order of checks: the received chain's shape (MALFORMED); a leaf pinned in the store (byte-equal) is
 * accepted without a path; path building from the leaf to an anchor (UNTRUSTED, CHAIN, SIGNATURE); critical
 * extensions on the path (CHAIN); issuers (BASIC_CONSTRAINTS, KEY_USAGE); the leaf (KEY_USAGE,
 * EXTENDED_KEY_USAGE); validity when asked (EXPIRY); CRLs where the store has one for an issuer (REVOKED,
 * REVOCATION_UNKNOWN).
 */
public final class CertificateVerifier {
    /** Most certificates accepted in a received chain. */
    public static final int MAX_RECEIVED_CHAIN = 16;

    /** Critical extensions this verifier processes (subjectAltName is for the caller's name check). */
    private static final Set<String> PROCESSED = Set.of(
            Extension.basicConstraints.getId(),
            Extension.keyUsage.getId(),
            Extension.extendedKeyUsage.getId(),
            Extension.subjectAlternativeName.getId());

    private static final int KU_DIGITAL_SIGNATURE = 0;
    private static final int KU_KEY_ENCIPHERMENT = 2;
    private static final int KU_KEY_CERT_SIGN = 5;
    private static final String EKU_ANY = KeyPurposeId.anyExtendedKeyUsage.getId();
    private static final String EKU_SERVER = KeyPurposeId.id_kp_serverAuth.getId();
    private static final String EKU_CLIENT = KeyPurposeId.id_kp_clientAuth.getId();

    private final TrustStore trust;

    public CertificateVerifier(TrustStore trust) {
        this.trust = Objects.requireNonNull(trust, "trust");
    }

    /**
     * Verifies the peer's chain (leaf first, as received in TLS; may omit or include the anchor; may be out of
     * order beyond the leaf). Returns the validated path, leaf first and the store's anchor last (just the leaf
     * when it is pinned).
     */
    public List<X509Certificate> verify(List<X509Certificate> peerChain, VerifyOptions options)
            throws CertificateRejectedException {
        Objects.requireNonNull(options, "options");
        if (peerChain == null || peerChain.isEmpty()) {
            throw new CertificateRejectedException(Check.MALFORMED, "empty certificate chain", null);
        }
        if (peerChain.stream().anyMatch(Objects::isNull)) {
            throw new CertificateRejectedException(Check.MALFORMED, "null certificate in the chain", null);
        }
        X509Certificate leaf = peerChain.getFirst();
        if (peerChain.size() > MAX_RECEIVED_CHAIN) {
            throw new CertificateRejectedException(Check.MALFORMED,
                    peerChain.size() + " certificates received, at most " + MAX_RECEIVED_CHAIN + " accepted", leaf);
        }
        X509Certificate pinned = find(trust.anchors(), leaf);
        if (pinned != null) {
            List<X509Certificate> path = List.of(pinned);
            checkCriticalExtensions(path);
            checkLeaf(pinned, options);
            checkExpiry(path, options);
            return path;
        }
        List<X509Certificate> path = buildPath(peerChain, options);
        checkCriticalExtensions(path);
        checkIssuers(path);
        checkLeaf(leaf, options);
        checkExpiry(path, options);
        checkRevocation(path, options);
        return List.copyOf(path);
    }

    private List<X509Certificate> buildPath(List<X509Certificate> received, VerifyOptions options)
            throws CertificateRejectedException {
        List<X509Certificate> path = new ArrayList<>();
        X509Certificate current = received.getFirst();
        path.add(current);
        while (true) {
            X509Certificate anchor = find(trust.anchors(), current);
            if (anchor != null) {
                path.set(path.size() - 1, anchor);
                return path;
            }
            List<X509Certificate> candidates = new ArrayList<>();
            // Anchors first so a path stops as early as possible, then what the peer sent, then our issuers.
            addCandidates(candidates, trust.anchors(), current);
            addCandidates(candidates, received, current);
            addCandidates(candidates, trust.issuers(), current);
            X509Certificate child = current;
            candidates.removeIf(c -> c.equals(child));
            if (candidates.isEmpty()) {
                throw new CertificateRejectedException(Check.UNTRUSTED,
                        "no trust anchor or issuer for " + current.getIssuerX500Principal().getName(), current);
            }
            X509Certificate issuer = null;
            for (X509Certificate c : candidates) {
                if (signedBy(current, c)) {
                    issuer = c;
                    break;
                }
            }
            if (issuer == null) {
                throw new CertificateRejectedException(Check.SIGNATURE,
                        "signature does not verify with the key of any issuer named " + current.getIssuerX500Principal().getName(),
                        current);
            }
            if (path.contains(issuer)) {
                throw new CertificateRejectedException(Check.CHAIN,
                        "issuer loop at " + issuer.getSubjectX500Principal().getName(), current);
            }
            if (path.size() == options.maxChainLength()) {
                throw new CertificateRejectedException(Check.CHAIN,
                        "path longer than " + options.maxChainLength() + " certificates", current);
            }
            path.add(issuer);
            current = issuer;
        }
    }

    private static void addCandidates(List<X509Certificate> out, List<X509Certificate> pool, X509Certificate child)
            throws CertificateRejectedException {
        byte[] aki = authorityKeyId(child);
        for (X509Certificate c : pool) {
            if (!c.getSubjectX500Principal().equals(child.getIssuerX500Principal()) || out.contains(c)) {
                continue;
            }
            byte[] ski = subjectKeyId(c);
            if (aki != null && ski != null && !Arrays.equals(aki, ski)) {
                continue;
            }
            out.add(c);
        }
    }

    private static boolean signedBy(X509Certificate child, X509Certificate issuer) {
        try {
            child.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static void checkCriticalExtensions(List<X509Certificate> path) throws CertificateRejectedException {
        for (X509Certificate c : path) {
            Set<String> critical = c.getCriticalExtensionOIDs();
            if (critical == null) {
                continue;
            }
            for (String oid : critical) {
                if (!PROCESSED.contains(oid)) {
                    throw new CertificateRejectedException(Check.CHAIN, "unsupported critical extension " + oid, c);
                }
            }
        }
    }

    private static void checkIssuers(List<X509Certificate> path) throws CertificateRejectedException {
        for (int i = 1; i < path.size(); i++) {
            X509Certificate ca = path.get(i);
            int pathLen = ca.getBasicConstraints();
            if (pathLen < 0) {
                throw new CertificateRejectedException(Check.BASIC_CONSTRAINTS, "issuer is not a CA (basicConstraints cA=false or absent)", ca);
            }
            // CA certificates between this one and the leaf.
            int below = i - 1;
            if (below > pathLen) {
                throw new CertificateRejectedException(Check.BASIC_CONSTRAINTS,
                        "pathLenConstraint " + pathLen + " exceeded by " + below + " CA certificates below it", ca);
            }
            boolean[] ku = ca.getKeyUsage();
            if (ku != null && !bit(ku, KU_KEY_CERT_SIGN)) {
                throw new CertificateRejectedException(Check.KEY_USAGE, "issuer key usage lacks keyCertSign", ca);
            }
        }
    }

    private static void checkLeaf(X509Certificate leaf, VerifyOptions options) throws CertificateRejectedException {
        boolean[] ku = leaf.getKeyUsage();
        if (ku != null && !bit(ku, KU_DIGITAL_SIGNATURE) && !bit(ku, KU_KEY_ENCIPHERMENT)) {
            throw new CertificateRejectedException(Check.KEY_USAGE,
                    "key usage has neither digitalSignature nor keyEncipherment", leaf);
        }
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new CertificateRejectedException(Check.MALFORMED, "unparseable extendedKeyUsage: " + e.getMessage(), leaf);
        }
        if (eku == null) {
            return;
        }
        String needed = options.peerRole() == Purpose.SERVER ? EKU_SERVER : EKU_CLIENT;
        if (!eku.contains(needed) && !eku.contains(EKU_ANY)) {
            throw new CertificateRejectedException(Check.EXTENDED_KEY_USAGE, "extended key usage " + eku + " lacks "
                    + (options.peerRole() == Purpose.SERVER ? "serverAuth" : "clientAuth") + " for a "
                    + options.peerRole().name().toLowerCase(java.util.Locale.ROOT) + " peer", leaf);
        }
    }

    private static void checkExpiry(List<X509Certificate> path, VerifyOptions options) throws CertificateRejectedException {
        if (!options.checkExpiry()) {
            return;
        }
        Date now = Date.from(options.now());
        for (X509Certificate c : path) {
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException e) {
                throw new CertificateRejectedException(Check.EXPIRY,
                        "expired at " + c.getNotAfter().toInstant() + " (now " + options.now() + ")", c);
            } catch (CertificateNotYetValidException e) {
                throw new CertificateRejectedException(Check.EXPIRY,
                        "not valid before " + c.getNotBefore().toInstant() + " (now " + options.now() + ")", c);
            }
        }
    }

    private void checkRevocation(List<X509Certificate> path, VerifyOptions options) throws CertificateRejectedException {
        for (int i = 0; i + 1 < path.size(); i++) {
            X509Certificate c = path.get(i);
            X509Certificate issuer = path.get(i + 1);
            for (X509CRL crl : trust.crls()) {
                if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                    continue;
                }
                try {
                    crl.verify(issuer.getPublicKey());
                } catch (GeneralSecurityException | RuntimeException e) {
                    throw new CertificateRejectedException(Check.REVOCATION_UNKNOWN,
                            "CRL of " + issuer.getSubjectX500Principal().getName() + " does not verify with the issuer's key", c);
                }
                if (crl.hasUnsupportedCriticalExtension()) {
                    throw new CertificateRejectedException(Check.REVOCATION_UNKNOWN,
                            "CRL has unsupported critical extensions " + crl.getCriticalExtensionOIDs(), c);
                }
                if (options.checkExpiry() && crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(options.now())) {
                    throw new CertificateRejectedException(Check.REVOCATION_UNKNOWN,
                            "CRL expired at " + crl.getNextUpdate().toInstant() + " (now " + options.now() + ")", c);
                }
                if (crl.getRevokedCertificate(c.getSerialNumber()) != null) {
                    throw new CertificateRejectedException(Check.REVOKED,
                            "serial " + c.getSerialNumber().toString(16) + " is listed in the CRL of "
                                    + issuer.getSubjectX500Principal().getName(), c);
                }
            }
        }
    }

    private static X509Certificate find(List<X509Certificate> pool, X509Certificate c) {
        for (X509Certificate p : pool) {
            if (p.equals(c)) {
                return p;
            }
        }
        return null;
    }

    private static boolean bit(boolean[] bits, int i) {
        return i < bits.length && bits[i];
    }

    private static byte[] authorityKeyId(X509Certificate c) throws CertificateRejectedException {
        byte[] ext = c.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        try {
            return AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifierOctets();
        } catch (RuntimeException e) {
            throw new CertificateRejectedException(Check.MALFORMED, "unparseable authorityKeyIdentifier", c);
        }
    }

    private static byte[] subjectKeyId(X509Certificate c) throws CertificateRejectedException {
        byte[] ext = c.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        try {
            return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
        } catch (RuntimeException e) {
            throw new CertificateRejectedException(Check.MALFORMED, "unparseable subjectKeyIdentifier", c);
        }
    }
}
