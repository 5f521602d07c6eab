package dev.cipsec.cli.bench;

import dev.cipsec.transport.tls.CipTlsClient;
import dev.cipsec.transport.tls.TlsPolicy;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A flood of cookie-less DTLS ClientHellos at a fixed rate from rotating loopback source ports: what a
 * device's DTLS port sees from a handshake storm or a spoofing attacker. The device must answer each
 * with a HelloVerifyRequest and keep no state; the benchmark measures what that costs live I/O.
 *
 * <p>The hello is a real one, the first flight of Bouncy Castle's DTLS client with the bench's policy,
 * captured once and replayed unchanged (record sequence number 0 each time: the server answers a
 * cookie-less ClientHello statelessly, so it never sees a replay).
 */
final class HelloFlood implements AutoCloseable {
    /** Source ports the flood rotates through. */
    static final int SOURCE_PORTS = 40;

    /**
     * What the flood sent in one measurement window.
     *
     * @param sent        ClientHellos sent in the window
     * @param sendErrors  sends that failed in the window (the kernel refused)
     * @param seconds     the window's length
     */
    record Report(int ratePerSecond, int sourcePorts, long sent, long sendErrors, double seconds) {
        double sentPerSecond() {
            return seconds > 0 ? sent / seconds : 0;
        }
    }

    private final int rate;
    private final List<DatagramSocket> sockets = new ArrayList<>(SOURCE_PORTS);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    private HelloFlood(int rate, byte[] hello, SocketAddress to) throws IOException {
        this.rate = rate;
        try {
            for (int i = 0; i < SOURCE_PORTS; i++) {
                sockets.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            }
        } catch (IOException e) {
            sockets.forEach(DatagramSocket::close);
            throw e;
        }
        long period = 1_000_000_000L / rate;
        thread = Thread.ofPlatform().daemon().name("bench-hello-flood").unstarted(() -> {
            // The HelloVerifyRequests that come back are never read: the sockets' buffers fill and the
            // kernel drops the rest, which costs the device nothing more.
            DatagramPacket p = new DatagramPacket(hello, hello.length, to);
            long next = System.nanoTime();
            int i = 0;
            while (running) {
                try {
                    sockets.get(i++ % SOURCE_PORTS).send(p);
                    sent.incrementAndGet();
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        });
    }

    /** Starts sending {@code hello} to {@code to} at {@code rate} datagrams per second. */
    static HelloFlood start(int rate, byte[] hello, SocketAddress to) throws IOException {
        if (rate < 1 || rate > 1_000_000) {
            throw new IllegalArgumentException("flood rate must be 1..1000000 per second: " + rate);
        }
        HelloFlood f = new HelloFlood(rate, hello, to);
        f.thread.start();
        return f;
    }

    /** Counters now, to be given to {@link #report} at the end of a window. */
    long[] mark() {
        return new long[] {System.nanoTime(), sent.get(), errors.get()};
    }

    /** What was sent since {@code mark}. */
    Report report(long[] mark) {
        long now = System.nanoTime();
        return new Report(rate, SOURCE_PORTS, sent.get() - mark[1], errors.get() - mark[2], (now - mark[0]) / 1e9);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sockets.forEach(DatagramSocket::close);
    }

    /**
     * The first datagram Bouncy Castle's DTLS client sends with {@code policy}: a ClientHello without
     * cookie in a record of epoch 0. The handshake is cut short by a transport whose first send
     * records the datagram and fails.
     */
    static byte[] captureClientHello(TlsPolicy policy) {
        Capture capture = new Capture();
        try {
            new DTLSClientProtocol().connect(CipTlsClient.forDatagrams(policy, "bench-flood", "127.0.0.1"), capture);
        } catch (IOException expected) {
            // The capture's send ends every handshake.
        }
        if (capture.first == null) {
            throw new IllegalStateException("the DTLS client sent no ClientHello");
        }
        return capture.first;
    }

    private static final class Capture implements DatagramTransport {
        private static final int MTU = 1500;
        byte[] first;

        @Override
        public int getReceiveLimit() {
            return MTU;
        }

        @Override
        public int getSendLimit() {
            return MTU;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            throw new IOException("capture transport: nothing to receive");
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            if (first == null) {
                first = Arrays.copyOfRange(buf, off, off + len);
            }
            throw new IOException("capture transport: ClientHello recorded");
        }

        @Override
        public void close() {
        }
    }
}
