package dev.cipsec.transport.io;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A bound local datagram path for cyclic I/O: what an I/O connection sends through and receives
 * from, without knowing whether a plain UDP socket ({@link UdpDatagramPort}) or a DTLS layer that
 * keeps one session per peer sits underneath. Ports are made by a {@link DatagramTransport}.
 *
 * <p>Payloads are what the connection logic produces and consumes (Common Packet Format I/O
 * frames); any protection is the port's business. {@link #send} and {@link Peer#send} are
 * thread-safe and, in steady state, allocate nothing.
 */
public interface DatagramPort extends AutoCloseable {

    /** A destination fixed once, so a per-peer transport (DTLS) finds its session at open, not per packet. */
    interface Peer {
        InetSocketAddress address();

        /** Sends {@code buf[off, off+len)} to {@link #address()}. */
        void send(byte[] buf, int off, int len) throws IOException;
    }

    /** The bound address, with the actual port when bound to port 0. */
    InetSocketAddress localAddress();

    /** The largest payload received or sent. */
    int maxDatagramSize();

    /**
     * Sends {@code buf[off, off+len)} to {@code to}.
     *
     * @throws IllegalArgumentException if {@code len} exceeds {@link #maxDatagramSize()}
     */
    void send(byte[] buf, int off, int len, InetSocketAddress to) throws IOException;

    /** The view of this port that sends to {@code to}; a connection keeps it for its lifetime. */
    default Peer peer(InetSocketAddress to) {
        return new FixedPeer(this, to);
    }

    /**
     * Receives datagrams sent to {@code group} on the interface that has {@code via}.
     *
     * @throws IOException also when the transport has no multicast (DTLS)
     */
    default void joinGroup(InetAddress group, InetAddress via) throws IOException {
        throw new IOException(getClass().getSimpleName() + " does not receive multicast");
    }

    DatagramPortStats stats();

    /** Stops receiving and releases the socket; idempotent. */
    @Override
    void close();

    /** The default {@link Peer}: the port's own {@link #send} with a fixed destination. */
    record FixedPeer(DatagramPort port, InetSocketAddress address) implements Peer {
        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            port.send(buf, off, len, address);
        }
    }
}
