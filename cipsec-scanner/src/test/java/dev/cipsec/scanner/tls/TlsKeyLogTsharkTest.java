package dev.cipsec.scanner.tls;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.KeyLog;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.testkit.LiveCapture;
import dev.cipsec.wire.testkit.PeerTools;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * tshark decrypts a live capture of our scanner and our adapter on TCP 2221 with the scanner's NSS
 * key log (issue 6 interop): Wireshark hands port 2221 to TLS and the decrypted payload to its
 * EtherNet/IP dissector, which must find RegisterSession (0x65) and its reply, SendRRData (0x6F) both ways, UnRegisterSession (0x66) and the CIP
 * Get_Attribute_Single request and reply, with no malformed frame; without the key log it finds none.
 */
class TlsKeyLogTsharkTest {
    private static final int TLS_PORT = 2221;
    private static final TestPki PKI = TestPki.create("keylog");

    @TempDir
    Path dir;

    @Test
    void anEcdhePskChaChaSessionDecryptsWithTheKeyLog() throws Exception {
        CipherSuite suite = CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256;
        TlsPolicy policy = TlsPolicy.builder().psk(SecureExplicitMessagingTest.PSK).suites(suite).build();
        captureDecryptAndCheck(policy, policy, suite, true);
    }

    /**
     * ECDHE-PSK with AES-128-GCM (0xD001, RFC 8442): Wireshark 4.0 names the suite but has no
     * decoder for it ("ssl_set_cipher can't find cipher suite 0xD001" in its TLS debug log), so it
     * cannot decrypt; the key log line is written all the same, and a newer tshark that decrypts
     * must find the same frames as for the other suites.
     */
    @Test
    void anEcdhePskGcmSessionWritesItsKeyLogLine() throws Exception {
        CipherSuite suite = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;
        TlsPolicy policy = TlsPolicy.builder().psk(SecureExplicitMessagingTest.PSK).suites(suite).build();
        captureDecryptAndCheck(policy, policy, suite, false);
    }

    /** CBC with encrypt-then-MAC, which Wireshark must also handle to decrypt. */
    @Test
    void anEcdsaCertificateCbcSessionDecryptsWithTheKeyLog() throws Exception {
        CipherSuite suite = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256;
        TlsPolicy server = TlsPolicy.builder().identity(PKI.issueServer(KeyType.EC_P256, "keylog-adapter")).suites(suite).build();
        TlsPolicy client = TlsPolicy.builder().peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false)).suites(suite).build();
        captureDecryptAndCheck(server, client, suite, true);
    }

    /** {@code mustDecrypt} false: tshark may lack a decoder for the suite, but what it decodes must be right. */
    private void captureDecryptAndCheck(TlsPolicy serverPolicy, TlsPolicy clientPolicy, CipherSuite suite,
                                        boolean mustDecrypt) throws Exception {
        Path tshark = PeerTools.require("tshark");
        Path pcap = dir.resolve("tls-live.pcapng");
        Path keys = dir.resolve("keys.log");
        String host;
        try (KeyLog keyLog = KeyLog.open(keys); CipDevice device = startOnPort2221(serverPolicy)) {
            host = device.tlsAddress().getAddress().getHostAddress();
            assertThat(device.tlsAddress().getPort()).isEqualTo(TLS_PORT);
            try (LiveCapture capture = LiveCapture.start(tshark, "host " + host + " and tcp port " + TLS_PORT, pcap)) {
                try (CipClient client = CipClient.connect(new Target(host, TLS_PORT, true),
                        ClientOptions.defaults().withTls(clientPolicy.toBuilder().keyLog(keyLog).build()))) {
                    assertThat(client.tlsSession()).hasValueSatisfying(info -> assertThat(info.suite()).isEqualTo(suite));
                    Bytes name = client.getAttributeSingle(EPath.parse("1/1/7"));
                    assertThat(name.length()).isPositive();
                }
                capture.stop();
            }
        }
        assertThat(Files.readAllLines(keys)).singleElement().asString().startsWith("CLIENT_RANDOM ");

        assertThat(Tshark.fields(pcap, "enip || cip", List.of("frame.number")))
                .as("without the key log nothing is readable").isEmpty();
        assertThat(Tshark.fields(pcap, "tls.app_data", List.of("frame.number"))).as("only encrypted records").isNotEmpty();

        String keyLogOption = "tls.keylog_file:" + keys;
        if (Tshark.malformedCount(pcap, "-o", keyLogOption) != 0) {
            fail("tshark finds malformed frames:\n" + Tshark.verbose(pcap, "-o", keyLogOption));
        }
        List<Map<String, String>> decrypted = Tshark.fields(pcap, "enip", List.of("tls.record.content_type",
                "enip.command", "enip.session", "cip.service", "cip.class", "cip.attribute"), "-o", keyLogOption);
        assertThat(Tshark.fields(pcap, "tls.handshake.ciphersuite", List.of("tls.handshake.ciphersuite")))
                .extracting(f -> f.get("tls.handshake.ciphersuite")).contains(String.format("0x%04x", suite.id()));
        if (!mustDecrypt && decrypted.isEmpty()) {
            return;
        }
        List<String> commands = decrypted.stream().map(f -> f.get("enip.command")).toList();
        assertThat(commands).as(tsharkSays(pcap, keyLogOption)).containsExactly("0x0065", "0x0065", "0x006f", "0x006f", "0x0066");
        List<String> services = decrypted.stream().map(f -> f.get("cip.service")).filter(s -> !s.isEmpty()).toList();
        assertThat(services).containsExactly("0x0e", "0x8e");
        assertThat(decrypted).anySatisfy(f -> assertThat(f).containsEntry("cip.service", "0x0e")
                .containsEntry("cip.class", "0x01").containsEntry("cip.attribute", "7"));
        // Every EtherNet/IP frame was carried in a TLS application_data record (content type 23).
        assertThat(decrypted).allSatisfy(f -> assertThat(f.get("tls.record.content_type")).contains("23"));
    }

    private static String tsharkSays(Path pcap, String keyLogOption) {
        try {
            return Tshark.verbose(pcap, "-o", keyLogOption);
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }

    /**
     * Wireshark knows EtherNet/IP over TLS by port 2221, so the device listens there, on a random
     * loopback address of its own to stay clear of other tests (the capture filter names it).
     */
    private static CipDevice startOnPort2221(TlsPolicy policy) throws IOException {
        Random random = new Random();
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            InetAddress address = InetAddress.getByAddress(new byte[]{127, 77, (byte) (100 + random.nextInt(100)),
                    (byte) (1 + random.nextInt(254))});
            try {
                return CipDevice.start(DeviceProfile.defaults().withBinding(address, 0, 0)
                        .withSecurity(SecuritySettings.tls(policy).withTlsPort(TLS_PORT).withPlainTcp(false)));
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }
}
