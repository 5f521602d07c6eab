package dev.cipsec.transport.tls.cert;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link CertificateVerifier#verify} checks for one handshake.
 *
 * @param peerRole       which end the peer is; decides the extended key usage required of its leaf
 * @param checkExpiry    whether validity periods (and CRL nextUpdate) are checked at {@code now}; CIP
 *                       Security leaves it to the device because many have no trustworthy clock
 * @param now            the time validity is checked at
 * @param maxChainLength the most certificates a validated path may hold, leaf and anchor included (1..16)
 */
public record VerifyOptions(Purpose peerRole, boolean checkExpiry, Instant now, int maxChainLength) {
    /** The default path length limit. */
    public static final int DEFAULT_MAX_CHAIN_LENGTH = 8;

    public VerifyOptions {
        Objects.requireNonNull(peerRole, "peerRole");
        Objects.requireNonNull(now, "now");
        if (maxChainLength < 1 || maxChainLength > CertificateVerifier.MAX_RECEIVED_CHAIN) {
            throw new IllegalArgumentException("maxChainLength must be 1.." + CertificateVerifier.MAX_RECEIVED_CHAIN
                    + ": " + maxChainLength);
        }
    }

    /** Options checking at the current time with paths of at most {@value #DEFAULT_MAX_CHAIN_LENGTH} certificates. */
    public static VerifyOptions of(Purpose peerRole, boolean checkExpiry) {
        return new VerifyOptions(peerRole, checkExpiry, Instant.now(), DEFAULT_MAX_CHAIN_LENGTH);
    }

    /** The same options checking validity at {@code at}. */
    public VerifyOptions withNow(Instant at) {
        return new VerifyOptions(peerRole, checkExpiry, at, maxChainLength);
    }

    /** The same options with another path length limit. */
    public VerifyOptions withMaxChainLength(int max) {
        return new VerifyOptions(peerRole, checkExpiry, now, max);
    }
}
