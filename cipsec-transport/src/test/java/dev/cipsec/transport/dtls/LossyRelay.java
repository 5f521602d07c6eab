package dev.cipsec.transport.dtls;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay between one client and a server for fault injection: while {@link #faults} is on it
 * drops 10 %, duplicates 5 % and reorders (holds back by one) 5 % of the datagrams, both ways,
 * from a seeded random source so a failing run can be repeated.
 */
public final class LossyRelay implements AutoCloseable {
    final DatagramSocket front;
    final DatagramSocket back;
    final InetSocketAddress device;
    volatile InetSocketAddress client;
    public final AtomicBoolean faults = new AtomicBoolean();
    public final AtomicLong dropped = new AtomicLong();
    public final AtomicLong duplicated = new AtomicLong();
    public final AtomicLong reordered = new AtomicLong();
    final Random random;
    final Thread up;
    final Thread down;

    public LossyRelay(InetSocketAddress device, long seed) throws SocketException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        this.front = new DatagramSocket(new InetSocketAddress(lo, 0));
        this.back = new DatagramSocket(new InetSocketAddress(lo, 0));
        this.device = device;
        this.random = new Random(seed);
        this.up = Thread.ofPlatform().daemon().start(() -> pump(front, back, true));
        this.down = Thread.ofPlatform().daemon().start(() -> pump(back, front, false));
    }

    /** A datagram as it crossed the relay: towards the server ({@code upstream}) or back. */
    public record Datagram(boolean upstream, byte[] data) {
    }

    /** Every datagram forwarded (before any fault), both ways, in order, while {@link #recording} is on. */
    public final java.util.List<Datagram> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final AtomicBoolean recording = new AtomicBoolean();

    /** The last datagram the client sent while recording. */
    public byte[] lastUpstream() {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i).upstream()) {
                return log.get(i).data();
            }
        }
        throw new IllegalStateException("nothing recorded upstream");
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    /** Sends {@code datagram} to the server as if the client had: from the address the server knows it by. */
    public void injectUpstream(byte[] datagram) throws java.io.IOException {
        back.send(new DatagramPacket(datagram, datagram.length, device));
    }

    private void pump(DatagramSocket from, DatagramSocket to, boolean isUpstream) {
        byte[] buf = new byte[2048];
        DatagramPacket held = null;
        try {
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                from.receive(p);
                if (isUpstream) {
                    client = (InetSocketAddress) p.getSocketAddress();
                }
                if (recording.get()) {
                    log.add(new Datagram(isUpstream, java.util.Arrays.copyOf(p.getData(), p.getLength())));
                }
                InetSocketAddress dest = isUpstream ? device : client;
                DatagramPacket out = new DatagramPacket(java.util.Arrays.copyOf(p.getData(), p.getLength()), p.getLength(), dest);
                if (faults.get()) {
                    int roll;
                    synchronized (random) {
                        roll = random.nextInt(100);
                    }
                    if (roll < 10) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    if (roll < 15) {
                        duplicated.incrementAndGet();
                        to.send(out);
                    } else if (roll < 20 && held == null) {
                        reordered.incrementAndGet();
                        held = out;
                        continue;
                    }
                }
                to.send(out);
                if (held != null) {
                    to.send(held);
                    held = null;
                }
            }
        } catch (java.io.IOException e) {
            // Closed.
        }
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
