package dev.cipsec.transport.dtls;

import org.bouncycastle.tls.DatagramTransport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * A UDP socket as Bouncy Castle's DTLS transport, for one peer: a receive timeout or an ICMP
 * unreachable (the peer not listening yet, or any more) is a lost datagram to Bouncy Castle, which
 * retransmits. Sends go to the socket's connected peer, or to {@link #redirect} once set (a
 * benchmark that sends a finished session's records to a counter). {@link #close()} leaves the
 * socket to its owner.
 */
public class SocketDatagramTransport implements DatagramTransport {
    private final DatagramSocket socket;
    private final int limit;
    /** Send-side only: one packet reused for every record. */
    private final DatagramPacket out = new DatagramPacket(new byte[0], 0);
    private volatile SocketAddress redirect;

    /** @param limit largest datagram received or sent */
    public SocketDatagramTransport(DatagramSocket socket, int limit) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.limit = limit;
    }

    /** Sends from now on to {@code to} instead of the connected peer. */
    public void redirect(SocketAddress to) {
        this.redirect = Objects.requireNonNull(to, "to");
    }

    @Override
    public int getReceiveLimit() {
        return limit;
    }

    @Override
    public int getSendLimit() {
        return limit;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        DatagramPacket p = new DatagramPacket(buf, off, len);
        socket.setSoTimeout(Math.max(1, waitMillis));
        try {
            socket.receive(p);
        } catch (SocketTimeoutException | PortUnreachableException e) {
            return -1;
        }
        return p.getLength();
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        // Bouncy Castle sends from one thread at a time per session (its record layer is locked).
        synchronized (out) {
            out.setData(buf, off, len);
            SocketAddress to = redirect;
            out.setSocketAddress(to != null ? to : socket.getRemoteSocketAddress());
            socket.send(out);
        }
    }

    @Override
    public void close() {
        // The owner closes the socket.
    }
}
