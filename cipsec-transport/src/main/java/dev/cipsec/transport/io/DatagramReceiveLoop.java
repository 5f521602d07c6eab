package dev.cipsec.transport.io;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The receive loop every datagram port runs on its own thread (plain UDP I/O, the DTLS listener):
 * one direct buffer and one array for the port's lifetime, oversize datagrams counted and dropped,
 * receive errors counted and survived, a clean end when the channel closes, and
 * {@link ReceiveCoalescing} under dense traffic.
 */
public final class DatagramReceiveLoop {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramReceiveLoop.class);

    private DatagramReceiveLoop() {
    }

    /**
     * Receives until {@code closed} says so or the channel is closed, handing each datagram of at most
     * {@code maxDatagramSize} bytes to {@code handler} as {@code buf[0, len)}; the array is reused.
     * The channel must be blocking.
     */
    public static void run(DatagramChannel channel, int maxDatagramSize, BooleanSupplier closed, AtomicLong droppedOversize,
                           AtomicLong receiveErrors, Object where, ReceivePacer pacer, DatagramReceiver handler) {
        // One byte more than the maximum, so an oversize datagram shows instead of being cut.
        ByteBuffer rx = ByteBuffer.allocateDirect(maxDatagramSize + 1);
        byte[] buf = new byte[maxDatagramSize + 1];
        boolean pacing = pacer.enabled();
        while (!closed.getAsBoolean()) {
            InetSocketAddress from;
            rx.clear();
            try {
                if (pacing) {
                    long start = System.nanoTime();
                    from = (InetSocketAddress) channel.receive(rx);
                    long now = System.nanoTime();
                    pacer.arrived(now, now - start > ReceivePacer.WAITED_NANOS);
                } else {
                    from = (InetSocketAddress) channel.receive(rx);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed.getAsBoolean()) {
                    return;
                }
                // E.g. ICMP port unreachable reported for an earlier send; the socket still works.
                receiveErrors.incrementAndGet();
                LOG.trace("receive on {} failed: {}", where, e.toString());
                continue;
            }
            int len = rx.flip().remaining();
            if (len > maxDatagramSize) {
                droppedOversize.incrementAndGet();
                continue;
            }
            rx.get(buf, 0, len);
            handler.datagram(buf, 0, len, from);
            pacer.handled();
        }
    }
}
