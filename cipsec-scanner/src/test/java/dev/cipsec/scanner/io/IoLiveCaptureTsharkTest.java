package dev.cipsec.scanner.io;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.testkit.Await;
import dev.cipsec.wire.testkit.LiveCapture;
import dev.cipsec.wire.testkit.PeerTools;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Our scanner opens a class 1 exclusive-owner connection to our adapter, exchanges data for about
 * half a second and closes it, captured live by tshark (issue 5, interop): Wireshark decodes the
 * Forward_Open, its reply, the class 1 datagrams both ways (linked to the Forward_Open, so with
 * sequence count and run/idle header) and the Forward_Close, and finds nothing malformed.
 */
class IoLiveCaptureTsharkTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ENIP_PORT = 44818;
    private static final int IO_PORT = 2222;

    @TempDir
    Path dir;

    @Test
    void classOneExchangeBetweenOurScannerAndOurAdapterDecodes() throws Exception {
        Path tshark = PeerTools.require("tshark");
        Path pcap = dir.resolve("io-live.pcapng");
        IoConnection c;
        String host;
        try (CipDevice device = startOnStandardPorts(); IoRuntime runtime = IoRuntime.create("tshark-io")) {
            host = device.tcpAddress().getAddress().getHostAddress();
            assertThat(device.ioAddress().getPort()).isEqualTo(IO_PORT);
            try (LiveCapture capture = LiveCapture.start(tshark,
                    "host " + host + " and (tcp port " + ENIP_PORT + " or udp port " + IO_PORT + ")", pcap);
                 CipClient client = CipClient.connect(new Target(host, ENIP_PORT, false), ClientOptions.defaults())) {
                device.assembly(100).write(Bytes.of(pattern(32, 1)));
                // The scanner's T->O port is ephemeral (announced in the Sockaddr item): 2222 on the scanner's
                // address could be taken by another test on this host.
                c = runtime.open(client, IoSettings.builder().rpi(Duration.ofMillis(10)).timeoutMultiplier(3)
                        .localPort(0).build(), null, null);
                IoConnection conn = c;
                for (int round = 0; round < 5; round++) {
                    byte[] out = pattern(32, 10 + round);
                    byte[] in = pattern(32, 100 + round);
                    conn.setOutput(out);
                    device.assembly(100).write(Bytes.of(in));
                    Await.until(WAIT, () -> Arrays.equals(device.assembly(150).data().toArray(), out), "O->T data round " + round);
                    Await.until(WAIT, () -> conn.latestInput().map(v -> Arrays.equals(v, in)).orElse(false),
                            "T->O data round " + round);
                }
                Await.until(WAIT, () -> conn.stats().sent() >= 50 && conn.stats().received() >= 50, "about 0.5 s of I/O");
                conn.close();
                Await.until(WAIT, () -> device.ioConnectionCount() == 0, "Forward_Close took effect");
                capture.stop();
            }
        }

        // No "decode as": UDP 2222 on the adapter's end is what makes Wireshark dissect (and link)
        // class 1 datagrams both ways. Decoding the scanner's port as "enip" would be wrong: that
        // is the encapsulation dissector, not the I/O one.
        if (Tshark.malformedCount(pcap) != 0) {
            fail("tshark finds malformed frames:\n" + Tshark.verbose(pcap));
        }

        List<Map<String, String>> fo = Tshark.fields(pcap, "cip.service == 0x54 || cip.service == 0xd4",
                List.of("frame.number", "cip.service", "cip.genstat", "cip.cm.ot_connid", "cip.cm.to_connid", "cip.cm.conn_serial_num",
                        "cip.cm.otrpi", "cip.cm.torpi", "cip.cm.otapi", "cip.cm.toapi", "cip.cm.fwo.consize",
                        "cip.cm.fwo.transport", "enip.sinport"));
        assertThat(fo).as("Forward_Open request and reply").hasSize(2);
        Map<String, String> request = fo.get(0);
        Map<String, String> reply = fo.get(1);
        String serial = String.format("0x%04x", c.triad().connectionSerial());
        assertThat(request).containsEntry("cip.service", "0x54")
                .containsEntry("cip.cm.to_connid", hex32(c.toConnectionId()))
                .containsEntry("cip.cm.conn_serial_num", serial)
                .containsEntry("cip.cm.otrpi", "10000").containsEntry("cip.cm.torpi", "10000")
                .containsEntry("cip.cm.fwo.consize", "38,34")
                .containsEntry("cip.cm.fwo.transport", "1")
                .containsEntry("enip.sinport", Integer.toString(c.localPort()));
        assertThat(reply).containsEntry("cip.service", "0xd4").containsEntry("cip.genstat", "0x00")
                .containsEntry("cip.cm.ot_connid", hex32(c.otConnectionId()))
                .containsEntry("cip.cm.to_connid", hex32(c.toConnectionId()))
                .containsEntry("cip.cm.conn_serial_num", serial)
                .containsEntry("cip.cm.otapi", "10000").containsEntry("cip.cm.toapi", "10000")
                .containsEntry("enip.sinport", Integer.toString(IO_PORT));

        // The adapter starts producing while it answers, so its first T->O datagram can reach the
        // wire before the Forward_Open reply; Wireshark cannot link that one (nor can the scanner,
        // which drops it as an unknown connection). Everything after the reply must be linked.
        int replyFrame = Integer.parseInt(reply.get("frame.number"));
        List<Map<String, String>> io = Tshark.fields(pcap, "udp && enip.cpf.sai.connid && frame.number > " + replyFrame,
                List.of("udp.dstport",
                "enip.cpf.sai.connid", "enip.cpf.sai.seq", "cip.seq", "cip.32bitheader.run_idle", "cipio.data"));
        List<Map<String, String>> ot = io.stream().filter(f -> f.get("udp.dstport").equals(Integer.toString(IO_PORT))).toList();
        List<Map<String, String>> to = io.stream().filter(f -> !f.get("udp.dstport").equals(Integer.toString(IO_PORT))).toList();
        assertThat(ot.size()).as("O->T datagrams").isGreaterThanOrEqualTo(50);
        assertThat(to.size()).as("T->O datagrams").isGreaterThanOrEqualTo(50);
        assertThat(ot).allSatisfy(f -> assertThat(f).containsEntry("enip.cpf.sai.connid", hex32(c.otConnectionId()))
                .hasEntrySatisfying("cip.32bitheader.run_idle", v -> assertThat(Long.decode(v)).isEqualTo(1)));
        assertThat(to).allSatisfy(f -> assertThat(f).containsEntry("enip.cpf.sai.connid", hex32(c.toConnectionId()))
                .containsEntry("cip.32bitheader.run_idle", ""));
        assertIncreasing(ot, "enip.cpf.sai.seq", false);
        assertIncreasing(to, "enip.cpf.sai.seq", false);
        // The CIP sequence count moves with new data only: it never goes back, and it moved at least
        // once per round.
        assertIncreasing(ot, "cip.seq", true);
        assertIncreasing(to, "cip.seq", true);
        assertThat(ot.stream().map(f -> f.get("cip.seq")).distinct().count()).isGreaterThanOrEqualTo(5);
        assertThat(to.stream().map(f -> f.get("cip.seq")).distinct().count()).isGreaterThanOrEqualTo(5);
        assertThat(ot).anySatisfy(f -> assertThat(f.get("cipio.data")).isEqualTo(hex(pattern(32, 14))));

        List<Map<String, String>> fc = Tshark.fields(pcap, "cip.service == 0x4e || cip.service == 0xce",
                List.of("cip.service", "cip.genstat", "cip.cm.conn_serial_num"));
        assertThat(fc).extracting(f -> f.get("cip.service")).containsExactly("0x4e", "0xce");
        assertThat(fc).allSatisfy(f -> assertThat(f).containsEntry("cip.cm.conn_serial_num", serial));
        assertThat(fc.get(1)).containsEntry("cip.genstat", "0x00");
        Files.deleteIfExists(pcap);
    }

    private static void assertIncreasing(List<Map<String, String>> frames, String field, boolean allowEqual) {
        long previous = -1;
        for (Map<String, String> f : frames) {
            String v = f.get(field);
            assertThat(v).as(field).isNotEmpty();
            long n = Long.decode(v);
            if (allowEqual) {
                assertThat(n).as(field).isGreaterThanOrEqualTo(previous);
            } else {
                assertThat(n).as(field).isGreaterThan(previous);
            }
            previous = n;
        }
    }

    /**
     * Wireshark pairs EtherNet/IP requests and replies by port 44818 and treats UDP 2222 as class
     * 0/1 I/O, so the device uses both standard ports, on a random loopback address of its own to
     * stay clear of other tests (the capture filter names that address).
     */
    private static CipDevice startOnStandardPorts() throws IOException {
        Random random = new Random();
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            InetAddress address = InetAddress.getByAddress(new byte[]{127, (byte) (100 + random.nextInt(100)),
                    (byte) random.nextInt(256), (byte) (1 + random.nextInt(254))});
            try {
                return CipDevice.start(DeviceProfile.defaults().withBinding(address, ENIP_PORT, ENIP_PORT));
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + 7 * i);
        }
        return b;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }

    private static String hex32(long v) {
        return String.format("0x%08x", v);
    }
}
