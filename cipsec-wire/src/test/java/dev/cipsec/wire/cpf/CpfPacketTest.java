package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import static dev.cipsec.wire.buf.WireFormatException.Reason.COUNT_TOO_LARGE;
import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;
import static dev.cipsec.wire.buf.WireFormatException.Reason.LIMIT_EXCEEDED;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TRUNCATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpfPacketTest {

    /** The identity item of opener-listidentity-udp.hex frame 2 (README: 43 bytes, 'OpENer PC'). */
    static final String OPENER_IDENTITY = "0c002b00 0100 0002af12 00000000 0000000000000000 0100 0c00 e9fd 0203 0000 15cd5b07 09 4f70454e6572205043 00";

    static CpfPacket decode(String hex) throws WireFormatException {
        return CpfPacket.decode(Bytes.fromHex(hex));
    }

    static void assertCanonical(String hex) throws WireFormatException {
        Bytes b = Bytes.fromHex(hex);
        CpfPacket p = CpfPacket.decode(b);
        assertThat(p.toBytes()).isEqualTo(b);
        assertThat(p.encodedLength()).isEqualTo(b.length());
    }

    static List<MalformedCases.Case> malformed() {
        return MalformedCases.load("/fixtures/cpf/malformed.tsv");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedListFailsWithExactReason(MalformedCases.Case c) {
        assertThat(c.decoder()).isEqualTo("cpf");
        assertThatThrownBy(() -> CpfPacket.decode(WireReader.of(c.bytes())))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(c.reason()));
    }

    @Test
    void openerIdentityItemDecodesToReadmeValues() throws Exception {
        CpfPacket p = decode("0100" + OPENER_IDENTITY);
        CipIdentityItem id = p.first(CipIdentityItem.class).orElseThrow();
        assertThat(id).isEqualTo(new CipIdentityItem(1, 2, 44818, 0, 1, 12, 65001, 2, 3, 0, 0x075BCD15L, "OpENer PC", 0));
        assertThat(id.dataLength()).isEqualTo(43).isEqualTo(CipIdentityItem.SIZE_WITHOUT_NAME + 9);
        assertThat(id.inetAddress().getHostAddress()).isEqualTo("0.0.0.0");
        assertCanonical("0100" + OPENER_IDENTITY);
    }

    @Test
    void identitySinZeroIsIgnoredOnReadAndWrittenAsZeros() throws Exception {
        String odd = OPENER_IDENTITY.replace("0000000000000000 0100 0c00", "0102030405060708 0100 0c00");
        CpfPacket p = decode("0100" + odd);
        assertThat(p.first(CipIdentityItem.class).orElseThrow().productName()).isEqualTo("OpENer PC");
        assertThat(p.toBytes()).isEqualTo(Bytes.fromHex("0100" + OPENER_IDENTITY));
    }

    @Test
    void securityItemFiveAndSevenBytesDecodeTheirEdition() throws Exception {
        CipSecurityItem five = decode("0100 86000500 0200 00 00 03").first(CipSecurityItem.class).orElseThrow();
        assertThat(five).isEqualTo(new CipSecurityItem(2, 0, 0, 3, OptionalInt.empty()));
        CipSecurityItem seven = decode("0100 86000700 0200 00 00 03 0200").first(CipSecurityItem.class).orElseThrow();
        assertThat(seven).isEqualTo(new CipSecurityItem(2, 0, 0, 3, OptionalInt.of(2)));
        assertThat(seven.isPortOpen(CipSecurityItem.PORT_TCP_44818)).isTrue();
        assertThat(seven.isPortOpen(CipSecurityItem.PORT_UDP_44818)).isTrue();
        assertThat(seven.isPortOpen(CipSecurityItem.PORT_UDP_2222)).isFalse();
        assertCanonical("0100 86000500 0200 00 00 03");
        assertCanonical("0100 86000700 0200 00 00 03 0200");
    }

    @Test
    void securityItemOfUndefinedLengthIsKeptWholeAndItsKnownFieldsReadable() throws Exception {
        for (String hex : List.of("0100 86000600 1000 03 02 1f 44", "0100 86000900 1000 03 02 1f 1000 aabb")) {
            CpfPacket p = decode(hex);
            assertThat(p.first(CipSecurityItem.class)).isEmpty();
            UnknownItem kept = p.first(UnknownItem.class).orElseThrow();
            assertThat(kept.typeId()).isEqualTo(CipSecurityItem.TYPE_ID);
            assertCanonical(hex);
            CipSecurityItem known = CipSecurityItem.decodeKnownFields(kept);
            assertThat(known.securityProfiles()).isEqualTo(0x0010);
            assertThat(known.cipSecurityState()).isEqualTo(3);
            assertThat(known.eipSecurityState()).isEqualTo(2);
            assertThat(known.ianaPortState()).isEqualTo(0x1f);
            assertThat(known.securityProfilesConfigured())
                    .isEqualTo(kept.dataLength() >= 7 ? OptionalInt.of(0x0010) : OptionalInt.empty());
        }
        assertThatThrownBy(() -> CipSecurityItem.decodeKnownFields(new UnknownItem(0x0087, Bytes.fromHex("0000000000"))))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(INVALID_VALUE));
    }

    @Test
    void unknownItemsAreKeptByLengthAndReEncoded() throws Exception {
        String hex = "0400 87000300 010203 88000000 00000000 3412 0500 aabbccddee";
        CpfPacket p = decode(hex);
        assertThat(p.items()).containsExactly(new UnknownItem(0x0087, Bytes.fromHex("010203")),
                new UnknownItem(0x0088, Bytes.EMPTY), NullAddressItem.INSTANCE,
                new UnknownItem(0x1234, Bytes.fromHex("aabbccddee")));
        assertThat(p.firstOfType(0x1234)).contains(p.get(3));
        assertThat(p.all(UnknownItem.class)).extracting(UnknownItem::typeId).containsExactly(0x0087, 0x0088, 0x1234);
        assertCanonical(hex);
    }

    @Test
    void listServicesItemOfOpener() throws Exception {
        String hex = "0100 00011400 0100 2001 436f6d6d756e69636174696f6e730000";
        ListServicesItem item = decode(hex).first(ListServicesItem.class).orElseThrow();
        assertThat(item).isEqualTo(ListServicesItem.communications(0x0120));
        assertThat(item.supports(ListServicesItem.CAP_CIP_TCP)).isTrue();
        assertThat(item.supports(ListServicesItem.CAP_CIP_UDP_CLASS01)).isTrue();
        assertCanonical(hex);
    }

    @Test
    void ioDatagramOfOpenerIsSequencedAddressPlusConnectedData() throws Exception {
        // opener-io-exclusive-owner, first T->O datagram (README I/O summary)
        String hex = "020002800800f16c788401000000b1002200010001070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9";
        CpfPacket p = decode(hex);
        assertThat(p.get(0)).isEqualTo(new SequencedAddressItem(0x84786CF1L, 1));
        assertThat(p.first(ConnectedDataItem.class).orElseThrow().data().length()).isEqualTo(34);
        assertCanonical(hex);
    }

    @Test
    void sockaddrItemKeepsOddTrailingBytesAndConvertsAddresses() throws Exception {
        String hex = "0100 01801000 0002a7f0 c0a80a14 0000000000000001";
        SockaddrItem s = decode(hex).first(SockaddrItem.class).orElseThrow();
        assertThat(s.typeId()).isEqualTo(SockaddrItem.T_TO_O);
        assertThat(s.family()).isEqualTo(SockaddrItem.AF_INET);
        assertThat(s.port()).isEqualTo(0xa7f0);
        assertThat(s.inetAddress().getHostAddress()).isEqualTo("192.168.10.20");
        assertThat(s.zero()).isEqualTo(Bytes.fromHex("0000000000000001"));
        assertCanonical(hex);
        SockaddrItem built = SockaddrItem.of(SockaddrItem.O_TO_T, SockaddrItem.toInet4Address(0xEFC00101L), 2222);
        assertThat(CpfPacket.of(built).toBytes()).isEqualTo(Bytes.fromHex("0100 00801000 000208ae efc00101 0000000000000000"));
    }

    @Test
    void ucmmOverUdpItem() throws Exception {
        String hex = "0100 03800e00 0180 78563412 00000000 0e03 2001";
        UnconnectedMessageUdpItem u = decode(hex).first(UnconnectedMessageUdpItem.class).orElseThrow();
        assertThat(u).isEqualTo(new UnconnectedMessageUdpItem(true, UnconnectedMessageUdpItem.UCMM_NOACK, 0x12345678L, 0,
                Bytes.fromHex("0e032001")));
        assertCanonical(hex);
    }

    @Test
    void emptyListAndItemLimit() throws Exception {
        assertThat(decode("0000").items()).isEmpty();
        List<CpfItem> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(NullAddressItem.INSTANCE);
        }
        byte[] b = new CpfPacket(many).toBytes().toArray();
        assertThat(CpfPacket.decode(WireReader.of(b), 20).size()).isEqualTo(20);
        assertThatThrownBy(() -> CpfPacket.decode(WireReader.of(b), 19))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(LIMIT_EXCEEDED));
    }

    @Test
    void countIsCheckedBeforeAllocation() {
        // 65535 items claimed in 4 bytes: must fail on the count, not by allocating or looping.
        assertThatThrownBy(() -> decode("ffff 00000000"))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(COUNT_TOO_LARGE));
    }

    @Test
    void itemDecoderNeverReadsPastItsOwnLength() {
        // The Connected Address item says 2 bytes; the 4 bytes its decoder wants are there in the next item.
        assertThatThrownBy(() -> decode("0200 a1000200 0102 b1000200 0304"))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(TRUNCATED));
    }

    @Test
    void constructorsRejectOutOfRangeValues() {
        assertThatThrownBy(() -> new ConnectedAddressItem(1L << 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SockaddrItem(0x8002, 2, 0, 0, Bytes.of(new byte[8]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SockaddrItem(0x8000, 2, 0, 0, Bytes.of(new byte[7]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CipSecurityItem(0x10000, 0, 0, 0, OptionalInt.empty())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ListServicesItem(0x100, 1, 0, "seventeen chars!!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CipIdentityItem(1, 2, 0, 0, 1, 1, 1, 256, 0, 0, 0, "x", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CipIdentityItem(1, 2, 0, 0, 1, 1, 1, 1, 0, 0, 0, "\u20ac", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UnconnectedMessageUdpItem(false, 0x8000, 0, 0, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UnknownItem(0x10000, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UnconnectedDataItem(Bytes.of(new byte[0x10000]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UnconnectedMessageUdpItem(true, 1, 0, 0, Bytes.of(new byte[0xFFFF - 9])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new UnconnectedMessageUdpItem(true, 1, 0, 0, Bytes.of(new byte[0xFFFF - 10])).dataLength()).isEqualTo(0xFFFF);
    }
}
