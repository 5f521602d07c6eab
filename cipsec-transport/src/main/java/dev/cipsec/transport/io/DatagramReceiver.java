package dev.cipsec.transport.io;

import java.net.InetSocketAddress;

/**
 * Receives the datagrams of a {@link DatagramPort} on its receive thread, one at a time, after the
 * transport has removed its own framing (nothing for plain UDP, the record layer for DTLS).
 *
 * <p>{@code buf} is the port's receive buffer and is overwritten by the next datagram as soon as
 * this returns: copy whatever must outlive the call. {@code from} may be the same instance for
 * consecutive datagrams of one peer; compare it with {@code equals}, never by identity. Keep the
 * work short and allocation-free: the next datagram waits.
 */
@FunctionalInterface
public interface DatagramReceiver {
    /** The payload is {@code buf[off, off+len)}, sent by {@code from}. */
    void datagram(byte[] buf, int off, int len, InetSocketAddress from);
}
