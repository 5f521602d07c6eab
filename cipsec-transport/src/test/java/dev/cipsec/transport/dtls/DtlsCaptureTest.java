package dev.cipsec.transport.dtls;

import dev.cipsec.transport.dtls.DtlsStats.Drop;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.KeyLog;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.testkit.Fixtures;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.PcapWriter.Packet;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static dev.cipsec.transport.dtls.DtlsEcho.LOOPBACK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session seen from the wire, through a relay between our client and server: a tampered record
 * is dropped and counted while the session carries on, and the key log lets tshark decrypt the
 * capture and hand the payload to its EtherNet/IP I/O dissector.
 */
class DtlsCaptureTest {
    static final int CLIENT_PORT = 50_000;
    static final int SERVER_PORT = 2221;

    @TempDir
    Path dir;

    @Test
    void aTamperedRecordIsDroppedAndTheKeyLogDecryptsTheCapture() throws Exception {
        CipherSuite suite = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256;
        Path keys = dir.resolve("keys.log");
        byte[] io = Fixtures.frame("opener-io-exclusive-owner.hex", 10).payload();
        try (KeyLog keyLog = KeyLog.open(keys);
             DtlsEcho echo = DtlsEcho.start(TlsPolicy.builder().psk(DtlsEcho.PSK).suites(suite).keyLog(keyLog).build());
             Relay relay = new Relay(echo.address())) {
            DtlsEcho.Inbox inbox = new DtlsEcho.Inbox();
            try (DtlsClientPort client = DtlsEcho.client(relay.address(), DtlsEcho.psk(suite), inbox)) {
                client.send(io, 0, io.length, relay.address());
                assertThat(inbox.next().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo(io);

                byte[] tampered = relay.lastToServer(DtlsRecords.APPLICATION_DATA).clone();
                tampered[tampered.length - 1] ^= 0x01;
                relay.injectToServer(tampered);
                DtlsEcho.await(() -> echo.port.dtlsStats().drops(Drop.DECRYPT_FAILURE) == 1, "the tampered record counted");

                client.send(io, 0, io.length, relay.address());
                assertThat(inbox.next().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo(io);
                assertThat(echo.port.stats().received()).isEqualTo(2);
            }

            List<String> lines = Files.readAllLines(keys);
            assertThat(lines).singleElement().asString().matches("CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}");

            Path pcap = dir.resolve("dtls.pcap");
            PcapWriter.write(pcap, relay.packets());
            String keyArg = "tls.keylog_file:" + keys;
            List<Map<String, String>> rows = Tshark.fields(pcap, "cipio", List.of("frame.number", "enip.cpf.sai.connid",
                    "cipio.data"), "-o", keyArg, "-d", "udp.port==" + SERVER_PORT + ",dtls");
            assertThat(rows).as(Tshark.verbose(pcap, "-o", keyArg)).hasSize(4);
            assertThat(rows).allSatisfy(r -> {
                assertThat(r.get("enip.cpf.sai.connid")).isEqualTo("0x26e70013");
                // Without the Forward_Open in the capture, tshark counts the sequence count and the
                // run/idle header as data: the application data is its tail.
                assertThat(r.get("cipio.data")).endsWith("01070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9");
            });
            // Without the key log, nothing inside is readable.
            assertThat(Tshark.fields(pcap, "cipio", List.of("frame.number"))).isEmpty();
        }
    }

    /**
     * Forwards datagrams between one client and the server, recording them as if between UDP
     * {@value #CLIENT_PORT} and {@value #SERVER_PORT}. The server sees the relay's own socket as the peer.
     */
    static final class Relay implements AutoCloseable {
        private final DatagramSocket front = new DatagramSocket(LOOPBACK);
        private final DatagramSocket back = new DatagramSocket(LOOPBACK);
        private final InetSocketAddress server;
        private final List<Packet> packets = new ArrayList<>();
        private volatile InetSocketAddress client;

        Relay(InetSocketAddress server) throws IOException {
            this.server = server;
            Thread.ofVirtual().start(() -> pump(front, true));
            Thread.ofVirtual().start(() -> pump(back, false));
        }

        InetSocketAddress address() {
            return (InetSocketAddress) front.getLocalSocketAddress();
        }

        private void pump(DatagramSocket from, boolean toServer) {
            byte[] buf = new byte[65_535];
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    from.receive(p);
                    byte[] d = Arrays.copyOf(buf, p.getLength());
                    if (toServer) {
                        client = (InetSocketAddress) p.getSocketAddress();
                        record(Packet.udp(CLIENT_PORT, SERVER_PORT, d));
                        back.send(new DatagramPacket(d, d.length, server));
                    } else {
                        record(Packet.udp(SERVER_PORT, CLIENT_PORT, d));
                        front.send(new DatagramPacket(d, d.length, client));
                    }
                }
            } catch (IOException e) {
                // Closed.
            }
        }

        private synchronized void record(Packet p) {
            packets.add(p);
        }

        synchronized List<Packet> packets() {
            return List.copyOf(packets);
        }

        synchronized byte[] lastToServer(int contentType) {
            for (int i = packets.size() - 1; i >= 0; i--) {
                Packet p = packets.get(i);
                if (p.dstPort() == SERVER_PORT && (p.payload()[0] & 0xFF) == contentType) {
                    return p.payload();
                }
            }
            throw new AssertionError("no record of type " + contentType + " sent to the server: "
                    + packets.stream().map(p -> HexFormat.of().formatHex(p.payload(), 0, 1)).toList());
        }

        void injectToServer(byte[] d) throws IOException {
            back.send(new DatagramPacket(d, d.length, server));
        }

        @Override
        public void close() {
            front.close();
            back.close();
        }
    }
}
