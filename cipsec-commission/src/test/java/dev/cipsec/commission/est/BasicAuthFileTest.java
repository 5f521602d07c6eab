package dev.cipsec.commission.est;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BasicAuthFileTest {
    @TempDir
    Path tmp;

    @Test
    void verifiesHashedPasswordsOnly() throws Exception {
        Path f = tmp.resolve("users");
        String line = BasicAuthFile.hashLine("installer", "pa:ss word".toCharArray(), 10_000);
        assertThat(line).startsWith("installer:pbkdf2-sha256$10000$").doesNotContain("pa:ss word");
        Files.writeString(f, "# users\n\n" + line + "\n" + BasicAuthFile.hashLine("second", "x".toCharArray(), 10_000) + "\n");
        BasicAuthFile users = BasicAuthFile.read(f);
        assertThat(users.users()).containsExactly("installer", "second");
        assertThat(users.verify("installer", "pa:ss word".toCharArray())).isTrue();
        assertThat(users.verify("installer", "pa:ss word ".toCharArray())).isFalse();
        assertThat(users.verify("second", "pa:ss word".toCharArray())).isFalse();
        assertThat(users.verify("nobody", "x".toCharArray())).isFalse();
        assertThat(users.toString()).doesNotContain("installer");
    }

    @Test
    void malformedLinesAreNamedByNumberWithoutTheirContent() throws Exception {
        Path f = tmp.resolve("users");
        String good = BasicAuthFile.hashLine("a", "pw".toCharArray(), 10_000);
        for (String bad : new String[] {"a:plaintext-password", "a:pbkdf2-sha256$10$AAAAAAAAAAA=$" + "A".repeat(43) + "=",
                "a:pbkdf2-sha256$10000$!!$AAAA", "no colon here", good + "\n" + good}) {
            Files.writeString(f, "# header\n" + bad + "\n");
            assertThatThrownBy(() -> BasicAuthFile.read(f)).isInstanceOf(IOException.class)
                    .hasMessageContaining(f + ":")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("plaintext-password"));
        }
        assertThatThrownBy(() -> BasicAuthFile.hashLine("bad user", "x".toCharArray())).isInstanceOf(IllegalArgumentException.class);
    }
}
