package dev.cipsec.cli.bench;

import dev.cipsec.transport.dtls.DtlsLimits;
import dev.cipsec.transport.dtls.DtlsServerPort;
import dev.cipsec.transport.tls.CipTlsClient;
import dev.cipsec.transport.tls.TlsPolicy;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import dev.cipsec.transport.dtls.SocketDatagramTransport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
            // Not connected: the handshake goes to the server, then the records to the counter.
            SocketDatagramTransport transport = new SocketDatagramTransport(sender, 2048);
            transport.redirect(server.localAddress());
            DTLSTransport dtls = new DTLSClientProtocol().connect(
                    CipTlsClient.forDatagrams(policy, "bench-dtls-send", "127.0.0.1"), transport);
            transport.redirect(receiver.getLocalSocketAddress());

            return PlainUdpLoop.measure(receiver, frameBytes, warmup, duration, frame -> dtls.send(frame, 0, frame.length));
        }
    }
}
