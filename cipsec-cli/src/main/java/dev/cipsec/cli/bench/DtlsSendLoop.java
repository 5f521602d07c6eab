package dev.cipsec.cli.bench;

import dev.cipsec.transport.dtls.DtlsLimits;
import dev.cipsec.transport.dtls.DtlsServerPort;
import dev.cipsec.transport.tls.CipTlsClient;
import dev.cipsec.transport.tls.TlsPolicy;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Protected I/O on one core: one thread sends I/O frames through an established DTLS session
 * (Bouncy Castle's record layer, the suite of the policy) as fast as it can, to a receiver thread
 * that only counts datagrams, exactly as {@link PlainUdpLoop} does without protection. The ratio of
 * the two is what protection costs the producing core; the receiving end's decryption is not in it
 * (the end-to-end throughput scenario has both ends, and on two cores they share the CPU).
 *
 * <p>The session is real: a full handshake with our {@link DtlsServerPort}; then the client's
 * socket is pointed at the counting receiver, so that no one decrypts.
 */
public final class DtlsSendLoop {

    private DtlsSendLoop() {
    }

    /** Sends {@code frameBytes}-byte payloads for {@code warmup + duration} and counts the last {@code duration}. */
    public static PlainUdpLoop.Result run(TlsPolicy policy, int frameBytes, Duration warmup, Duration duration)
            throws IOException, InterruptedException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DtlsServerPort server = DtlsServerPort.open(loopback, DtlsServerPort.MAX_PAYLOAD, "bench-dtls-send", policy,
                DtlsLimits.defaults(), (buf, off, len, from) -> { });
             DatagramSocket receiver = new DatagramSocket(loopback);
             DatagramSocket sender = new DatagramSocket(loopback)) {
            Redirectable transport = new Redirectable(sender, server.localAddress());
            DTLSTransport dtls = new DTLSClientProtocol().connect(
                    CipTlsClient.forDatagrams(policy, "bench-dtls-send", "127.0.0.1"), transport);
            transport.target = receiver.getLocalSocketAddress();

            return PlainUdpLoop.measure(receiver, frameBytes, warmup, duration, frame -> dtls.send(frame, 0, frame.length));
        }
    }

    /** The client's socket as Bouncy Castle's transport, sending wherever {@link #target} points. */
    private static final class Redirectable implements DatagramTransport {
        private final DatagramSocket socket;
        private final DatagramPacket out = new DatagramPacket(new byte[0], 0);
        volatile SocketAddress target;

        Redirectable(DatagramSocket socket, SocketAddress target) {
            this.socket = socket;
            this.target = target;
        }

        @Override
        public int getReceiveLimit() {
            return 2048;
        }

        @Override
        public int getSendLimit() {
            return 2048;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            DatagramPacket p = new DatagramPacket(buf, off, len);
            socket.setSoTimeout(Math.max(1, waitMillis));
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return -1;
            }
            return p.getLength();
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            // One reused packet, as the plain loop reuses its own: the loops differ only by the record layer.
            out.setData(buf, off, len);
            out.setSocketAddress(target);
            socket.send(out);
        }

        @Override
        public void close() {
        }
    }
}
