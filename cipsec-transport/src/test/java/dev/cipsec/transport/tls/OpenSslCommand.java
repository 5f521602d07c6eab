package dev.cipsec.transport.tls;

import dev.cipsec.wire.testkit.PeerTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One-shot {@code openssl <args>} runs in a working directory, for file-format interop (the long-running
 * peers are {@link OpenSslProcess}). Fails under CI and skips locally when openssl is missing.
 */
public final class OpenSslCommand {
    private final Path openssl;
    private final Path dir;

    private OpenSslCommand(Path openssl, Path dir) {
        this.openssl = openssl;
        this.dir = dir;
    }

    /** Runs openssl with {@code dir} as the working directory. */
    public static OpenSslCommand in(Path dir) {
        return new OpenSslCommand(PeerTools.require("openssl"), dir);
    }

    /** Exit code and stdout+stderr merged. */
    public record Result(int exit, String output) {
    }

    public Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(openssl.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl did not finish: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs and asserts exit code 0; returns the output. */
    public String ok(String... args) throws IOException, InterruptedException {
        Result r = run(args);
        assertThat(r.exit()).as("openssl %s: %s", String.join(" ", args), r.output()).isZero();
        return r.output();
    }
}
