package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.CipSecurityItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.MalformedCases;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static dev.cipsec.wire.buf.WireFormatException.Reason.TOO_MUCH_DATA;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TRUNCATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncapsulationPacketTest {

    static List<MalformedCases.Case> malformed() {
        return MalformedCases.load("/fixtures/encap/malformed.tsv");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedInputFailsWithExactReason(MalformedCases.Case c) {
        WireReader r = WireReader.of(c.bytes());
        assertThatThrownBy(() -> {
            switch (c.decoder()) {
                case "packet" -> EncapsulationPacket.decode(r);
                case "datagram" -> EncapsulationPacket.decodeDatagram(r);
                case "register" -> RegisterSessionData.decode(r);
                case "rrdata" -> RrData.decode(r);
                default -> throw new AssertionError("unknown decoder " + c.decoder());
            }
        }).isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(c.reason()));
    }

    // --- the defective OpENer CIP Security build (opener-cs-listidentity.hex, README section) ---

    static final CipSecurityItem OPENER_CS_SECURITY = new CipSecurityItem(0x0002, 0, 0, 0x03, OptionalInt.of(0x0002));

    @ParameterizedTest
    @ValueSource(ints = {2, 8})
    void defectiveListIdentityIsRejectedByTheStrictDecoder(int frame) {
        byte[] wire = Fixtures.frame("opener-cs-listidentity.hex", frame).payload();
        assertThat(wire).hasSize(84);
        assertThatThrownBy(() -> EncapsulationPacket.decode(WireReader.of(wire)))
                .isInstanceOfSatisfying(WireFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(TOO_MUCH_DATA);
                    assertThat(e.getMessage()).contains("49").contains("60");
                });
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 8})
    void streamFramingByTheLengthFieldLeavesACpfListThatDoesNotFit(int frame) throws Exception {
        byte[] wire = Fixtures.frame("opener-cs-listidentity.hex", frame).payload();
        int frameLength = EncapsulationPacket.frameLength(wire, 0);
        assertThat(frameLength).isEqualTo(73); // tshark: "PDU Size: 73"
        EncapsulationPacket p = EncapsulationPacket.decode(WireReader.of(wire, 0, frameLength));
        assertThat(p.header().length()).isEqualTo(49);
        // Item count 2, but only the identity item fits in the declared 49 bytes: the second item header is missing.
        assertThatThrownBy(() -> CpfPacket.decode(p.data()))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(TRUNCATED));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 8})
    void defectiveListIdentityIsAcceptedAndFlaggedAsDatagram(int frame) throws Exception {
        byte[] wire = Fixtures.frame("opener-cs-listidentity.hex", frame).payload();
        DecodedDatagram d = EncapsulationPacket.decodeDatagram(WireReader.of(wire));
        assertThat(d.lengthFieldMismatch()).isTrue();
        assertThat(d.declaredLength()).isEqualTo(49);
        assertThat(d.lengthFieldShortBy()).isEqualTo(11);
        assertThat(d.packet().header().length()).isEqualTo(60);
        assertThat(d.packet().header().command()).isEqualTo(EncapsulationCommand.LIST_IDENTITY);
        assertThat(d.packet().header().maxResponseDelayMillis()).isEqualTo(frame == 2 ? 500 : 0);

        CpfPacket cpf = CpfPacket.decode(d.packet().data());
        assertThat(cpf.items()).containsExactly(OpenerGoldenTest.OPENER_IDENTITY, OPENER_CS_SECURITY);
        CipSecurityItem sec = cpf.first(CipSecurityItem.class).orElseThrow();
        assertThat(sec.isPortOpen(CipSecurityItem.PORT_TCP_44818)).isTrue();
        assertThat(sec.isPortOpen(CipSecurityItem.PORT_UDP_2222)).isFalse();
        assertThat(cpf.first(CipIdentityItem.class)).isPresent();

        // Re-encoding writes the corrected length (60 = 0x3c) and otherwise the peer's bytes.
        byte[] expected = wire.clone();
        expected[2] = 0x3c;
        assertThat(d.packet().toBytes().toArray()).isEqualTo(expected);
    }

    @Test
    void conformingDatagramIsNotFlagged() throws Exception {
        byte[] wire = Fixtures.frame("opener-listidentity-udp.hex", 2).payload();
        DecodedDatagram d = EncapsulationPacket.decodeDatagram(wire);
        assertThat(d.lengthFieldMismatch()).isFalse();
        assertThat(d.lengthFieldShortBy()).isZero();
        assertThat(d.packet()).isEqualTo(EncapsulationPacket.decode(wire));
    }

    @Test
    void datagramLongerLengthFieldIsFlaggedToo() throws Exception {
        byte[] wire = Arrays.copyOf(Fixtures.frame("opener-listidentity-udp.hex", 2).payload(), 40);
        DecodedDatagram d = EncapsulationPacket.decodeDatagram(wire);
        assertThat(d.lengthFieldMismatch()).isTrue();
        assertThat(d.declaredLength()).isEqualTo(49);
        assertThat(d.lengthFieldShortBy()).isEqualTo(-33);
        assertThat(d.packet().data().length()).isEqualTo(16);
    }

    // --- framing, header helpers, construction ---

    @Test
    void frameLengthReadsOnlyTheLengthField() {
        byte[] buf = new byte[30];
        buf[6 + 2] = (byte) 0xff;
        buf[6 + 3] = (byte) 0xff;
        assertThat(EncapsulationPacket.frameLength(buf, 6)).isEqualTo(24 + 65535);
        assertThatThrownBy(() -> EncapsulationPacket.frameLength(buf, 7)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void decodeConsumesExactlyItsFrameFromALargerBuffer() throws Exception {
        byte[] two = new byte[48];
        byte[] nop = EncapsulationPacket.of(EncapsulationCommand.NOP, 0, 0, 0, Bytes.EMPTY).toBytes().toArray();
        System.arraycopy(nop, 0, two, 0, 24);
        System.arraycopy(nop, 0, two, 24, 24);
        WireReader all = WireReader.of(two);
        WireReader first = all.sub(EncapsulationPacket.frameLength(two, 0), "frame");
        assertThat(EncapsulationPacket.decode(first).header().command()).isEqualTo(EncapsulationCommand.NOP);
        assertThat(all.remaining()).isEqualTo(24);
    }

    @Test
    void senderContextIsEchoedByteForByte() throws Exception {
        Bytes ctx = Bytes.fromHex("ff00017f80fe55aa");
        long value = EncapsulationHeader.senderContext(ctx);
        EncapsulationPacket p = EncapsulationPacket.of(EncapsulationCommand.LIST_IDENTITY, 0, 0, value, Bytes.EMPTY);
        assertThat(p.toBytes().slice(12, 20)).isEqualTo(ctx);
        assertThat(EncapsulationPacket.decode(p.toBytes().toArray()).header().senderContextBytes()).isEqualTo(ctx);
        assertThat(EncapsulationHeader.listIdentityContext(500)).isEqualTo(EncapsulationHeader.senderContext(Bytes.fromHex("f401000000000000")));
    }

    @Test
    void registerSessionRequestMatchesOpenerCapture() {
        // opener-explicit.hex frame 4
        EncapsulationPacket p = EncapsulationPacket.of(EncapsulationCommand.REGISTER_SESSION, 0, 0,
                EncapsulationHeader.senderContext(Bytes.fromHex("6678303030303031")), RegisterSessionData.DEFAULT.toBytes());
        assertThat(p.toBytes().toArray()).isEqualTo(Fixtures.frame("opener-explicit.hex", 4).payload());
    }

    @Test
    void rangesAreValidated() {
        assertThatThrownBy(() -> new EncapsulationHeader(0x10000, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EncapsulationHeader(0, -1, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EncapsulationHeader(0, 0, 1L << 32, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EncapsulationHeader(0, 0, 0, -1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EncapsulationHeader(0, 0, 0, 0, 0, 1L << 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EncapsulationPacket(new EncapsulationHeader(0, 1, 0, 0, 0, 0), Bytes.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EncapsulationPacket.of(0x6F, 0, 0, 0, Bytes.of(new byte[0x10000])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RrData(0, 0x10000, CpfPacket.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RegisterSessionData(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void codesAreDescribedAndUnknownOnesKept() {
        assertThat(EncapsulationCommand.describe(EncapsulationCommand.SEND_RR_DATA)).isEqualTo("SendRRData");
        assertThat(EncapsulationCommand.describe(EncapsulationCommand.START_DTLS)).isEqualTo("StartDTLS");
        assertThat(EncapsulationCommand.describe(0xFE)).isEqualTo("command 0x00FE");
        assertThat(EncapsulationCommand.isKnown(EncapsulationCommand.NOP)).isTrue();
        assertThat(EncapsulationStatus.describe(EncapsulationStatus.UNSUPPORTED_PROTOCOL_VERSION))
                .isEqualTo("0x0069 unsupported encapsulation protocol revision");
        assertThat(EncapsulationStatus.describe(0x1234)).isEqualTo("0x1234 unknown status");
    }
}
