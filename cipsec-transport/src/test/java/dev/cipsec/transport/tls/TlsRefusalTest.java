package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.bouncycastle.tls.AlertDescription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a tester throws at a TLS port and the alert they expect back (issue 6): TLS 1.0 and 1.1,
 * SSLv2 and SSLv3 hellos, a suite the policy forbids, a wrong PSK and an unknown PSK identity —
 * from {@code openssl s_client} where it can still send them, from hand-made bytes where it cannot.
 */
class TlsRefusalTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String PSK_HEX = TlsPskTest.PSK.key().toHex();
    static final TestPki PKI = TestPki.create("refusal");
    static Identity ec;

    @BeforeAll
    static void identity() {
        ec = PKI.issueServer(KeyType.EC_P256, "refusal-ec");
    }

    static TlsEcho ecServer() throws IOException {
        return TlsEcho.start(TlsPolicy.builder().identity(ec).build());
    }

    /** Runs s_client to its end (stdin closed) and returns everything it printed. */
    static List<String> sClient(TlsEcho echo, String... args) throws IOException {
        String[] all = new String[args.length + 3];
        all[0] = "s_client";
        all[1] = "-connect";
        all[2] = "127.0.0.1:" + echo.address().getPort();
        System.arraycopy(args, 0, all, 3, args.length);
        try (OpenSslProcess p = OpenSslProcess.start(all)) {
            p.closeStdin();
            int exit = p.waitFor(WAIT);
            List<String> out = p.output();
            assertThat(exit).as("s_client fails: " + String.join("\n", out)).isNotZero();
            return out;
        }
    }

    static void assertServerSent(TlsEcho echo, String alert) {
        dev.cipsec.transport.Await.until(Duration.ofSeconds(10),
                () -> echo.handler().stats().snapshot().failed().containsKey("sent " + alert), "server sent " + alert);
        assertThat(echo.sessions()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1", "-tls1_1"})
    void tls10And11AreRefusedWithProtocolVersion(String version) throws IOException {
        try (TlsEcho echo = ecServer()) {
            List<String> out = sClient(echo, version, "-cipher", "ALL:@SECLEVEL=0");
            assertThat(out).as(String.join("\n", out)).anyMatch(l -> l.contains("alert protocol version"));
            assertServerSent(echo, "protocol_version");
        }
    }

    @Test
    void aSuiteThePolicyForbidsIsRefusedWithHandshakeFailure() throws IOException {
        try (TlsEcho echo = TlsEcho.start(TlsPolicy.builder().identity(ec)
                .suites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).build())) {
            List<String> out = sClient(echo, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0");
            assertThat(out).as(String.join("\n", out)).anyMatch(l -> l.contains("alert handshake failure"));
            assertServerSent(echo, "handshake_failure");
        }
    }

    @Test
    void anUnknownPskIdentityIsRefusedWithUnknownPskIdentity() throws IOException {
        try (TlsEcho echo = TlsEcho.start(TlsPskTest.psk(TlsPskTest.PSK, CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256))) {
            List<String> out = sClient(echo, "-tls1_2", "-psk_identity", "intruder", "-psk", PSK_HEX,
                    "-cipher", "ECDHE-PSK-CHACHA20-POLY1305");
            assertThat(out).as(String.join("\n", out)).anyMatch(l -> l.contains("alert unknown psk identity"));
            assertServerSent(echo, "unknown_psk_identity");
        }
    }

    /** The server cannot decrypt the client's Finished: bad_record_mac, which does not say whether the identity exists. */
    @Test
    void aWrongPskIsRefusedWithBadRecordMac() throws IOException {
        try (TlsEcho echo = TlsEcho.start(TlsPskTest.psk(TlsPskTest.PSK, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256))) {
            List<String> out = sClient(echo, "-tls1_2", "-psk_identity", "plant-7", "-psk", "0badc0ffee0badc0ffee0badc0ffee00",
                    "-cipher", "ECDHE-PSK-AES128-CBC-SHA256");
            assertThat(out).as(String.join("\n", out)).anyMatch(l -> l.contains("alert bad record mac"));
            assertServerSent(echo, "bad_record_mac");
        }
    }

    /** A real ClientHello record from our own client, to be altered. */
    static byte[] ourClientHello() throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TlsConnector connector = new TlsConnector(TlsPskTest.psk(TlsPskTest.PSK, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256));
            Thread client = Thread.ofVirtual().start(() -> {
                try {
                    connector.connect((InetSocketAddress) ss.getLocalSocketAddress(), WAIT).close();
                } catch (IOException expected) {
                    // We close the socket once we have the hello.
                }
            });
            try (Socket s = ss.accept()) {
                s.setSoTimeout((int) WAIT.toMillis());
                InputStream in = s.getInputStream();
                byte[] header = in.readNBytes(5);
                byte[] body = in.readNBytes(((header[3] & 0xFF) << 8) | (header[4] & 0xFF));
                byte[] record = new byte[5 + body.length];
                System.arraycopy(header, 0, record, 0, 5);
                System.arraycopy(body, 0, record, 5, body.length);
                assertThat(record[0]).as("handshake record").isEqualTo((byte) 22);
                assertThat(record[5]).as("client_hello").isEqualTo((byte) 1);
                return record;
            } finally {
                try {
                    client.join(WAIT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Sends {@code bytes} raw and returns what the server answers until it closes (fails if it does not close in time). */
    static byte[] sendRaw(TlsEcho echo, byte[] bytes, Duration closeWithin) throws IOException {
        try (Socket s = new Socket(echo.address().getAddress(), echo.address().getPort())) {
            s.setSoTimeout((int) closeWithin.toMillis());
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[1024];
            try {
                int n;
                while ((n = s.getInputStream().read(buf)) > 0) {
                    answer.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept the connection open longer than " + closeWithin, e);
            } catch (IOException reset) {
                // A reset after the alert is a close too.
            }
            return answer.toByteArray();
        }
    }

    @Test
    void anSslv3HelloIsRefusedWithProtocolVersion() throws IOException {
        byte[] hello = ourClientHello();
        hello[1] = 3;
        hello[2] = 0;
        // client_version follows the 4-byte handshake header.
        hello[9] = 3;
        hello[10] = 0;
        try (TlsEcho echo = ecServer()) {
            byte[] answer = sendRaw(echo, hello, Duration.ofSeconds(5));
            assertThat(answer).as("one fatal alert record").hasSize(7);
            assertThat(answer[0]).isEqualTo((byte) 21);
            assertThat(answer[5]).as("fatal").isEqualTo((byte) 2);
            assertThat(answer[6]).isEqualTo((byte) AlertDescription.protocol_version);
            assertServerSent(echo, "protocol_version");
        }
    }

    /**
     * An SSLv2-format CLIENT-HELLO (two-byte header with the top bit set, as very old clients send it
     * to offer TLS 1.0): not a TLS record, so the server refuses at once, long before its handshake
     * timeout. Whether it says so with an alert or only closes is up to the stack; it must not hang.
     */
    @Test
    void anSslv2HelloIsRefusedAtOnce() throws IOException {
        byte[] cipherSpecs = {0x01, 0x00, (byte) 0x80, 0x00, 0x00, 0x2F, 0x00, 0x00, 0x35};
        byte[] challenge = new byte[16];
        java.util.Arrays.fill(challenge, (byte) 0x5A);
        int bodyLength = 9 + cipherSpecs.length + challenge.length;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80 | (bodyLength >> 8));
        b.write(bodyLength & 0xFF);
        b.write(1); // CLIENT-HELLO
        b.write(3);
        b.write(1); // version 3.1, as compatible hellos carry it
        b.write(0);
        b.write(cipherSpecs.length);
        b.write(0);
        b.write(0); // no session id
        b.write(0);
        b.write(challenge.length);
        b.writeBytes(cipherSpecs);
        b.writeBytes(challenge);
        try (TlsEcho echo = TlsEcho.start(TlsPolicy.builder().identity(ec).handshakeTimeout(Duration.ofSeconds(30)).build())) {
            long start = System.nanoTime();
            byte[] answer = sendRaw(echo, b.toByteArray(), Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            if (answer.length > 0) {
                assertThat(answer[0]).as("an alert record").isEqualTo((byte) 21);
            }
            dev.cipsec.transport.Await.until(Duration.ofSeconds(10),
                    () -> echo.handler().stats().snapshot().failedTotal() == 1, "the refusal counted");
            assertThat(echo.handler().stats().snapshot().timedOut()).isZero();
        }
    }

    /** The helper above sees a real hello: a sanity check that the SSLv3 test alters what it means to. */
    @Test
    void ourClientHelloIsTls12() throws IOException {
        byte[] hello = ourClientHello();
        assertThat(new byte[]{hello[9], hello[10]}).containsExactly(3, 3);
    }
}
