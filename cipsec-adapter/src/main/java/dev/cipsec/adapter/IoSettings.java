package dev.cipsec.adapter;

import dev.cipsec.transport.io.ReceiveCoalescing;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * How the device serves class 0/1 I/O connections, besides the limits in {@link AdapterLimits}.
 *
 * @param port                UDP port for I/O (default 2222; 0 picks a free port, for tests; -1 disables I/O, and
 *                            Forward_Open for class 0/1 is then refused with 0x0103)
 * @param inputOnlyHeartbeat  the O→T connection point an input-only connection names (default 152, as OpENer's sample)
 * @param listenOnlyHeartbeat the O→T connection point a listen-only connection names (default 153)
 * @param minRpiMicros        smallest RPI accepted (default 1000 µs); a smaller one is refused with 0x0112
 * @param maxRpiMicros        largest RPI accepted (default 10 s); a larger one is refused with 0x0112
 * @param multicastAddress    the address multicast T→O connections are produced to, or null for the first address
 *                            of TCP/IP Interface attribute 9 (multicast configuration)
 * @param receiveCoalescing   how the I/O receive threads (UDP 2222 and DTLS 2221) pace themselves under dense
 *                            traffic (default: {@link ReceiveCoalescing#defaults()}, a pause of 50 µs above about
 *                            40,000 datagrams/s; {@link ReceiveCoalescing#off()} for the least input latency)
 */
public record IoSettings(int port, int inputOnlyHeartbeat, int listenOnlyHeartbeat, long minRpiMicros, long maxRpiMicros,
                         Inet4Address multicastAddress, ReceiveCoalescing receiveCoalescing) {
    public static final int DEFAULT_IO_PORT = 2222;
    public static final int DISABLED = -1;

    public IoSettings {
        Objects.requireNonNull(receiveCoalescing, "receiveCoalescing");
        if (port < DISABLED || port > 0xFFFF) {
            throw new IllegalArgumentException("I/O port must be -1..65535: " + port);
        }
        if (inputOnlyHeartbeat < 1 || inputOnlyHeartbeat > 0xFFFF || listenOnlyHeartbeat < 1 || listenOnlyHeartbeat > 0xFFFF
                || inputOnlyHeartbeat == listenOnlyHeartbeat) {
            throw new IllegalArgumentException("heartbeat connection points must be distinct instances 1..65535: "
                    + inputOnlyHeartbeat + ", " + listenOnlyHeartbeat);
        }
        if (minRpiMicros < 1 || maxRpiMicros < minRpiMicros || maxRpiMicros > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("RPI range must satisfy 1 <= min <= max <= 2^32-1: " + minRpiMicros + ".."
                    + maxRpiMicros);
        }
        if (multicastAddress != null && !multicastAddress.isMulticastAddress()) {
            throw new IllegalArgumentException("not a multicast address: " + multicastAddress.getHostAddress());
        }
    }

    /** With {@link ReceiveCoalescing#defaults()}. */
    public IoSettings(int port, int inputOnlyHeartbeat, int listenOnlyHeartbeat, long minRpiMicros, long maxRpiMicros,
                      Inet4Address multicastAddress) {
        this(port, inputOnlyHeartbeat, listenOnlyHeartbeat, minRpiMicros, maxRpiMicros, multicastAddress,
                ReceiveCoalescing.defaults());
    }

    public static IoSettings defaults() {
        return new IoSettings(DEFAULT_IO_PORT, 152, 153, 1_000, 10_000_000, null);
    }

    public boolean enabled() {
        return port != DISABLED;
    }

    public IoSettings withPort(int p) {
        return new IoSettings(p, inputOnlyHeartbeat, listenOnlyHeartbeat, minRpiMicros, maxRpiMicros, multicastAddress,
                receiveCoalescing);
    }

    public IoSettings withRpiRange(long minMicros, long maxMicros) {
        return new IoSettings(port, inputOnlyHeartbeat, listenOnlyHeartbeat, minMicros, maxMicros, multicastAddress,
                receiveCoalescing);
    }

    public IoSettings withMulticastAddress(Inet4Address a) {
        return new IoSettings(port, inputOnlyHeartbeat, listenOnlyHeartbeat, minRpiMicros, maxRpiMicros, a,
                receiveCoalescing);
    }

    public IoSettings withReceiveCoalescing(ReceiveCoalescing c) {
        return new IoSettings(port, inputOnlyHeartbeat, listenOnlyHeartbeat, minRpiMicros, maxRpiMicros, multicastAddress, c);
    }
}
