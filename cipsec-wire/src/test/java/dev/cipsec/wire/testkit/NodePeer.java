package dev.cipsec.wire.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a script of an npm interop peer under {@code interop/<name>/} (installed there by
 * {@code ./run-tests}); like {@link PeerTools}, a missing peer fails under CI and skips elsewhere.
 */
public final class NodePeer {
    private NodePeer() {
    }

    /** The result of one script run. */
    public record Result(int exit, String out, String err) {
    }

    public static Path dir(String name) {
        String repo = System.getenv("CIPSEC_REPO_DIR");
        Path base = repo != null ? Path.of(repo) : Fixtures.sharedDir().resolveSibling("main");
        Path dir = base.resolve("interop").resolve(name);
        PeerTools.require("node");
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            String msg = "npm peer " + name + " is not installed in " + dir + ": run ./run-tests";
            if (PeerTools.onCi()) {
                fail(msg);
            }
            org.junit.jupiter.api.Assumptions.abort(msg);
        }
        return dir;
    }

    /** Runs {@code node script args...} in the peer's folder, killed after {@code timeoutSeconds}. */
    public static Result run(String name, long timeoutSeconds, String script, String... args)
            throws IOException, InterruptedException {
        Path dir = dir(name);
        List<String> cmd = new ArrayList<>(List.of(PeerTools.require("node").toString(), script));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("node-out", ".txt");
        Path err = Files.createTempFile("node-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail("node " + script + " did not finish within " + timeoutSeconds + " s; stderr: "
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
