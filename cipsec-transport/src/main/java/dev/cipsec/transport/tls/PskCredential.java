package dev.cipsec.transport.tls;

import dev.cipsec.wire.buf.Bytes;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A pre-shared key for the ECDHE-PSK suites: an identity the client names in its key exchange and
 * the secret both ends hold. Limits are those of the EtherNet/IP Security Object's attribute 5
 * (reference §5.3): identity 1..128 bytes, key 1..64 bytes. Keys shorter than 16 bytes are
 * accepted for interoperability with devices configured that way, but offer less than 128-bit
 * security.
 *
 * @param usage which end may use it (newer editions' usage byte; {@link Usage#ANY} for older ones)
 */
public record PskCredential(Bytes identity, Bytes key, Usage usage) {
    public static final int MAX_IDENTITY = 128;
    public static final int MAX_KEY = 64;

    /** The usage byte of newer editions: 0 server, 1 client, 2 any. */
    public enum Usage {
        SERVER, CLIENT, ANY;

        boolean allowsServer() {
            return this != CLIENT;
        }

        boolean allowsClient() {
            return this != SERVER;
        }
    }

    public PskCredential {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(usage, "usage");
        if (identity.isEmpty() || identity.length() > MAX_IDENTITY) {
            throw new IllegalArgumentException("PSK identity must be 1.." + MAX_IDENTITY + " bytes: " + identity.length());
        }
        if (key.isEmpty() || key.length() > MAX_KEY) {
            throw new IllegalArgumentException("PSK key must be 1.." + MAX_KEY + " bytes: " + key.length());
        }
    }

    /** A PSK for either end, its identity given as UTF-8 text. */
    public static PskCredential of(String identity, Bytes key) {
        return new PskCredential(Bytes.of(identity.getBytes(StandardCharsets.UTF_8)), key, Usage.ANY);
    }

    /** The identity as text (UTF-8, replacement characters for invalid bytes): for logs and messages. */
    public String identityText() {
        return new String(identity.toArray(), StandardCharsets.UTF_8);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "PskCredential[identity=" + identityText() + ", key=" + key.length() + " bytes, usage=" + usage + "]";
    }
}
