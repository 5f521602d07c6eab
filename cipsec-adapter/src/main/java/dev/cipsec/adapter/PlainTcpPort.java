package dev.cipsec.adapter;

import dev.cipsec.transport.tcp.TcpServer;
import dev.cipsec.transport.tcp.TcpServerLimits;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The plain EtherNet/IP listener on TCP 44818, which a commissioning tool may close once the device
 * speaks TLS (TCP/IP Interface Set_Port_Admin_State) and open again. Reopening binds the port it had,
 * so that an ephemeral test port stays the same.
 */
final class PlainTcpPort {
    private final DeviceRuntime runtime;
    private final InetAddress bind;
    private final TcpServerLimits limits;
    private int port;
    private TcpServer server;

    PlainTcpPort(DeviceRuntime runtime, InetAddress bind, int port, TcpServerLimits limits) {
        this.runtime = runtime;
        this.bind = bind;
        this.port = port;
        this.limits = limits;
    }

    synchronized void open() throws IOException {
        if (server != null) {
            return;
        }
        server = new TcpServer(new InetSocketAddress(bind, port), limits, new EncapsulationHandler(runtime)).start();
        port = server.localAddress().getPort();
        runtime.plainTcp(true, port);
    }

    /** Stops listening and drops every plain connection: the device is then reachable only over TLS. */
    synchronized void close() {
        if (server == null) {
            return;
        }
        TcpServer s = server;
        server = null;
        runtime.plainTcp(false, port);
        s.close(Duration.ofSeconds(2));
    }

    synchronized boolean isOpen() {
        return server != null;
    }

    /** The listener, or null while closed. */
    synchronized TcpServer server() {
        return server;
    }
}
