package dev.cipsec.adapter;

import dev.cipsec.adapter.state.KillHarness;
import dev.cipsec.transport.PlainTcpConnection;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.TlsConnector;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsStreamConnection;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills the device process with SIGKILL at random instants while a tool's worth of security
 * configuration runs (Apply_Config, certificate install, factory reset; {@link SecurityKillChild}),
 * restarts it on the same state directory and checks, every time, that the state it comes back with is
 * exactly the one of the last completed step or of the step that was running, never a mix, and that
 * the device answers on its plain and TLS ports.
 */
class SecurityKillTest {
    static final int KILLS = Integer.getInteger("cipsec.killTest.iterations", 200);
    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void everyKillLeavesTheOldOrTheNewStateAndADeviceThatAnswers() throws Exception {
        long seed = Long.getLong("cipsec.killTest.seed", System.nanoTime());
        System.out.println("SecurityKillTest seed " + seed + " (-Dcipsec.killTest.seed=" + seed + " to repeat)");
        // A class path of what the device needs only: scanning every test jar for SLF4J providers and
        // the like would make each restart slower than the steps it is meant to interrupt.
        KillHarness harness = KillHarness.of(SecurityKillChild.class).withClassPathOf(CipDevice.class,
                dev.cipsec.objects.security.SecurityObjects.class, dev.cipsec.wire.buf.Bytes.class, TlsPolicy.class,
                dev.cipsec.transport.tls.TestPki.class, org.bouncycastle.jce.provider.BouncyCastleProvider.class,
                org.bouncycastle.pkcs.PKCS10CertificationRequest.class, org.bouncycastle.asn1.cms.Attribute.class,
                org.bouncycastle.tls.TlsProtocol.class, org.slf4j.LoggerFactory.class, org.slf4j.simple.SimpleLogger.class);
        // Two devices, each on its own state directory, killed in turn side by side: a restart is mostly one
        // core's class loading, so two streams use both cores and halve the test's duration.
        int streams = 2;
        List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(streams)) {
            for (int k = 0; k < streams; k++) {
                Path stateDir = dir.resolve("device-" + k);
                long streamSeed = seed + k;
                int kills = KILLS / streams + (k < KILLS % streams ? 1 : 0);
                results.add(pool.submit(() -> killStream(harness, stateDir, kills, streamSeed)));
            }
        }
        int midStep = 0;
        for (var r : results) {
            try {
                midStep += r.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof AssertionError a) {
                    throw a;
                }
                throw new AssertionError("kill stream failed (seed " + seed + ")", e.getCause());
            }
        }
        System.out.println("SecurityKillTest: " + KILLS + " kills, " + midStep
                + " where the step in flight had committed before the kill");
    }

    /** Kills and restarts one device {@code kills} times; returns how often the in-flight step had committed. */
    private static int killStream(KillHarness harness, Path dir, int kills, long seed) throws Exception {
        Random random = new Random(seed);
        Map<String, String> next = new HashMap<>();
        // One run without kills teaches the step after each state (the cycle is deterministic).
        String last;
        try (KillHarness.Child child = harness.start(dir.toString(), "20")) {
            assertThat(child.awaitExit(START)).as("%s", child.output()).isZero();
            last = learn(child.output(), next, null);
        }
        assertThat(next.values().stream().distinct().count()).as("distinct states in a cycle").isGreaterThanOrEqualTo(9);
        int midStep = 0;
        List<String> previousOutput = List.of();
        for (int i = 0; i < kills; i++) {
            try (KillHarness.Child child = harness.start(dir.toString())) {
                String ready = child.awaitLine(l -> l.startsWith("READY "), START);
                String restored = child.awaitLine(l -> l.startsWith("RESTORED "), START).substring("RESTORED ".length());
                String expectedNext = next.get(last);
                // On a mismatch, what the killed child said last and what the directory holds tell a lost
                // commit from a harness fault.
                List<String> said = previousOutput;
                int kill = i;
                assertThat(restored).as(() -> String.format("kill %d in %s (seed %d): the state after a restart%n"
                                + "previous child's last lines:%n  %s%nstate directory: %s", kill, dir.getFileName(), seed,
                                String.join(System.lineSeparator() + "  ", said.subList(Math.max(0, said.size() - 12), said.size())),
                                listing(dir)))
                        .isIn(last, expectedNext);
                if (restored.equals(expectedNext) && !restored.equals(last)) {
                    midStep++;
                }
                if (i % 10 == 0) {
                    answers(ready);
                }
                child.killAfter(Duration.ofMillis(random.nextInt(500)));
                previousOutput = child.output();
                last = learn(previousOutput, next, restored);
            }
        }
        return midStep;
    }

    private static String listing(Path dir) {
        try (var files = java.nio.file.Files.walk(dir)) {
            StringBuilder sb = new StringBuilder();
            files.forEach(f -> sb.append(System.lineSeparator()).append("  ").append(dir.relativize(f)));
            Path manifest = dir.resolve("manifest");
            if (java.nio.file.Files.exists(manifest)) {
                sb.append(System.lineSeparator()).append("manifest:").append(System.lineSeparator())
                        .append(java.nio.file.Files.readString(manifest, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            return sb.toString();
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Records the transitions in a child's output; returns the last state it reported. */
    private static String learn(List<String> output, Map<String, String> next, String start) {
        String prev = start;
        for (String line : output) {
            String state = line.startsWith("RESTORED ") ? line.substring(9) : line.startsWith("C ") ? line.substring(2) : null;
            if (state == null) {
                continue;
            }
            if (prev != null && !prev.equals(state) && line.startsWith("C ")) {
                String known = next.putIfAbsent(prev, state);
                assertThat(known == null || known.equals(state))
                        .as("the cycle is deterministic after\n%s\nknown next\n%s\nnow\n%s", prev, known, state).isTrue();
            }
            prev = state;
        }
        return prev;
    }

    /** ListIdentity on the plain port and a TLS handshake plus RegisterSession on the TLS port. */
    private static void answers(String ready) throws Exception {
        String[] parts = ready.split(" ");
        int tcp = Integer.parseInt(parts[1].substring(4));
        int tls = Integer.parseInt(parts[2].substring(4));
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (RawClient c = RawClient.connect(new InetSocketAddress(lo, tcp))) {
            EncapsulationPacket reply = c.exchange(c.packet(EncapsulationCommand.LIST_IDENTITY, 0, dev.cipsec.wire.buf.Bytes.EMPTY));
            assertThat(reply.header().status()).isZero();
        }
        // Whatever certificate the device presents in this step: the check is that TLS answers.
        PeerVerifier anything = new PeerVerifier() {
            @Override
            public void verify(List<X509Certificate> chain, dev.cipsec.transport.tls.cert.Purpose role) {
            }
        };
        Socket s = new Socket(lo, tls);
        try (TlsStreamConnection t = new TlsConnector(TlsPolicy.builder().peerVerifier(anything).build())
                .handshake(new PlainTcpConnection(s), "device")) {
            assertThat(t.info().version()).isEqualTo("TLSv1.2");
        }
    }
}
