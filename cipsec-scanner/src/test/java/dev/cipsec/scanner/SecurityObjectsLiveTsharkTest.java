package dev.cipsec.scanner;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.PskEntry;
import dev.cipsec.wire.security.PskList;
import dev.cipsec.wire.testkit.LiveCapture;
import dev.cipsec.wire.testkit.PeerTools;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Our scanner reads and writes the live security objects of our adapter over plain 44818 while tshark
 * captures: Wireshark's CIP Security dissectors (the fields of reference §10.1 that tshark 4.0 has)
 * decode every request and reply with the values the device holds, and find no malformed frame.
 */
class SecurityObjectsLiveTsharkTest {
    @TempDir
    Path dir;

    @Test
    void getsAndSetsOnTheSecurityObjectsDecodeInWireshark() throws Exception {
        Path tshark = PeerTools.require("tshark");
        Path pcap = dir.resolve("security.pcapng");
        int tcpPort;
        try (CipDevice device = startOnStandardPorts()) {
            String host = device.tcpAddress().getAddress().getHostAddress();
            tcpPort = device.tcpAddress().getPort();
            LiveCapture capture = LiveCapture.start(tshark, "host " + host + " and tcp port " + tcpPort, pcap);
            try (CipClient c = CipClient.connect(new Target(host, tcpPort, false), ClientOptions.defaults())) {
                List<MessageRouterResponse> replies = new ArrayList<>();
                replies.add(get(c, "0x5D/1/1"));
                replies.add(c.send(new MessageRouterRequest(0x01, EPath.classInstance(0x5D, 1), Bytes.EMPTY)));
                for (int a = 1; a <= 11; a++) {
                    replies.add(get(c, "0x5E/1/" + a));
                }
                replies.add(c.send(new MessageRouterRequest(0x4B, EPath.classInstance(0x5E, 1), Bytes.EMPTY)));
                replies.add(set(c, 4, CipherSuiteList.of(0xC02B, 0xC037).toBytes()));
                replies.add(set(c, 5, PskList.of(new PskEntry(Bytes.of("cell-7".getBytes()), Bytes.fromHex("00112233445566778899aabbccddeeff")))
                        .toBytes()));
                replies.add(set(c, 9, Bytes.of((byte) 1)));
                replies.add(get(c, "0x5E/1/4"));
                replies.add(get(c, "0x5E/1/5"));
                replies.add(get(c, "0x5E/1/9"));
                replies.add(c.send(new MessageRouterRequest(0x4E, EPath.classInstance(0x5E, 1), Bytes.EMPTY)));
                replies.add(get(c, "0x5F/0/8"));
                replies.add(get(c, "0x5F/0/9"));
                for (int a = 1; a <= 5; a++) {
                    replies.add(get(c, "0x5F/1/" + a));
                }
                assertThat(replies).allSatisfy(r -> assertThat(r.generalStatus()).as("%s", r).isZero());
            } finally {
                capture.stop();
            }
        }
        String[] decodeAs = {"-d", "tcp.port==" + tcpPort + ",enip"};
        if (Tshark.malformedCount(pcap, decodeAs) != 0) {
            fail("tshark finds malformed frames:\n" + Tshark.verbose(pcap, decodeAs));
        }
        List<Map<String, String>> frames = Tshark.fields(pcap, "cip", List.of("cip.security.state", "cip.eip_security.state",
                "cip.eip_security.capability_flags", "cip.eip_security.num_avail_cipher_suites", "cip.eip_security.allow_cipher_suite",
                "cip.eip_security.num_psk", "cip.eip_security.psk_identity", "cip.eip_security.psk_size",
                "cip.eip_security.num_active_certs", "cip.eip_security.verify_client_cert", "cip.eip_cert.capflags.push",
                "cip.eip_cert.num_certs", "cip.eip_cert.cert_name", "cip.eip_cert.name", "cip.eip_cert.state",
                "cip.eip_cert.device_cert.status", "cip.eip_cert.encoding"), decodeAs);
        assertThat(values(frames, "cip.security.state")).containsExactly("0", "0");
        assertThat(values(frames, "cip.eip_security.state")).containsExactly("0");
        assertThat(values(frames, "cip.eip_security.capability_flags")).containsExactly("0x00000001");
        assertThat(values(frames, "cip.eip_security.num_avail_cipher_suites")).containsExactly("13");
        // Factory default (the device's default suites), then the pending value read back in the session.
        assertThat(values(frames, "cip.eip_security.allow_cipher_suite")).endsWith("0xc02b,0xc037");
        assertThat(values(frames, "cip.eip_security.psk_identity")).contains(Bytes.of("cell-7".getBytes()).toHex());
        // Keys are write-only: the request carries 16 bytes, the read-back says 0.
        assertThat(values(frames, "cip.eip_security.psk_size")).contains("16", "0");
        assertThat(values(frames, "cip.eip_security.verify_client_cert")).contains("1");
        assertThat(values(frames, "cip.eip_security.num_active_certs")).containsExactly("1");
        assertThat(values(frames, "cip.eip_cert.capflags.push")).containsExactly("1");
        assertThat(values(frames, "cip.eip_cert.num_certs")).containsExactly("1");
        assertThat(values(frames, "cip.eip_cert.cert_name")).containsExactly("Default Device Certificate");
        assertThat(values(frames, "cip.eip_cert.name")).containsExactly("Default Device Certificate");
        assertThat(values(frames, "cip.eip_cert.state")).containsExactly("3");
        assertThat(values(frames, "cip.eip_cert.device_cert.status")).containsExactly("1");
        assertThat(values(frames, "cip.eip_cert.encoding")).containsExactly("0");
    }

    private static List<String> values(List<Map<String, String>> frames, String field) {
        return frames.stream().map(f -> f.get(field)).filter(v -> v != null && !v.isEmpty()).toList();
    }

    private static MessageRouterResponse get(CipClient c, String path) throws IOException {
        String[] p = path.split("/");
        return c.send(new MessageRouterRequest(0x0E, EPath.classInstanceAttribute(Integer.decode(p[0]), Long.parseLong(p[1]),
                Integer.parseInt(p[2])), Bytes.EMPTY));
    }

    private static MessageRouterResponse set(CipClient c, int attribute, Bytes value) throws IOException {
        return c.send(new MessageRouterRequest(0x10, EPath.classInstanceAttribute(0x5E, 1, attribute), value));
    }

    /** On 44818 of a random loopback address, so that Wireshark pairs requests and replies (see LiveCaptureTsharkTest). */
    private static CipDevice startOnStandardPorts() throws IOException {
        java.util.Random random = new java.util.Random();
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            InetAddress address = InetAddress.getByAddress(new byte[]{127, (byte) (100 + random.nextInt(100)),
                    (byte) random.nextInt(256), (byte) (1 + random.nextInt(254))});
            try {
                return CipDevice.start(DeviceProfile.defaults().withBinding(address, DeviceProfile.DEFAULT_PORT, -1)
                        .withSecurity(SecuritySettings.tls(TlsPolicy.builder().build()).withTlsPort(0)));
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }
}
