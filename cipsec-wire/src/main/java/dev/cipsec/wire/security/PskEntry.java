package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One pre-shared key of EtherNet/IP Security Object (0x5E) attribute 5 (reference §5.3):
 * {USINT identity size, identity, USINT key size, key, [USINT usage]}. The usage byte exists only
 * in newer editions (§12.4), hence {@link OptionalInt}.
 *
 * <p>{@link #toString()} never shows key bytes: a record's default {@code toString} would put the
 * secret into every log line and assertion message that prints the entry.
 *
 * @param identity PSK identity, 0..128 bytes
 * @param key      the secret, 0..64 bytes; empty in anything read back from a device (write-only)
 * @param usage    empty (older editions) or {@link #SERVER}, {@link #CLIENT}, {@link #ANY}
 */
public record PskEntry(Bytes identity, Bytes key, OptionalInt usage) {
    public static final int MAX_IDENTITY = 128;
    public static final int MAX_KEY = 64;
    public static final int SERVER = 0;
    public static final int CLIENT = 1;
    public static final int ANY = 2;

    public PskEntry {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(usage, "usage");
        if (identity.length() > MAX_IDENTITY) {
            throw new IllegalArgumentException("PSK identity longer than 128 bytes: " + identity.length());
        }
        if (key.length() > MAX_KEY) {
            throw new IllegalArgumentException("PSK longer than 64 bytes: " + key.length());
        }
        if (usage.isPresent() && !isUsage(usage.getAsInt())) {
            throw new IllegalArgumentException("PSK usage must be 0 server, 1 client or 2 any: " + usage.getAsInt());
        }
    }

    /** An entry of the older editions, without a usage byte. */
    public PskEntry(Bytes identity, Bytes key) {
        this(identity, key, OptionalInt.empty());
    }

    static boolean isUsage(int v) {
        return v == SERVER || v == CLIENT || v == ANY;
    }

    /** The same entry with the key emptied: what a read of attribute 5 returns (key size 0, no key bytes). */
    public PskEntry redacted() {
        return key.isEmpty() ? this : new PskEntry(identity, Bytes.EMPTY, usage);
    }

    int encodedLength(boolean withUsage) {
        return 2 + identity.length() + key.length() + (withUsage ? 1 : 0);
    }

    void encode(WireWriter w, boolean withUsage) {
        w.u8(identity.length()).bytes(identity).u8(key.length()).bytes(key);
        if (withUsage) {
            w.u8(usage.getAsInt());
        }
    }

    @Override
    public String toString() {
        return "PskEntry[identity=" + identity + ", key=<" + key.length() + " bytes>"
                + (usage.isPresent() ? ", usage=" + usage.getAsInt() : "") + "]";
    }
}
