package dev.cipsec.scanner.probe;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixed SSL 3.0 hello (the one handshake Bouncy Castle cannot make). No server here speaks
 * SSL 3.0 (OpenSSL 3 is built without it; {@link OpenSslTlsProbeTest} sees its refusal), so a
 * socket answers with canned bytes: a ServerHello, an alert, a TLS 1.2 answer, silence.
 */
class Ssl3HelloTest {
    static final String RANDOM = "00".repeat(32);

    @Test
    void theHelloIsOneWellFormedRecord() {
        byte[] h = Ssl3Hello.CLIENT_HELLO;
        assertThat(HexFormat.of().formatHex(h, 0, 3)).isEqualTo("160300");
        assertThat(((h[3] & 0xFF) << 8) | (h[4] & 0xFF)).isEqualTo(h.length - 5);
        assertThat(h[5]).isEqualTo((byte) 1);
        assertThat(((h[6] & 0xFF) << 16) | ((h[7] & 0xFF) << 8) | (h[8] & 0xFF)).isEqualTo(h.length - 9);
        assertThat(HexFormat.of().formatHex(h, 9, 11)).isEqualTo("0300");
    }

    @Test
    void anSsl3ServerHelloIsAccepted() throws IOException {
        Outcome o = against("160300002a" + "02000026" + "0300" + RANDOM + "00" + "002f" + "00");
        assertThat(o.accepted()).isTrue();
        assertThat(o.suite()).isEqualTo(0x002F);
        assertThat(Suites.name(o.suite())).isEqualTo("TLS_RSA_WITH_AES_128_CBC_SHA");
    }

    @Test
    void anAlertIsARefusalNamedByItsDescription() throws IOException {
        Outcome o = against("15030000020228");
        assertThat(o.accepted()).isFalse();
        assertThat(o.refusal()).isEqualTo("alert handshake_failure");
    }

    @Test
    void aHigherVersionInTheServerHelloIsARefusal() throws IOException {
        Outcome o = against("160303002a" + "02000026" + "0303" + RANDOM + "00" + "c02b" + "00");
        assertThat(o.accepted()).isFalse();
        assertThat(o.refusal()).isEqualTo("answered with version 3.3");
    }

    @Test
    void aCloseWithoutAnswerIsARefusal() throws IOException {
        Outcome o = against("");
        assertThat(o.accepted()).isFalse();
        assertThat(o.refusal()).isEqualTo("connection closed");
    }

    @Test
    void aClosedPortIsUnreachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Outcome o = Ssl3Hello.attempt(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Duration.ofSeconds(2));
        assertThat(o.unreachable()).isTrue();
    }

    /** A server that reads our hello whole, then writes {@code answerHex} and closes. */
    static Outcome against(String answerHex) throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    assertThat(in.readNBytes(Ssl3Hello.CLIENT_HELLO.length)).isEqualTo(Ssl3Hello.CLIENT_HELLO);
                    s.getOutputStream().write(HexFormat.of().parseHex(answerHex));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                return Ssl3Hello.attempt((InetSocketAddress) server.getLocalSocketAddress(), Duration.ofSeconds(5));
            } finally {
                try {
                    t.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
