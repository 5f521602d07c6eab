package dev.cipsec.transport.tcp;

import dev.cipsec.transport.StreamConnection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TcpConnectorTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void connectsByHostNameWithNoDelayAndIdempotentClose() throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StreamConnection c = TcpConnector.connect("127.0.0.1", ss.getLocalPort(), WAIT);
            try (Socket accepted = ss.accept()) {
                assertThat(c.peer()).isEqualTo(ss.getLocalSocketAddress());
                assertThat(c.local()).isEqualTo(accepted.getRemoteSocketAddress());
                assertThat(c.isClosed()).isFalse();
                c.close();
                c.close();
                assertThat(c.isClosed()).isTrue();
                assertThat(accepted.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void refusedConnectionIsAConnectException() throws IOException {
        InetSocketAddress unused;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            unused = (InetSocketAddress) ss.getLocalSocketAddress();
        }
        assertThatThrownBy(() -> TcpConnector.connect(unused, WAIT)).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> TcpConnector.connect(unused, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
