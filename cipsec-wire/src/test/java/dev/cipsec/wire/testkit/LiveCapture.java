package dev.cipsec.wire.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A running tshark capture on loopback, for tests that check what tshark makes of our live traffic. dumpcap starts capturing a little after tshark says "Capturing
 * on", so readiness is proven by a probe datagram showing up in tshark's own packet list
 * ({@code -P -l}); a second probe at the end proves every earlier packet went through before the stop.
 * Each probe has a length of its own, and only a line with that length counts: tshark may still be
 * listing the start's probes (sent every 50 ms until one shows) when the stop's probe goes out, and
 * taking one of those for the stop's probe ended a capture before the test's packets were in it.
 */
public final class LiveCapture implements AutoCloseable {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final Process process;
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
    /** Lengths of the probes tshark has listed. */
    private final Set<Integer> probesSeen = ConcurrentHashMap.newKeySet();
    /** The next probe's length: each probe round has its own. */
    private final AtomicInteger nextProbeLength = new AtomicInteger(5);
    private final DatagramSocket probe;

    private LiveCapture(Process process, DatagramSocket probe) {
        this.process = process;
        this.probe = probe;
    }

    /** Starts capturing packets matching the BPF {@code filter} into {@code file}; returns once tshark sees packets. */
    public static LiveCapture start(Path tshark, String filter, Path file) throws IOException {
        DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int probePort = probe.getLocalPort();
        ProcessBuilder pb = new ProcessBuilder(tshark.toString(), "-n", "-l", "-P", "-i", "lo",
                "-f", "(" + filter + ") or udp port " + probePort, "-w", file.toString());
        pb.environment().put("HOME", System.getProperty("java.io.tmpdir"));
        Process p = pb.start();
        LiveCapture c = new LiveCapture(p, probe);
        String probeLine = " " + probePort + " Len=";
        Thread.ofPlatform().daemon().name("tshark-stdout").start(() -> drain(p.getInputStream(), line -> {
            int at = line.indexOf(probeLine);
            if (at >= 0) {
                int from = at + probeLine.length();
                int to = from;
                while (to < line.length() && Character.isDigit(line.charAt(to))) {
                    to++;
                }
                if (to > from) {
                    c.probesSeen.add(Integer.parseInt(line.substring(from, to)));
                }
            }
        }));
        Thread.ofPlatform().daemon().name("tshark-stderr").start(() -> drain(p.getErrorStream(), c.stderr::add));
        try {
            c.probeUntilSeen();
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static void drain(InputStream in, Consumer<String> sink) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                sink.accept(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private void probeUntilSeen() throws IOException {
        int length = nextProbeLength.getAndIncrement();
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'p');
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        long nextSend = 0;
        while (!probesSeen.contains(length)) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("tshark did not list a probe within " + DEADLINE + ": " + stderr);
            }
            if (System.nanoTime() - nextSend > 0) {
                probe.send(new DatagramPacket(payload, payload.length, probe.getLocalSocketAddress()));
                nextSend = System.nanoTime() + 50_000_000L;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Waits until everything sent so far is through tshark, then ends it (SIGTERM completes the file). */
    public void stop() throws IOException, InterruptedException {
        try {
            probeUntilSeen();
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("tshark did not exit: " + stderr);
            }
        } finally {
            close();
        }
    }

    /** Kills tshark if still running (the capture file may be incomplete). */
    @Override
    public void close() {
        probe.close();
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
