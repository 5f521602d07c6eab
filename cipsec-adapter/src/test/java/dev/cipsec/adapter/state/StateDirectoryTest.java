package dev.cipsec.adapter.state;

import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class StateDirectoryTest {
    @TempDir
    Path tmp;

    private static Map<String, Bytes> files(String... nameValue) {
        Map<String, Bytes> m = new HashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put(nameValue[i], Bytes.of(nameValue[i + 1].getBytes(StandardCharsets.UTF_8)));
        }
        return m;
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    @Test
    void newDirectoryIsCreatedEmptyAtGenerationZero() throws IOException {
        Path dir = tmp.resolve("a/b/state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(sd.generation()).isZero();
            assertThat(sd.load()).isEmpty();
            assertThat(sd.secrets()).isEmpty();
            assertThat(sd.path()).isEqualTo(dir.toAbsolutePath()).isDirectory();
        }
    }

    @Test
    void committedFilesLoadBackAndSurviveReopen() throws IOException {
        Path dir = tmp.resolve("state");
        Map<String, Bytes> set = files("policy.json", "{\"a\":1}", "psk.key", "secret", "empty", "");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(set, Set.of("psk.key"));
            assertThat(sd.generation()).isEqualTo(1);
            assertThat(sd.load()).isEqualTo(set);
        }
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(sd.generation()).isEqualTo(1);
            assertThat(sd.load()).isEqualTo(set);
            assertThat(sd.secrets()).containsExactly("psk.key");
        }
        assertThat(listing(dir)).containsExactly("gen-1", "lock", "manifest");
    }

    @Test
    void aCommitReplacesTheWholeSetAndRemovesTheOldGeneration() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1", "b", "2"), Set.of());
            sd.commit(files("b", "3", "c", "4"), Set.of("c"));
            assertThat(sd.generation()).isEqualTo(2);
            assertThat(sd.load()).isEqualTo(files("b", "3", "c", "4"));
            assertThat(listing(dir)).containsExactly("gen-2", "lock", "manifest");
            sd.commit(Map.of(), Set.of());
            assertThat(sd.generation()).isEqualTo(3);
            assertThat(sd.load()).isEmpty();
            assertThat(sd.secrets()).isEmpty();
        }
    }

    @Test
    void secretFilesAreOwnerOnly() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX permissions");
            sd.commit(files("psk.key", "k", "cert.pem", "c"), Set.of("psk.key"));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("gen-1/psk.key"))))
                .isEqualTo("rw-------");
        assertThat(Files.getPosixFilePermissions(dir.resolve("gen-1/cert.pem")))
                .contains(java.nio.file.attribute.PosixFilePermission.OWNER_READ)
                .isNotEqualTo(Files.getPosixFilePermissions(dir.resolve("gen-1/psk.key")));
    }

    @Test
    void openRemovesAHalfWrittenGenerationDirectory() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1"), Set.of());
        }
        // Killed while writing generation 2: a directory with part of a file, no manifest.tmp yet.
        Files.createDirectory(dir.resolve("gen-2"));
        Files.write(dir.resolve("gen-2/a"), new byte[] {'2'});
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(listing(dir)).containsExactly("gen-1", "lock", "manifest");
            assertThat(sd.generation()).isEqualTo(1);
            assertThat(sd.load()).isEqualTo(files("a", "1"));
            sd.commit(files("a", "2"), Set.of());
            assertThat(sd.load()).isEqualTo(files("a", "2"));
        }
    }

    @Test
    void openRemovesAFullyWrittenButUnrenamedManifest() throws IOException {
        // The state right before the commit point: gen-2 and manifest.tmp complete, manifest still names gen-1.
        Path ahead = tmp.resolve("ahead");
        try (StateDirectory sd = StateDirectory.open(ahead)) {
            sd.commit(files("a", "1"), Set.of());
            sd.commit(files("a", "2", "b", "2"), Set.of());
        }
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1"), Set.of());
        }
        copyTree(ahead.resolve("gen-2"), dir.resolve("gen-2"));
        Files.copy(ahead.resolve("manifest"), dir.resolve("manifest.tmp"));
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(listing(dir)).containsExactly("gen-1", "lock", "manifest");
            assertThat(sd.generation()).isEqualTo(1);
            assertThat(sd.load()).isEqualTo(files("a", "1"));
        }
    }

    @Test
    void openRemovesATruncatedManifestTmp() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1"), Set.of());
        }
        Files.writeString(dir.resolve("manifest.tmp"), "cipsec-state-manif");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(listing(dir)).containsExactly("gen-1", "lock", "manifest");
            assertThat(sd.load()).isEqualTo(files("a", "1"));
        }
    }

    @Test
    void openRemovesAStaleOldGenerationLeftAfterTheCommitPoint() throws IOException {
        Path dir = tmp.resolve("state");
        Path saved = tmp.resolve("saved-gen-1");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1", "b", "1"), Set.of());
            copyTree(dir.resolve("gen-1"), saved);
            sd.commit(files("a", "2"), Set.of());
        }
        // Killed half-way through removing gen-1: one of its files is still there.
        Files.createDirectory(dir.resolve("gen-1"));
        Files.copy(saved.resolve("b"), dir.resolve("gen-1/b"));
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(listing(dir)).containsExactly("gen-2", "lock", "manifest");
            assertThat(sd.generation()).isEqualTo(2);
            assertThat(sd.load()).isEqualTo(files("a", "2"));
        }
    }

    @Test
    void anInterruptedFirstCommitLeavesAnEmptyState() throws IOException {
        Path dir = tmp.resolve("state");
        Files.createDirectories(dir.resolve("gen-1"));
        Files.writeString(dir.resolve("gen-1/a"), "1");
        Files.writeString(dir.resolve("manifest.tmp"), "");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(sd.generation()).isZero();
            assertThat(sd.load()).isEmpty();
            assertThat(listing(dir)).containsExactly("lock");
        }
    }

    @Test
    void namesThatAreNotOursAreLeftAlone() throws IOException {
        Path dir = tmp.resolve("state");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("README"), "operator notes");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1"), Set.of());
            sd.commit(files("a", "2"), Set.of());
        }
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(listing(dir)).containsExactly("README", "gen-2", "lock", "manifest");
        }
    }

    @Test
    void aModifiedFileFailsTheLoadNamingIt() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("policy.json", "{\"a\":1}", "psk.key", "k"), Set.of("psk.key"));
            Files.writeString(dir.resolve("gen-1/policy.json"), "{\"a\":2}");
            assertThatThrownBy(sd::load).isInstanceOf(IOException.class)
                    .hasMessageContaining("policy.json").hasMessageContaining("does not match the manifest");
        }
    }

    @Test
    void aGrownOrShrunkFileFailsTheLoadNamingIt() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "12345", "b", "x"), Set.of());
            Files.writeString(dir.resolve("gen-1/a"), "123456");
            assertThatThrownBy(sd::load).isInstanceOf(IOException.class).hasMessageContaining("gen-1/a");
            Files.writeString(dir.resolve("gen-1/a"), "1234");
            assertThatThrownBy(sd::load).isInstanceOf(IOException.class).hasMessageContaining("gen-1/a");
        }
    }

    @Test
    void aMissingFileFailsTheLoadNamingIt() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1", "b", "2"), Set.of());
            Files.delete(dir.resolve("gen-1/b"));
            assertThatThrownBy(sd::load).isInstanceOf(IOException.class).hasMessageContaining("gen-1/b");
        }
    }

    @Test
    void anExtraFileFailsTheLoadNamingIt() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1"), Set.of());
            Files.writeString(dir.resolve("gen-1/intruder"), "x");
            assertThatThrownBy(sd::load).isInstanceOf(IOException.class).hasMessageContaining("intruder");
        }
    }

    @Test
    void aMissingGenerationDirectoryFailsTheLoad() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1"), Set.of());
        }
        Files.delete(dir.resolve("gen-1/a"));
        Files.delete(dir.resolve("gen-1"));
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThatThrownBy(sd::load).isInstanceOf(IOException.class).hasMessageContaining("gen-1");
        }
    }

    @Test
    void aDamagedManifestRefusesTheOpenAndRemovesNothing() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1"), Set.of());
            sd.commit(files("a", "2"), Set.of());
        }
        Path manifest = dir.resolve("manifest");
        String good = Files.readString(manifest);
        Files.createDirectory(dir.resolve("gen-1"));

        Files.writeString(manifest, good.replace("generation 2", "generation 1"));
        assertThatThrownBy(() -> StateDirectory.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("seal");
        Files.writeString(manifest, good.substring(0, good.length() / 2));
        assertThatThrownBy(() -> StateDirectory.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("manifest");
        Files.write(manifest, new byte[64 * 1024]);
        assertThatThrownBy(() -> StateDirectory.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("manifest");
        assertThat(listing(dir)).containsExactly("gen-1", "gen-2", "lock", "manifest");

        Files.writeString(manifest, good);
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(sd.load()).isEqualTo(files("a", "2"));
        }
    }

    @Test
    void aSecondOpenInTheSameProcessIsRefusedUntilTheFirstCloses() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThatThrownBy(() -> StateDirectory.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("in use");
            sd.commit(files("a", "1"), Set.of());
        }
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(sd.load()).isEqualTo(files("a", "1"));
        }
    }

    @Test
    void aRefusedSecondOpenInTheSameProcessKeepsTheFirstOnesLock() throws Exception {
        // POSIX drops every lock a process holds on a file when it closes any descriptor of it: a refused second
        // open must not have opened (and closed) the lock file, or another process could now take the directory.
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThatThrownBy(() -> StateDirectory.open(dir)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> StateDirectory.open(dir.resolve("."))).isInstanceOf(IOException.class);
            try (KillHarness.Child child = KillHarness.of(StateCommitLoop.class).start(dir.toString(), "1")) {
                assertThat(child.awaitExit(Duration.ofSeconds(60))).isNotZero();
                assertThat(String.join("\n", child.output())).contains("in use");
            }
            sd.commit(files("a", "1"), Set.of());
        }
    }

    @Test
    void anotherProcessHoldingTheDirectoryIsRefused() throws Exception {
        Path dir = tmp.resolve("state");
        try (KillHarness.Child child = KillHarness.of(StateCommitLoop.class).start(dir.toString())) {
            child.awaitLine(l -> l.startsWith("COMMITTED "), Duration.ofSeconds(30));
            assertThatThrownBy(() -> StateDirectory.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("in use");
            assertThat(child.killAfter(Duration.ZERO)).isTrue();
        }
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(sd.generation()).isPositive();
            assertThat(sd.load()).isEqualTo(StateCommitLoop.files(sd.generation()));
        }
    }

    @Test
    void invalidCommitsAreRefusedAndChangeNothing() throws IOException {
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(files("a", "1"), Set.of());
            for (String bad : List.of("", ".", "..", "A", "a/b", "a b", "../x", "x".repeat(65), "é")) {
                assertThatThrownBy(() -> sd.commit(files(bad, "x"), Set.of()))
                        .as(bad).isInstanceOf(IllegalArgumentException.class);
            }
            Map<String, Bytes> tooMany = new HashMap<>();
            for (int i = 0; i <= StateDirectory.MAX_FILES; i++) {
                tooMany.put("f" + i, Bytes.EMPTY);
            }
            assertThatThrownBy(() -> sd.commit(tooMany, Set.of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sd.commit(Map.of("big", Bytes.of(new byte[StateDirectory.MAX_FILE_BYTES + 1])), Set.of()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sd.commit(files("a", "1"), Set.of("b")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"b\"");
            assertThat(sd.generation()).isEqualTo(1);
            assertThat(sd.load()).isEqualTo(files("a", "1"));
            assertThat(listing(dir)).containsExactly("gen-1", "lock", "manifest");
        }
    }

    @Test
    void theLimitsThemselvesAreAccepted() throws IOException {
        Map<String, Bytes> max = new HashMap<>();
        for (int i = 0; i < StateDirectory.MAX_FILES - 1; i++) {
            max.put(String.format("%064d", i), Bytes.of((byte) i));
        }
        max.put("big", Bytes.of(new byte[StateDirectory.MAX_FILE_BYTES]));
        Path dir = tmp.resolve("state");
        try (StateDirectory sd = StateDirectory.open(dir)) {
            sd.commit(max, max.keySet());
        }
        try (StateDirectory sd = StateDirectory.open(dir)) {
            assertThat(sd.load()).isEqualTo(max);
            assertThat(sd.secrets()).isEqualTo(max.keySet());
        }
    }

    @Test
    void aClosedDirectoryRefusesUse() throws IOException {
        StateDirectory sd = StateDirectory.open(tmp.resolve("state"));
        sd.close();
        sd.close();
        assertThatThrownBy(sd::load).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> sd.commit(Map.of(), Set.of())).isInstanceOf(IllegalStateException.class);
    }
}
