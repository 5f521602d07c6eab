package dev.cipsec.adapter;

import javax.net.ssl.X509TrustManager;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * Trusts an EST server whose TLS chain holds the certificate with a pinned SHA-256 fingerprint (0x5E
 * attribute 101): the server's own certificate (then nothing else is checked, the handshake proved its
 * key), or one of its CAs (then the certificates below it must chain up to it under PKIX rules, with
 * the CA as the trust anchor). A 32-byte attribute is what an operator can type or a tool can copy
 * from {@code openssl x509 -fingerprint -sha256}, where a whole certificate would need the File object.
 */
final class PinnedChainTrustManager implements X509TrustManager {
    private final byte[] fingerprint;
    /** The pinned certificate once a server presented it. */
    private volatile X509Certificate seen;

    PinnedChainTrustManager(byte[] fingerprint) {
        if (fingerprint.length != 32) {
            throw new IllegalArgumentException("a SHA-256 fingerprint is 32 bytes: " + fingerprint.length);
        }
        this.fingerprint = fingerprint.clone();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the EST server sent no certificate");
        }
        for (int i = 0; i < chain.length; i++) {
            if (MessageDigest.isEqual(sha256(chain[i]), fingerprint)) {
                if (i > 0) {
                    validateBelow(chain, i);
                }
                seen = chain[i];
                return;
            }
        }
        throw new CertificateException("no certificate in the EST server's chain has the pinned SHA-256 "
                + HexFormat.ofDelimiter(":").withUpperCase().formatHex(fingerprint) + " (its certificate is "
                + chain[0].getSubjectX500Principal() + ")");
    }

    private static void validateBelow(X509Certificate[] chain, int anchor) throws CertificateException {
        try {
            var path = CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain).subList(0, anchor));
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(chain[anchor], null)));
            // CRLs of the plant CA are not reachable from a device before it enrols.
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(path, params);
        } catch (GeneralSecurityException e) {
            throw new CertificateException("the EST server's certificate does not chain to the pinned CA: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the pull model's trust manager checks EST servers only");
    }

    /**
     * The pinned certificate once a server has shown it, else none: Bouncy Castle's EST client refuses to
     * enrol over a trust manager that names no issuer, and the device knows only a fingerprint until the
     * first handshake (the /cacerts request) shows the certificate.
     */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        X509Certificate c = seen;
        return c == null ? new X509Certificate[0] : new X509Certificate[] {c};
    }

    private static byte[] sha256(X509Certificate c) throws CertificateException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
