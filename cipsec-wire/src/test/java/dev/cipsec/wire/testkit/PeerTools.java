package dev.cipsec.wire.testkit;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Interop tests need tools nobody here wrote (tshark, openssl, ...). Under CI a missing tool is a
 * failure, never a skip, so CI cannot go green by skipping interop; on a developer machine the
 * test is skipped with a message saying how to install it ({@code ./run-tests} does).
 */
public final class PeerTools {
    private PeerTools() {
    }

    public static boolean onCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }

    /** The tool's absolute path; fails under CI and skips elsewhere when it is not on PATH. */
    public static Path require(String tool) {
        Path p = find(tool);
        if (p == null) {
            String msg = tool + " is not installed: run ./run-tests, which installs the interop peers";
            if (onCi()) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        return p;
    }

    public static Path find(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
