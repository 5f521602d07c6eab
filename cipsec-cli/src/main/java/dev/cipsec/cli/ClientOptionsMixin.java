package dev.cipsec.cli;

import dev.cipsec.scanner.ClientOptions;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Options shared by the commands that talk to a target. */
final class ClientOptionsMixin {
    @Option(names = "--json", description = "Machine-readable JSON output.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Connect and request timeout in seconds (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    ClientOptions clientOptions() {
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("--timeout must be positive");
        }
        Duration t = Duration.ofMillis((long) (timeoutSeconds * 1000));
        return ClientOptions.defaults().withConnectTimeout(t).withRequestTimeout(t);
    }
}
