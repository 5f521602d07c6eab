package dev.cipsec.scanner;

import dev.cipsec.transport.tls.TlsConnector;
import dev.cipsec.transport.tls.TlsPolicy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Client settings with documented defaults.
 *
 * @param connectTimeout   TCP connect timeout (default 5 s)
 * @param requestTimeout   how long one request waits for its reply (default 5 s)
 * @param maxFrameSize     largest encapsulation frame accepted from the target, header included
 *                         (default 24 + 65535, the protocol maximum)
 * @param vendorId         originator vendor id sent in Forward_Open (default 0xFFFE, unassigned)
 * @param originatorSerial originator serial number sent in Forward_Open (default random per process)
 * @param tls              how to reach CIP Security targets ({@code host:2221}): credentials, trust and
 *                         suites, and the session cache shared by the connections made with these options;
 *                         empty: secure targets are refused
 */
public record ClientOptions(Duration connectTimeout, Duration requestTimeout, int maxFrameSize, int vendorId,
                            long originatorSerial, Optional<TlsConnector> tls) {
    private static final long PROCESS_SERIAL = new java.security.SecureRandom().nextInt() & 0xFFFF_FFFFL;

    public ClientOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxFrameSize < 24 + 4 || maxFrameSize > 24 + 0xFFFF) {
            throw new IllegalArgumentException("maxFrameSize must be 28..65559: " + maxFrameSize);
        }
        if (vendorId < 0 || vendorId > 0xFFFF) {
            throw new IllegalArgumentException("vendorId must be a UINT: " + vendorId);
        }
        if (originatorSerial < 0 || originatorSerial > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("originatorSerial must be a UDINT: " + originatorSerial);
        }
        Objects.requireNonNull(tls, "tls");
    }

    public static ClientOptions defaults() {
        return new ClientOptions(Duration.ofSeconds(5), Duration.ofSeconds(5), 24 + 0xFFFF, 0xFFFE, PROCESS_SERIAL, Optional.empty());
    }

    public ClientOptions withRequestTimeout(Duration t) {
        return new ClientOptions(connectTimeout, t, maxFrameSize, vendorId, originatorSerial, tls);
    }

    public ClientOptions withConnectTimeout(Duration t) {
        return new ClientOptions(t, requestTimeout, maxFrameSize, vendorId, originatorSerial, tls);
    }

    /** Secure targets connect with {@code policy} (one connector: its sessions are resumed across connections). */
    public ClientOptions withTls(TlsPolicy policy) {
        return new ClientOptions(connectTimeout, requestTimeout, maxFrameSize, vendorId, originatorSerial,
                Optional.of(new TlsConnector(policy)));
    }
}
