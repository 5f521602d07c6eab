package dev.cipsec.transport.udp;

import java.net.InetSocketAddress;

/**
 * Receives datagrams on a {@link UdpEndpoint}'s receive thread, one at a time.
 *
 * <p>{@code buf} is the endpoint's receive buffer and is overwritten by the next datagram as soon
 * as this returns: copy whatever must outlive the call. Keep the work short or hand it off; the
 * next datagram waits (and the kernel drops datagrams once its socket buffer is full).
 */
@FunctionalInterface
public interface DatagramHandler {
    /**
     * @param buf  the payload is {@code buf[0, len)}
     * @param from the sender
     */
    void datagram(byte[] buf, int len, InetSocketAddress from);
}
