package dev.cipsec.adapter;

import dev.cipsec.transport.tls.TlsPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the device speaks CIP Security.
 *
 * <p>The TLS policy given here is the device's <em>factory</em> configuration: its suites, PSKs and
 * identity are what the EtherNet/IP Security Object shows before anyone configured it, and what a
 * Reset returns to; its handshake limits, timeouts and key log stay in force whatever a tool applies.
 * A policy without an identity gets the device's default identity (an EC P-256 key with a
 * self-signed certificate, created on first start and kept in the state directory).
 *
 * @param tls              the factory TLS policy of the listener on {@code tlsPort}; empty: no TLS, no security objects
 * @param tlsPort          TCP port for EtherNet/IP over TLS (2221; 0 = ephemeral, for tests)
 * @param plainTcp         whether plain EtherNet/IP on TCP {@link DeviceProfile#tcpPort()} stays open beside TLS;
 *                         false makes the device secure-only for explicit messaging (ListIdentity over UDP stays,
 *                         so it can still be discovered)
 * @param stateDirectory   where the security objects, certificates, keys and files are kept across restarts;
 *                         empty: in memory only (every start is a factory default)
 * @param sessionTimeout   configuration session timeout of the security objects (Volume 8: 10 s)
 * @param dtlsPort         UDP port for class 0/1 I/O and UCMM over DTLS (default 2221; 0 = ephemeral;
 *                         {@link #NO_DTLS} = none); used only when the device has TLS and I/O
 * @param hybridIo         whether a class 0/1 Forward_Open that arrives over TLS may open I/O on plain UDP 2222
 *                         (the "hybrid" operation of early CIP Security designs); off by default, so the only
 *                         protected way to I/O is DTLS and nobody is silently given plaintext I/O after
 *                         authenticating. Forward_Opens over plain TCP are not affected: plain I/O stays for
 *                         mixed networks as long as plain TCP is open.
 * @param est              the EST server the pull model enrols from; empty: no pull model (push only)
 */
public record SecuritySettings(Optional<TlsPolicy> tls, int tlsPort, boolean plainTcp, Optional<Path> stateDirectory,
                               Duration sessionTimeout, int dtlsPort, boolean hybridIo,
                               Optional<EstSettings> est) {
    public static final int NO_DTLS = -1;
    public static final int DEFAULT_TLS_PORT = 2221;
    public static final int DEFAULT_DTLS_PORT = 2221;
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

    public SecuritySettings {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(stateDirectory, "stateDirectory");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(est, "est");
        if (tlsPort < 0 || tlsPort > 0xFFFF) {
            throw new IllegalArgumentException("TLS port must be 0..65535: " + tlsPort);
        }
        if (!plainTcp && tls.isEmpty()) {
            throw new IllegalArgumentException("a device without TLS needs its plain TCP listener");
        }
        if (est.isPresent() && tls.isEmpty()) {
            throw new IllegalArgumentException("the pull model (EST) needs TLS");
        }
        if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            throw new IllegalArgumentException("session timeout must be positive");
        }
        if (dtlsPort < NO_DTLS || dtlsPort > 0xFFFF) {
            throw new IllegalArgumentException("DTLS port must be 0..65535 or -1: " + dtlsPort);
        }
    }

    /** No CIP Security: plain EtherNet/IP only. */
    public static SecuritySettings none() {
        return new SecuritySettings(Optional.empty(), DEFAULT_TLS_PORT, true, Optional.empty(), DEFAULT_SESSION_TIMEOUT, NO_DTLS, false, Optional.empty());
    }

    /**
     * TLS on TCP 2221 and DTLS on UDP 2221 with {@code policy} as the factory configuration, plain TCP
     * beside them, no hybrid I/O.
     */
    public static SecuritySettings tls(TlsPolicy policy) {
        return new SecuritySettings(Optional.of(policy), DEFAULT_TLS_PORT, true, Optional.empty(), DEFAULT_SESSION_TIMEOUT,
                DEFAULT_DTLS_PORT, false, Optional.empty());
    }

    public SecuritySettings withTlsPort(int port) {
        return new SecuritySettings(tls, port, plainTcp, stateDirectory, sessionTimeout, dtlsPort, hybridIo, est);
    }

    /** Closes (false) or keeps (true) plain EtherNet/IP on TCP. */
    public SecuritySettings withPlainTcp(boolean on) {
        return new SecuritySettings(tls, tlsPort, on, stateDirectory, sessionTimeout, dtlsPort, hybridIo, est);
    }

    /** Keeps the security state in {@code dir} (created when missing). */
    public SecuritySettings withStateDirectory(Path dir) {
        return new SecuritySettings(tls, tlsPort, plainTcp, Optional.of(dir), sessionTimeout, dtlsPort, hybridIo, est);
    }

    public SecuritySettings withSessionTimeout(Duration timeout) {
        return new SecuritySettings(tls, tlsPort, plainTcp, stateDirectory, timeout, dtlsPort, hybridIo, est);
    }

    /** UDP port for DTLS ({@link #NO_DTLS} turns DTLS off). */
    public SecuritySettings withDtlsPort(int port) {
        return new SecuritySettings(tls, tlsPort, plainTcp, stateDirectory, sessionTimeout, port, hybridIo, est);
    }

    /** Allows (true) or refuses (false, the default) plain UDP I/O for a Forward_Open received over TLS. */
    public SecuritySettings withHybridIo(boolean on) {
        return new SecuritySettings(tls, tlsPort, plainTcp, stateDirectory, sessionTimeout, dtlsPort, on, est);
    }

    /** Enrols from {@code settings}' EST server while the pull model is enabled and nobody configured the device. */
    public SecuritySettings withEst(EstSettings settings) {
        return new SecuritySettings(tls, tlsPort, plainTcp, stateDirectory, sessionTimeout, dtlsPort, hybridIo, Optional.of(settings));
    }

    public boolean dtlsEnabled() {
        return tls.isPresent() && dtlsPort != NO_DTLS;
    }

    public boolean enabled() {
        return tls.isPresent();
    }
}
