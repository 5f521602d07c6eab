package dev.cipsec.commission.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceJournalTest {
    @TempDir
    Path dir;

    @Test
    void appendsReadBackAndATornLastLineIsIgnored() throws IOException {
        Path f = dir.resolve("d/journal");
        DeviceJournal j = DeviceJournal.open(f);
        j.append(Events.START, "hash", "abc", "mode", "full");
        j.append(Events.FAILED, "step", "csr", "error", "tab\there\nand newline");
        Files.writeString(f, Files.readString(f) + Instant.now() + "\tapply", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        DeviceJournal again = DeviceJournal.open(f);
        assertThat(again.entries()).hasSize(2);
        assertThat(again.entries().getFirst().field("hash")).isEqualTo("abc");
        assertThat(again.entries().getLast().field("error")).isEqualTo("tab here and newline");
        assertThat(again.last(Events.START)).isPresent();
        assertThat(again.deployedHash()).isEmpty();
    }

    @Test
    void aDamagedLineIsAnErrorNamingItsLine() throws IOException {
        Path f = dir.resolve("journal");
        Files.writeString(f, Instant.now() + "\tstart\thash=1\nnot a journal line\n");
        assertThatThrownBy(() -> DeviceJournal.open(f)).isInstanceOf(IOException.class).hasMessageContaining("journal:2");
    }

    @Test
    void aLongJournalIsCompactedToItsLastCompletedDeployment() throws IOException {
        Path f = dir.resolve("journal");
        // Many finished deployments, written at once (appending each would force the disk a thousand times).
        StringBuilder text = new StringBuilder();
        String pad = "x".repeat(200);
        int runs = 0;
        while (text.length() <= DeviceJournal.COMPACT_BYTES) {
            text.append(Instant.now()).append("\tstart\thash=h").append(runs).append("\tpad=").append(pad).append('\n');
            text.append(Instant.now()).append("\tdone\thash=h").append(runs).append('\n');
            runs++;
        }
        Files.writeString(f, text);
        DeviceJournal j = DeviceJournal.open(f);
        j.append(Events.START, "hash", "next");
        j.append(Events.ISSUED, "serial", "AB", "instance", "2");
        DeviceJournal compacted = DeviceJournal.open(f);
        assertThat(compacted.entries()).extracting(DeviceJournal.Entry::event).containsExactly(Events.DONE, Events.START, Events.ISSUED);
        assertThat(compacted.deployedHash()).contains("h" + (runs - 1));
        assertThat(Files.size(f)).isLessThan(1024);
        assertThat(DeviceJournal.open(f).entries()).hasSize(3);
    }
}
