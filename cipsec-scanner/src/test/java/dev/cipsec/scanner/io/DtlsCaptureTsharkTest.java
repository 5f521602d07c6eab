package dev.cipsec.scanner.io;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.Await;
import dev.cipsec.transport.dtls.LossyRelay;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.KeyLog;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.PeerTools;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our scanner and our adapter over DTLS, seen by Wireshark: with the scanner's key log tshark
 * decrypts the session, finds the Forward_Open and its reply in item 0x8003, dissects the I/O inside
 * as CIP I/O with the connection ids the Forward_Open set up, and finds the Forward_Close; no frame
 * is malformed. Without the key log nothing inside is readable.
 */
class DtlsCaptureTsharkTest {
    static final int CLIENT_PORT = 50_001;
    static final int DTLS_PORT = 2221;
    static final PskCredential PSK = PskCredential.of("capture", Bytes.fromHex("102132435465768798a9bacbdcedfe0f"));
    static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    static String hex32(long v) {
        return String.format("0x%08x", v);
    }

    @Test
    void tsharkDecryptsTheSessionAndDissectsTheForwardOpenAndTheIo() throws Exception {
        PeerTools.require("tshark");
        Path keys = dir.resolve("keys.log");
        TlsPolicy device = TlsPolicy.builder().psk(PSK).suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256).build();
        byte[] output = new byte[32];
        Arrays.fill(output, (byte) 0x3C);
        IoConnection c;
        List<LossyRelay.Datagram> wire;
        try (KeyLog keyLog = KeyLog.open(keys);
             CipDevice d = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(device)).onEphemeralPorts());
             LossyRelay relay = new LossyRelay(d.dtlsAddress(), 1);
             IoRuntime runtime = IoRuntime.create("capture")) {
            relay.recording.set(true);
            TlsPolicy scanner = TlsPolicy.builder().psk(PSK).suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256)
                    .keyLog(keyLog).build();
            try (DtlsTarget target = DtlsTarget.connect(new Target(relay.address().getHostString(), relay.address().getPort(), true),
                    ClientOptions.defaults().withTls(scanner))) {
                c = runtime.open(target, IoSettings.builder().rpi(Duration.ofMillis(10)).timeoutMultiplier(4)
                        .initialOutput(Bytes.of(output)).build(), null, null);
                IoConnection conn = c;
                Await.until(WAIT, () -> conn.stats().sent() >= 30 && conn.stats().received() >= 30, "0.3 s of I/O");
                conn.close();
                Await.until(WAIT, () -> d.dtlsIo().connectionCount() == 0, "Forward_Close took effect");
            }
            relay.recording.set(false);
            wire = List.copyOf(relay.log);
        }
        List<PcapWriter.Packet> packets = new ArrayList<>();
        for (LossyRelay.Datagram g : wire) {
            packets.add(g.upstream() ? PcapWriter.Packet.udp(CLIENT_PORT, DTLS_PORT, g.data())
                    : PcapWriter.Packet.udp(DTLS_PORT, CLIENT_PORT, g.data()));
        }
        Path pcap = dir.resolve("dtls-io.pcap");
        PcapWriter.write(pcap, packets);
        String[] decrypt = {"-o", "tls.keylog_file:" + keys, "-d", "udp.port==" + DTLS_PORT + ",dtls"};

        assertThat(Tshark.malformedCount(pcap, decrypt)).as(Tshark.verbose(pcap, decrypt)).isZero();
        List<Map<String, String>> fo = Tshark.fields(pcap, "cip.service == 0x54 || cip.service == 0xd4",
                List.of("frame.number", "cip.service", "cip.genstat", "cip.cm.ot_connid", "cip.cm.to_connid",
                        "cip.cm.fwo.transport", "cip.cm.otrpi"), decrypt);
        assertThat(fo).as(Tshark.verbose(pcap, decrypt)).extracting(f -> f.get("cip.service")).containsExactly("0x54", "0xd4");
        assertThat(fo.get(0)).containsEntry("cip.cm.fwo.transport", "1").containsEntry("cip.cm.otrpi", "10000")
                .containsEntry("cip.cm.to_connid", hex32(c.toConnectionId()));
        assertThat(fo.get(1)).containsEntry("cip.genstat", "0x00").containsEntry("cip.cm.ot_connid", hex32(c.otConnectionId()));

        int replyFrame = Integer.parseInt(fo.get(1).get("frame.number"));
        List<Map<String, String>> io = Tshark.fields(pcap, "cipio && frame.number > " + replyFrame,
                List.of("udp.dstport", "enip.cpf.sai.connid", "cip.32bitheader.run_idle", "cipio.data"), decrypt);
        List<Map<String, String>> ot = io.stream().filter(f -> f.get("udp.dstport").equals(Integer.toString(DTLS_PORT))).toList();
        List<Map<String, String>> to = io.stream().filter(f -> !f.get("udp.dstport").equals(Integer.toString(DTLS_PORT))).toList();
        assertThat(ot.size()).as("O->T datagrams decrypted").isGreaterThanOrEqualTo(30);
        assertThat(to.size()).as("T->O datagrams decrypted").isGreaterThanOrEqualTo(30);
        // tshark 4.0 does not link a Forward_Open carried in item 0x8003 to its connection (over UDP 2222
        // it does), so it shows the CIP sequence count and the run/idle header (run) as data before ours.
        assertThat(ot).allSatisfy(f -> assertThat(f).containsEntry("enip.cpf.sai.connid", hex32(c.otConnectionId()))
                .hasEntrySatisfying("cipio.data", v -> assertThat(v).matches("[0-9a-f]{4}01000000" + "3c".repeat(32))));
        assertThat(to).allSatisfy(f -> assertThat(f).containsEntry("enip.cpf.sai.connid", hex32(c.toConnectionId())));

        assertThat(Tshark.fields(pcap, "cip.service == 0x4e || cip.service == 0xce", List.of("cip.service", "cip.genstat"),
                decrypt)).extracting(f -> f.get("cip.service")).containsExactly("0x4e", "0xce");
        assertThat(Tshark.fields(pcap, "cipio || cip", List.of("frame.number"), "-d", "udp.port==" + DTLS_PORT + ",dtls"))
                .as("nothing readable without the key log").isEmpty();
    }
}
