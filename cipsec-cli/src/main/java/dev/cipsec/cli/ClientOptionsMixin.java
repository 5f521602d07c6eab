package dev.cipsec.cli;

import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.tls.KeyLog;
import dev.cipsec.transport.tls.TlsPolicy;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Options shared by the commands that talk to a target, CIP Security included: a target on port
 * 2221 (or any port with {@code --tls}) is reached over TLS with the credentials given here.
 */
final class ClientOptionsMixin {
    /** The variable browsers and curl read; honoured by the client commands only (see {@link #keyLogFile}). */
    static final String SSLKEYLOGFILE = "SSLKEYLOGFILE";

    @Option(names = "--json", description = "Machine-readable JSON output.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Connect and request timeout in seconds (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--tls",
            description = "Use CIP Security (EtherNet/IP over TLS) whatever the port; host:2221 implies it, a target without a port then means port 2221.")
    boolean forceTls;

    @Mixin
    TlsOptions tls;

    /** What one command run connects with; closing it closes the key log it opened, if any. */
    record ClientSetup(Target target, ClientOptions options, Optional<KeyLog> keyLog) implements AutoCloseable {
        @Override
        public void close() {
            keyLog.ifPresent(KeyLog::close);
        }
    }

    ClientSetup setup(String targetText) throws IOException {
        return setup(targetText, false);
    }

    /**
     * @param alwaysTls the command only makes sense over TLS ({@code tls-info}): a target without a port
     *                  means 2221 and any port is reached over TLS
     */
    ClientSetup setup(String targetText, boolean alwaysTls) throws IOException {
        Target target = target(targetText, forceTls || alwaysTls);
        ClientOptions options = clientOptions();
        if (!target.secure()) {
            if (tls.anyGiven() || tls.keyLog != null) {
                throw new IllegalArgumentException("TLS options given but " + target
                        + " is plain EtherNet/IP: use port 2221 or --tls to connect with CIP Security");
            }
            return new ClientSetup(target, options, Optional.empty());
        }
        if (tls.psk().isEmpty() && tls.trust == null && tls.pinSha256 == null) {
            throw new IllegalArgumentException(target + " is CIP Security (TLS): give --psk-identity with --psk-key(-file), "
                    + "or --trust (or --pin-sha256) to verify the device's certificate");
        }
        TlsPolicy policy = tls.policy(keyLogFile(System.getenv())).build();
        if (policy.clientSuites().isEmpty()) {
            policy.keyLog().ifPresent(KeyLog::close);
            throw new IllegalArgumentException("none of the allowed --suites can be used with the credentials given "
                    + "(PSK suites need --psk-identity/--psk-key, certificate suites need --trust or --pin-sha256)");
        }
        return new ClientSetup(target, options.withTls(policy), policy.keyLog());
    }

    /**
     * {@code --keylog}, else {@code SSLKEYLOGFILE}: a client run is short and started by the person
     * debugging, so following the convention of browsers and curl is expected. The device command does
     * not read the variable: a long-running server that silently logged every session's keys because
     * of an inherited environment would be a trap.
     */
    Optional<Path> keyLogFile(Map<String, String> env) {
        if (tls.keyLog != null) {
            return Optional.of(tls.keyLog);
        }
        String v = env.get(SSLKEYLOGFILE);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(Path.of(v));
    }

    static Target target(String text, boolean tls) {
        Target t = Target.parse(text);
        if (!tls || t.secure()) {
            return t;
        }
        // Target.parse fills in 44818 when no port is written; over TLS the default is 2221.
        boolean portWritten = text.strip().endsWith(":" + t.port());
        return new Target(t.host(), portWritten ? t.port() : Target.SECURE_PORT, true);
    }

    ClientOptions clientOptions() {
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("--timeout must be positive");
        }
        Duration t = Duration.ofMillis((long) (timeoutSeconds * 1000));
        return ClientOptions.defaults().withConnectTimeout(t).withRequestTimeout(t);
    }
}
