package dev.cipsec.wire.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Golden captures of a real third-party adapter (OpENer) in {@code ../shared/fixtures/*.hex}:
 * one line per frame, {@code frame TAB direction TAB transport TAB hex}.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** One frame's application payload. */
    public record Frame(int number, boolean toAdapter, boolean tcp, byte[] payload) {
    }

    public static Path sharedDir() {
        String env = System.getenv("CIPSEC_SHARED_DIR");
        if (env != null && Files.isDirectory(Path.of(env, "fixtures"))) {
            return Path.of(env);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("../shared/fixtures not found; set CIPSEC_SHARED_DIR");
    }

    public static Path fixture(String name) {
        return sharedDir().resolve("fixtures").resolve(name);
    }

    /** All frames of {@code name} (e.g. "opener-explicit.hex"). */
    public static List<Frame> load(String name) {
        try {
            List<Frame> out = new ArrayList<>();
            for (String line : Files.readAllLines(fixture(name))) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                out.add(new Frame(Integer.parseInt(f[0]), f[1].equals("to-adapter"), f[2].equals("tcp"),
                        HexFormat.of().parseHex(f[3])));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The frame numbered {@code number} in {@code name}. */
    public static Frame frame(String name, int number) {
        return load(name).stream().filter(f -> f.number() == number).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no frame " + number + " in " + name));
    }
}
