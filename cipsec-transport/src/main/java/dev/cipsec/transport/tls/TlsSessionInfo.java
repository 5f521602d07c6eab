package dev.cipsec.transport.tls;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a completed handshake negotiated.
 *
 * @param version              e.g. "TLSv1.2"
 * @param suite                the suite in use
 * @param resumed              whether an earlier session was resumed (abbreviated handshake)
 * @param peerCertificates     the peer's chain as presented (empty for PSK or an unauthenticated client)
 * @param pskIdentity          the PSK identity used, for ECDHE-PSK suites
 * @param extendedMasterSecret RFC 7627 in use
 * @param encryptThenMac       RFC 7366 in use (CBC suites only)
 * @param secureRenegotiation  the peer sent the RFC 5746 indication
 */
public record TlsSessionInfo(String version, CipherSuite suite, boolean resumed, List<X509Certificate> peerCertificates,
                             Optional<String> pskIdentity, boolean extendedMasterSecret, boolean encryptThenMac,
                             boolean secureRenegotiation) {
    public TlsSessionInfo {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(suite, "suite");
        peerCertificates = List.copyOf(peerCertificates);
        Objects.requireNonNull(pskIdentity, "pskIdentity");
    }
}
