package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.PeerVerifier;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/**
 * Trust on first use: the peer's certificate is accepted when its SHA-256 fingerprint is the pinned
 * one, whatever signed it and whatever its dates (a device's default certificate is self-signed and
 * often outlives any clock). Nothing else in the chain matters: the pin names the exact key and
 * certificate the operator saw.
 */
public final class PinnedCertificate implements PeerVerifier {
    private final byte[] fingerprint;

    public PinnedCertificate(byte[] fingerprint) {
        if (fingerprint.length != 32) {
            throw new IllegalArgumentException("a SHA-256 fingerprint is 32 bytes: " + fingerprint.length);
        }
        this.fingerprint = fingerprint.clone();
    }

    /** Hex with or without colons (as openssl and {@code cipsec device} print it), any case. */
    public static byte[] parse(String text) {
        String hex = text.strip().replace(":", "");
        if (hex.regionMatches(true, 0, "sha256", 0, 6)) {
            hex = hex.substring(6).replaceFirst("^[=\\s]+", "");
        }
        if (!hex.matches("[0-9A-Fa-f]{64}")) {
            throw new IllegalArgumentException("--pin-sha256: expected 32 bytes of hex (64 digits, colons optional): " + text);
        }
        return HexFormat.of().parseHex(hex);
    }

    @Override
    public void verify(List<X509Certificate> chain, Purpose peerRole) throws CertificateException {
        X509Certificate leaf = chain.getFirst();
        if (!MessageDigest.isEqual(sha256(leaf), fingerprint)) {
            throw new CertificateRejectedException(CertificateRejectedException.Check.UNTRUSTED,
                    "sha256 " + CredentialFiles.sha256Fingerprint(leaf) + " is not the pinned "
                            + HexFormat.ofDelimiter(":").withUpperCase().formatHex(fingerprint), leaf);
        }
    }

    private static byte[] sha256(X509Certificate c) throws CertificateEncodingException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
