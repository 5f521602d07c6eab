package dev.cipsec.transport.tls;

import dev.cipsec.transport.StreamConnection;
import dev.cipsec.transport.tcp.TcpServer;
import dev.cipsec.transport.tcp.TcpServerLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TLS echo server on loopback for tests: every byte received is sent back; the session info of
 * every completed handshake is kept.
 */
public final class TlsEcho implements AutoCloseable {
    private final TcpServer server;
    private final TlsServerHandler handler;
    private final CopyOnWriteArrayList<TlsSessionInfo> sessions = new CopyOnWriteArrayList<>();

    private TlsEcho(TlsPolicy policy, TcpServerLimits limits) throws IOException {
        handler = new TlsServerHandler(policy, this::echo);
        server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), limits, handler).start();
    }

    public static TlsEcho start(TlsPolicy policy) throws IOException {
        return new TlsEcho(policy, TcpServerLimits.DEFAULTS);
    }

    public static TlsEcho start(TlsPolicy policy, TcpServerLimits limits) throws IOException {
        return new TlsEcho(policy, limits);
    }

    private void echo(StreamConnection c) throws IOException {
        sessions.add(((TlsStreamConnection) c).info());
        InputStream in = c.in();
        OutputStream out = c.out();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            out.flush();
        }
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    public TlsServerHandler handler() {
        return handler;
    }

    public java.util.List<TlsSessionInfo> sessions() {
        return java.util.List.copyOf(sessions);
    }

    @Override
    public void close() {
        server.close();
    }
}
