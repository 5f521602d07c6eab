package dev.cipsec.transport.tcp;

import dev.cipsec.transport.PlainTcpConnection;
import dev.cipsec.transport.StreamConnection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/** Opens plain TCP connections (the originator side). */
public final class TcpConnector {
    private TcpConnector() {
    }

    /** Resolves {@code host} and connects; see {@link #connect(InetSocketAddress, Duration)}. */
    public static StreamConnection connect(String host, int port, Duration connectTimeout)
            throws IOException {
        InetSocketAddress remote = new InetSocketAddress(host, port);
        if (remote.isUnresolved()) {
            throw new UnknownHostException(host);
        }
        return connect(remote, connectTimeout);
    }

    /**
     * Connects within {@code connectTimeout} (positive) or throws
     * {@link java.net.SocketTimeoutException}. The returned connection has no read timeout.
     */
    public static StreamConnection connect(InetSocketAddress remote, Duration connectTimeout)
            throws IOException {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
        }
        int ms = connectTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) >= 0
                ? Integer.MAX_VALUE : (int) Math.max(1, connectTimeout.toMillis());
        Socket socket = new Socket();
        try {
            socket.connect(remote, ms);
            return new PlainTcpConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
