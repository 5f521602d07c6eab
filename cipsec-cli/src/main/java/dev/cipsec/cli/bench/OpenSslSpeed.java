package dev.cipsec.cli.bench;

import dev.cipsec.transport.tls.CipherSuite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenSSL's record-protection baseline: {@code openssl speed -mr -evp CIPHER [-hmac DIGEST] -bytes N
 * -seconds 1}, one process per (algorithms, size).
 *
 * <p>{@code openssl speed} times libcrypto's primitives on buffers of one size, which is what
 * protecting a record of that size costs OpenSSL's libssl minus its framing (a 13-byte header, the
 * nonce and the copy into the record buffer). The closest baseline per suite ({@link #baselineFor}):
 * an AEAD suite is its EVP AEAD cipher (AES-GCM or ChaCha20-Poly1305, tag included); a CBC suite is
 * the EVP CBC cipher plus an HMAC of the same size with the suite's MAC digest, the two costs added
 * (libssl runs them one after the other; its "stitched" AES-CBC-HMAC ciphers serve only
 * MAC-then-encrypt, and our peers negotiate encrypt-then-MAC); a NULL suite is the HMAC alone.
 * The AES-128-GCM suite OpenSSL lacks as a TLS suite (0xD001) still has its cipher here.
 */
final class OpenSslSpeed {
    /** {@code +R:count:algorithm:seconds}, one per algorithm and size, in the {@code -mr} output. */
    private static final Pattern RESULT = Pattern.compile("\\+R:(\\d+):([^:]+):([\\d.]+)\\s*");
    /** {@code +DT:algorithm:seconds:bytes}, announcing the run that the next {@code +R} line reports. */
    private static final Pattern ANNOUNCE = Pattern.compile("\\+DT:([^:]+):\\d+:(\\d+)\\s*");

    /**
     * What OpenSSL runs to protect a record of one suite.
     *
     * @param evp  the EVP cipher ({@code -evp}), empty for NULL suites
     * @param hmac the HMAC digest ({@code -hmac}), empty for AEAD suites
     */
    record Baseline(Optional<String> evp, Optional<String> hmac) {
        String describe() {
            if (evp.isPresent() && hmac.isPresent()) {
                return evp.get() + " + hmac(" + hmac.get() + ")";
            }
            return evp.orElseGet(() -> "hmac(" + hmac.orElseThrow() + ")");
        }
    }

    /**
     * One line of results.
     *
     * @param algorithm as OpenSSL names it, e.g. {@code AES-128-GCM} or {@code hmac(sha256)}
     * @param bytes     buffer size
     * @param count     operations done
     * @param seconds   time they took
     */
    record Result(String algorithm, int bytes, long count, double seconds) {
        double nanosPerOp() {
            return seconds * 1e9 / count;
        }
    }

    private OpenSslSpeed() {
    }

    static Baseline baselineFor(CipherSuite suite) {
        String name = suite.name();
        String digest = name.endsWith("_SHA384") ? "sha384" : name.endsWith("_SHA256") ? "sha256" : "sha1";
        return switch (suite.protection()) {
            case NULL -> new Baseline(Optional.empty(), Optional.of(digest));
            case CBC -> new Baseline(Optional.of(name.contains("AES_256") ? "aes-256-cbc" : "aes-128-cbc"), Optional.of(digest));
            case AEAD -> new Baseline(Optional.of(name.contains("CHACHA20") ? "chacha20-poly1305"
                    : name.contains("AES_256") ? "aes-256-gcm" : "aes-128-gcm"), Optional.empty());
        };
    }

    /**
     * Parses {@code openssl speed -mr} output: each {@code +R} line with the size its preceding
     * {@code +DT} line announced.
     */
    static List<Result> parse(String output) {
        List<Result> out = new ArrayList<>();
        Map<String, Integer> announced = new HashMap<>();
        for (String line : output.split("\\R")) {
            Matcher a = ANNOUNCE.matcher(line);
            Matcher r = RESULT.matcher(line);
            if (a.matches()) {
                announced.put(a.group(1), Integer.parseInt(a.group(2)));
            } else if (r.matches() && announced.containsKey(r.group(2))) {
                out.add(new Result(r.group(2), announced.get(r.group(2)), Long.parseLong(r.group(1)),
                        Double.parseDouble(r.group(3))));
            }
        }
        return out;
    }

    /** The command for one baseline and size. */
    static List<String> command(Baseline b, int bytes, int seconds) {
        List<String> cmd = new ArrayList<>(List.of("openssl", "speed", "-mr"));
        b.evp().ifPresent(e -> cmd.addAll(List.of("-evp", e)));
        b.hmac().ifPresent(h -> cmd.addAll(List.of("-hmac", h)));
        cmd.addAll(List.of("-bytes", String.valueOf(bytes), "-seconds", String.valueOf(seconds)));
        return cmd;
    }

    /**
     * Runs the baseline for one size and returns OpenSSL's nanoseconds per record: the sum over its
     * algorithms (cipher then HMAC) of their time per buffer.
     */
    static double nanosPerRecord(Baseline b, int bytes, int seconds) throws IOException, InterruptedException {
        List<String> cmd = command(b, bytes, seconds);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text;
        try {
            text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30L + 4L * seconds, TimeUnit.SECONDS)) {
                throw new IOException("openssl speed did not finish: " + String.join(" ", cmd));
            }
        } finally {
            p.destroy();
        }
        List<Result> results = parse(text);
        int expected = (b.evp().isPresent() ? 1 : 0) + (b.hmac().isPresent() ? 1 : 0);
        if (results.size() != expected || results.stream().anyMatch(r -> r.bytes() != bytes || r.count() == 0)) {
            throw new IOException(String.format(Locale.ROOT, "%s: expected %d result lines for %d bytes, got %s%n%s",
                    String.join(" ", cmd), expected, bytes, results, text.strip()));
        }
        return results.stream().mapToDouble(Result::nanosPerOp).sum();
    }
}
