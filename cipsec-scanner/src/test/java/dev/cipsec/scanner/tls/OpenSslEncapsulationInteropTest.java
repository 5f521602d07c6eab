package dev.cipsec.scanner.tls;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.OpenSslProcess;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.RegisterSessionData;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.epath.EPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real encapsulation through OpenSSL's TLS, both ways: {@code s_client} carries a RegisterSession
 * and a Get_Attribute_Single to our adapter's 2221 listener; our scanner talks through
 * {@code s_server}, whose stdin/stdout this test bridges to the adapter's plain listener. So each
 * of our TLS ends meets a TLS stack nobody here wrote with EtherNet/IP inside, not just a handshake.
 */
class OpenSslEncapsulationInteropTest {
    static final PskCredential PSK = PskCredential.of("cell-9", Bytes.fromHex("a1b2c3d4e5f60718293a4b5c6d7e8f90"));
    static final Duration WAIT = Duration.ofSeconds(20);

    static byte[] registerSession() {
        return EncapsulationPacket.of(EncapsulationCommand.REGISTER_SESSION, 0, 0, 0x1122334455667788L,
                RegisterSessionData.DEFAULT.toBytes()).toBytes().toArray();
    }

    static byte[] getProductName(long session) {
        Bytes mr = new MessageRouterRequest(0x0E, EPath.parse("1/1/7"), Bytes.EMPTY).toBytes();
        return EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA, session, 0, 2, RrData.unconnected(5, mr).toBytes())
                .toBytes().toArray();
    }

    static EncapsulationPacket readFrame(InputStream in) throws Exception {
        byte[] header = in.readNBytes(24);
        assertThat(header).hasSize(24);
        int length = (header[2] & 0xFF) | (header[3] & 0xFF) << 8;
        byte[] frame = new byte[24 + length];
        System.arraycopy(header, 0, frame, 0, 24);
        byte[] body = in.readNBytes(length);
        assertThat(body).hasSize(length);
        System.arraycopy(body, 0, frame, 24, length);
        return EncapsulationPacket.decode(frame);
    }

    static String productName(EncapsulationPacket reply) throws Exception {
        RrData rr = RrData.decode(reply.data());
        WireReader r = RrData.unconnectedData(WireReader.of(rr.toBytes().toArray()), 2);
        MessageRouterResponse mr = MessageRouterResponse.decode(r);
        assertThat(mr.isSuccess()).as("%s", mr).isTrue();
        byte[] s = mr.data().toArray();
        return new String(s, 1, s[0] & 0xFF, StandardCharsets.US_ASCII);
    }

    /** s_client -> our adapter over TLS: both frames and both replies pass through openssl's pipes. */
    private void opensslClientSpeaksEnip(TlsPolicy policy, String... tlsArgs) throws Exception {
        try (CipDevice d = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(policy))
                .onEphemeralPorts())) {
            String[] args = new String[6 + tlsArgs.length];
            System.arraycopy(new String[]{"s_client", "-connect", "127.0.0.1:" + d.tlsAddress().getPort(), "-tls1_2",
                    "-quiet", "-no_ign_eof"}, 0, args, 0, 6);
            System.arraycopy(tlsArgs, 0, args, 6, tlsArgs.length);
            try (OpenSslProcess client = OpenSslProcess.startRaw(args)) {
                client.write(registerSession());
                EncapsulationPacket reg = readFrame(client.stdout());
                assertThat(reg.header().command()).isEqualTo(EncapsulationCommand.REGISTER_SESSION);
                assertThat(reg.header().status()).isZero();
                long session = reg.header().sessionHandle();
                assertThat(session).isNotZero();
                assertThat(reg.header().senderContext()).isEqualTo(0x1122334455667788L);

                client.write(getProductName(session));
                EncapsulationPacket reply = readFrame(client.stdout());
                assertThat(reply.header().command()).isEqualTo(EncapsulationCommand.SEND_RR_DATA);
                assertThat(productName(reply)).isEqualTo("cipsec adapter");
                client.closeStdin();
                assertThat(client.waitFor(WAIT)).as(String.join("\n", client.output())).isZero();
            }
            assertThat(d.tls().stats().snapshot().completed()).isEqualTo(1);
        }
    }

    @Test
    void opensslClientWithPsk() throws Exception {
        TlsPolicy policy = TlsPolicy.builder().psk(PSK).suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256).build();
        opensslClientSpeaksEnip(policy, "-psk_identity", "cell-9", "-psk", PSK.key().toHex(),
                "-cipher", "ECDHE-PSK-AES128-CBC-SHA256");
    }

    @Test
    void opensslClientWithCertificates(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create("enip");
        Identity server = pki.issueServer(KeyType.EC_P256, "adapter");
        Identity client = pki.issueClient(KeyType.EC_P256, "scanner");
        pki.writeTo(dir);
        TestPki.writeIdentity(dir, "client", client);
        TlsPolicy policy = TlsPolicy.builder().identity(server).suites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
                .peerVerifier(PeerVerifier.trusting(pki.trustStore(), false)).requireClientCertificate(true).build();
        opensslClientSpeaksEnip(policy, "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256",
                "-CAfile", dir.resolve("root.pem").toString(), "-verify_return_error",
                "-cert", dir.resolve("client.crt").toString(), "-key", dir.resolve("client.key").toString(),
                "-cert_chain", dir.resolve("intermediate.pem").toString());
    }

    @Test
    void ourScannerThroughOpensslServer(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create("bridge");
        Identity server = pki.issueServer(KeyType.EC_P256, "bridge");
        pki.writeTo(dir);
        TestPki.writeIdentity(dir, "server", server);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (CipDevice plain = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts());
             OpenSslProcess sServer = OpenSslProcess.startRaw("s_server", "-accept", "127.0.0.1:" + port, "-tls1_2",
                     "-cert", dir.resolve("server.crt").toString(), "-key", dir.resolve("server.key").toString(),
                     "-cert_chain", dir.resolve("intermediate.pem").toString(),
                     "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384", "-quiet", "-naccept", "1");
             Socket toAdapter = new Socket(InetAddress.getLoopbackAddress(), plain.tcpAddress().getPort())) {
            // The bridge: what s_server decrypts goes to the adapter's plain port, its answers back into s_server.
            Thread up = Thread.ofVirtual().start(() -> pump(sServer.stdout(), out(toAdapter)));
            Thread down = Thread.ofVirtual().start(() -> pump(in(toAdapter), sServer.stdinStream()));
            TlsPolicy policy = TlsPolicy.builder().suites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
                    .peerVerifier(PeerVerifier.trusting(pki.trustStore(), false)).build();
            try (CipClient c = connectWhenListening(new Target("127.0.0.1", port, true), ClientOptions.defaults().withTls(policy))) {
                assertThat(c.tlsSession().orElseThrow().suite()).isEqualTo(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
                assertThat(c.identity().productName()).isEqualTo("cipsec adapter");
                assertThat(c.getAttributeSingle(EPath.parse("1/1/1")).length()).isEqualTo(2);
            }
            assertThat(plain.sessionCount()).isLessThanOrEqualTo(1);
            up.interrupt();
            down.interrupt();
        }
    }

    /** s_server prints nothing under -quiet, not even that it listens: retry the connect until it does. */
    private static CipClient connectWhenListening(Target t, ClientOptions o) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return CipClient.connect(t, o);
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.onSpinWait();
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
        }
    }

    private static InputStream in(Socket s) {
        try {
            return s.getInputStream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static OutputStream out(Socket s) {
        try {
            return s.getOutputStream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void pump(InputStream in, OutputStream out) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // One side closed: the bridge ends.
        }
    }
}
