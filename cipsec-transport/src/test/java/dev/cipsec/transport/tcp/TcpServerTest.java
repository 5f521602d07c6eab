package dev.cipsec.transport.tcp;

import dev.cipsec.transport.Await;
import dev.cipsec.transport.StreamConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TcpServerTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final InetSocketAddress LOOPBACK_ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** Echoes every byte back, flushing per read. */
    static void echo(StreamConnection c) throws IOException {
        byte[] buf = new byte[1024];
        int n;
        while ((n = c.in().read(buf)) >= 0) {
            c.out().write(buf, 0, n);
            c.out().flush();
        }
    }

    private TcpServer start(TcpServerLimits limits, ConnectionHandler handler) throws IOException {
        TcpServer server = new TcpServer(LOOPBACK_ANY_PORT, limits, handler).start();
        toClose.add(server);
        return server;
    }

    private StreamConnection connect(TcpServer server) throws IOException {
        StreamConnection c = TcpConnector.connect(server.localAddress(), WAIT);
        c.setReadTimeout(WAIT);
        toClose.add(c);
        return c;
    }

    private static void assertEchoes(StreamConnection c, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.US_ASCII);
        c.out().write(sent);
        c.out().flush();
        assertThat(c.in().readNBytes(sent.length)).isEqualTo(sent);
    }

    /** A connection the server refused sees end of stream (or a reset) without any data. */
    private static void assertClosedByServer(InputStream in) {
        try {
            assertThat(in.read()).isEqualTo(-1);
        } catch (SocketException reset) {
            assertThat(reset).hasMessageContaining("reset");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void echoesOverAConnectorConnection() throws IOException {
        TcpServer server = start(TcpServerLimits.DEFAULTS, TcpServerTest::echo);
        StreamConnection c = connect(server);

        assertEchoes(c, "hello");
        assertEchoes(c, "x".repeat(5000));
        assertThat(c.secure()).isFalse();
        assertThat(c.peer()).isEqualTo(server.localAddress());
        assertThat(c.local().getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
        assertThat(server.localAddress().getPort()).isPositive();
        assertThat(server.stats().accepted()).isEqualTo(1);
        assertThat(server.stats().active()).isEqualTo(1);
    }

    @Test
    void totalLimitRejectsAndCountsWhileOlderConnectionsKeepWorking() throws IOException {
        TcpServer server = start(new TcpServerLimits(2, 2, 10), TcpServerTest::echo);
        StreamConnection c1 = connect(server);
        StreamConnection c2 = connect(server);
        assertEchoes(c1, "one");
        assertEchoes(c2, "two");

        StreamConnection c3 = connect(server);
        assertClosedByServer(c3.in());
        Await.until(WAIT, () -> server.stats().rejectedTotalLimit() == 1, "total-limit rejection");

        assertEchoes(c1, "still one");
        assertEchoes(c2, "still two");
        TcpServerStats stats = server.stats();
        assertThat(stats.accepted()).isEqualTo(2);
        assertThat(stats.active()).isEqualTo(2);
        assertThat(stats.rejectedPerAddressLimit()).isZero();

        c1.close();
        Await.until(WAIT, () -> server.stats().active() == 1, "slot freed");
        StreamConnection c4 = connect(server);
        assertEchoes(c4, "four");
        assertThat(server.stats().accepted()).isEqualTo(3);
    }

    @Test
    void perAddressLimitRejectsOnlyThatAddress() throws IOException {
        TcpServer server = start(new TcpServerLimits(10, 2, 10), TcpServerTest::echo);
        StreamConnection c1 = connect(server);
        StreamConnection c2 = connect(server);
        assertEchoes(c1, "a");
        assertEchoes(c2, "b");

        StreamConnection c3 = connect(server);
        assertClosedByServer(c3.in());
        Await.until(WAIT, () -> server.stats().rejectedPerAddressLimit() == 1, "per-address rejection");

        // Linux routes all of 127/8 to lo, so a second source address is at hand.
        Socket other = new Socket();
        toClose.add(other);
        other.bind(new InetSocketAddress("127.0.0.2", 0));
        other.connect(server.localAddress());
        other.setSoTimeout((int) WAIT.toMillis());
        other.getOutputStream().write('z');
        assertThat(other.getInputStream().read()).isEqualTo('z');

        assertEchoes(c1, "a again");
        TcpServerStats stats = server.stats();
        assertThat(stats.accepted()).isEqualTo(3);
        assertThat(stats.active()).isEqualTo(3);
        assertThat(stats.rejectedTotalLimit()).isZero();
        assertThat(stats.rejected()).isEqualTo(1);
    }

    @Test
    void closeReleasesConnectionsThreadsAndThePort() throws IOException {
        Queue<Thread> handlerThreads = new ConcurrentLinkedQueue<>();
        TcpServer server = start(TcpServerLimits.DEFAULTS, c -> {
            handlerThreads.add(Thread.currentThread());
            echo(c);
        });
        List<StreamConnection> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            StreamConnection c = connect(server);
            assertEchoes(c, "c" + i);
            clients.add(c);
        }
        int port = server.localAddress().getPort();
        assertThat(server.stats().active()).isEqualTo(3);

        assertThat(server.close(WAIT)).as("all threads ended").isTrue();

        assertThat(server.stats().active()).isZero();
        assertThat(handlerThreads).hasSize(3).noneMatch(Thread::isAlive);
        for (StreamConnection c : clients) {
            assertClosedByServer(c.in());
        }
        assertThatThrownBy(() -> TcpConnector.connect(server.localAddress(), WAIT))
                .isInstanceOf(ConnectException.class);
        try (ServerSocket rebound = new ServerSocket()) {
            rebound.setReuseAddress(true);
            rebound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertThat(rebound.getLocalPort()).isEqualTo(port);
        }
        assertThat(server.close(WAIT)).as("second close is a no-op").isTrue();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void throwingHandlersDoNotHurtTheServer() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        TcpServer server = start(TcpServerLimits.DEFAULTS, c -> {
            switch (calls.incrementAndGet()) {
                case 1 -> throw new IllegalStateException("handler bug");
                case 2 -> throw new IOException("peer misbehaved");
                default -> echo(c);
            }
        });
        StreamConnection failed1 = connect(server);
        assertClosedByServer(failed1.in());
        StreamConnection failed2 = connect(server);
        assertClosedByServer(failed2.in());

        StreamConnection ok = connect(server);
        assertEchoes(ok, "alive");
        Await.until(WAIT, () -> server.stats().handlerFailures() == 2
                && server.stats().active() == 1, "failures counted, their connections gone");
        assertThat(server.stats().accepted()).isEqualTo(3);
    }

    @Test
    void handlerOutputFlushedBeforeReturningReachesThePeer() throws IOException {
        TcpServer server = start(TcpServerLimits.DEFAULTS, c -> {
            OutputStream out = c.out();
            out.write("bye".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        });
        StreamConnection c = connect(server);
        assertThat(c.in().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("bye");
    }

    @Test
    void lifecycleMisuseIsRefused() throws IOException {
        TcpServer notStarted = new TcpServer(LOOPBACK_ANY_PORT, TcpServerLimits.DEFAULTS, c -> { });
        assertThatThrownBy(notStarted::localAddress).isInstanceOf(IllegalStateException.class);
        assertThat(notStarted.close(WAIT)).isTrue();

        TcpServer server = start(TcpServerLimits.DEFAULTS, c -> { });
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void limitsValidateAndDefaultAsDocumented() {
        assertThat(TcpServerLimits.DEFAULTS).isEqualTo(new TcpServerLimits(64, 16, 50));
        assertThat(TcpServerLimits.DEFAULTS.withMaxConnections(4))
                .isEqualTo(new TcpServerLimits(4, 4, 50));
        assertThatThrownBy(() -> new TcpServerLimits(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TcpServerLimits(2, 3, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TcpServerLimits(2, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TcpServerLimits(2, 2, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
