package dev.cipsec.transport.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Opens {@link DatagramPort}s. I/O runtimes take one of these instead of opening sockets
 * themselves, so the transport under their connections (plain UDP today, DTLS later) is chosen by
 * whoever builds the runtime.
 */
@FunctionalInterface
public interface DatagramTransport {

    /**
     * Binds {@code bind} (port 0 picks an ephemeral port) and starts delivering datagrams to
     * {@code receiver} on one receive thread.
     *
     * @param maxDatagramSize largest payload received or sent
     * @param name            names the receive thread
     */
    DatagramPort open(InetSocketAddress bind, int maxDatagramSize, String name, DatagramReceiver receiver)
            throws IOException;

    /** Plain UDP: {@link UdpDatagramPort}, with {@link ReceiveCoalescing#defaults()}. */
    static DatagramTransport udp() {
        return udp(ReceiveCoalescing.defaults());
    }

    /** Plain UDP: {@link UdpDatagramPort}, its receive thread paced by {@code coalescing}. */
    static DatagramTransport udp(ReceiveCoalescing coalescing) {
        Objects.requireNonNull(coalescing, "coalescing");
        return (bind, max, name, receiver) -> UdpDatagramPort.open(bind, max, name, receiver, coalescing);
    }
}
