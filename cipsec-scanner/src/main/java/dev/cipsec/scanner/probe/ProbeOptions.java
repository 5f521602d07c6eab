package dev.cipsec.scanner.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Probe#run} probes and how long it may wait.
 *
 * @param tlsPort      TCP port for TLS (2221 for CIP Security)
 * @param dtlsPort     UDP port for DTLS (2221)
 * @param plainPort    UDP port for ListIdentity (44818)
 * @param timeout      bounds each connect, handshake and the ListIdentity wait
 * @param maxAttempts  bounds the handshakes per transport
 */
public record ProbeOptions(String host, int tlsPort, int dtlsPort, int plainPort, Duration timeout, boolean tls,
                           boolean dtls, boolean listIdentity, int maxAttempts) {
    public static final int DEFAULT_SECURE_PORT = 2221;
    public static final int DEFAULT_PLAIN_PORT = 44818;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Enough for every suite we offer in every version, twice over. */
    public static final int DEFAULT_MAX_ATTEMPTS = 160;

    public ProbeOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timeout, "timeout");
        for (int p : new int[]{tlsPort, dtlsPort, plainPort}) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port out of range: " + p);
            }
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one attempt");
        }
        if (!tls && !dtls && !listIdentity) {
            throw new IllegalArgumentException("nothing to probe");
        }
    }

    /** TLS and DTLS on 2221, ListIdentity on 44818, 2 s per step. */
    public static ProbeOptions defaults(String host) {
        return new ProbeOptions(host, DEFAULT_SECURE_PORT, DEFAULT_SECURE_PORT, DEFAULT_PLAIN_PORT, DEFAULT_TIMEOUT, true,
                true, true, DEFAULT_MAX_ATTEMPTS);
    }

    public ProbeOptions withPorts(int tls, int dtls, int plain) {
        return new ProbeOptions(host, tls, dtls, plain, timeout, this.tls, this.dtls, listIdentity, maxAttempts);
    }

    public ProbeOptions withTimeout(Duration t) {
        return new ProbeOptions(host, tlsPort, dtlsPort, plainPort, t, tls, dtls, listIdentity, maxAttempts);
    }

    public ProbeOptions withTransports(boolean tlsOn, boolean dtlsOn, boolean listIdentityOn) {
        return new ProbeOptions(host, tlsPort, dtlsPort, plainPort, timeout, tlsOn, dtlsOn, listIdentityOn, maxAttempts);
    }

    public ProbeOptions withMaxAttempts(int n) {
        return new ProbeOptions(host, tlsPort, dtlsPort, plainPort, timeout, tls, dtls, listIdentity, n);
    }
}
