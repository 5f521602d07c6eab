package dev.cipsec.transport.tcp;

/**
 * Admission limits of one {@link TcpServer}. A connection accepted beyond a limit is closed at
 * once, before any handler sees it, and counted by reason in {@link TcpServerStats}.
 *
 * @param maxConnections           live connections in total; default {@value #DEFAULT_MAX_CONNECTIONS}
 * @param maxConnectionsPerAddress live connections from one remote IP address; default
 *                                 {@value #DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}, so a single host
 *                                 cannot take all the slots
 * @param acceptBacklog            the listen queue length handed to the kernel; default
 *                                 {@value #DEFAULT_ACCEPT_BACKLOG}
 */
public record TcpServerLimits(int maxConnections, int maxConnectionsPerAddress, int acceptBacklog) {
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 16;
    public static final int DEFAULT_ACCEPT_BACKLOG = 50;

    /** The documented defaults. */
    public static final TcpServerLimits DEFAULTS = new TcpServerLimits(
            DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_ACCEPT_BACKLOG);

    public TcpServerLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1: " + maxConnections);
        }
        if (maxConnectionsPerAddress < 1 || maxConnectionsPerAddress > maxConnections) {
            throw new IllegalArgumentException("maxConnectionsPerAddress must be in 1.."
                    + maxConnections + ": " + maxConnectionsPerAddress);
        }
        if (acceptBacklog < 1) {
            throw new IllegalArgumentException("acceptBacklog must be >= 1: " + acceptBacklog);
        }
    }

    public TcpServerLimits withMaxConnections(int n) {
        return new TcpServerLimits(n, Math.min(maxConnectionsPerAddress, n), acceptBacklog);
    }

    public TcpServerLimits withMaxConnectionsPerAddress(int n) {
        return new TcpServerLimits(maxConnections, n, acceptBacklog);
    }

    public TcpServerLimits withAcceptBacklog(int n) {
        return new TcpServerLimits(maxConnections, maxConnectionsPerAddress, n);
    }
}
