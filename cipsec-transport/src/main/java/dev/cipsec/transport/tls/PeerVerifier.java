package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.CertificateRejectedException;
import dev.cipsec.transport.tls.cert.CertificateVerifier;
import dev.cipsec.transport.tls.cert.Purpose;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.transport.tls.cert.VerifyOptions;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Decides whether the certificate chain a peer presented is acceptable. The TLS endpoints call it
 * for every certificate-authenticated handshake and fail the handshake closed when it throws.
 */
@FunctionalInterface
public interface PeerVerifier {

    /**
     * @param chain    the peer's chain as received, leaf first (never empty)
     * @param peerRole what the peer is: {@link Purpose#SERVER} when we are the client
     * @throws CertificateException naming the check that failed; its message reaches logs and the peer's
     *                              alert detail stays generic
     */
    void verify(List<X509Certificate> chain, Purpose peerRole) throws CertificateException;

    /** Certificates whose subjects a server names as acceptable issuers in a CertificateRequest. */
    default List<X509Certificate> acceptableIssuers() {
        return List.of();
    }

    /** Whether any certificate could pass: a client offers certificate suites only then. */
    default boolean canTrustAnything() {
        return true;
    }

    /**
     * Verifies against {@code trust} ({@link CertificateVerifier}: chain, signatures, CA flags, key
     * usage, revocation by the store's CRLs; expiry only when {@code checkExpiry}, since many devices
     * have no clock). A peer certificate refused because nothing trusts it is kept in the store's
     * rejected/ directory, for an operator to approve.
     */
    static PeerVerifier trusting(TrustStore trust, boolean checkExpiry) {
        java.util.Objects.requireNonNull(trust, "trust");
        CertificateVerifier verifier = new CertificateVerifier(trust);
        return new PeerVerifier() {
            @Override
            public void verify(List<X509Certificate> chain, Purpose peerRole) throws CertificateException {
                try {
                    verifier.verify(chain, VerifyOptions.of(peerRole, checkExpiry));
                } catch (CertificateRejectedException e) {
                    if (e.check() == CertificateRejectedException.Check.UNTRUSTED && !chain.isEmpty()) {
                        trust.reject(chain.getFirst());
                    }
                    throw e;
                }
            }

            @Override
            public List<X509Certificate> acceptableIssuers() {
                return trust.anchors();
            }

            @Override
            public boolean canTrustAnything() {
                return !trust.anchors().isEmpty();
            }
        };
    }

    /** Accepts no certificate: for endpoints that authenticate by PSK only. */
    static PeerVerifier none() {
        return new PeerVerifier() {
            @Override
            public void verify(List<X509Certificate> chain, Purpose peerRole) throws CertificateException {
                throw new CertificateRejectedException(CertificateRejectedException.Check.UNTRUSTED,
                        "no trust anchors are configured: every certificate is refused", chain.getFirst());
            }

            @Override
            public boolean canTrustAnything() {
                return false;
            }
        };
    }
}
