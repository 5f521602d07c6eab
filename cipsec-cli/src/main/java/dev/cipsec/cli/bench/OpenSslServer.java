package dev.cipsec.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code openssl s_server} on an ephemeral loopback port, TLS 1.2 or ({@code -dtls1_2}) DTLS 1.2,
 * serving every suite its credentials allow. It binds port 0 and prints {@code ACCEPT host:port},
 * from which the port is read, so no port is guessed; its other output (a summary per connection)
 * is read and dropped on a daemon thread so that it never blocks on a full pipe. Its stdin stays
 * open: at end of input {@code s_server} would stop serving.
 */
final class OpenSslServer implements AutoCloseable {
    private static final Pattern ACCEPT = Pattern.compile("ACCEPT\\s+(\\[[^]]+]|[^\\s:]+):(\\d+)\\s*");
    private static final long START_TIMEOUT_MS = 10_000;

    private final Process process;
    private final InetSocketAddress address;

    private OpenSslServer(Process process, InetSocketAddress address) {
        this.process = process;
        this.address = address;
    }

    /**
     * The port of an {@code ACCEPT} line ({@code ACCEPT 127.0.0.1:38269}, or {@code ACCEPT [::1]:4433});
     * empty for any other line.
     */
    static Optional<Integer> parseAcceptPort(String line) {
        Matcher m = ACCEPT.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        int port = Integer.parseInt(m.group(2));
        return port > 0 && port <= 65535 ? Optional.of(port) : Optional.empty();
    }

    /**
     * Starts {@code openssl s_server -accept 127.0.0.1:0} with {@code args} and waits for its port.
     *
     * @param datagram DTLS 1.2 on UDP, else TLS 1.2 on TCP
     */
    static OpenSslServer start(boolean datagram, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", datagram ? "-dtls1_2" : "-tls1_2",
                "-accept", "127.0.0.1:0"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuilder early = new StringBuilder();
        Thread.ofPlatform().daemon(true).name("bench-s_server-out").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!port.isDone()) {
                        Optional<Integer> accepted = parseAcceptPort(line);
                        if (accepted.isPresent()) {
                            port.complete(accepted.get());
                        } else if (early.length() < 4096) {
                            early.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException e) {
                // The process went away; the port future says so below.
            }
            port.completeExceptionally(new IOException("openssl s_server ended: " + early.toString().strip()));
        });
        try {
            int bound = port.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return new OpenSslServer(p, new InetSocketAddress(InetAddress.getLoopbackAddress(), bound));
        } catch (ExecutionException e) {
            p.destroy();
            throw new IOException(e.getCause().getMessage() + " (" + String.join(" ", cmd) + ")", e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            p.destroy();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("openssl s_server printed no ACCEPT line: " + String.join(" ", cmd), e);
        }
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** {@code openssl version}'s line, or "missing". */
    static String version() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return v.isEmpty() ? "missing" : v;
        } catch (IOException e) {
            return "missing";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "missing";
        }
    }

    /**
     * The OpenSSL names of the suites {@code openssl ciphers} knows for {@code spec} (TLS 1.2 and
     * below), e.g. to tell a suite OpenSSL lacks from one it serves.
     */
    static List<String> ciphers(String spec) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("openssl", "ciphers", "-tls1_2", "-s", "-psk", spec).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return List.of(out.split(":"));
    }
}
