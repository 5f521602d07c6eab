package dev.cipsec.cli.bench;

import dev.cipsec.transport.dtls.DtlsLimits;
import dev.cipsec.transport.dtls.DtlsServerPort;
import dev.cipsec.transport.dtls.SocketDatagramTransport;
import dev.cipsec.transport.tcp.TcpServer;
import dev.cipsec.transport.tcp.TcpServerLimits;
import dev.cipsec.transport.tls.CipTlsClient;
import dev.cipsec.transport.tls.TlsConnector;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsServerHandler;
import dev.cipsec.transport.tls.TlsStreamConnection;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Handshakes per second from one client, ours (Bouncy Castle under our {@link TlsPolicy}), against a
 * server at an address: our TLS listener or DTLS port, or {@code openssl s_server}. The client and
 * the server share the machine's cores, as every figure of the bench does.
 *
 * <p>TLS: {@link TlsConnector} connects, completes the handshake and closes (close_notify), one
 * connection after the other. Full handshakes use a connector without a session cache; resumed ones
 * a connector that keeps the session of its first handshake, and only connections that did resume
 * are counted. DTLS: a full handshake from a fresh source port (so the server runs its cookie
 * exchange with a new peer every time) on Bouncy Castle's {@code DTLSClientProtocol} with our
 * client callbacks, then close_notify; {@code s_server} serves one DTLS peer at a time and moves to
 * the next after it.
 */
final class HandshakeRate {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int DTLS_MTU = 1500;

    /** Handshakes done, and those that failed or (resumed runs) did not resume, over {@code nanos}. */
    static final class Tally {
        long done;
        long failed;
        long notResumed;
        long nanos;
        String firstFailure;

        double perSecond() {
            return nanos == 0 ? 0 : done / (nanos / 1e9);
        }

        void add(Tally t) {
            done += t.done;
            failed += t.failed;
            notResumed += t.notResumed;
            nanos += t.nanos;
            if (firstFailure == null) {
                firstFailure = t.firstFailure;
            }
        }
    }

    private HandshakeRate() {
    }

    /**
     * TLS handshakes against {@code to} for {@code duration}; with {@code resumed}, {@code connector}
     * must keep sessions and has resumed one already (see {@link #prime}).
     */
    static Tally tls(InetSocketAddress to, TlsConnector connector, boolean resumed, Duration duration) {
        Tally t = new Tally();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        while (System.nanoTime() < end) {
            try (TlsStreamConnection c = connector.connect(to, BenchCredentials.HANDSHAKE_TIMEOUT)) {
                if (resumed && !c.info().resumed()) {
                    t.notResumed++;
                } else {
                    t.done++;
                }
            } catch (IOException | RuntimeException e) {
                failed(t, e);
            }
        }
        t.nanos = System.nanoTime() - start;
        return t;
    }

    /** One full handshake, so that {@code connector} holds a session to resume with {@code to}. */
    static void prime(InetSocketAddress to, TlsConnector connector) throws IOException {
        connector.connect(to, BenchCredentials.HANDSHAKE_TIMEOUT).close();
    }

    /** Full DTLS 1.2 handshakes against {@code to} for {@code duration}, each from a new port. */
    static Tally dtls(InetSocketAddress to, TlsPolicy client, Duration duration) {
        Tally t = new Tally();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        while (System.nanoTime() < end) {
            try (DatagramSocket socket = new DatagramSocket(LOOPBACK)) {
                socket.connect(to);
                DTLSTransport dtls = new DTLSClientProtocol().connect(
                        CipTlsClient.forDatagrams(client, "bench", to.getAddress().getHostAddress()),
                        new SocketDatagramTransport(socket, DTLS_MTU));
                dtls.close();
                t.done++;
            } catch (IOException | RuntimeException e) {
                failed(t, e);
            }
        }
        t.nanos = System.nanoTime() - start;
        return t;
    }

    private static void failed(Tally t, Exception e) {
        t.failed++;
        if (t.firstFailure == null) {
            t.firstFailure = e.toString();
        }
    }

    /** Our TLS listener: our {@link TcpServer} with {@link TlsServerHandler}, answering nothing. */
    static TcpServer ourTlsServer(TlsServerHandler handler) throws IOException {
        return new TcpServer(LOOPBACK, TcpServerLimits.DEFAULTS.withMaxConnections(4096).withMaxConnectionsPerAddress(4096),
                handler).start();
    }

    /** A handler whose inner part reads until the client closes: the bench only handshakes. */
    static TlsServerHandler drainingHandler(TlsPolicy policy) {
        return new TlsServerHandler(policy, c -> {
            byte[] buf = new byte[1024];
            while (c.in().read(buf) > 0) {
                // Discard until the client closes.
            }
        });
    }

    /** Our DTLS port, receiving nothing the bench looks at. */
    static DtlsServerPort ourDtlsServer(TlsPolicy policy) throws IOException {
        return DtlsServerPort.open(LOOPBACK, 1400, "bench-dtls", policy, DtlsLimits.defaults(), (buf, off, len, from) -> {
        });
    }
}
