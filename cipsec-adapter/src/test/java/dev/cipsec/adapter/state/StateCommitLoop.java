package dev.cipsec.adapter.state;

import dev.cipsec.wire.buf.Bytes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Child process of {@link StateDirectoryKillTest}: opens the directory given as its argument and commits generation
 * after generation until it is killed. Generation N holds {@link #files(long)}: every file encodes N, sizes differ per
 * file and change with N, one file is secret and one exists only in odd generations.
 *
 * <p>A second argument bounds the number of commits (for a training run); without it the loop never ends.
 * Writes {@code READY} before opening (so a kill can also land in recovery), {@code OPEN <generation>} once open,
 * and {@code COMMITTED <n>} after each commit returned. Before {@code READY} it loads what a commit needs (logging,
 * SHA-256, the classes on the commit path): that first-use cost is several times a commit's, and would otherwise
 * swallow most of the kill delays.
 */
public final class StateCommitLoop {
    static final Set<String> SECRETS = Set.of("psk.key");

    private StateCommitLoop() {
    }

    public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
        warmUp();
        System.out.println("READY");
        try (StateDirectory dir = StateDirectory.open(Path.of(args[0]))) {
            System.out.println("OPEN " + dir.generation());
            long commits = args.length > 1 ? Long.parseLong(args[1]) : Long.MAX_VALUE;
            for (long i = 0; i < commits; i++) {
                long n = dir.generation() + 1;
                dir.commit(files(n), SECRETS);
                System.out.println("COMMITTED " + n);
            }
        }
    }

    private static void warmUp() throws NoSuchAlgorithmException {
        MessageDigest.getInstance("SHA-256").digest(files(1).get("blob.bin").toArray());
        if (!StateDirectory.validName("warm-up") || HexFormat.of().formatHex(new byte[1]).isEmpty()) {
            throw new IllegalStateException("warm-up");
        }
    }

    /** The files of generation {@code n}. */
    static Map<String, Bytes> files(long n) {
        Map<String, Bytes> files = new TreeMap<>();
        files.put("counter", Bytes.of(Long.toString(n).getBytes(StandardCharsets.US_ASCII)));
        files.put("config.json", Bytes.of(("{\"generation\": " + n + ", \"pad\": \"" + "x".repeat(1500 + (int) (n % 13) * 97)
                + "\"}\n").getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer blob = ByteBuffer.allocate(48 * 1024 + (int) (n % 7) * 1000 + 8);
        for (long i = 0; blob.remaining() >= Long.BYTES; i++) {
            blob.putLong(n * 1_000_003L + i);
        }
        files.put("blob.bin", Bytes.of(blob.array()));
        byte[] psk = new byte[32];
        new SplittableRandom(n).nextBytes(psk);
        files.put("psk.key", Bytes.of(psk));
        if (n % 2 == 1) {
            files.put("odd.flag", Bytes.of((byte) n));
        }
        return files;
    }
}
