package dev.cipsec.commission.deploy;

import dev.cipsec.transport.tls.cert.TrustStore;

import java.time.Duration;
import java.util.Objects;

/**
 * The operator's choices for one deployment.
 *
 * @param differential      skip devices whose journal shows the same configuration deployed (false: deploy every
 *                          device again, over its current credentials when it is configured)
 * @param resetConnections  Apply_Config flag bit 0: close the device's existing (D)TLS sessions and CIP connections
 *                          after {@code closeDelay}; false keeps them running on the old settings (reference §8.3)
 * @param closeDelay        delay before they are closed, 0..65535 ms
 * @param keepPlainPort     never close plain EtherNet/IP, whatever the policy says
 * @param acceptUnknown     accept a default certificate that neither a pinned fingerprint nor the vendor CA
 *                          vouches for (trust on first use, said loudly in the report)
 * @param vendorTrust       trust anchors for vendor-signed default certificates, or null
 * @param parallelism       devices worked on at once, 1..256
 * @param connectTimeout    TCP connect and TLS handshake limit per attempt
 * @param requestTimeout    limit per CIP request
 * @param kickInterval      how often Kick_Timer keeps the configuration session alive (the device gives 10 s)
 * @param checkUnchanged    differential mode: before leaving a device alone, check over TLS that it still presents
 *                          the certificate deployed to it; a device that does not (replaced, factory reset) is
 *                          deployed again
 */
public record DeploymentOptions(boolean differential, boolean resetConnections, Duration closeDelay, boolean keepPlainPort,
                                boolean acceptUnknown, TrustStore vendorTrust, int parallelism, Duration connectTimeout,
                                Duration requestTimeout, Duration kickInterval, boolean checkUnchanged) {
    public static final int MAX_PARALLELISM = 256;

    public DeploymentOptions {
        Objects.requireNonNull(closeDelay, "closeDelay");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(kickInterval, "kickInterval");
        if (closeDelay.isNegative() || closeDelay.toMillis() > 0xFFFF) {
            throw new IllegalArgumentException("close delay must be 0..65535 ms: " + closeDelay);
        }
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be 1.." + MAX_PARALLELISM + ": " + parallelism);
        }
        if (kickInterval.isZero() || kickInterval.isNegative() || kickInterval.compareTo(Duration.ofSeconds(9)) > 0) {
            throw new IllegalArgumentException("kick interval must be within the device's 10 s session timeout: " + kickInterval);
        }
    }

    /** Differential, no reset, plain port closed where the policy says, pinned or vendor-signed defaults only, 8 at once. */
    public static DeploymentOptions defaults() {
        return new DeploymentOptions(true, false, Duration.ZERO, false, false, null, 8, Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(3), false);
    }

    public DeploymentOptions withDifferential(boolean on) {
        return new DeploymentOptions(on, resetConnections, closeDelay, keepPlainPort, acceptUnknown, vendorTrust, parallelism,
                connectTimeout, requestTimeout, kickInterval, checkUnchanged);
    }

    public DeploymentOptions withReset(boolean on, Duration delay) {
        return new DeploymentOptions(differential, on, delay, keepPlainPort, acceptUnknown, vendorTrust, parallelism,
                connectTimeout, requestTimeout, kickInterval, checkUnchanged);
    }

    public DeploymentOptions withKeepPlainPort(boolean on) {
        return new DeploymentOptions(differential, resetConnections, closeDelay, on, acceptUnknown, vendorTrust, parallelism,
                connectTimeout, requestTimeout, kickInterval, checkUnchanged);
    }

    public DeploymentOptions withAcceptUnknown(boolean on) {
        return new DeploymentOptions(differential, resetConnections, closeDelay, keepPlainPort, on, vendorTrust, parallelism,
                connectTimeout, requestTimeout, kickInterval, checkUnchanged);
    }

    public DeploymentOptions withVendorTrust(TrustStore trust) {
        return new DeploymentOptions(differential, resetConnections, closeDelay, keepPlainPort, acceptUnknown, trust, parallelism,
                connectTimeout, requestTimeout, kickInterval, checkUnchanged);
    }

    public DeploymentOptions withParallelism(int n) {
        return new DeploymentOptions(differential, resetConnections, closeDelay, keepPlainPort, acceptUnknown, vendorTrust, n,
                connectTimeout, requestTimeout, kickInterval, checkUnchanged);
    }

    public DeploymentOptions withTimeouts(Duration connect, Duration request) {
        return new DeploymentOptions(differential, resetConnections, closeDelay, keepPlainPort, acceptUnknown, vendorTrust, parallelism,
                connect, request, kickInterval, checkUnchanged);
    }

    public DeploymentOptions withCheckUnchanged(boolean on) {
        return new DeploymentOptions(differential, resetConnections, closeDelay, keepPlainPort, acceptUnknown, vendorTrust, parallelism,
                connectTimeout, requestTimeout, kickInterval, on);
    }

    public DeploymentOptions withKickInterval(Duration interval) {
        return new DeploymentOptions(differential, resetConnections, closeDelay, keepPlainPort, acceptUnknown, vendorTrust, parallelism,
                connectTimeout, requestTimeout, interval, checkUnchanged);
    }
}
