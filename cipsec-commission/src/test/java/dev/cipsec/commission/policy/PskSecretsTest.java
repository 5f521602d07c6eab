package dev.cipsec.commission.policy;

import dev.cipsec.transport.tls.PskCredential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PskSecretsTest {
    @TempDir
    Path dir;

    private static String hex(PskCredential c) {
        return HexFormat.of().formatHex(c.key().toArray());
    }

    @Test
    void defaultFileSitsNextToThePolicy() {
        assertThat(PskSecrets.defaultFileFor(Path.of("/plant/policy.json"))).isEqualTo(Path.of("/plant/policy.json.secrets"));
    }

    @Test
    void generatedKeyIsStoredOwnerOnlyAndReadBack() throws Exception {
        Path f = dir.resolve("policy.json.secrets");
        PskSecrets s = PskSecrets.open(f);
        PskCredential c = s.getOrCreate("zone:line1");
        assertThat(c.identityText()).isEqualTo("zone:line1");
        assertThat(c.key().length()).isEqualTo(PskSecrets.KEY_BYTES);
        assertThat(c.usage()).isEqualTo(PskCredential.Usage.ANY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.readString(f)).contains(hex(c));
        assertThat(s.getOrCreate("zone:line1")).isEqualTo(c);
        PskSecrets again = PskSecrets.open(f);
        assertThat(again.contains("zone:line1")).isTrue();
        assertThat(again.getOrCreate("zone:line1")).isEqualTo(c);
        assertThat(again.getOrCreate("conduit:c").key()).isNotEqualTo(c.key());
        assertThat(PskSecrets.open(f).names()).containsExactly("zone:line1", "conduit:c");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temp file left")
                    .containsExactlyInAnyOrder("policy.json.secrets", "policy.json.secrets.lock");
        }
    }

    @Test
    void twoWritersOfOneFileKeepEachOthersKeys() throws Exception {
        Path f = dir.resolve("shared.secrets");
        PskSecrets first = PskSecrets.open(f);
        PskSecrets second = PskSecrets.open(f);   // read before the first one writes
        PskCredential a = first.getOrCreate("zone:a");
        PskCredential b = second.getOrCreate("zone:b");
        PskCredential rotated = first.rotate("conduit:c");
        assertThat(PskSecrets.open(f).names()).containsExactlyInAnyOrder("zone:a", "zone:b", "conduit:c");
        assertThat(PskSecrets.open(f).getOrCreate("zone:a")).isEqualTo(a);
        assertThat(PskSecrets.open(f).getOrCreate("zone:b")).isEqualTo(b);
        assertThat(PskSecrets.open(f).getOrCreate("conduit:c")).isEqualTo(rotated);
        // A key another writer created first is the one used, not a second one.
        assertThat(second.getOrCreate("zone:a")).isEqualTo(a);
    }

    @Test
    void rotateReplacesAndStoresTheKey() throws Exception {
        Path f = dir.resolve("s");
        PskSecrets s = PskSecrets.open(f);
        PskCredential before = s.getOrCreate("conduit:hmi");
        PskCredential after = s.rotate("conduit:hmi");
        assertThat(after.key()).isNotEqualTo(before.key());
        assertThat(PskSecrets.open(f).getOrCreate("conduit:hmi")).isEqualTo(after);
        assertThat(Files.readString(f)).doesNotContain(hex(before));
    }

    @Test
    void keysNeverAppearInToStringOrMessages() throws Exception {
        Path f = dir.resolve("s");
        PskSecrets s = PskSecrets.open(f);
        PskCredential c = s.getOrCreate("zone:z");
        assertThat(s.toString()).isEqualTo("PskSecrets[" + f + ", 1 keys]").doesNotContain(hex(c));
        assertThat(c.toString()).doesNotContain(hex(c));
        // A damaged file is refused with its location only: the JSON detail could quote key characters.
        String text = Files.readString(f);
        Files.writeString(f, text.replace("\"" + hex(c) + "\"", hex(c)));
        assertThatThrownBy(() -> PskSecrets.open(f)).isInstanceOfSatisfying(java.io.IOException.class,
                e -> assertThat(e.getMessage()).contains("not a secrets file (JSON error at line").doesNotContain(hex(c).substring(0, 4)));
        Files.writeString(f, text.replace(hex(c), hex(c).substring(1)));
        assertThatThrownBy(() -> PskSecrets.open(f)).isInstanceOfSatisfying(java.io.IOException.class,
                e -> assertThat(e.getMessage()).endsWith("the key of zone:z is not 1..64 bytes of hex").doesNotContain(hex(c).substring(1)));
    }

    @Test
    void fileReadableByOthersIsRefused() throws Exception {
        Path f = dir.resolve("s");
        PskSecrets.open(f).getOrCreate("zone:z");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> PskSecrets.open(f)).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("accessible to others (rw-r--r--)");
        assertThatThrownBy(() -> PskSecrets.preview(f)).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void namesAreZoneOrConduitWithinTheIdentityLimit() throws Exception {
        PskSecrets s = PskSecrets.open(dir.resolve("s"));
        assertThatThrownBy(() -> s.getOrCreate("line1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.getOrCreate("zone:")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.rotate("conduit:" + "x".repeat(121))).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.getOrCreate("conduit:" + "x".repeat(120)).identity().length()).isEqualTo(128);
    }

    @Test
    void previewNeverWrites() throws Exception {
        Path f = dir.resolve("s");
        PskSecrets p = PskSecrets.preview(f);
        PskCredential c = p.getOrCreate("zone:z");
        assertThat(p.getOrCreate("zone:z")).isEqualTo(c);
        assertThat(p.contains("zone:z")).isFalse();
        assertThat(Files.exists(f)).isFalse();
        assertThatThrownBy(() -> p.rotate("zone:z")).isInstanceOf(IllegalStateException.class);
        PskCredential stored = PskSecrets.open(f).getOrCreate("zone:y");
        assertThat(PskSecrets.preview(f).getOrCreate("zone:y")).isEqualTo(stored);
    }
}
