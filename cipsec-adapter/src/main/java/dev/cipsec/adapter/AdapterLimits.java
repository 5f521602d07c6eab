package dev.cipsec.adapter;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything a peer can make the adapter hold, bounded. One immutable record per device; the
 * defaults suit a small adapter on a plant network and are documented per component.
 *
 * @param maxTcpConnections        open TCP connections on the encapsulation port (default 64)
 * @param maxConnectionsPerAddress open TCP connections from one remote address (default 16), so one
 *                                 misbehaving host cannot take every slot
 * @param maxSessions              registered encapsulation sessions (default 32); RegisterSession beyond it
 *                                 is answered with status 0x0002 and sessions already registered go on
 * @param maxFrameSize             largest encapsulation frame accepted, header included (default 24 + 65535);
 *                                 a larger one is refused by closing the connection before its body is read
 * @param maxPendingBytes          receive buffers the device may hold across all connections (default 8 MiB):
 *                                 each connection reserves its receive buffer from it (1 KiB, grown up to
 *                                 {@code maxFrameSize} when larger frames arrive), and a connection that
 *                                 cannot reserve is closed at once
 * @param idleTimeout              encapsulation inactivity timeout: a TCP connection with no complete frame for
 *                                 this long is closed (default 120 s, at most 3600 s, rounded up to whole seconds: it is the
 *                                 initial value of TCP/IP object attribute 13, which clients may change; zero disables)
 * @param frameTimeout             longest time from a frame's first byte to its last (default 10 s), which
 *                                 cuts off a peer trickling bytes to stay under the idle timeout
 * @param maxClass3Connections     class 3 explicit connections across all sessions (default 32)
 * @param maxCpfItems              CPF items accepted in one request (default 8)
 * @param maxPendingUdpReplies     delayed ListIdentity replies waiting to be sent (default 64); requests beyond
 *                                 it are dropped, which bounds reflection through us
 * @param maxIoConnections         class 0/1 I/O connections on the device (default 32); Forward_Open beyond it
 *                                 is refused with 0x0113
 * @param maxIoConnectionsPerOriginator I/O connections from one originator IP address (default 8), refused
 *                                 likewise, so one scanner cannot take every slot
 * @param maxIoPacketSize          largest I/O datagram received or sent (default 1444, the CPF payload of one
 *                                 unfragmented Ethernet frame); a Forward_Open whose sizes need more is refused
 *                                 with 0x0109 and larger datagrams are dropped before they are parsed
 */
public record AdapterLimits(int maxTcpConnections, int maxConnectionsPerAddress, int maxSessions, int maxFrameSize,
                            long maxPendingBytes, Duration idleTimeout, Duration frameTimeout, int maxClass3Connections,
                            int maxCpfItems, int maxPendingUdpReplies, int maxIoConnections,
                            int maxIoConnectionsPerOriginator, int maxIoPacketSize) {

    public static final int MIN_FRAME_SIZE = 24 + 504;
    public static final int MAX_FRAME_SIZE = 24 + 0xFFFF;
    public static final Duration MAX_IDLE_TIMEOUT = Duration.ofSeconds(3600);
    public static final int DEFAULT_MAX_IO_PACKET_SIZE = 1444;
    /** Smallest I/O packet limit: the 18-byte frame header, sequence count and run/idle header. */
    public static final int MIN_IO_PACKET_SIZE = 24;

    public AdapterLimits {
        positive(maxTcpConnections, "maxTcpConnections");
        positive(maxConnectionsPerAddress, "maxConnectionsPerAddress");
        positive(maxSessions, "maxSessions");
        if (maxFrameSize < MIN_FRAME_SIZE || maxFrameSize > MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("maxFrameSize must be " + MIN_FRAME_SIZE + ".." + MAX_FRAME_SIZE + ": " + maxFrameSize);
        }
        if (maxPendingBytes < maxFrameSize) {
            throw new IllegalArgumentException("maxPendingBytes must hold at least one frame: " + maxPendingBytes);
        }
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(frameTimeout, "frameTimeout");
        if (idleTimeout.isNegative() || frameTimeout.isNegative() || frameTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be >= 0 and frameTimeout > 0");
        }
        if (idleTimeout.compareTo(MAX_IDLE_TIMEOUT) > 0) {
            // TCP/IP attribute 13 holds the live value and allows at most 3600 s.
            throw new IllegalArgumentException("idleTimeout must be at most 3600 s: " + idleTimeout);
        }
        positive(maxClass3Connections, "maxClass3Connections");
        if (maxCpfItems < 2 || maxCpfItems > 256) {
            throw new IllegalArgumentException("maxCpfItems must be 2..256: " + maxCpfItems);
        }
        positive(maxPendingUdpReplies, "maxPendingUdpReplies");
        positive(maxIoConnections, "maxIoConnections");
        positive(maxIoConnectionsPerOriginator, "maxIoConnectionsPerOriginator");
        if (maxIoPacketSize < MIN_IO_PACKET_SIZE || maxIoPacketSize > 65_507) {
            throw new IllegalArgumentException("maxIoPacketSize must be " + MIN_IO_PACKET_SIZE + "..65507: " + maxIoPacketSize);
        }
    }

    /** The limits without the I/O ones, which take their defaults (the form before class 0/1 I/O existed). */
    public AdapterLimits(int maxTcpConnections, int maxConnectionsPerAddress, int maxSessions, int maxFrameSize,
                         long maxPendingBytes, Duration idleTimeout, Duration frameTimeout, int maxClass3Connections,
                         int maxCpfItems, int maxPendingUdpReplies) {
        this(maxTcpConnections, maxConnectionsPerAddress, maxSessions, maxFrameSize, maxPendingBytes, idleTimeout,
                frameTimeout, maxClass3Connections, maxCpfItems, maxPendingUdpReplies, 32, 8, DEFAULT_MAX_IO_PACKET_SIZE);
    }

    private static void positive(long v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + v);
        }
    }

    public static AdapterLimits defaults() {
        return new AdapterLimits(64, 16, 32, MAX_FRAME_SIZE, 8L << 20, Duration.ofSeconds(120), Duration.ofSeconds(10),
                32, 8, 64, 32, 8, DEFAULT_MAX_IO_PACKET_SIZE);
    }

    public AdapterLimits withMaxSessions(int n) {
        return new AdapterLimits(maxTcpConnections, maxConnectionsPerAddress, n, maxFrameSize, maxPendingBytes, idleTimeout,
                frameTimeout, maxClass3Connections, maxCpfItems, maxPendingUdpReplies, maxIoConnections,
                maxIoConnectionsPerOriginator, maxIoPacketSize);
    }

    public AdapterLimits withTcpConnections(int total, int perAddress) {
        return new AdapterLimits(total, perAddress, maxSessions, maxFrameSize, maxPendingBytes, idleTimeout, frameTimeout,
                maxClass3Connections, maxCpfItems, maxPendingUdpReplies, maxIoConnections,
                maxIoConnectionsPerOriginator, maxIoPacketSize);
    }

    public AdapterLimits withMaxFrameSize(int n) {
        return new AdapterLimits(maxTcpConnections, maxConnectionsPerAddress, maxSessions, n, Math.max(maxPendingBytes, n),
                idleTimeout, frameTimeout, maxClass3Connections, maxCpfItems, maxPendingUdpReplies, maxIoConnections,
                maxIoConnectionsPerOriginator, maxIoPacketSize);
    }

    public AdapterLimits withMaxPendingBytes(long n) {
        return new AdapterLimits(maxTcpConnections, maxConnectionsPerAddress, maxSessions, maxFrameSize, n, idleTimeout,
                frameTimeout, maxClass3Connections, maxCpfItems, maxPendingUdpReplies, maxIoConnections,
                maxIoConnectionsPerOriginator, maxIoPacketSize);
    }

    public AdapterLimits withTimeouts(Duration idle, Duration frame) {
        return new AdapterLimits(maxTcpConnections, maxConnectionsPerAddress, maxSessions, maxFrameSize, maxPendingBytes, idle,
                frame, maxClass3Connections, maxCpfItems, maxPendingUdpReplies, maxIoConnections,
                maxIoConnectionsPerOriginator, maxIoPacketSize);
    }

    public AdapterLimits withMaxClass3Connections(int n) {
        return new AdapterLimits(maxTcpConnections, maxConnectionsPerAddress, maxSessions, maxFrameSize, maxPendingBytes,
                idleTimeout, frameTimeout, n, maxCpfItems, maxPendingUdpReplies, maxIoConnections,
                maxIoConnectionsPerOriginator, maxIoPacketSize);
    }

    public AdapterLimits withIoLimits(int connections, int perOriginator, int packetSize) {
        return new AdapterLimits(maxTcpConnections, maxConnectionsPerAddress, maxSessions, maxFrameSize, maxPendingBytes,
                idleTimeout, frameTimeout, maxClass3Connections, maxCpfItems, maxPendingUdpReplies, connections,
                perOriginator, packetSize);
    }
}
