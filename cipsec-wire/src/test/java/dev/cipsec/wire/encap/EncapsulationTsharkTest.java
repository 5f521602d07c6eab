package dev.cipsec.wire.encap;

import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bytes we encode, read by an independent decoder: {@link EncodedSamples} written to a pcap on
 * TCP/UDP 44818 and dissected by tshark. Also pins those bytes to
 * {@code fixtures/encap/cipsec-encoded.hex} (extracted from that pcap by tshark; see its README).
 */
class EncapsulationTsharkTest {

    static final List<String> FIELDS = List.of("frame.number", "enip.command", "enip.length", "enip.session",
            "enip.status", "enip.context", "enip.listid_delay", "enip.options", "enip.rs.version", "enip.rs.flags",
            "enip.srrd.iface", "enip.sud.iface", "enip.timeout", "enip.cpf.itemcount", "enip.cpf.typeid",
            "enip.cpf.length", "enip.cpf.cai.connid", "cip.service", "cip.class", "cip.instance", "cip.attribute",
            "cip.genstat", "enip.encapver", "enip.sinfamily", "enip.sinport", "enip.sinaddr", "enip.lir.vendor",
            "enip.lir.devtype", "enip.lir.prodcode", "enip.lir.revision", "enip.lir.status", "enip.lir.serial",
            "enip.lir.namelen", "enip.lir.name", "enip.lir.state", "enip.security_profiles", "enip.cip_security_state",
            "enip.eip_security_state", "enip.iana_port_state_flags", "enip.lsr.capaflags", "enip.lsr.capaflags.tcp",
            "enip.lsr.capaflags.udp", "enip.lsr.servicename");

    static List<EncodedSamples.Sample> samples;
    static Path pcap;
    static List<Map<String, String>> rows;

    @BeforeAll
    static void dissect(@TempDir Path dir) throws Exception {
        samples = EncodedSamples.all();
        pcap = dir.resolve("cipsec-encoded.pcap");
        PcapWriter.write(pcap, samples.stream().map(EncodedSamples.Sample::pcapPacket).toList());
        rows = Tshark.fields(pcap, null, FIELDS);
    }

    Map<String, String> frame(String sampleName) {
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).name().equals(sampleName)) {
                return rows.get(i);
            }
        }
        throw new IllegalArgumentException(sampleName);
    }

    @Test
    void noFrameIsMalformed() throws Exception {
        assertThat(Tshark.malformedCount(pcap)).as(Tshark.verbose(pcap)).isZero();
        assertThat(rows).hasSize(samples.size());
    }

    @Test
    void everyHeaderReadsAsWeWroteIt() {
        for (int i = 0; i < samples.size(); i++) {
            EncapsulationHeader h = samples.get(i).packet().header();
            Map<String, String> row = rows.get(i);
            assertThat(row.get("frame.number")).isEqualTo(String.valueOf(i + 1));
            assertThat(row.get("enip.command")).as(samples.get(i).name()).isEqualTo(String.format("0x%04x", h.command()));
            assertThat(row.get("enip.length")).isEqualTo(String.valueOf(h.length()));
            assertThat(row.get("enip.session")).isEqualTo(String.format("0x%08x", h.sessionHandle()));
            assertThat(row.get("enip.status")).isEqualTo(String.format("0x%08x", h.status()));
            assertThat(row.get("enip.options")).isEqualTo("0x00000000");
        }
    }

    @Test
    void registerSession() {
        Map<String, String> req = frame("register-session-request");
        assertThat(req.get("enip.rs.version")).isEqualTo("1");
        assertThat(req.get("enip.rs.flags")).isEqualTo("0x0000");
        assertThat(req.get("enip.context")).isEqualTo("6369707365633031"); // "cipsec01"
        assertThat(frame("register-session-reply").get("enip.session")).isEqualTo("0x12345678");
        Map<String, String> refused = frame("unsupported-version-reply");
        assertThat(refused.get("enip.status")).isEqualTo("0x00000069");
        assertThat(refused.get("enip.rs.version")).isEqualTo("1");
    }

    @Test
    void sendRrDataCarriesGetAttributeSingle() {
        Map<String, String> req = frame("send-rr-data-get-attribute-single");
        assertThat(req.get("enip.srrd.iface")).isEqualTo("0x00000000");
        assertThat(req.get("enip.timeout")).isEqualTo("10");
        assertThat(req.get("enip.cpf.itemcount")).isEqualTo("2");
        assertThat(req.get("enip.cpf.typeid")).isEqualTo("0x0000,0x00b2");
        assertThat(req.get("enip.cpf.length")).isEqualTo("0,8");
        assertThat(req.get("cip.service")).isEqualTo("0x0e");
        assertThat(req.get("cip.class")).isEqualTo("0x01");
        assertThat(req.get("cip.instance")).isEqualTo("0x01");
        assertThat(req.get("cip.attribute")).isEqualTo("7");
        Map<String, String> rsp = frame("send-rr-data-reply");
        assertThat(rsp.get("cip.service")).isEqualTo("0x8e");
        assertThat(rsp.get("cip.genstat")).isEqualTo("0x00");
    }

    @Test
    void sendUnitDataCarriesConnectedItems() {
        Map<String, String> req = frame("send-unit-data-request");
        assertThat(req.get("enip.sud.iface")).isEqualTo("0x00000000");
        assertThat(req.get("enip.cpf.typeid")).isEqualTo("0x00a1,0x00b1");
        assertThat(req.get("enip.cpf.length")).isEqualTo("4,10");
        assertThat(req.get("enip.cpf.cai.connid")).isEqualTo("0x26e70013");
        assertThat(req.get("cip.service")).isEqualTo("0x0e");
        assertThat(req.get("cip.class")).isEqualTo("0x01");
        assertThat(req.get("cip.attribute")).isEqualTo("1");
        Map<String, String> rsp = frame("send-unit-data-reply");
        assertThat(rsp.get("enip.cpf.cai.connid")).isEqualTo("0x84786cf1");
        assertThat(rsp.get("cip.service")).isEqualTo("0x8e");
        assertThat(rsp.get("cip.genstat")).isEqualTo("0x00");
    }

    @Test
    void listIdentityRequestsCarryTheResponseDelay() {
        assertThat(frame("list-identity-request-tcp").get("enip.listid_delay")).isEqualTo("0");
        assertThat(frame("list-identity-request-udp").get("enip.listid_delay")).isEqualTo("500");
    }

    @Test
    void listIdentityRepliesWithFiveAndSevenByteSecurityItems() {
        for (String name : List.of("list-identity-reply-tcp-security-5", "list-identity-reply-udp-security-7")) {
            Map<String, String> r = frame(name);
            boolean seven = name.endsWith("7");
            assertThat(r.get("enip.cpf.itemcount")).as(name).isEqualTo("2");
            assertThat(r.get("enip.cpf.typeid")).isEqualTo("0x000c,0x0086");
            assertThat(r.get("enip.cpf.length")).isEqualTo(seven ? "48,7" : "48,5");
            assertThat(r.get("enip.encapver")).isEqualTo("1");
            assertThat(r.get("enip.sinfamily")).isEqualTo("2");
            assertThat(r.get("enip.sinport")).isEqualTo("44818");
            assertThat(r.get("enip.sinaddr")).isEqualTo("192.168.1.10");
            assertThat(r.get("enip.lir.vendor")).isEqualTo("0xfffe");
            assertThat(r.get("enip.lir.devtype")).isEqualTo("12");
            assertThat(r.get("enip.lir.prodcode")).isEqualTo("4242");
            assertThat(r.get("enip.lir.revision")).isEqualTo(String.valueOf(1 << 8 | 7)); // shown as "1.07"
            assertThat(r.get("enip.lir.status")).isEqualTo("0x0030");
            assertThat(r.get("enip.lir.serial")).isEqualTo("0x00c0ffee");
            assertThat(r.get("enip.lir.namelen")).isEqualTo("14");
            assertThat(r.get("enip.lir.name")).isEqualTo("cipsec adapter");
            assertThat(r.get("enip.lir.state")).isEqualTo("0x03");
            assertThat(r.get("enip.security_profiles")).isEqualTo(seven ? "0x0012" : "0x0002");
            assertThat(r.get("enip.cip_security_state")).isEqualTo("3");
            assertThat(r.get("enip.eip_security_state")).isEqualTo("2");
            assertThat(r.get("enip.iana_port_state_flags")).isEqualTo(seven ? "0x19" : "0x0b");
        }
    }

    @Test
    void listServicesReply() {
        Map<String, String> r = frame("list-services-reply");
        assertThat(r.get("enip.cpf.typeid")).isEqualTo("0x0100");
        assertThat(r.get("enip.cpf.length")).isEqualTo("20");
        assertThat(r.get("enip.lsr.capaflags")).isEqualTo("0x0120");
        assertThat(r.get("enip.lsr.capaflags.tcp")).isEqualTo("1");
        assertThat(r.get("enip.lsr.capaflags.udp")).isEqualTo("1");
        assertThat(r.get("enip.lsr.servicename")).isEqualTo("Communications");
    }

    @Test
    void headerOnlyErrorReplies() {
        Map<String, String> unknown = frame("unknown-command-reply");
        assertThat(unknown.get("enip.command")).isEqualTo("0x00fe");
        assertThat(unknown.get("enip.status")).isEqualTo("0x00000001");
        assertThat(unknown.get("enip.length")).isEqualTo("0");
        Map<String, String> badSession = frame("invalid-session-reply");
        assertThat(badSession.get("enip.status")).isEqualTo("0x00000064");
        assertThat(badSession.get("enip.session")).isEqualTo("0x5a5a0000");
        assertThat(badSession.get("enip.cpf.itemcount")).isEmpty();
    }

    @Test
    void encodedBytesMatchTheCheckedInGolden() throws Exception {
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/encap/cipsec-encoded.hex")) {
            assertThat(in).isNotNull();
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
        assertThat(lines).hasSize(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            EncodedSamples.Sample s = samples.get(i);
            String[] f = lines.get(i).split("\t");
            assertThat(f[0]).isEqualTo(String.valueOf(i + 1));
            assertThat(f[1]).isEqualTo(s.toAdapter() ? "to-adapter" : "from-adapter");
            assertThat(f[2]).isEqualTo(s.tcp() ? "tcp" : "udp");
            assertThat(f[3]).as(s.name()).isEqualTo(s.packet().toBytes().toHex());
            // and our decoders read the golden back to the same values
            EncapsulationPacket back = EncapsulationPacket.decode(java.util.HexFormat.of().parseHex(f[3]));
            assertThat(back).isEqualTo(s.packet());
            if (back.header().command() == EncapsulationCommand.LIST_IDENTITY && back.header().length() > 0) {
                assertThat(CpfPacket.decode(back.data()).items())
                        .contains(EncodedSamples.IDENTITY).containsAnyOf(EncodedSamples.SECURITY_5, EncodedSamples.SECURITY_7);
            }
        }
    }
}
