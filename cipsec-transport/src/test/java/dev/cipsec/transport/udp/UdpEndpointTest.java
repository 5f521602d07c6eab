package dev.cipsec.transport.udp;

import dev.cipsec.transport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UdpEndpointTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final InetSocketAddress LOOPBACK_ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    record Received(byte[] payload, InetSocketAddress from) {
    }

    private final List<UdpEndpoint> endpoints = new ArrayList<>();

    @AfterEach
    void closeAll() {
        endpoints.forEach(UdpEndpoint::close);
    }

    private UdpEndpoint open(InetSocketAddress bind, int max, BlockingQueue<Received> inbox)
            throws IOException {
        // The buffer is reused: keep a copy.
        UdpEndpoint e = UdpEndpoint.open(bind, max,
                (buf, len, from) -> inbox.add(new Received(Arrays.copyOf(buf, len), from)));
        endpoints.add(e);
        return e;
    }

    private static Received take(BlockingQueue<Received> inbox) throws InterruptedException {
        Received r = inbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r).as("datagram within " + WAIT).isNotNull();
        return r;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void roundTripWithCopiesThatSurviveBufferReuse() throws Exception {
        BlockingQueue<Received> inboxA = new LinkedBlockingQueue<>();
        BlockingQueue<Received> inboxB = new LinkedBlockingQueue<>();
        UdpEndpoint a = open(LOOPBACK_ANY_PORT, 1500, inboxA);
        UdpEndpoint b = open(LOOPBACK_ANY_PORT, 1500, inboxB);

        byte[] framed = ascii("xxpingyy");
        a.send(framed, 2, 4, b.localAddress());
        a.send(ascii("second, longer"), 0, 14, b.localAddress());
        Received r1 = take(inboxB);
        Received r2 = take(inboxB);
        assertThat(r1.payload()).isEqualTo(ascii("ping"));
        assertThat(r2.payload()).isEqualTo(ascii("second, longer"));
        assertThat(r1.from()).isEqualTo(a.localAddress());

        b.send(ascii("pong"), 0, 4, r1.from());
        assertThat(take(inboxA).payload()).isEqualTo(ascii("pong"));

        assertThat(a.stats()).isEqualTo(new UdpStats(1, 0, 0, 0, 2));
        assertThat(b.stats()).isEqualTo(new UdpStats(2, 0, 0, 0, 1));
    }

    @Test
    void oversizeDatagramsAreDroppedAndCountedNotTruncated() throws Exception {
        BlockingQueue<Received> inboxB = new LinkedBlockingQueue<>();
        UdpEndpoint a = open(LOOPBACK_ANY_PORT, 100, new LinkedBlockingQueue<>());
        UdpEndpoint b = open(LOOPBACK_ANY_PORT, 16, inboxB);

        a.send(new byte[17], 0, 17, b.localAddress());
        a.send(new byte[16], 0, 16, b.localAddress());
        assertThat(take(inboxB).payload()).hasSize(16);
        assertThat(b.stats().droppedOversize()).isEqualTo(1);
        assertThat(b.stats().received()).isEqualTo(1);

        assertThatThrownBy(() -> b.send(new byte[17], 0, 17, a.localAddress()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UdpEndpoint.open(LOOPBACK_ANY_PORT, 0, (buf, len, from) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void throwingHandlerIsCountedAndTheLoopGoesOn() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        UdpEndpoint b = UdpEndpoint.open(LOOPBACK_ANY_PORT, 64, (buf, len, from) -> {
            if (buf[0] == 'x') {
                throw new IllegalStateException("handler bug");
            }
            inbox.add(new Received(Arrays.copyOf(buf, len), from));
        });
        endpoints.add(b);
        UdpEndpoint a = open(LOOPBACK_ANY_PORT, 64, new LinkedBlockingQueue<>());

        a.send(ascii("x1"), 0, 2, b.localAddress());
        a.send(ascii("x2"), 0, 2, b.localAddress());
        a.send(ascii("ok"), 0, 2, b.localAddress());
        assertThat(take(inbox).payload()).isEqualTo(ascii("ok"));
        assertThat(b.stats().handlerFailures()).isEqualTo(2);
        assertThat(b.stats().received()).isEqualTo(3);
    }

    @Test
    void broadcastNeedsTheFlag() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        // Only a wildcard-bound socket receives broadcasts; 127.255.255.255 stays on lo.
        UdpEndpoint receiver = open(new InetSocketAddress(0), 64, inbox);
        UdpEndpoint sender = open(LOOPBACK_ANY_PORT, 64, new LinkedBlockingQueue<>());
        InetSocketAddress broadcast = new InetSocketAddress(
                InetAddress.getByName("127.255.255.255"), receiver.localAddress().getPort());

        assertThat(sender.broadcastEnabled()).isFalse();
        assertThatThrownBy(() -> sender.send(ascii("no"), 0, 2, broadcast))
                .isInstanceOf(IOException.class);

        sender.enableBroadcast(true);
        assertThat(sender.broadcastEnabled()).isTrue();
        sender.send(ascii("all"), 0, 3, broadcast);
        Received r = take(inbox);
        assertThat(r.payload()).isEqualTo(ascii("all"));
        assertThat(r.from().getPort()).isEqualTo(sender.localAddress().getPort());
        assertThat(sender.stats().sent()).isEqualTo(1);
    }

    @Test
    void closeStopsTheLoopAndFreesThePort() throws Exception {
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        UdpEndpoint e = open(LOOPBACK_ANY_PORT, 64, inbox);
        InetSocketAddress addr = e.localAddress();

        assertThat(e.close(WAIT)).isTrue();
        assertThat(e.close(WAIT)).isTrue();
        assertThatThrownBy(() -> e.send(new byte[1], 0, 1, addr)).isInstanceOf(IOException.class);
        try (DatagramSocket rebound = new DatagramSocket(addr)) {
            assertThat(rebound.getLocalPort()).isEqualTo(addr.getPort());
        }
        Await.until(WAIT, () -> e.stats().receiveErrors() == 0, "no spurious receive errors");
    }
}
