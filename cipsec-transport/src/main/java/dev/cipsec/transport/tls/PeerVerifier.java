package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.Purpose;

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

    /** Accepts no certificate: for endpoints that authenticate by PSK only. */
    static PeerVerifier none() {
        return new PeerVerifier() {
            @Override
            public void verify(List<X509Certificate> chain, Purpose peerRole) throws CertificateException {
                throw new CertificateException("no trust anchors are configured: every certificate is refused");
            }

            @Override
            public boolean canTrustAnything() {
                return false;
            }
        };
    }
}
