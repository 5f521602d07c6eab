package dev.cipsec.commission.est;

import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.transport.tls.cert.TrustStore;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link EstServer} serves and whom it trusts.
 *
 * @param ca                 the plant CA that signs (kept open by the caller while the server runs)
 * @param policyFile         the policy model: its devices are the inventory (re-read when the file changes)
 * @param stateDir           the server's own files: {@code server/} (its TLS key and certificate) and {@code pending/}
 * @param bind               address and port to listen on (port 0: any free one)
 * @param vendorCa           vendor CAs whose device certificates are accepted for a known device, if any
 * @param basicAuth          users allowed to enrol with HTTP basic credentials, if any
 * @param serverNames        extra subject alternative names of the server's certificate ({@code IP:..}, {@code DNS:..})
 * @param maxBodyBytes       largest request body; a bigger one is answered 413
 * @param maxConcurrent      requests served at once; more are answered 503 with Retry-After
 * @param maxPending         enrolment requests held for approval (files in {@code pending/}); more: 503
 * @param retryAfterSeconds  what Retry-After says on 202 and 503
 */
public record EstServerConfig(PlantCa ca, Path policyFile, Path stateDir, InetSocketAddress bind,
                              Optional<TrustStore> vendorCa, Optional<BasicAuthFile> basicAuth, List<String> serverNames,
                              int maxBodyBytes, int maxConcurrent, int maxPending, int retryAfterSeconds) {
    public static final int DEFAULT_PORT = 8443;
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_CONCURRENT = 16;
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 60;

    public EstServerConfig {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(policyFile, "policyFile");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(vendorCa, "vendorCa");
        Objects.requireNonNull(basicAuth, "basicAuth");
        serverNames = List.copyOf(serverNames);
        if (maxBodyBytes < 1024 || maxBodyBytes > 1 << 20) {
            throw new IllegalArgumentException("body limit must be 1 KiB..1 MiB: " + maxBodyBytes);
        }
        if (maxConcurrent < 1 || maxConcurrent > 1024) {
            throw new IllegalArgumentException("concurrent requests must be 1..1024: " + maxConcurrent);
        }
        if (maxPending < 1 || maxPending > 100_000) {
            throw new IllegalArgumentException("pending requests must be 1..100000: " + maxPending);
        }
        if (retryAfterSeconds < 1 || retryAfterSeconds > 86_400) {
            throw new IllegalArgumentException("Retry-After must be 1..86400 s: " + retryAfterSeconds);
        }
    }

    /** Defaults: loopback on 8443, no vendor CA, no basic users, 64 KiB bodies, 16 at once, 256 pending, 60 s. */
    public static EstServerConfig of(PlantCa ca, Path policyFile, Path stateDir) {
        return new EstServerConfig(ca, policyFile, stateDir, new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT),
                Optional.empty(), Optional.empty(), List.of(), DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT,
                PendingStore.DEFAULT_MAX_REQUESTS, DEFAULT_RETRY_AFTER_SECONDS);
    }

    public EstServerConfig withBind(InetSocketAddress address) {
        return new EstServerConfig(ca, policyFile, stateDir, address, vendorCa, basicAuth, serverNames, maxBodyBytes,
                maxConcurrent, maxPending, retryAfterSeconds);
    }

    public EstServerConfig withVendorCa(TrustStore trust) {
        return new EstServerConfig(ca, policyFile, stateDir, bind, Optional.of(trust), basicAuth, serverNames, maxBodyBytes,
                maxConcurrent, maxPending, retryAfterSeconds);
    }

    public EstServerConfig withBasicAuth(BasicAuthFile users) {
        return new EstServerConfig(ca, policyFile, stateDir, bind, vendorCa, Optional.of(users), serverNames, maxBodyBytes,
                maxConcurrent, maxPending, retryAfterSeconds);
    }

    public EstServerConfig withServerNames(List<String> names) {
        return new EstServerConfig(ca, policyFile, stateDir, bind, vendorCa, basicAuth, names, maxBodyBytes,
                maxConcurrent, maxPending, retryAfterSeconds);
    }

    public EstServerConfig withLimits(int bodyBytes, int concurrent, int pending, int retryAfter) {
        return new EstServerConfig(ca, policyFile, stateDir, bind, vendorCa, basicAuth, serverNames, bodyBytes,
                concurrent, pending, retryAfter);
    }
}
