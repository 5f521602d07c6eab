package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.SendRRDataFrames;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.testkit.PcapWriter;
import dev.cipsec.wire.testkit.PcapWriter.Packet;
import dev.cipsec.wire.testkit.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attribute values our codecs write, carried in Get_Attribute_Single / Get_Attributes_All replies
 * and Set_Attribute_Single requests, read back by tshark 4.0.17 (reference §10.1 fields marked
 * "4.0"). Each request travels with its reply, because Wireshark decodes a reply's attribute only
 * when it has seen the request that named it.
 */
class SecurityTsharkTest {
    static final int CIP_SECURITY = 0x5D;
    static final int EIP_SECURITY = 0x5E;
    static final int CERT_MGMT = 0x5F;

    static final List<String> FIELDS = List.of("frame.number", "cip.service", "cip.genstat", "cip.class", "cip.instance",
            "cip.attribute", "cip.security.state", "cip.eip_security.state", "cip.eip_security.capability_flags",
            "cip.eip_security.capability_flags.secure_renegotiation", "cip.eip_security.num_avail_cipher_suites",
            "cip.eip_security.avail_cipher_suite", "cip.eip_security.num_allow_cipher_suites",
            "cip.eip_security.allow_cipher_suite", "cip.eip_security.num_psk", "cip.eip_security.psk_identity_size",
            "cip.eip_security.psk_identity", "cip.eip_security.psk_size", "cip.eip_security.psk",
            "cip.eip_security.num_active_certs", "cip.eip_security.num_trusted_auths",
            "cip.eip_security.verify_client_cert", "cip.eip_security.send_cert_chain",
            "cip.eip_security.check_expiration", "cip.eip_cert.name", "cip.eip_cert.state", "cip.eip_cert.encoding",
            "cip.eip_cert.device_cert.status", "cip.eip_cert.ca_cert.status", "cip.eip_cert.capflags",
            "cip.eip_cert.capflags.push", "cip.eip_cert.num_certs", "cip.eip_cert.cert_name", "cip.path_len",
            "cip.data");

    static final CipherSuiteList AVAILABLE = CipherSuiteList.of(0xC02B, 0xC023, 0xC024, 0xC037, 0x003C);
    static final CipherSuiteList ALLOWED = CipherSuiteList.of(0xC02B, 0xC037);
    static final Bytes PSK_ID = Bytes.fromHex("6f70657261746f72"); // "operator"
    static final Bytes PSK = Bytes.fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final PskList PSKS = PskList.of(new PskEntry(PSK_ID, PSK));
    static final PskList PSKS_WITH_USAGE = PskList.of(new PskEntry(PSK_ID, PSK, OptionalInt.of(PskEntry.SERVER)));
    static final EPathList ACTIVE = EPathList.of(EPath.classInstance(CERT_MGMT, 1));
    static final EPathList TRUSTED = EPathList.of(EPath.classInstance(0x37, 3), EPath.classInstance(0x37, 4));
    static final EPathList CRL = EPathList.of(EPath.classInstance(0x37, 5));
    static final CertificateList CERTS = CertificateList.of(
            new CertificateList.Entry("Default Device Certificate", EPath.classInstance(CERT_MGMT, 1)),
            new CertificateList.Entry("Plant CA", EPath.classInstance(CERT_MGMT, 2)));
    static final CertificateReference DEVICE_CERT = new CertificateReference(CertificateReference.VERIFIED,
            EPath.classInstance(0x37, 1));
    static final CertificateReference CA_CERT = new CertificateReference(CertificateReference.INVALID,
            EPath.classInstance(0x37, 2));

    record Exchange(String name, MessageRouterRequest request, MessageRouterResponse reply) {
    }

    @TempDir
    static Path dir;
    static Path pcap;
    static List<Exchange> exchanges = new ArrayList<>();
    static List<Map<String, String>> rows;

    static void get(String name, int cls, int inst, int attr, Bytes value) {
        exchanges.add(new Exchange(name, new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE,
                EPath.classInstanceAttribute(cls, inst, attr)),
                MessageRouterResponse.success(ServiceCodes.GET_ATTRIBUTE_SINGLE, value)));
    }

    static void getAll(String name, int cls, int inst, Bytes value) {
        exchanges.add(new Exchange(name, new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTES_ALL,
                EPath.classInstance(cls, inst)), MessageRouterResponse.success(ServiceCodes.GET_ATTRIBUTES_ALL, value)));
    }

    static void set(String name, int cls, int inst, int attr, Bytes value) {
        exchanges.add(new Exchange(name, new MessageRouterRequest(ServiceCodes.SET_ATTRIBUTE_SINGLE,
                EPath.classInstanceAttribute(cls, inst, attr), value),
                MessageRouterResponse.success(ServiceCodes.SET_ATTRIBUTE_SINGLE, Bytes.EMPTY)));
    }

    /** OpENer's and Hilscher's form of attribute 8: one {USINT size, EPATH}, no count. */
    static Bytes singlePath(EPath p) {
        WireWriter w = WireWriter.ofSize(1 + p.encodedLength());
        w.u8(p.words());
        p.encode(w);
        return Bytes.of(w.array());
    }

    /** 0x5E/1 Get_Attributes_All, attributes 1 to 16 in order as OpENer sends them (frame 51 of its capture). */
    static Bytes eipSecurityAll() {
        Bytes head = Bytes.fromHex("02 01000000");
        Bytes tail = Bytes.fromHex("01 00 01");
        int n = head.length() + AVAILABLE.encodedLength() + ALLOWED.encodedLength() + PSKS.redacted().encodedLength()
                + ACTIVE.encodedLength() + TRUSTED.encodedLength() + EPathList.empty().encodedLength() + tail.length()
                + EPathList.empty().encodedLength() + 6;
        WireWriter w = WireWriter.ofSize(n);
        w.bytes(head);
        AVAILABLE.encode(w);
        ALLOWED.encode(w);
        PSKS.redacted().encode(w);
        ACTIVE.encode(w);
        TRUSTED.encode(w);
        EPathList.empty().encode(w);   // 8: the one CRL value both forms (and tshark 4.0.17) read alike
        w.bytes(tail);                 // 9-11: verify client cert, send chain, check expiration
        EPathList.empty().encode(w);   // 12
        w.u8(1).u16(0).u16(12).u8(0);  // 13-16: pull model enable, status, DTLS timeout, UDP-only policy
        return Bytes.of(w.array());
    }

    @BeforeAll
    static void capture() throws Exception {
        get("0x5D state", CIP_SECURITY, 1, 1, Bytes.fromHex("02"));
        getAll("0x5D all", CIP_SECURITY, 1, Bytes.fromHex("01 0200"));
        get("0x5E state", EIP_SECURITY, 1, 1, Bytes.fromHex("01"));
        get("0x5E capability", EIP_SECURITY, 1, 2, Bytes.fromHex("01000000"));
        get("0x5E available", EIP_SECURITY, 1, 3, AVAILABLE.toBytes());
        get("0x5E allowed", EIP_SECURITY, 1, 4, ALLOWED.toBytes());
        get("0x5E psk read", EIP_SECURITY, 1, 5, PSKS.redacted().toBytes());
        get("0x5E active", EIP_SECURITY, 1, 6, ACTIVE.toBytes());
        get("0x5E trusted", EIP_SECURITY, 1, 7, TRUSTED.toBytes());
        get("0x5E crl empty", EIP_SECURITY, 1, 8, EPathList.empty().toBytes());
        get("0x5E crl list", EIP_SECURITY, 1, 8, CRL.toBytes());
        get("0x5E crl single", EIP_SECURITY, 1, 8, singlePath(CRL.paths().get(0)));
        get("0x5E verify", EIP_SECURITY, 1, 9, Bytes.fromHex("01"));
        get("0x5E chain", EIP_SECURITY, 1, 10, Bytes.fromHex("01"));
        get("0x5E expiration", EIP_SECURITY, 1, 11, Bytes.fromHex("01"));
        getAll("0x5E all", EIP_SECURITY, 1, eipSecurityAll());
        set("0x5E set allowed", EIP_SECURITY, 1, 4, ALLOWED.toBytes());
        set("0x5E set psk", EIP_SECURITY, 1, 5, PSKS.toBytes());
        set("0x5E set psk with usage", EIP_SECURITY, 1, 5, PSKS_WITH_USAGE.toBytes());
        set("0x5E set active", EIP_SECURITY, 1, 6, ACTIVE.toBytes());
        set("0x5E set trusted", EIP_SECURITY, 1, 7, TRUSTED.toBytes());
        set("0x5E set verify", EIP_SECURITY, 1, 9, Bytes.fromHex("01"));
        get("0x5F capability", CERT_MGMT, 0, 8, Bytes.fromHex("01000000"));
        get("0x5F list", CERT_MGMT, 0, 9, CERTS.toBytes());
        get("0x5F name", CERT_MGMT, 1, 1, Bytes.fromHex("08 506c616e74204341")); // "Plant CA"
        get("0x5F state", CERT_MGMT, 1, 2, Bytes.fromHex("03"));
        get("0x5F device cert", CERT_MGMT, 1, 3, DEVICE_CERT.toBytes());
        get("0x5F ca cert", CERT_MGMT, 1, 4, CA_CERT.toBytes());
        get("0x5F encoding", CERT_MGMT, 1, 5, Bytes.fromHex("01"));
        set("0x5F set device cert", CERT_MGMT, 1, 3, DEVICE_CERT.toBytes());
        set("0x5F set ca cert", CERT_MGMT, 1, 4, CA_CERT.toBytes());

        List<Packet> packets = new ArrayList<>();
        long context = 1;
        for (Exchange e : exchanges) {
            packets.add(Packet.tcp(50_000, 44818, SendRRDataFrames.wrap(e.request().toBytes(), context)));
            packets.add(Packet.tcp(44818, 50_000, SendRRDataFrames.wrap(e.reply().toBytes(), context)));
            context++;
        }
        pcap = dir.resolve("security.pcap");
        PcapWriter.write(pcap, packets);
        rows = Tshark.fields(pcap, "enip", FIELDS);
    }

    static int index(String name) {
        for (int i = 0; i < exchanges.size(); i++) {
            if (exchanges.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    static Map<String, String> row(int frame) {
        return rows.stream().filter(r -> r.get("frame.number").equals(Integer.toString(frame))).findFirst()
                .orElseThrow(() -> new AssertionError("tshark shows no ENIP frame " + frame));
    }

    static Map<String, String> request(String name) {
        return row(2 * index(name) + 1);
    }

    static Map<String, String> reply(String name) {
        return row(2 * index(name) + 2);
    }

    @Test
    void noFrameIsMalformed() throws Exception {
        assertThat(rows).hasSize(2 * exchanges.size());
        assertThat(Tshark.malformedCount(pcap)).as(Tshark.verbose(pcap)).isZero();
    }

    @Test
    void cipSecurityState() {
        assertThat(reply("0x5D state")).containsEntry("cip.class", "0x5d").containsEntry("cip.security.state", "2");
        assertThat(reply("0x5D all")).containsEntry("cip.attribute", "1,2").containsEntry("cip.security.state", "1");
    }

    @Test
    void eipSecurityScalarAttributes() {
        assertThat(reply("0x5E state")).containsEntry("cip.eip_security.state", "1");
        assertThat(reply("0x5E capability")).containsEntry("cip.eip_security.capability_flags", "0x00000001")
                .containsEntry("cip.eip_security.capability_flags.secure_renegotiation", "1");
        assertThat(reply("0x5E verify")).containsEntry("cip.eip_security.verify_client_cert", "1");
        assertThat(reply("0x5E chain")).containsEntry("cip.eip_security.send_cert_chain", "1");
        assertThat(reply("0x5E expiration")).containsEntry("cip.eip_security.check_expiration", "1");
        assertThat(request("0x5E set verify")).containsEntry("cip.eip_security.verify_client_cert", "1");
    }

    @Test
    void cipherSuitesReadHighByteFirst() {
        assertThat(reply("0x5E available")).containsEntry("cip.eip_security.num_avail_cipher_suites", "5")
                .containsEntry("cip.eip_security.avail_cipher_suite", "0xc02b,0xc023,0xc024,0xc037,0x003c");
        for (Map<String, String> r : List.of(reply("0x5E allowed"), request("0x5E set allowed"))) {
            assertThat(r).containsEntry("cip.eip_security.num_allow_cipher_suites", "2")
                    .containsEntry("cip.eip_security.allow_cipher_suite", "0xc02b,0xc037");
        }
    }

    @Test
    void pskReadBackIsRedacted() {
        assertThat(reply("0x5E psk read")).containsEntry("cip.eip_security.num_psk", "1")
                .containsEntry("cip.eip_security.psk_identity_size", "8")
                .containsEntry("cip.eip_security.psk_identity", PSK_ID.toHex())
                .containsEntry("cip.eip_security.psk_size", "0")
                .containsEntry("cip.data", "");
    }

    @Test
    void pskWrittenWithoutUsageByte() {
        assertThat(request("0x5E set psk")).containsEntry("cip.eip_security.num_psk", "1")
                .containsEntry("cip.eip_security.psk_identity", PSK_ID.toHex())
                .containsEntry("cip.eip_security.psk_size", "32")
                .containsEntry("cip.eip_security.psk", PSK.toHex())
                .containsEntry("cip.data", "");
    }

    /** tshark 4.0.17 knows no usage byte (reference §10.3): it shows it as trailing data, not as an error. */
    @Test
    void pskUsageByteIsTrailingDataForTshark40() {
        assertThat(request("0x5E set psk with usage")).containsEntry("cip.eip_security.psk_size", "32")
                .containsEntry("cip.eip_security.psk", PSK.toHex())
                .containsEntry("cip.data", "00");
    }

    @Test
    void certificatePathLists() {
        for (Map<String, String> r : List.of(reply("0x5E active"), request("0x5E set active"))) {
            assertThat(r).containsEntry("cip.eip_security.num_active_certs", "1").containsEntry("cip.path_len", "2")
                    .containsEntry("cip.class", "0x5e,0x5f").containsEntry("cip.instance", "0x01,0x01");
        }
        for (Map<String, String> r : List.of(reply("0x5E trusted"), request("0x5E set trusted"))) {
            assertThat(r).containsEntry("cip.eip_security.num_trusted_auths", "2").containsEntry("cip.path_len", "2,2")
                    .containsEntry("cip.class", "0x5e,0x37,0x37").containsEntry("cip.instance", "0x01,0x03,0x04");
        }
    }

    /**
     * The CRL GAP (§12.3) as tshark 4.0.17 sees it: it reads attribute 8 in the single
     * {size, EPATH} form (OpENer, Hilscher), not as the list Wireshark master reads. The empty
     * value is the same byte either way; a one-entry list is read as a 1-word path plus leftover
     * data, while the single form decodes to its File instance.
     */
    @Test
    void crlIsTheSingleFormForTshark40() {
        assertThat(reply("0x5E crl empty")).containsEntry("cip.path_len", "0").containsEntry("cip.data", "");
        assertThat(reply("0x5E crl list")).containsEntry("cip.path_len", "1").containsEntry("cip.data", "372405");
        assertThat(reply("0x5E crl single")).containsEntry("cip.path_len", "2")
                .containsEntry("cip.class", "0x5e,0x37").containsEntry("cip.instance", "0x01,0x05")
                .containsEntry("cip.data", "");
    }

    /** tshark 4.0.17 decodes attributes 1 to 11 of the reply and leaves 12 to 16 as data. */
    @Test
    void eipSecurityGetAttributesAll() {
        assertThat(reply("0x5E all")).containsEntry("cip.attribute", "1,2,3,4,5,6,7,8,9,10,11")
                .containsEntry("cip.eip_security.state", "2")
                .containsEntry("cip.eip_security.capability_flags", "0x00000001")
                .containsEntry("cip.eip_security.avail_cipher_suite", "0xc02b,0xc023,0xc024,0xc037,0x003c")
                .containsEntry("cip.eip_security.allow_cipher_suite", "0xc02b,0xc037")
                .containsEntry("cip.eip_security.num_psk", "1").containsEntry("cip.eip_security.psk_size", "0")
                .containsEntry("cip.eip_security.num_active_certs", "1")
                .containsEntry("cip.eip_security.num_trusted_auths", "2")
                .containsEntry("cip.path_len", "2,2,2,0")
                .containsEntry("cip.eip_security.verify_client_cert", "1")
                .containsEntry("cip.eip_security.send_cert_chain", "0")
                .containsEntry("cip.eip_security.check_expiration", "1")
                .containsEntry("cip.data", "00" + "01" + "0000" + "0c00" + "00");
    }

    @Test
    void certificateManagementClassAttributes() {
        assertThat(reply("0x5F capability")).containsEntry("cip.eip_cert.capflags", "0x00000001")
                .containsEntry("cip.eip_cert.capflags.push", "1");
        assertThat(reply("0x5F list")).containsEntry("cip.eip_cert.num_certs", "2")
                .containsEntry("cip.eip_cert.cert_name", "Default Device Certificate,Plant CA")
                .containsEntry("cip.path_len", "2,2").containsEntry("cip.class", "0x5f,0x5f,0x5f")
                .containsEntry("cip.instance", "0x00,0x01,0x02");
    }

    @Test
    void certificateManagementInstanceAttributes() {
        assertThat(reply("0x5F name")).containsEntry("cip.eip_cert.name", "Plant CA");
        assertThat(reply("0x5F state")).containsEntry("cip.eip_cert.state", "3");
        assertThat(reply("0x5F encoding")).containsEntry("cip.eip_cert.encoding", "1");
        for (Map<String, String> r : List.of(reply("0x5F device cert"), request("0x5F set device cert"))) {
            assertThat(r).containsEntry("cip.eip_cert.device_cert.status", "1").containsEntry("cip.path_len", "2")
                    .containsEntry("cip.class", "0x5f,0x37").containsEntry("cip.instance", "0x01,0x01");
        }
        for (Map<String, String> r : List.of(reply("0x5F ca cert"), request("0x5F set ca cert"))) {
            assertThat(r).containsEntry("cip.eip_cert.ca_cert.status", "2").containsEntry("cip.path_len", "2")
                    .containsEntry("cip.class", "0x5f,0x37").containsEntry("cip.instance", "0x01,0x02");
        }
    }
}
