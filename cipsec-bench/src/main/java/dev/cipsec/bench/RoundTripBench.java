package dev.cipsec.bench;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.epath.EPath;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * Get_Attribute_Single 1/1/7 round trips, our {@link CipClient} to our {@link CipDevice} over
 * loopback TCP, against a raw TCP echo that moves exactly the same number of bytes each way, in
 * the same JVM run: latency percentiles of one session, then throughput of several sessions.
 * Figures are reported as ratios to the echo so that they mean something on any machine.
 *
 * <p>The echo is what any TCP request/response protocol costs on this machine: blocking sockets,
 * TCP_NODELAY on both ends, one virtual thread per server connection, one write and one read per
 * request on the client. Both sides of each measurement run on the same thread kinds.
 *
 * <pre>java -cp benchmarks.jar dev.cipsec.bench.RoundTripBench [--iterations N] [--warmup N]
 *     [--duration SECONDS] [--sessions N]</pre>
 */
public final class RoundTripBench {
    static final EPath PATH = EPath.classInstanceAttribute(1, 1, 7);
    /** Latency samples are taken in alternating blocks of this many, so drift hits both sides alike. */
    private static final int BLOCK = 1000;

    /** Harness settings; the defaults take about half a minute. */
    public record Options(int iterations, int warmup, Duration duration, int sessions) {
        public Options {
            if (iterations < 1 || warmup < 0 || sessions < 1 || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("iterations >= 1, warmup >= 0, sessions >= 1, duration > 0");
            }
        }

        public static Options defaults() {
            return new Options(50_000, 20_000, Duration.ofSeconds(5), 8);
        }

        static Options parse(String... args) {
            Options o = defaults();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    throw new IllegalArgumentException("usage");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                String v = args[++i];
                o = switch (a) {
                    case "--iterations" -> new Options(Integer.parseInt(v), o.warmup, o.duration, o.sessions);
                    case "--warmup" -> new Options(o.iterations, Integer.parseInt(v), o.duration, o.sessions);
                    case "--duration" -> new Options(o.iterations, o.warmup, parseDuration(v), o.sessions);
                    case "--sessions" -> new Options(o.iterations, o.warmup, o.duration, Integer.parseInt(v));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                };
            }
            return o;
        }

        /** Seconds ("5", "0.5") or milliseconds with an "ms" suffix ("300ms"). */
        static Duration parseDuration(String v) {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            String s = v.endsWith("s") ? v.substring(0, v.length() - 1) : v;
            return Duration.ofNanos(Math.round(Double.parseDouble(s) * 1e9));
        }
    }

    /** Latency percentiles in nanoseconds. */
    public record Percentiles(long p50, long p90, long p99, long p999) {
        static Percentiles of(long[] samples) {
            long[] s = samples.clone();
            Arrays.sort(s);
            return new Percentiles(at(s, 0.50), at(s, 0.90), at(s, 0.99), at(s, 0.999));
        }

        /** Nearest-rank percentile. */
        private static long at(long[] sorted, double q) {
            int rank = (int) Math.ceil(q * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }
    }

    /** Everything the table shows. */
    public record Result(int requestBytes, int replyBytes, Percentiles echo, Percentiles ours,
                         double echoPerSecond, double oursPerSecond) {
        public double p50Ratio() {
            return (double) ours.p50 / echo.p50;
        }

        public double p99Ratio() {
            return (double) ours.p99 / echo.p99;
        }

        public double throughputRatio() {
            return oursPerSecond / echoPerSecond;
        }
    }

    private RoundTripBench() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // Start-up INFO lines would interleave with the table.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage().equals("usage") ? "" : "error: " + e.getMessage());
            System.err.println("usage: RoundTripBench [--iterations N] [--warmup N] [--duration SECONDS|MSms] [--sessions N]");
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    /** Runs both measurements and prints the table to {@code out}. */
    public static Result run(Options o, PrintStream out) throws IOException, InterruptedException, CipServiceException {
        out.printf(Locale.ROOT, "cipsec round trip: Get_Attribute_Single %s over loopback TCP vs raw TCP echo, %s%n",
                "1/1/7", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        out.printf(Locale.ROOT, "JDK %s (%s %s), %d cores, %s %s%n", Runtime.version(), System.getProperty("java.vm.vendor"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"));
        try (CipDevice device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts())) {
            InetSocketAddress addr = device.tcpAddress();
            Target target = new Target(addr.getAddress().getHostAddress(), addr.getPort(), false);
            MessageRouterRequest request = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, PATH);
            int requestBytes = EncapsulationHeader.SIZE + RrData.UNCONNECTED_OVERHEAD + request.encodedLength();
            int replyBytes;
            try (CipClient probe = CipClient.connect(target, ClientOptions.defaults())) {
                MessageRouterResponse r = probe.send(request);
                if (!r.isSuccess()) {
                    throw new IllegalStateException("the adapter refused " + request + ": " + r);
                }
                replyBytes = EncapsulationHeader.SIZE + RrData.UNCONNECTED_OVERHEAD + r.encodedLength();
            }
            try (EchoServer echo = EchoServer.start(requestBytes, replyBytes)) {
                out.printf(Locale.ROOT, "request frame %d B, reply frame %d B (both sides move the same bytes)%n%n",
                        requestBytes, replyBytes);
                Percentiles[] lat = latency(o, target, echo, requestBytes, replyBytes);
                out.printf(Locale.ROOT, "latency, 1 session, %d round trips each after %d warm-up (us)%n",
                        o.iterations, o.warmup);
                out.printf(Locale.ROOT, "  %-12s %9s %9s %9s %9s%n", "", "p50", "p90", "p99", "p99.9");
                row(out, "raw echo", lat[0]);
                row(out, "cipsec", lat[1]);
                out.printf(Locale.ROOT, "  %-12s %9.2f %9.2f %9.2f %9.2f   (goal <= 1.30 at p50 and p99)%n%n",
                        "ratio", ratio(lat[1].p50, lat[0].p50), ratio(lat[1].p90, lat[0].p90),
                        ratio(lat[1].p99, lat[0].p99), ratio(lat[1].p999, lat[0].p999));

                double echoRate = throughput(o, () -> new EchoSession(echo.address(), requestBytes, replyBytes));
                double oursRate = throughput(o, () -> new CipSession(CipClient.connect(target, ClientOptions.defaults())));
                out.printf(Locale.ROOT, "throughput, %d sessions on %d threads, %.1f s each (requests/s)%n",
                        o.sessions, o.sessions, o.duration.toMillis() / 1000.0);
                out.printf(Locale.ROOT, "  %-12s %,12.0f%n", "raw echo", echoRate);
                out.printf(Locale.ROOT, "  %-12s %,12.0f   (goal >= 50,000 with 8 sessions)%n", "cipsec", oursRate);
                out.printf(Locale.ROOT, "  %-12s %12.2f%n", "ratio", oursRate / echoRate);
                return new Result(requestBytes, replyBytes, lat[0], lat[1], echoRate, oursRate);
            }
        }
    }

    private static void row(PrintStream out, String name, Percentiles p) {
        out.printf(Locale.ROOT, "  %-12s %9.1f %9.1f %9.1f %9.1f%n", name, p.p50 / 1e3, p.p90 / 1e3, p.p99 / 1e3, p.p999 / 1e3);
    }

    private static double ratio(long a, long b) {
        return (double) a / b;
    }

    /** One synchronous request/response, repeated. */
    private interface Session extends AutoCloseable {
        void roundTrip() throws IOException, CipServiceException;

        @Override
        void close() throws IOException;
    }

    @FunctionalInterface
    private interface SessionFactory {
        Session open() throws IOException;
    }

    private static Percentiles[] latency(Options o, Target target, EchoServer echo, int requestBytes, int replyBytes)
            throws IOException, CipServiceException {
        long[] echoSamples = new long[o.iterations];
        long[] ourSamples = new long[o.iterations];
        try (Session e = new EchoSession(echo.address(), requestBytes, replyBytes);
             Session c = new CipSession(CipClient.connect(target, ClientOptions.defaults()))) {
            for (int i = 0; i < o.warmup; i++) {
                e.roundTrip();
                c.roundTrip();
            }
            for (int from = 0; from < o.iterations; from += BLOCK) {
                int to = Math.min(o.iterations, from + BLOCK);
                sample(e, echoSamples, from, to);
                sample(c, ourSamples, from, to);
            }
        }
        return new Percentiles[] {Percentiles.of(echoSamples), Percentiles.of(ourSamples)};
    }

    private static void sample(Session s, long[] into, int from, int to) throws IOException, CipServiceException {
        for (int i = from; i < to; i++) {
            long t0 = System.nanoTime();
            s.roundTrip();
            into[i] = System.nanoTime() - t0;
        }
    }

    /**
     * Sessions on their own platform threads, each as fast as it can for a warm-up of a quarter of
     * the duration (at least 200 ms), then counted for the duration.
     */
    private static double throughput(Options o, SessionFactory factory) throws IOException, InterruptedException {
        List<Session> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < o.sessions; i++) {
                sessions.add(factory.open());
            }
            LongAdder count = new LongAdder();
            Throwable[] failure = new Throwable[1];
            long warm = Math.max(200_000_000L, o.duration.toNanos() / 4);
            CountDownLatch ready = new CountDownLatch(o.sessions);
            long start = System.nanoTime() + warm + 50_000_000L;
            long end = start + o.duration.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (Session s : sessions) {
                threads.add(Thread.ofPlatform().name("bench-session").start(() -> {
                    ready.countDown();
                    long n = 0;
                    try {
                        long now;
                        while ((now = System.nanoTime()) < end) {
                            s.roundTrip();
                            if (now >= start) {
                                n++;
                            }
                        }
                    } catch (IOException | CipServiceException | RuntimeException e) {
                        synchronized (failure) {
                            failure[0] = e;
                        }
                    }
                    count.add(n);
                }));
            }
            ready.await();
            for (Thread t : threads) {
                t.join();
            }
            synchronized (failure) {
                if (failure[0] != null) {
                    throw new IOException("a session failed during the throughput run", failure[0]);
                }
            }
            return count.sum() / (o.duration.toNanos() / 1e9);
        } finally {
            for (Session s : sessions) {
                s.close();
            }
        }
    }

    private record CipSession(CipClient client) implements Session {
        @Override
        public void roundTrip() throws IOException, CipServiceException {
            Bytes value = client.getAttributeSingle(PATH);
            if (value.isEmpty()) {
                throw new IOException("empty product name");
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** The baseline client: one write of the request bytes, one read of the reply bytes. */
    private static final class EchoSession implements Session {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] request;
        private final byte[] reply;

        EchoSession(InetSocketAddress address, int requestBytes, int replyBytes) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 5000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            request = new byte[requestBytes];
            reply = new byte[replyBytes];
        }

        @Override
        public void roundTrip() throws IOException {
            out.write(request);
            if (in.readNBytes(reply, 0, reply.length) != reply.length) {
                throw new IOException("echo server closed");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Reads exactly a request's bytes and answers exactly a reply's bytes, one virtual thread per connection. */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> accepted = new ArrayList<>();
        private final int requestBytes;
        private final int replyBytes;

        private EchoServer(ServerSocket server, int requestBytes, int replyBytes) {
            this.server = server;
            this.requestBytes = requestBytes;
            this.replyBytes = replyBytes;
        }

        static EchoServer start(int requestBytes, int replyBytes) throws IOException {
            ServerSocket ss = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            EchoServer e = new EchoServer(ss, requestBytes, replyBytes);
            Thread.ofVirtual().name("echo-accept").start(e::acceptLoop);
            return e;
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    synchronized (accepted) {
                        accepted.add(s);
                    }
                    Thread.ofVirtual().name("echo").start(() -> serve(s));
                } catch (IOException e) {
                    if (!server.isClosed()) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }

        private void serve(Socket s) {
            byte[] request = new byte[requestBytes];
            byte[] reply = new byte[replyBytes];
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (in.readNBytes(request, 0, request.length) == request.length) {
                    out.write(reply);
                }
            } catch (IOException ignored) {
                // The client went away: the run is over.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }
}
