package dev.cipsec.adapter.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The harness itself: nothing a child wrote before SIGKILL is missing from its output. */
class KillHarnessTest {
    @TempDir
    Path dir;

    /**
     * Prints numbered lines (and a log line on stderr now and then) as fast as it can; each line goes to stdout
     * first and then into the file named by {@code args[0]}, so every line in the file was written to stdout before.
     */
    public static final class Printer {
        public static void main(String[] args) throws Exception {
            try (FileOutputStream file = new FileOutputStream(args[0], true)) {
                System.out.println("READY");
                System.out.flush();
                for (int i = 0; ; i++) {
                    String line = "C " + i + " " + "x".repeat(200);
                    System.out.println(line);
                    System.out.flush();
                    if (i % 3 == 0) {
                        System.err.println("[main] INFO a log line after " + i);
                    }
                    file.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
    }

    @Test
    void everyLineWrittenBeforeTheKillIsInTheOutput() throws Exception {
        KillHarness harness = KillHarness.of(Printer.class).withClassPathOf();
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            Path record = dir.resolve("record-" + i);
            try (KillHarness.Child child = harness.start(record.toString())) {
                child.awaitLine("READY", Duration.ofSeconds(60));
                assertThat(child.killAfter(Duration.ofMillis(1 + random.nextInt(200)))).as("killed").isTrue();
                List<String> said = child.output().stream().filter(l -> l.startsWith("C ")).toList();
                List<String> recorded = Files.exists(record) ? Files.readAllLines(record) : List.of();
                // The last line may be cut short in the file by the kill: compare the complete ones.
                int complete = recorded.isEmpty() || recorded.get(recorded.size() - 1).length() < recorded.get(0).length()
                        ? Math.max(0, recorded.size() - 1) : recorded.size();
                assertThat(said.size()).as("kill %d: lines in the output against lines the child had recorded", i)
                        .isGreaterThanOrEqualTo(complete);
                assertThat(said.subList(0, complete)).isEqualTo(recorded.subList(0, complete));
            }
        }
    }
}
