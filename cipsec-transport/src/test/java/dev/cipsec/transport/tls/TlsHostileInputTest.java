package dev.cipsec.transport.tls;

import dev.cipsec.transport.Await;
import dev.cipsec.transport.PlainTcpConnection;
import dev.cipsec.transport.StreamConnection;
import dev.cipsec.transport.tcp.TcpServer;
import dev.cipsec.transport.tcp.TcpServerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A TLS listener under hostile input (issue 6): half-open floods, a slowloris ClientHello, garbage
 * of every kind, and one peer opening many sessions. The server must cut each at its limit or
 * deadline, never hang, and keep serving honest clients.
 */
class TlsHostileInputTest {
    static final CipherSuite SUITE = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;
    static final TlsPolicy CLIENT = TlsPskTest.psk(TlsPskTest.PSK, SUITE);
    static final Duration CONNECT = Duration.ofSeconds(5);
    /** Room for 50 idle sockets from one address, so the handshake limit is what they meet. */
    static final TcpServerLimits ROOMY = new TcpServerLimits(128, 128, 128);

    static TlsPolicy server(Duration handshakeTimeout, int maxHandshakes) {
        return CLIENT.toBuilder().handshakeTimeout(handshakeTimeout).maxHandshakesInFlight(maxHandshakes).build();
    }

    static Socket idle(InetSocketAddress server) throws IOException {
        Socket s = new Socket(server.getAddress(), server.getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    static void assertHonestClientServed(TlsEcho echo) throws IOException {
        try (TlsStreamConnection c = new TlsConnector(CLIENT).connect(echo.address(), CONNECT)) {
            assertThat(TlsPskTest.roundTrip(c, "honest")).isEqualTo("honest");
        }
    }

    @Test
    void aFloodOfHalfOpenConnectionsDoesNotStarveSessionsOrHonestClients() throws IOException {
        Duration timeout = Duration.ofSeconds(1);
        List<Socket> flood = new ArrayList<>();
        try (TlsEcho echo = TlsEcho.start(server(timeout, 4), ROOMY);
             TlsStreamConnection established = new TlsConnector(CLIENT).connect(echo.address(), CONNECT)) {
            long start = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                flood.add(idle(echo.address()));
            }
            // Four take the handshake slots; the other 46 are closed at once.
            Await.until(Duration.ofSeconds(5), () -> echo.handler().stats().snapshot().refusedBusy() == 46,
                    "46 connections refused as busy");
            assertThat(echo.handler().handshakesInFlight()).isEqualTo(4);
            assertThat(TlsPskTest.roundTrip(established, "still here")).as("an established session is not affected")
                    .isEqualTo("still here");
            // The four idle ones are cut at the handshake deadline, which frees the slots.
            Await.until(Duration.ofSeconds(5), () -> echo.handler().stats().snapshot().timedOut() == 4,
                    "the four idle handshakes timed out");
            assertHonestClientServed(echo);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            for (Socket s : flood) {
                assertThat(s.getInputStream().read()).as("every idle socket was closed by the server").isEqualTo(-1);
            }
            TlsStats.Snapshot stats = echo.handler().stats().snapshot();
            assertThat(stats.completed()).isEqualTo(2);
            assertThat(stats.failedTotal()).isZero();
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
    }

    /**
     * One byte of a real ClientHello every 200 ms: each read returns within the per-read timeout, so
     * only the overall handshake deadline can cut it.
     */
    @Test
    void aSlowlorisClientHelloIsCutAtTheHandshakeDeadline() throws Exception {
        byte[] hello = TlsRefusalTest.ourClientHello();
        Duration timeout = Duration.ofSeconds(1);
        try (TlsEcho echo = TlsEcho.start(server(timeout, 4)); Socket s = idle(echo.address())) {
            long start = System.nanoTime();
            Thread trickle = Thread.ofVirtual().name("slowloris").start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (byte b : hello) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException cut) {
                    // The server closed the connection: what we expect.
                }
            });
            assertThat(s.getInputStream().read()).as("the server closes without answering").isEqualTo(-1);
            Duration cutAfter = Duration.ofNanos(System.nanoTime() - start);
            assertThat(cutAfter).isBetween(timeout.minusMillis(100), timeout.plusSeconds(2));
            assertThat(hello.length * 200L).as("the hello would take this many ms").isGreaterThan(10_000);
            Await.until(Duration.ofSeconds(5), () -> echo.handler().stats().snapshot().timedOut() == 1, "timed out");
            trickle.interrupt();
            trickle.join(5_000);
            assertHonestClientServed(echo);
        }
    }

    static Stream<Arguments> garbage() {
        Random random = new Random(0x2221);
        List<Arguments> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] b = new byte[64 + random.nextInt(512)];
            random.nextBytes(b);
            out.add(Arguments.of("random " + i, b));
        }
        out.add(Arguments.of("HTTP request",
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:2221\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        // EtherNet/IP RegisterSession (command 0x65, length 4, protocol version 1) sent in the clear.
        out.add(Arguments.of("plain RegisterSession", new byte[]{0x65, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}));
        byte[] handshakeGarbage = new byte[5 + 40];
        random.nextBytes(handshakeGarbage);
        handshakeGarbage[0] = 22;
        handshakeGarbage[1] = 3;
        handshakeGarbage[2] = 3;
        handshakeGarbage[3] = 0;
        handshakeGarbage[4] = 40;
        out.add(Arguments.of("handshake record of garbage", handshakeGarbage));
        out.add(Arguments.of("record header announcing 16 KiB that never come", new byte[]{22, 3, 3, 0x40, 0}));
        out.add(Arguments.of("oversized record", new byte[]{22, 3, 3, (byte) 0xFF, (byte) 0xFF}));
        out.add(Arguments.of("application data before the handshake", new byte[]{23, 3, 3, 0, 2, 1, 2}));
        return out.stream();
    }

    /** Every case ends in an alert and a close, or a close at the handshake deadline, never a hang. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void garbageGetsAnAlertOrACloseAndTheServerKeepsServing(String name, byte[] bytes) throws IOException {
        Duration timeout = Duration.ofSeconds(2);
        try (TlsEcho echo = TlsEcho.start(server(timeout, 4)); Socket s = idle(echo.address())) {
            s.setSoTimeout((int) timeout.plusSeconds(3).toMillis());
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] answer;
            try {
                answer = in.readAllBytes();
            } catch (SocketTimeoutException e) {
                throw new AssertionError(name + ": the server kept the connection open", e);
            } catch (IOException reset) {
                answer = new byte[0];
            }
            if (answer.length > 0) {
                assertThat(answer[0]).as(name + ": an alert record").isEqualTo((byte) 21);
                assertThat(answer[5]).as("fatal").isEqualTo((byte) 2);
            }
            Await.until(Duration.ofSeconds(5), () -> {
                TlsStats.Snapshot st = echo.handler().stats().snapshot();
                return st.failedTotal() + st.timedOut() == 1;
            }, name + ": the failure counted");
            assertThat(echo.sessions()).isEmpty();
            assertHonestClientServed(echo);
        }
    }

    /** The TCP server's per-address limit bounds TLS sessions per peer; another address is not affected. */
    @Test
    void thePerAddressLimitBoundsTlsSessionsPerPeer() throws Exception {
        TlsServerHandler handler = new TlsServerHandler(server(Duration.ofSeconds(5), 16), TlsHostileInputTest::echo);
        TlsConnector connector = new TlsConnector(CLIENT);
        List<TlsStreamConnection> sessions = new ArrayList<>();
        try (TcpServer tcp = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TcpServerLimits.DEFAULTS.withMaxConnectionsPerAddress(3), handler).start()) {
            for (int i = 0; i < 3; i++) {
                TlsStreamConnection c = connector.connect(tcp.localAddress(), CONNECT);
                sessions.add(c);
                assertThat(TlsPskTest.roundTrip(c, "session " + i)).isEqualTo("session " + i);
            }
            assertThatThrownBy(() -> connector.connect(tcp.localAddress(), CONNECT)).isInstanceOf(IOException.class);
            assertThat(tcp.stats().rejectedPerAddressLimit()).isEqualTo(1);
            assertThat(handler.stats().snapshot().failedTotal()).as("refused before any handshake").isZero();

            // Another loopback address is another peer.
            Socket other = new Socket();
            other.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            other.connect(tcp.localAddress(), (int) CONNECT.toMillis());
            try (TlsStreamConnection c = connector.handshake(new PlainTcpConnection(other), "from 127.0.0.2")) {
                assertThat(TlsPskTest.roundTrip(c, "other peer")).isEqualTo("other peer");
            }

            sessions.removeFirst().close();
            Await.until(Duration.ofSeconds(5), () -> tcp.stats().active() == 2, "the closed session's slot freed");
            try (TlsStreamConnection c = connector.connect(tcp.localAddress(), CONNECT)) {
                assertThat(TlsPskTest.roundTrip(c, "again")).isEqualTo("again");
            }
        } finally {
            for (TlsStreamConnection c : sessions) {
                c.close();
            }
        }
    }

    private static void echo(StreamConnection c) throws IOException {
        byte[] buf = new byte[4096];
        int n;
        while ((n = c.in().read(buf)) > 0) {
            c.out().write(buf, 0, n);
            c.out().flush();
        }
    }
}
