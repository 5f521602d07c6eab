package dev.cipsec.adapter;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where the device's EST client (the CIP Security pull model) enrols. How a device finds its EST
 * server is not public, so it is configured: the server's URI and the certificates that may sign the
 * server's TLS certificate (RFC 7030 "explicit trust anchor", normally the plant CA).
 *
 * @param server        {@code https://host:port/.well-known/est} (optionally followed by {@code /label})
 * @param trustAnchors  the explicit trust anchors for the EST server's certificate; at least one
 * @param reenrolMargin how long before the plant certificate's notAfter the device re-enrols
 * @param retryInitial  the first wait after a failed attempt; it doubles after each failure
 * @param retryMax      the longest wait between attempts
 * @param revocationCheck how often the device fetches /cacerts to see whether the plant CA's CRL (which our EST
 *                      server sends with it) revokes its certificate; then it enrols afresh with its default identity
 */
public record EstSettings(URI server, List<X509Certificate> trustAnchors, Duration reenrolMargin, Duration retryInitial,
                          Duration retryMax, Duration revocationCheck) {
    public static final Duration DEFAULT_REENROL_MARGIN = Duration.ofDays(30);
    public static final Duration DEFAULT_RETRY_INITIAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofMinutes(10);
    public static final Duration DEFAULT_REVOCATION_CHECK = Duration.ofHours(1);
    static final String WELL_KNOWN = "/.well-known/est";

    public EstSettings {
        Objects.requireNonNull(server, "server");
        trustAnchors = List.copyOf(trustAnchors);
        Objects.requireNonNull(reenrolMargin, "reenrolMargin");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(revocationCheck, "revocationCheck");
        if (revocationCheck.isNegative() || revocationCheck.isZero()) {
            throw new IllegalArgumentException("the revocation check interval must be positive");
        }
        String problem = dev.cipsec.objects.security.EstServerSetting.uriProblem(server.toString());
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (trustAnchors.isEmpty()) {
            throw new IllegalArgumentException("the EST server needs an explicit trust anchor");
        }
        if (reenrolMargin.isNegative() || retryInitial.isNegative() || retryInitial.isZero() || retryMax.compareTo(retryInitial) < 0) {
            throw new IllegalArgumentException("EST timings: margin >= 0, 0 < initial retry <= max retry");
        }
    }

    /** {@code server} trusted through {@code trustAnchors}, with the default margin (30 days) and backoff (5 s doubling to 10 min). */
    public static EstSettings of(URI server, List<X509Certificate> trustAnchors) {
        return new EstSettings(server, trustAnchors, DEFAULT_REENROL_MARGIN, DEFAULT_RETRY_INITIAL, DEFAULT_RETRY_MAX,
                DEFAULT_REVOCATION_CHECK);
    }

    public EstSettings withReenrolMargin(Duration margin) {
        return new EstSettings(server, trustAnchors, margin, retryInitial, retryMax, revocationCheck);
    }

    public EstSettings withRetry(Duration initial, Duration max) {
        return new EstSettings(server, trustAnchors, reenrolMargin, initial, max, revocationCheck);
    }

    public EstSettings withRevocationCheck(Duration interval) {
        return new EstSettings(server, trustAnchors, reenrolMargin, retryInitial, retryMax, interval);
    }

    /** {@code host:port} of an EST server URI, as Bouncy Castle's EST client wants it. */
    static String authority(URI server) {
        int port = server.getPort() < 0 ? 443 : server.getPort();
        String host = server.getHost();
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The CA label after {@code /.well-known/est/} of an EST server URI, or empty. */
    static String label(URI server) {
        String rest = server.getPath().substring(WELL_KNOWN.length());
        return rest.replace("/", "");
    }
}
