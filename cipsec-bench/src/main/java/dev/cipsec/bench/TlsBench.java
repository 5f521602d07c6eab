package dev.cipsec.bench;

import dev.cipsec.adapter.AdapterLimits;
import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.tcp.TcpServer;
import dev.cipsec.transport.tcp.TcpServerLimits;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsConnector;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsServerHandler;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.epath.EPath;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS figures for issue 6, each a ratio against a baseline measured in the same run:
 * <ol>
 *   <li>full handshakes per second, ECDHE-ECDSA P-256 (AES-128-GCM): {@code openssl s_time -new}
 *       against our TLS listener and against {@code openssl s_server} with the same key; the same
 *       with {@code -reuse} for resumed handshakes; and ECDHE-PSK full handshakes from our client
 *       against ours and against {@code s_server -psk};</li>
 *   <li>Get_Attribute_Single round trips, our scanner to our adapter, over TLS (AES-128-GCM)
 *       against plain TCP, interleaved in blocks: p50 and p99;</li>
 *   <li>heap per idle TLS session: a device in a child JVM holds N registered sessions over TLS,
 *       then N plain ones; used heap after GC, divided by N.</li>
 * </ol>
 * Both ends share the machine's cores, as they do in every figure of this module.
 *
 * <pre>java -cp benchmarks.jar dev.cipsec.bench.TlsBench [--seconds 10] [--iterations 20000] [--sessions 1000]</pre>
 */
public final class TlsBench {
    static final CipherSuite GCM = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    static final CipherSuite PSK_CBC = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256;
    static final PskCredential PSK = PskCredential.of("bench", Bytes.fromHex("000102030405060708090a0b0c0d0e0f"));
    private static final Pattern S_TIME = Pattern.compile("(\\d+) connections in [\\d.]+s");

    private TlsBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--memory-child")) {
            MemoryChild.run();
            return;
        }
        int seconds = 10;
        int iterations = 20_000;
        int sessions = 1000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: TlsBench [--seconds N] [--iterations N] [--sessions N]");
                    System.exit(2);
                }
            }
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "TLS bench, %s, JDK %s, %d cores, openssl: %s%n", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Runtime.version(), Runtime.getRuntime().availableProcessors(), opensslVersion());
        String only = System.getProperty("tlsbench.only", "all");
        if (only.equals("all") || only.equals("handshakes")) {
            handshakes(out, seconds);
        }
        if (only.equals("all") || only.equals("rtt")) {
            roundTrips(out, iterations);
        }
        if (only.equals("all") || only.equals("memory")) {
            memory(out, sessions);
        }
    }

    // ---------------------------------------------------------------- handshakes

    static void handshakes(PrintStream out, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("tlsbench");
        Identity id = selfSigned();
        CredentialFiles.writePem(dir.resolve("cert.pem"), id.chain());
        CredentialFiles.writePem(dir.resolve("key.pem"), id.key());
        TlsPolicy ours = TlsPolicy.builder().identity(id).psk(PSK).suites(GCM, PSK_CBC).build();
        out.printf(Locale.ROOT, "%nhandshakes per second (client and server share the cores; %d s each)%n", seconds);
        try (TcpServer server = drainServer(ours)) {
            int port = server.localAddress().getPort();
            // Warm-up: the JIT compiles Bouncy Castle's handshake and the JCA paths in the first seconds.
            sTime(port, "-new", seconds);
            pskLoop(new InetSocketAddress("127.0.0.1", port), seconds);
            double oursFull = sTime(port, "-new", seconds);
            double oursReuse = sTime(port, "-reuse", seconds);
            double oursPsk = pskLoop(new InetSocketAddress("127.0.0.1", port), seconds);
            double sslFull;
            double sslReuse;
            int sport = freePort();
            Process s = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + sport, "-tls1_2", "-quiet",
                    "-cert", dir.resolve("cert.pem").toString(), "-key", dir.resolve("key.pem").toString(),
                    "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                awaitListening(sport);
                sslFull = sTime(sport, "-new", seconds);
                sslReuse = sTime(sport, "-reuse", seconds);
            } finally {
                s.destroy();
                s.waitFor();
            }
            int pport = freePort();
            Process p = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + pport, "-tls1_2", "-quiet",
                    "-nocert", "-psk_identity", "bench", "-psk", PSK.key().toHex(), "-cipher", PSK_CBC.opensslName().orElseThrow())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            double sslPsk;
            try {
                awaitListening(pport);
                sslPsk = pskLoop(new InetSocketAddress("127.0.0.1", pport), seconds);
            } finally {
                p.destroy();
                p.waitFor();
            }
            out.printf(Locale.ROOT, "  %-58s %9s %9s %6s%n", "", "ours/s", "openssl/s", "ratio");
            row(out, "full, ECDHE-ECDSA P-256 AES128-GCM (client: openssl s_time -new)", oursFull, sslFull);
            row(out, "resumed, session id (client: openssl s_time -reuse)", oursReuse, sslReuse);
            row(out, "full, ECDHE-PSK AES128-CBC-SHA256 (client: ours, no resumption)", oursPsk, sslPsk);
            out.printf(Locale.ROOT, "  goal: full ECDHE-ECDSA >= 0.70 x openssl%n");
        }
    }

    private static void row(PrintStream out, String what, double ours, double openssl) {
        out.printf(Locale.ROOT, "  %-58s %,9.0f %,9.0f %6.2f%n", what, ours, openssl, ours / openssl);
    }

    /** Our server, answering nothing: s_time only handshakes and closes. */
    private static TcpServer drainServer(TlsPolicy policy) throws IOException {
        TlsServerHandler handler = new TlsServerHandler(policy, c -> {
            byte[] buf = new byte[1024];
            while (c.in().read(buf) > 0) {
                // Discard until the client closes.
            }
        });
        return new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TcpServerLimits.DEFAULTS.withMaxConnections(4096).withMaxConnectionsPerAddress(4096), handler).start();
    }

    /** Handshakes per wall-clock second of one {@code openssl s_time} run (its own figure is rounded to seconds). */
    private static double sTime(int port, String mode, int seconds) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("openssl", "s_time", "-connect", "127.0.0.1:" + port, mode, "-time",
                String.valueOf(seconds), "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        Matcher m = S_TIME.matcher(text);
        long n = 0;
        // s_time prints one line per mode it ran; the last is the one asked for.
        while (m.find()) {
            n = Long.parseLong(m.group(1));
        }
        if (n == 0) {
            throw new IllegalStateException("s_time made no connection:\n" + text);
        }
        return n / wall;
    }

    /** Full ECDHE-PSK handshakes per second from our client (no session cache, so none is resumed). */
    private static double pskLoop(InetSocketAddress to, int seconds) throws IOException {
        TlsConnector c = new TlsConnector(TlsPolicy.builder().psk(PSK).suites(PSK_CBC).sessionCacheSize(0).build());
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long t0 = System.nanoTime();
        long n = 0;
        while (System.nanoTime() < end) {
            c.connect(to, Duration.ofSeconds(5)).close();
            n++;
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    // ---------------------------------------------------------------- round trips

    static void roundTrips(PrintStream out, int iterations) throws Exception {
        Identity id = selfSigned();
        TlsPolicy server = TlsPolicy.builder().identity(id).suites(GCM).build();
        TlsPolicy client = TlsPolicy.builder().suites(GCM)
                .peerVerifier(PeerVerifier.trusting(TrustStore.of(List.of(id.certificate()), List.of(), List.of()), false))
                .build();
        EPath path = EPath.classInstanceAttribute(1, 1, 7);
        try (CipDevice d = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(server)).onEphemeralPorts());
             CipClient plain = CipClient.connect(new Target("127.0.0.1", d.tcpAddress().getPort(), false), ClientOptions.defaults());
             CipClient tls = CipClient.connect(new Target("127.0.0.1", d.tlsAddress().getPort(), true),
                     ClientOptions.defaults().withTls(client))) {
            // Warm-up as long as the measurement: Bouncy Castle's record path needs many thousand calls to be compiled.
            for (int i = 0; i < Math.max(10_000, iterations); i++) {
                plain.getAttributeSingle(path);
                tls.getAttributeSingle(path);
            }
            long[] p = new long[iterations];
            long[] t = new long[iterations];
            int block = 500;
            for (int i = 0; i < iterations; i += block) {
                int n = Math.min(block, iterations - i);
                for (int j = 0; j < n; j++) {
                    long a = System.nanoTime();
                    plain.getAttributeSingle(path);
                    p[i + j] = System.nanoTime() - a;
                }
                for (int j = 0; j < n; j++) {
                    long a = System.nanoTime();
                    tls.getAttributeSingle(path);
                    t[i + j] = System.nanoTime() - a;
                }
            }
            Arrays.sort(p);
            Arrays.sort(t);
            out.printf(Locale.ROOT, "%nGet_Attribute_Single 1/1/7 round trip, our scanner -> our adapter, %,d each, interleaved%n",
                    iterations);
            out.printf(Locale.ROOT, "  %-30s %10s %10s%n", "", "p50 us", "p99 us");
            out.printf(Locale.ROOT, "  %-30s %10.1f %10.1f%n", "plain TCP", pct(p, 0.5), pct(p, 0.99));
            out.printf(Locale.ROOT, "  %-30s %10.1f %10.1f%n", "TLS " + GCM.name().substring(4), pct(t, 0.5), pct(t, 0.99));
            out.printf(Locale.ROOT, "  %-30s %10.2f %10.2f   (goal <= 1.20)%n", "ratio TLS/plain", pct(t, 0.5) / pct(p, 0.5),
                    pct(t, 0.99) / pct(p, 0.99));
            // The ratio also measures the host: the same added time is a smaller share where the
            // kernel's round trip (wake-ups, loopback) costs more.
            out.printf(Locale.ROOT, "  %-30s %10.1f %10.1f%n", "TLS adds (us)", pct(t, 0.5) - pct(p, 0.5),
                    pct(t, 0.99) - pct(p, 0.99));
        }
    }

    private static double pct(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e3;
    }

    // ---------------------------------------------------------------- memory

    static void memory(PrintStream out, int sessions) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + System.getProperty("tlsbench.childLog", "info"), "-cp", System.getProperty("java.class.path"),
                TlsBench.class.getName(), "--memory-child").redirectError(ProcessBuilder.Redirect.appendTo(new java.io.File(System.getProperty("java.io.tmpdir"), "tlsbench-child.log"))).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             PrintStream w = new PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String[] ports = r.readLine().split(" ");
            int plainPort = Integer.parseInt(ports[1]);
            int tlsPort = Integer.parseInt(ports[2]);
            TlsPolicy client = TlsPolicy.builder().psk(PSK).suites(PSK_CBC).build();
            ClientOptions options = ClientOptions.defaults().withTls(client);
            long base = measure(r, w);
            List<CipClient> open = new ArrayList<>(sessions);
            for (int i = 0; i < sessions; i++) {
                open.add(CipClient.connect(new Target("127.0.0.1", tlsPort, true), options));
            }
            long withTls = measure(r, w);
            open.forEach(CipClient::close);
            open.clear();
            long afterTls = awaitSettled(r, w, base);
            for (int i = 0; i < sessions; i++) {
                open.add(CipClient.connect(new Target("127.0.0.1", plainPort, false), ClientOptions.defaults()));
            }
            long withPlain = measure(r, w);
            open.forEach(CipClient::close);
            double tlsPer = (withTls - base) / (double) sessions / 1024;
            double plainPer = (withPlain - afterTls) / (double) sessions / 1024;
            out.printf(Locale.ROOT, "%nheap per idle registered session in the device (child JVM, %,d sessions, used heap after GC)%n",
                    sessions);
            out.printf(Locale.ROOT, "  TLS (%s): %.1f KiB   plain TCP: %.1f KiB   ratio %.2f   (goal: TLS <= 64 KiB)%n",
                    PSK_CBC.name().substring(4), tlsPer, plainPer, tlsPer / plainPer);
            w.println("EXIT");
        } finally {
            child.destroy();
            child.waitFor();
        }
    }

    private static long measure(BufferedReader r, PrintStream w) throws IOException {
        w.println("MEASURE");
        return Long.parseLong(r.readLine().trim());
    }

    /** After closing, the device drops its sessions asynchronously: measure until the heap is back near base. */
    private static long awaitSettled(BufferedReader r, PrintStream w, long base) throws IOException {
        long last = 0;
        for (int i = 0; i < 20; i++) {
            last = measure(r, w);
            if (last < base + 2 * 1024 * 1024) {
                return last;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
        }
        return last;
    }

    /** The device under measurement: prints its ports, then answers MEASURE with used heap after GC. */
    static final class MemoryChild {
        static void run() throws Exception {
            TlsPolicy policy = TlsPolicy.builder().psk(PSK).suites(PSK_CBC).build();
            DeviceProfile profile = DeviceProfile.defaults().withSecurity(SecuritySettings.tls(policy)).onEphemeralPorts();
            profile = profile.withLimits(profile.limits().withTcpConnections(5000, 5000).withMaxSessions(5000));
            try (CipDevice d = CipDevice.start(profile)) {
                System.out.println("PORTS " + d.tcpAddress().getPort() + " " + d.tlsAddress().getPort());
                System.out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.equals("EXIT")) {
                    for (int i = 0; i < 3; i++) {
                        System.gc();
                    }
                    System.out.println(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                    System.out.flush();
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A throw-away self-signed EC P-256 identity (the bench needs no PKI). */
    static Identity selfSigned() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=tls-bench");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                java.util.Date.from(now.minus(Duration.ofDays(1))), java.util.Date.from(now.plus(Duration.ofDays(30))), name,
                kp.getPublic());
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        return new Identity(kp.getPrivate(), List.of(cert));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("openssl s_server did not listen on " + port);
    }

    private static String opensslVersion() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return v;
        } catch (IOException | InterruptedException e) {
            return "missing";
        }
    }
}
