package dev.cipsec.transport.tls;

import dev.cipsec.wire.testkit.PeerTools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code openssl s_server} or {@code s_client} for interop tests: its stdout and stderr merged
 * into lines we can wait for, its stdin ours. Fails under CI and skips locally when openssl is
 * missing ({@link PeerTools#require}).
 */
public final class OpenSslProcess implements AutoCloseable {
    private static final Pattern ACCEPT = Pattern.compile("ACCEPT (\\S+):(\\d+)");

    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    private final OutputStream stdin;

    private final boolean raw;
    /** Reads the output; still running for a moment after the process has exited. */
    private final Thread reader;

    private OpenSslProcess(List<String> command, boolean raw) throws IOException {
        this.raw = raw;
        process = new ProcessBuilder(command).redirectErrorStream(!raw).start();
        stdin = process.getOutputStream();
        java.io.InputStream text = raw ? process.getErrorStream() : process.getInputStream();
        reader = Thread.ofVirtual().name("openssl-out").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    seen.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                // The process ended.
            }
        });
    }

    /** {@code openssl <args>}, stdout and stderr merged into lines. */
    public static OpenSslProcess start(String... args) throws IOException {
        return new OpenSslProcess(command(args), false);
    }

    /**
     * {@code openssl <args>} with stdout as raw bytes ({@link #stdout()}), for binary application data
     * through {@code s_client -quiet} or {@code s_server -quiet}; stderr lines are kept for diagnostics.
     */
    public static OpenSslProcess startRaw(String... args) throws IOException {
        return new OpenSslProcess(command(args), true);
    }

    /**
     * Another peer tool ({@code gnutls-cli}, {@code nmap}) with the same line handling: {@code tool <args>},
     * stdout and stderr merged into lines. Fails under CI and skips locally when the tool is missing.
     */
    public static OpenSslProcess startTool(String tool, String... args) throws IOException {
        return new OpenSslProcess(command(tool, args), false);
    }

    private static List<String> command(String... args) {
        return command("openssl", args);
    }

    private static List<String> command(String tool, String... args) {
        Path path = PeerTools.require(tool);
        List<String> cmd = new ArrayList<>();
        cmd.add(path.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The raw stdout of a {@link #startRaw} process. */
    public java.io.InputStream stdout() {
        if (!raw) {
            throw new IllegalStateException("stdout is read as lines; use startRaw");
        }
        return process.getInputStream();
    }

    /**
     * {@code openssl s_server -accept 127.0.0.1:0 <args>}, returned once it listens, with the port it
     * printed. The server answers with each line reversed ({@code -rev}) unless args say otherwise.
     */
    public static Server server(String... args) throws IOException {
        List<String> a = new ArrayList<>(List.of("s_server", "-accept", "127.0.0.1:0"));
        a.addAll(List.of(args));
        OpenSslProcess p = start(a.toArray(String[]::new));
        String line = p.awaitLine(l -> ACCEPT.matcher(l).find(), Duration.ofSeconds(20));
        Matcher m = ACCEPT.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("unexpected: " + line);
        }
        return new Server(p, new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(2))));
    }

    public record Server(OpenSslProcess process, InetSocketAddress address) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
        }
    }

    /** The next line (after those already taken) matching {@code p}; fails with everything seen otherwise. */
    public String awaitLine(Predicate<String> p, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = end - System.nanoTime();
                String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (line == null) {
                    throw new AssertionError("openssl did not print the expected line within " + timeout + "; output:\n"
                            + String.join("\n", output()));
                }
                if (p.test(line)) {
                    return line;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public String awaitLineContaining(String text, Duration timeout) {
        return awaitLine(l -> l.contains(text), timeout);
    }

    public void write(byte[] data) throws IOException {
        stdin.write(data);
        stdin.flush();
    }

    public void writeLine(String s) throws IOException {
        write((s + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The process's stdin as a stream, e.g. to pump another stream into it. */
    public OutputStream stdinStream() {
        return stdin;
    }

    public void closeStdin() throws IOException {
        stdin.close();
    }

    /** Waits for the process to end; returns its exit code. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("openssl still running after " + timeout + "; output:\n" + String.join("\n", output()));
            }
            // The process can be gone before its last lines are read from the pipe: output() must have them all.
            reader.join(timeout.toMillis());
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Every line printed so far. */
    public List<String> output() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
