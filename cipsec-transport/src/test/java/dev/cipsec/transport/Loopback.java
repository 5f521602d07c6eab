package dev.cipsec.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A connected loopback TCP pair for tests: a raw client socket and the accepting side. */
public record Loopback(Socket client, PlainTcpConnection server) implements AutoCloseable {

    public static Loopback open() throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket client = new Socket();
            client.setTcpNoDelay(true);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()));
            return new Loopback(client, new PlainTcpConnection(ss.accept()));
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        client.close();
    }
}
