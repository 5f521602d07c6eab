package dev.cipsec.cli.bench;

import dev.cipsec.commission.ca.CaInit;
import dev.cipsec.commission.ca.CaKeyAccess;
import dev.cipsec.commission.ca.KeyAlgorithm;
import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.commission.est.EstServer;
import dev.cipsec.commission.est.EstServerConfig;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.DeviceCredentials;
import dev.cipsec.transport.tls.cert.Identity;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.jcajce.JcaJceUtils;
import org.bouncycastle.est.jcajce.JsseESTServiceBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.net.ssl.KeyManagerFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.TrustAnchor;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * EST enrolments per second with N concurrent Bouncy Castle EST clients (a new TLS connection and a fresh
 * CSR signature check per enrolment, as devices do), against the baseline of the same N threads calling the
 * plant CA directly: what HTTP, TLS and the server's checks cost on top of signing.
 */
@Command(name = "est", mixinStandardHelpOptions = true,
        description = {"EST enrolments per second, N concurrent Bouncy Castle EST clients against our EST server on loopback,",
                "with the plant CA signing directly from N threads as the baseline; p50/p99 latency per enrolment."})
final class EstBenchCommand implements Callable<Integer> {
    /**
     * Bouncy Castle's JSSE logs each connection at INFO (java.util.logging): thousands of lines, and time. Held
     * in a field because java.util.logging keeps loggers only weakly (a collected one forgets its level).
     */
    private static final java.util.logging.Logger BCJSSE_LOG = java.util.logging.Logger.getLogger("org.bouncycastle.jsse");

    @Spec
    CommandSpec spec;

    @Option(names = "--clients", paramLabel = "LIST", split = ",", defaultValue = "1,8,32",
            description = "Concurrent clients per run (default: ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "5", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Seconds each run goes before it is measured (default: ${DEFAULT-VALUE}).")
    int warmup;

    /** One client's work: one enrolment per call. */
    @FunctionalInterface
    interface Enrolment {
        void run() throws Exception;
    }

    @FunctionalInterface
    interface ClientFactory {
        Enrolment create() throws Exception;
    }

    record Result(long count, double perSecond, double p50Millis, double p99Millis) {
    }

    @Override
    public Integer call() throws Exception {
        if (clients.isEmpty() || clients.stream().anyMatch(n -> n < 1 || n > 256) || seconds < 1 || warmup < 0) {
            throw new IllegalArgumentException("--clients 1..256 each, --seconds >= 1, --warmup >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        BCJSSE_LOG.setLevel(java.util.logging.Level.WARNING);
        Path dir = Files.createTempDirectory("cipsec-bench-est");
        SecureRandom random = new SecureRandom();
        char[] password = HexFormat.of().formatHex(random.generateSeed(16)).toCharArray();
        try (PlantCa ca = PlantCa.init(dir.resolve("ca"), new CaInit(KeyAlgorithm.EC_P256, CsrSubject.of("bench plant CA"),
                3650, new CaKeyAccess.Pkcs12(password)))) {
            Identity factory = DeviceCredentials.generateDefault("bench factory", "", random);
            Path policy = dir.resolve("policy.json");
            Files.writeString(policy, """
                    { "version": 1, "zones": [ { "name": "z" } ],
                      "devices": [ { "name": "dev", "zone": "z", "address": "10.0.0.1", "fingerprint": "%s" } ] }
                    """.formatted(CredentialFiles.sha256Fingerprint(factory.certificate()).replace(":", "")));
            EstServerConfig config = EstServerConfig.of(ca, policy, dir.resolve("state"))
                    .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .withLimits(EstServerConfig.DEFAULT_MAX_BODY_BYTES, 512, 16, 60);
            try (EstServer server = EstServer.start(config)) {
                out.printf(Locale.ROOT, "EST enrolments, %d s measured after %d s warm-up, %d cores, EC P-256 CA and keys%n",
                        seconds, warmup, Runtime.getRuntime().availableProcessors());
                out.printf(Locale.ROOT, "%8s  %14s  %14s  %10s  %10s  %8s%n", "clients", "CA direct/s", "EST/s", "EST p50 ms",
                        "EST p99 ms", "EST/CA");
                out.flush();
                int port = server.address().getPort();
                for (int n : clients) {
                    Result direct = measure(n, () -> {
                        byte[] csr = csr(newKey()).getEncoded();
                        CsrSubject subject = CsrSubject.of("dev");
                        return () -> ca.issue(csr, subject, 30);
                    });
                    Result est = measure(n, () -> {
                        ESTService client = client(port, ca, factory);
                        PKCS10CertificationRequest csr = csr(newKey());
                        return () -> {
                            if (!client.simpleEnroll(false, csr, null).isCompleted()) {
                                throw new IllegalStateException("enrolment not completed");
                            }
                        };
                    });
                    out.printf(Locale.ROOT, "%8d  %14.1f  %14.1f  %10.2f  %10.2f  %7.0f%%%n", n, direct.perSecond(), est.perSecond(),
                            est.p50Millis(), est.p99Millis(), 100.0 * est.perSecond() / direct.perSecond());
                    out.flush();
                }
                out.printf(Locale.ROOT, "%d certificates issued in all (the CA's index grows with each)%n", ca.list().size());
            }
        } finally {
            Arrays.fill(password, '\0');
            deleteTree(dir);
        }
        return 0;
    }

    private Result measure(int threads, ClientFactory factory) throws Exception {
        long warmupEnd = System.nanoTime() + Duration.ofSeconds(warmup).toNanos();
        long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
        List<long[]> perThread = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (int i = 0; i < threads; i++) {
            Enrolment e = factory.create();
            long[] samples = new long[1 << 20];
            long[] count = new long[1];
            perThread.add(count);
            int index = perThread.size() - 1;
            running.add(Thread.ofPlatform().name("bench-est-" + i).start(() -> {
                try {
                    int k = 0;
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        e.run();
                        long t1 = System.nanoTime();
                        if (t0 >= warmupEnd && t1 <= end && k < samples.length) {
                            samples[k++] = t1 - t0;
                        }
                    }
                    count[0] = k;
                    synchronized (perThread) {
                        perThread.set(index, Arrays.copyOf(samples, k));
                    }
                } catch (Exception ex) {
                    failure.compareAndSet(null, ex);
                }
            }));
        }
        for (Thread t : running) {
            t.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        long[] all = perThread.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        double perSecond = all.length / (double) seconds;
        return new Result(all.length, perSecond, percentile(all, 0.50), percentile(all, 0.99));
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }

    private static KeyPair newKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static PKCS10CertificationRequest csr(KeyPair k) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=dev"), k.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate()));
    }

    private static ESTService client(int port, PlantCa ca, Identity id) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", id.key(), "k".toCharArray(), id.chain().toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "k".toCharArray());
        return new JsseESTServiceBuilder("127.0.0.1:" + port,
                JcaJceUtils.getCertPathTrustManager(Set.of(new TrustAnchor(ca.certificate(), null)), null))
                .withKeyManagers(kmf.getKeyManagers()).build();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
