package dev.cipsec.adapter.state;

import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILLs a child that commits generations in a tight loop ({@link StateCommitLoop}) at random instants, reopens the
 * directory after every kill and checks it holds exactly one consistent generation: every file of generation N as
 * {@link StateCommitLoop#files} makes it, N never going back, no acknowledged commit lost and at most the one commit
 * in flight visible. Rerun a failure with {@code -Dcipsec.state.killSeed=<seed printed>}; more kills with
 * {@code -Dcipsec.state.kills=<n>}.
 */
class StateDirectoryKillTest {
    private static final int KILLS = Integer.getInteger("cipsec.state.kills", 200);
    // A commit of StateCommitLoop's files takes 10 to 50 ms (nine fsyncs; more on a busy disk) and READY comes right
    // before the open, so delays up to this land in recovery, the first commit and the next few.
    private static final long MAX_DELAY_MICROS = 60_000;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyKillLeavesExactlyOneConsistentGeneration() throws Exception {
        long seed = Long.getLong("cipsec.state.killSeed", System.nanoTime());
        System.out.println("StateDirectoryKillTest: seed " + seed + ", " + KILLS + " kills");
        SplittableRandom random = new SplittableRandom(seed);
        Path dir = tmp.resolve("state");
        KillHarness harness = KillHarness.of(StateCommitLoop.class)
                .withClassPathOf(StateDirectory.class, Bytes.class, org.slf4j.LoggerFactory.class);
        long started = System.nanoTime();
        long lastSeen = 0;
        int inFlightVisible = 0;
        Map<String, Integer> leftovers = new TreeMap<>();

        for (int i = 0; i < KILLS; i++) {
            long delayMicros = random.nextLong(MAX_DELAY_MICROS);
            List<String> said;
            try (KillHarness.Child child = harness.start(dir.toString())) {
                child.awaitLine("READY", Duration.ofSeconds(60));
                boolean killed = child.killAfter(Duration.ofNanos(delayMicros * 1000));
                said = child.output();
                assertThat(killed).as("the loop never ends by itself; it said %s", said).isTrue();
            }
            String context = "kill " + i + " of seed " + seed + " after " + delayMicros + " us; child said "
                    + said.subList(Math.max(0, said.size() - 5), said.size());
            countLeftovers(dir, leftovers);

            long opened = lastNumber(said, "OPEN ", -1);
            if (opened >= 0) {
                assertThat(opened).as("generation the child opened; " + context).isEqualTo(lastSeen);
            }
            long acknowledged = lastNumber(said, "COMMITTED ", lastSeen);
            try (StateDirectory sd = StateDirectory.open(dir)) {
                long g = sd.generation();
                assertThat(g).as("no acknowledged commit lost, at most the one in flight; " + context)
                        .isBetween(acknowledged, acknowledged + 1);
                Map<String, Bytes> loaded = sd.load();
                if (g == 0) {
                    assertThat(loaded).as(context).isEmpty();
                } else {
                    assertThat(new String(loaded.get("counter").toArray(), StandardCharsets.US_ASCII))
                            .as(context).isEqualTo(Long.toString(g));
                    assertThat(loaded).as("every file of generation " + g + "; " + context)
                            .isEqualTo(StateCommitLoop.files(g));
                    assertThat(sd.secrets()).as(context).isEqualTo(StateCommitLoop.SECRETS);
                    assertSecretIsOwnerOnly(dir.resolve("gen-" + g).resolve("psk.key"));
                }
                if (g == acknowledged + 1) {
                    inFlightVisible++;
                }
                lastSeen = g;
            }
            assertThat(listing(dir)).as("recovery leaves only the committed generation; " + context)
                    .containsExactlyInAnyOrder(lastSeen == 0 ? new String[] {"lock"}
                            : new String[] {"gen-" + lastSeen, "lock", "manifest"});
        }

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.printf("StateDirectoryKillTest: %d kills in %d ms, final generation %d, commit visible though "
                + "unacknowledged %d times, leftovers found %s%n", KILLS, millis, lastSeen, inFlightVisible, leftovers);
        assertThat(lastSeen).as("the children made progress").isPositive();
        assertThat(leftovers).as("some kills landed inside a commit").isNotEmpty();
    }

    /** Counts what an interrupted commit left, by kind, before the next open removes it. */
    private static void countLeftovers(Path dir, Map<String, Integer> counts) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<String> names = listing(dir);
        long gens = names.stream().filter(n -> n.startsWith("gen-")).count();
        if (names.contains("manifest.tmp")) {
            counts.merge("manifest.tmp", 1, Integer::sum);
        }
        if (gens > 1 || (gens == 1 && !names.contains("manifest"))) {
            counts.merge("extra generation dir", 1, Integer::sum);
        }
    }

    private static long lastNumber(List<String> lines, String prefix, long otherwise) {
        long n = otherwise;
        for (String line : lines) {
            if (line.startsWith(prefix)) {
                n = Long.parseLong(line.substring(prefix.length()));
            }
        }
        return n;
    }

    private static void assertSecretIsOwnerOnly(Path file) throws IOException {
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
