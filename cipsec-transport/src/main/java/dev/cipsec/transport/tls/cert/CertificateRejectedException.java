package dev.cipsec.transport.tls.cert;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * A peer certificate chain was refused. The message names the failed check, the certificate's subject,
 * issuer and SHA-256 fingerprint, so an operator can find the certificate and decide (users of other
 * stacks keep asking "untrusted certificate: which one, and why?").
 */
public final class CertificateRejectedException extends CertificateException {
    private static final long serialVersionUID = 1L;

    /** The verification step that failed; the first failing one is reported. */
    public enum Check {
        /** No trust anchor reachable from the chain. */
        UNTRUSTED,
        /** Path structure: a loop, a path longer than allowed, or a critical extension we do not process. */
        CHAIN,
        /** A signature does not verify with its issuer's key. */
        SIGNATURE,
        /** An issuer is not a CA, or its path length constraint is exceeded. */
        BASIC_CONSTRAINTS,
        /** Key usage forbids the certificate's role (issuer without keyCertSign, leaf without signing/encipherment). */
        KEY_USAGE,
        /** The leaf's extended key usage does not allow the peer's role. */
        EXTENDED_KEY_USAGE,
        /** A certificate on the path is expired or not yet valid (only when expiry checking is on). */
        EXPIRY,
        /** A certificate on the path is listed in its issuer's CRL. */
        REVOKED,
        /** A CRL exists for an issuer but cannot be trusted (bad signature, expired, unsupported). */
        REVOCATION_UNKNOWN,
        /** The received chain itself is unusable (empty, too many certificates, unparseable extension). */
        MALFORMED,
        /** The server's certificate names neither the address nor the host name we connected to (when checked). */
        SUBJECT_ALT_NAME
    }

    private final Check check;
    private final X509Certificate certificate;

    /**
     * @param certificate the certificate the check failed on; null only when there is none (empty chain)
     */
    public CertificateRejectedException(Check check, String detail, X509Certificate certificate) {
        super(message(check, detail, certificate));
        this.check = check;
        this.certificate = certificate;
    }

    public Check check() {
        return check;
    }

    /** The certificate the check failed on (null only for an empty chain). */
    public X509Certificate certificate() {
        return certificate;
    }

    private static String message(Check check, String detail, X509Certificate c) {
        if (c == null) {
            return check + ": " + detail + "; subject=- issuer=- sha256=-";
        }
        return check + ": " + detail + "; subject=" + c.getSubjectX500Principal().getName()
                + " issuer=" + c.getIssuerX500Principal().getName() + " sha256=" + CredentialFiles.sha256Fingerprint(c);
    }
}
