package dev.cipsec.adapter;

import dev.cipsec.transport.tls.TlsPolicy;

import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the device speaks CIP Security.
 *
 * @param tls      the TLS policy of the encapsulation listener on {@code tlsPort}; empty: no TLS listener
 * @param tlsPort  TCP port for EtherNet/IP over TLS (2221; 0 = ephemeral, for tests)
 * @param plainTcp whether plain EtherNet/IP on TCP {@link DeviceProfile#tcpPort()} stays open beside TLS;
 *                 false makes the device secure-only for explicit messaging (ListIdentity over UDP stays,
 *                 so it can still be discovered)
 */
public record SecuritySettings(Optional<TlsPolicy> tls, int tlsPort, boolean plainTcp) {
    public static final int DEFAULT_TLS_PORT = 2221;

    public SecuritySettings {
        Objects.requireNonNull(tls, "tls");
        if (tlsPort < 0 || tlsPort > 0xFFFF) {
            throw new IllegalArgumentException("TLS port must be 0..65535: " + tlsPort);
        }
        if (!plainTcp && tls.isEmpty()) {
            throw new IllegalArgumentException("a device without TLS needs its plain TCP listener");
        }
    }

    /** No CIP Security: plain EtherNet/IP only. */
    public static SecuritySettings none() {
        return new SecuritySettings(Optional.empty(), DEFAULT_TLS_PORT, true);
    }

    /** TLS on 2221 with {@code policy}, plain TCP beside it. */
    public static SecuritySettings tls(TlsPolicy policy) {
        return new SecuritySettings(Optional.of(policy), DEFAULT_TLS_PORT, true);
    }

    public SecuritySettings withTlsPort(int port) {
        return new SecuritySettings(tls, port, plainTcp);
    }

    /** Closes (false) or keeps (true) plain EtherNet/IP on TCP. */
    public SecuritySettings withPlainTcp(boolean on) {
        return new SecuritySettings(tls, tlsPort, on);
    }

    public boolean enabled() {
        return tls.isPresent();
    }
}
