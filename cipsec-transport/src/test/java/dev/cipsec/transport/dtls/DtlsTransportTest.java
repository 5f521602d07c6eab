package dev.cipsec.transport.dtls;

import dev.cipsec.transport.io.DatagramPort;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.TlsPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

import static dev.cipsec.transport.dtls.DtlsEcho.LOOPBACK;
import static dev.cipsec.transport.dtls.DtlsEcho.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@link DatagramTransport} factories an I/O runtime uses, and argument checks. */
class DtlsTransportTest {
    static final CipherSuite SUITE = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;

    @Test
    void portsOpenedThroughTheFactoriesTalkToEachOther() throws IOException {
        DatagramTransport serverSide = DtlsServerPort.transport(DtlsEcho.psk(SUITE), DtlsLimits.defaults());
        DtlsEcho.Inbox atServer = new DtlsEcho.Inbox();
        InetSocketAddress[] lastPeer = new InetSocketAddress[1];
        try (DatagramPort server = serverSide.open(LOOPBACK, 500, "adapter", (buf, off, len, from) -> {
            lastPeer[0] = from;
            atServer.datagram(buf, off, len, from);
        })) {
            DatagramTransport clientSide = DtlsClientPort.transport(DtlsEcho.psk(SUITE), server.localAddress(),
                    DtlsLimits.DEFAULT_IDLE_TIMEOUT);
            DtlsEcho.Inbox atClient = new DtlsEcho.Inbox();
            try (DatagramPort client = clientSide.open(LOOPBACK, 500, "scanner", atClient)) {
                assertThat(client).isInstanceOf(DtlsClientPort.class);
                assertThat(client.maxDatagramSize()).isEqualTo(500);
                DatagramPort.Peer toServer = client.peer(server.localAddress());
                toServer.send(ascii("O->T"), 0, 4);
                assertThat(atServer.next()).isEqualTo("O->T");
                assertThat(lastPeer[0]).isEqualTo(client.localAddress());
                server.peer(lastPeer[0]).send(ascii("T->O"), 0, 4);
                assertThat(atClient.next()).isEqualTo("T->O");
                assertThatThrownBy(() -> client.send(new byte[501], 0, 501, server.localAddress()))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> client.send(new byte[4], 0, 4, new InetSocketAddress("127.0.0.1", 9)))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> server.joinGroup(InetAddress.getByName("239.192.1.1"),
                        InetAddress.getLoopbackAddress())).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void aRuntimeSizedForPlainUdpGetsTheLargestDtlsPayload() throws IOException {
        DatagramTransport serverSide = DtlsServerPort.transport(DtlsEcho.psk(SUITE), DtlsLimits.defaults());
        DtlsEcho.Inbox atServer = new DtlsEcho.Inbox();
        try (DatagramPort server = serverSide.open(LOOPBACK, 65_507, "adapter", atServer);
             DatagramPort client = DtlsClientPort.transport(DtlsEcho.psk(SUITE), server.localAddress(),
                     DtlsLimits.DEFAULT_IDLE_TIMEOUT).open(LOOPBACK, 65_507, "scanner", new DtlsEcho.Inbox())) {
            assertThat(server.maxDatagramSize()).isEqualTo(DtlsServerPort.MAX_PAYLOAD);
            assertThat(client.maxDatagramSize()).isEqualTo(DtlsServerPort.MAX_PAYLOAD);
            byte[] largest = new byte[DtlsServerPort.MAX_PAYLOAD];
            Arrays.fill(largest, (byte) 'L');
            client.send(largest, 0, largest.length, server.localAddress());
            assertThat(atServer.next()).hasSize(DtlsServerPort.MAX_PAYLOAD);
        }
    }

    @Test
    void sendingToAPeerWithoutSessionFails() throws IOException {
        try (DtlsEcho echo = DtlsEcho.start(DtlsEcho.psk(SUITE))) {
            InetSocketAddress nobody = new InetSocketAddress("127.0.0.1", 9);
            assertThatThrownBy(() -> echo.port.send(ascii("x"), 0, 1, nobody)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> echo.port.peer(nobody).send(ascii("x"), 0, 1)).isInstanceOf(IOException.class);
            assertThat(echo.port.stats().sendErrors()).isEqualTo(2);
        }
    }

    @Test
    void aPolicyThatCannotServeOrOfferIsRefused() {
        // A PSK policy without a PSK serves and offers nothing.
        TlsPolicy empty = TlsPolicy.builder().suites(SUITE).build();
        assertThatThrownBy(() -> DtlsServerPort.transport(empty, DtlsLimits.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serve no suite");
        assertThatThrownBy(() -> DtlsClientPort.transport(empty, LOOPBACK, Duration.ofSeconds(12)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offers no suite");
    }

    @Test
    void limitsAreChecked() {
        assertThat(DtlsLimits.defaults().idleTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThatThrownBy(() -> DtlsLimits.defaults().withMaxSessions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DtlsLimits.defaults().withMaxHandshakesInFlight(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DtlsLimits.defaults().withMaxQueuedPerPeer(0)).isInstanceOf(IllegalArgumentException.class);
        // Less than one largest record would leave a peer sending such records unservable.
        assertThatThrownBy(() -> DtlsLimits.defaults().withMaxQueuedBytesPerPeer(16_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16640");
        assertThatThrownBy(() -> DtlsLimits.defaults().withIdleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DtlsLimits.defaults().withIdleTimeout(Duration.ofHours(19)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
