package dev.cipsec.cli.bench;

import dev.cipsec.transport.dtls.DtlsClientPort;
import dev.cipsec.transport.dtls.DtlsLimits;
import dev.cipsec.transport.dtls.DtlsServerPort;
import dev.cipsec.transport.dtls.SocketDatagramTransport;
import dev.cipsec.transport.io.DatagramPort;
import dev.cipsec.transport.tls.CipTlsClient;
import dev.cipsec.transport.tls.TlsPolicy;
import org.bouncycastle.tls.DTLSClientProtocol;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Protected I/O on one core: one thread sends I/O frames through an established DTLS session as
 * fast as it can, to a receiver thread that only counts datagrams, exactly as {@link PlainUdpLoop}
 * does without protection. The ratio of the two is what protection costs the producing core; the
 * receiving end's decryption is not in it (the end-to-end throughput scenario has both ends, and on
 * two cores they share the CPU).
 *
 * <p>Each end is measured on the path it sends I/O with, because the two differ in what the kernel
 * does per datagram:
 * <ul>
 *   <li>{@link #openAdapterEnd}: a session of the device's {@link DtlsServerPort}, through the
 *       {@link DatagramPort.Peer} the adapter's I/O runtime sends T->O with. Since 2026-11-27 the
 *       session sends through a socket of its own, connected to the peer (IPv6 dual stack); before,
 *       through the port's one unconnected socket, where the kernel looked up the route for every
 *       datagram as for the plain loop.</li>
 *   <li>{@link #openScannerEnd}: the scanner's {@link DtlsClientPort}, whose socket is connected to the
 *       target, so the kernel keeps the route (about 0.4 µs less per datagram here than an
 *       unconnected send).</li>
 * </ul>
 * Both sessions are real: a full handshake with our {@link DtlsServerPort}; then the datagrams go to
 * a counter and nobody decrypts them. One session serves every window of a run.
 */
public final class DtlsSendLoop {
    private static final Duration SESSION_WAIT = Duration.ofSeconds(5);

    private DtlsSendLoop() {
    }

    /** The adapter's T->O path, {@code frameBytes}-byte payloads. */
    public static PlainUdpLoop.Loop openAdapterEnd(TlsPolicy policy, int frameBytes) throws IOException, InterruptedException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        DtlsServerPort server = DtlsServerPort.open(loopback, DtlsServerPort.MAX_PAYLOAD, "bench-dtls-adapter", policy,
                DtlsLimits.defaults(), (buf, off, len, from) -> { });
        DatagramSocket counter = null;
        try {
            // Longer than any run: the counter never sends, and the port closes sessions that receive nothing.
            server.setIdleTimeout(Duration.ofHours(1));
            counter = new DatagramSocket(loopback);
            // The counter's socket is the client: it handshakes, then only counts what the session sends.
            SocketDatagramTransport transport = new SocketDatagramTransport(counter, 2048);
            transport.redirect(server.localAddress());
            new DTLSClientProtocol().connect(CipTlsClient.forDatagrams(policy, "bench-dtls-adapter", "127.0.0.1"), transport);
            DatagramPort.Peer peer = server.peer((InetSocketAddress) counter.getLocalSocketAddress());
            awaitSession(peer);
            return loop(counter, frameBytes, frame -> peer.send(frame, 0, frame.length), server);
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (counter != null) {
                counter.close();
            }
            server.close();
            throw e;
        }
    }

    /** The scanner's O->T path, {@code frameBytes}-byte payloads. */
    public static PlainUdpLoop.Loop openScannerEnd(TlsPolicy policy, int frameBytes) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        InetSocketAddress target;
        DtlsClientPort client;
        try (DtlsServerPort server = DtlsServerPort.open(loopback, DtlsServerPort.MAX_PAYLOAD, "bench-dtls-scanner", policy,
                DtlsLimits.defaults(), (buf, off, len, from) -> { })) {
            target = server.localAddress();
            // Longer than any run: an idle client session would otherwise be replaced by a new handshake.
            client = DtlsClientPort.connect(loopback, target, DtlsServerPort.MAX_PAYLOAD, "bench-dtls-scanner", policy,
                    Duration.ofHours(1), (buf, off, len, from) -> { });
        }
        // The session is established and the server closed: the counter takes the server's address,
        // so that the client's connected socket keeps its destination and nobody decrypts.
        DatagramSocket counter;
        try {
            counter = new DatagramSocket(target);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        return loop(counter, frameBytes, frame -> client.send(frame, 0, frame.length, target), client);
    }

    private static PlainUdpLoop.Loop loop(DatagramSocket counter, int frameBytes, PlainUdpLoop.FrameSender send,
                                          AutoCloseable sender) {
        return new PlainUdpLoop.Loop() {
            @Override
            public PlainUdpLoop.Result measure(Duration warmup, Duration duration) throws IOException, InterruptedException {
                return PlainUdpLoop.measure(counter, frameBytes, warmup, duration, send);
            }

            @Override
            public void close() {
                counter.close();
                try {
                    sender.close();
                } catch (Exception e) {
                    // A bench's port: nothing to recover.
                }
            }
        };
    }

    /**
     * The client's handshake ends when it receives the server's Finished; the server registers the
     * session when its own handshake returns, a moment later.
     */
    private static void awaitSession(DatagramPort.Peer peer) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SESSION_WAIT.toNanos();
        byte[] probe = new byte[1];
        while (true) {
            try {
                peer.send(probe, 0, 1);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(1);
            }
        }
    }
}
