package dev.cipsec.transport.tls;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The TLS 1.2 / DTLS 1.2 cipher suites of CIP Security (reference §7.1): the original eight of
 * Volume 8 (RSA, ECDHE-ECDSA and ECDHE-PSK, with and without encryption) and the AEAD suites of
 * later editions.
 *
 * <p>{@link #DEFAULTS} is what a policy allows unless told otherwise: the ECDHE-ECDSA and
 * ECDHE-PSK suites that encrypt. The NULL suites (integrity only, for debugging or links that need
 * no confidentiality) and the RSA key-transport suites (no forward secrecy; optional in the
 * reference) must be asked for by name.
 */
public enum CipherSuite {
    TLS_RSA_WITH_NULL_SHA256(0x003B, KeyExchange.RSA, Protection.NULL, "NULL-SHA256"),
    TLS_RSA_WITH_AES_128_CBC_SHA256(0x003C, KeyExchange.RSA, Protection.CBC, "AES128-SHA256"),
    TLS_RSA_WITH_AES_256_CBC_SHA256(0x003D, KeyExchange.RSA, Protection.CBC, "AES256-SHA256"),
    TLS_ECDHE_ECDSA_WITH_NULL_SHA(0xC006, KeyExchange.ECDHE_ECDSA, Protection.NULL, "ECDHE-ECDSA-NULL-SHA"),
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256(0xC023, KeyExchange.ECDHE_ECDSA, Protection.CBC, "ECDHE-ECDSA-AES128-SHA256"),
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384(0xC024, KeyExchange.ECDHE_ECDSA, Protection.CBC, "ECDHE-ECDSA-AES256-SHA384"),
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256(0xC02B, KeyExchange.ECDHE_ECDSA, Protection.AEAD,
            "ECDHE-ECDSA-AES128-GCM-SHA256"),
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384(0xC02C, KeyExchange.ECDHE_ECDSA, Protection.AEAD,
            "ECDHE-ECDSA-AES256-GCM-SHA384"),
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256(0xCCA9, KeyExchange.ECDHE_ECDSA, Protection.AEAD,
            "ECDHE-ECDSA-CHACHA20-POLY1305"),
    TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256(0xC037, KeyExchange.ECDHE_PSK, Protection.CBC, "ECDHE-PSK-AES128-CBC-SHA256"),
    TLS_ECDHE_PSK_WITH_NULL_SHA256(0xC03A, KeyExchange.ECDHE_PSK, Protection.NULL, "ECDHE-PSK-NULL-SHA256"),
    TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256(0xCCAC, KeyExchange.ECDHE_PSK, Protection.AEAD,
            "ECDHE-PSK-CHACHA20-POLY1305"),
    /** OpenSSL 3.0 does not implement it (nor does mbedTLS): Bouncy Castle peers only. */
    TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256(0xD001, KeyExchange.ECDHE_PSK, Protection.AEAD, null);

    /** How the peers authenticate and agree on keys. */
    public enum KeyExchange {
        /** RSA key transport: the server needs an RSA certificate. */
        RSA,
        /** Ephemeral ECDH signed with ECDSA: the server needs an EC certificate. */
        ECDHE_ECDSA,
        /** Ephemeral ECDH authenticated by a pre-shared key. */
        ECDHE_PSK;

        public boolean usesCertificates() {
            return this != ECDHE_PSK;
        }
    }

    /** What the record layer does with application data. */
    public enum Protection {
        /** Integrity only (HMAC): readable on the wire. */
        NULL,
        /** AES-CBC with HMAC (encrypt-then-MAC when the peers negotiate it). */
        CBC,
        /** AES-GCM or ChaCha20-Poly1305. */
        AEAD
    }

    /**
     * Encrypting ECDHE suites, what a policy allows unless told otherwise, in order of preference:
     * AEAD before CBC (no padding oracle, one pass), AES-128 before AES-256 (as fast to break as the
     * P-256 key exchange protecting it anyway, and cheaper), GCM before ChaCha20 (AES-NI).
     */
    public static final Set<CipherSuite> DEFAULTS = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(List.of(
            TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
            TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
            TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256)));

    private final int id;
    private final KeyExchange keyExchange;
    private final Protection protection;
    private final String opensslName;

    CipherSuite(int id, KeyExchange keyExchange, Protection protection, String opensslName) {
        this.id = id;
        this.keyExchange = keyExchange;
        this.protection = protection;
        this.opensslName = opensslName;
    }

    /** The IANA id, e.g. 0xC02B (sent high byte first in 0x5E attributes 3 and 4). */
    public int id() {
        return id;
    }

    public KeyExchange keyExchange() {
        return keyExchange;
    }

    public Protection protection() {
        return protection;
    }

    /** OpenSSL's name for {@code -cipher}, empty for suites OpenSSL 3.0 lacks. */
    public Optional<String> opensslName() {
        return Optional.ofNullable(opensslName);
    }

    /** The suite with this IANA id, if it is one of CIP Security's. */
    public static Optional<CipherSuite> byId(int id) {
        for (CipherSuite s : values()) {
            if (s.id == id) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses a suite named by its IANA name ({@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}), its
     * OpenSSL name ({@code ECDHE-ECDSA-AES128-GCM-SHA256}) or its id ({@code 0xC02B}, or {@code C02B}
     * as the reference and tools write it), ignoring case.
     */
    public static CipherSuite parse(String text) {
        String t = text.trim();
        if (t.matches("[0-9A-Fa-f]{4}")) {
            t = "0x" + t;
        }
        if (t.regionMatches(true, 0, "0x", 0, 2)) {
            try {
                int id = Integer.parseInt(t.substring(2), 16);
                return byId(id).orElseThrow(() -> new IllegalArgumentException("not a CIP Security suite: " + text));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a suite id: " + text, e);
            }
        }
        String upper = t.toUpperCase(Locale.ROOT);
        for (CipherSuite s : values()) {
            if (s.name().equals(upper) || upper.equals(s.opensslName)) {
                return s;
            }
        }
        throw new IllegalArgumentException("not a CIP Security suite: " + text);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (0x%04X)", name(), id);
    }
}
