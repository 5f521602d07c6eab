package dev.cipsec.commission.est;

import dev.cipsec.transport.tls.cert.AtomicFiles;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The users allowed to enrol with HTTP basic credentials: a text file of {@code user:hash} lines (blank lines and
 * {@code #} comments skipped), where hash is {@code pbkdf2-sha256$ITERATIONS$SALT$KEY} (salt and key base64).
 * No password is ever stored; {@link #hashLine} makes a line.
 */
public final class BasicAuthFile {
    static final String SCHEME = "pbkdf2-sha256";
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    private static final int MIN_ITERATIONS = 10_000;
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final int SALT_BYTES = 16;
    private static final int KEY_BITS = 256;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private record Hash(int iterations, byte[] salt, byte[] key) {
    }

    private final Map<String, Hash> users;
    /** Checked for unknown users too, so the time taken does not tell whether a user exists. */
    private final Hash decoy;

    private BasicAuthFile(Map<String, Hash> users) {
        this.users = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(users));
        this.decoy = new Hash(users.values().stream().mapToInt(Hash::iterations).max().orElse(MIN_ITERATIONS),
                new byte[SALT_BYTES], new byte[KEY_BITS / 8]);
    }

    /** Reads the file; any malformed line is an error naming its number (never its content). */
    public static BasicAuthFile read(Path file) throws IOException {
        String text = new String(AtomicFiles.readBounded(file), StandardCharsets.UTF_8);
        Map<String, Hash> users = new LinkedHashMap<>();
        int n = 0;
        for (String line : text.split("\r?\n")) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            String user = colon < 0 ? "" : l.substring(0, colon);
            String[] parts = colon < 0 ? new String[0] : l.substring(colon + 1).split("\\$", -1);
            if (!USER.matcher(user).matches() || parts.length != 4 || !parts[0].equals(SCHEME)) {
                throw new IOException(file + ":" + n + ": expected user:" + SCHEME + "$ITERATIONS$SALT$KEY");
            }
            try {
                int iterations = Integer.parseInt(parts[1]);
                byte[] salt = Base64.getDecoder().decode(parts[2]);
                byte[] key = Base64.getDecoder().decode(parts[3]);
                if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS || salt.length < 8 || key.length != KEY_BITS / 8) {
                    throw new IOException(file + ":" + n + ": iterations " + MIN_ITERATIONS + ".." + MAX_ITERATIONS
                            + ", salt of 8+ bytes and a 32-byte key needed");
                }
                if (users.put(user, new Hash(iterations, salt, key)) != null) {
                    throw new IOException(file + ":" + n + ": user " + user + " appears twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + n + ": iterations or base64 malformed");
            }
        }
        return new BasicAuthFile(users);
    }

    /** The user names, in file order. */
    public Set<String> users() {
        return users.keySet();
    }

    /** Whether the password is the user's; false for an unknown user (after the same work). */
    public boolean verify(String user, char[] password) {
        Hash h = users.get(user);
        boolean known = h != null;
        Hash check = known ? h : decoy;
        byte[] derived = derive(password, check.salt(), check.iterations());
        return MessageDigest.isEqual(derived, check.key()) && known;
    }

    /** A line for the file, with a fresh salt and {@link #DEFAULT_ITERATIONS}. */
    public static String hashLine(String user, char[] password) {
        return hashLine(user, password, DEFAULT_ITERATIONS);
    }

    static String hashLine(String user, char[] password, int iterations) {
        if (!USER.matcher(user).matches()) {
            throw new IllegalArgumentException("user names are 1..64 of A-Z a-z 0-9 . _ @ -");
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be " + MIN_ITERATIONS + ".." + MAX_ITERATIONS);
        }
        byte[] salt = new byte[SALT_BYTES];
        new SecureRandom().nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return user + ":" + SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(password, salt, iterations));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, KEY_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public String toString() {
        return "BasicAuthFile[" + users.size() + " users]";
    }
}
