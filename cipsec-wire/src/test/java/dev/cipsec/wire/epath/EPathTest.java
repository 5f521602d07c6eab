package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireFormatException.Reason;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cm.TsvCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HexFormat;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every segment kind against its reference encoding (§2.3), both ways, and one test per malformation. */
class EPathTest {

    static Stream<Arguments> segments() {
        return Stream.of(
                Arguments.of(LogicalSegment.of(LogicalType.CLASS, 0x06), "2006"),
                Arguments.of(LogicalSegment.of(LogicalType.CLASS, 0x1234), "21003412"),
                Arguments.of(new LogicalSegment(LogicalType.CLASS, 1, 1), "21000100"),
                Arguments.of(LogicalSegment.of(LogicalType.INSTANCE, 0x0102), "25000201"),
                Arguments.of(LogicalSegment.of(LogicalType.INSTANCE, 0x12345678L), "260078563412"),
                Arguments.of(LogicalSegment.of(LogicalType.INSTANCE, 0xFFFF_FFFFL), "2600ffffffff"),
                Arguments.of(LogicalSegment.of(LogicalType.MEMBER, 3), "2803"),
                Arguments.of(LogicalSegment.of(LogicalType.CONNECTION_POINT, 150), "2c96"),
                Arguments.of(LogicalSegment.of(LogicalType.CONNECTION_POINT, 0x10000), "2e0000000100"),
                Arguments.of(LogicalSegment.of(LogicalType.ATTRIBUTE, 0x0101), "31000101"),
                Arguments.of(LogicalSegment.of(LogicalType.SERVICE_ID, 0x0E), "380e"),
                Arguments.of(new ElectronicKeySegment(1, 12, 65001, true, 2, 3), "340401000c00e9fd8203"),
                Arguments.of(new ElectronicKeySegment(0, 0, 0, false, 0, 0), "34040000000000000000"),
                Arguments.of(PortSegment.of(1, 0), "0100"),
                Arguments.of(PortSegment.of(14, 0x3F), "0e3f"),
                Arguments.of(PortSegment.of(2, "192.168.1.10"), "120c3139322e3136382e312e3130"),
                Arguments.of(PortSegment.of(2, "10.0.0.5:2221"), "120d31302e302e302e353a3232323100"),
                Arguments.of(PortSegment.of(15, 1), "0f0f0001"),
                Arguments.of(PortSegment.of(0x1234, 7), "0f341207"),
                Arguments.of(PortSegment.of(18, "10.0.0.5"), "1f08120031302e302e302e35"),
                Arguments.of(PortSegment.of(300, "abc"), "1f032c0161626300"),
                Arguments.of(new SymbolicSegment("abc"), "63616263"),
                Arguments.of(new SymbolicSegment("ab"), "62616200"),
                Arguments.of(new DataSegment.AnsiSymbol("Tag1"), "910454616731"),
                Arguments.of(new DataSegment.AnsiSymbol("Tag"), "9103546167" + "00"),
                Arguments.of(new DataSegment.Simple(Bytes.fromHex("01020304")), "800201020304"),
                Arguments.of(new DataSegment.Simple(Bytes.EMPTY), "8000"),
                Arguments.of(NetworkSegment.productionInhibitMillis(10), "430a"),
                Arguments.of(new NetworkSegment(0x11, Bytes.fromHex("10270000")), "510210270000"),
                Arguments.of(new NetworkSegment(0x10, Bytes.fromHex("0102")), "50010102"),
                Arguments.of(new NetworkSegment(0x1F, Bytes.EMPTY), "5f00"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("segments")
    void segmentEncodesAndDecodes(Segment segment, String hex) throws Exception {
        EPath path = EPath.of(segment);
        assertThat(path.toBytes().toHex()).isEqualTo(hex);
        assertThat(segment.encodedLength()).isEqualTo(hex.length() / 2);
        byte[] b = HexFormat.of().parseHex(hex);
        assertThat(EPath.decode(WireReader.of(b), b.length / 2)).isEqualTo(path);
    }

    @Test
    void wholeConnectionPathWithKeyAndConfigData() throws Exception {
        EPath p = EPath.of(new ElectronicKeySegment(1, 12, 65001, false, 2, 3), LogicalSegment.of(LogicalType.CLASS, 4),
                LogicalSegment.of(LogicalType.INSTANCE, 151), LogicalSegment.of(LogicalType.CONNECTION_POINT, 150),
                LogicalSegment.of(LogicalType.CONNECTION_POINT, 100), new DataSegment.Simple(Bytes.fromHex("0a0b")));
        String hex = "340401000c00e9fd0203" + "20042497" + "2c962c64" + "80010a0b";
        assertThat(p.toBytes().toHex()).isEqualTo(hex);
        assertThat(p.words()).isEqualTo(hex.length() / 4);
        assertThat(EPath.decode(WireReader.of(HexFormat.of().parseHex(hex)), p.words())).isEqualTo(p);
        assertThat(p.logical(LogicalType.CONNECTION_POINT)).isEqualTo(150);
    }

    @Test
    void decodeConsumesExactlyThePathAndLeavesTheRest() throws Exception {
        WireReader r = WireReader.of(HexFormat.of().parseHex("20012401" + "abcd"));
        assertThat(EPath.decode(r, 2)).isEqualTo(EPath.classInstance(1, 1));
        assertThat(r.remaining()).isEqualTo(2);
        assertThat(EPath.decode(WireReader.of(new byte[0]), 0)).isEqualTo(EPath.EMPTY);
    }

    @Test
    void nonCanonicalPortSegmentsDecodeToTheCanonicalRecord() throws Exception {
        // extended flag on a one-byte link address, and the 16-bit port form for port 5
        assertThat(EPath.decode(WireReader.of(HexFormat.of().parseHex("11010500")), 2)).isEqualTo(EPath.of(PortSegment.of(1, 5)));
        assertThat(EPath.decode(WireReader.of(HexFormat.of().parseHex("0f050007")), 2)).isEqualTo(EPath.of(PortSegment.of(5, 7)));
        assertThat(EPath.of(PortSegment.of(5, 7)).toBytes().toHex()).isEqualTo("0507");
    }

    @Test
    void parseAcceptsDecimalAndHex() {
        assertThat(EPath.parse("0x01/1/7")).isEqualTo(EPath.classInstanceAttribute(1, 1, 7));
        assertThat(EPath.parse("@4/100")).isEqualTo(EPath.classInstance(4, 100));
        assertThatThrownBy(() -> EPath.parse("1/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EPath.parse("1/2/3/4")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void segmentConstructorsRefuseWhatCannotBeEncoded() {
        assertThatThrownBy(() -> new LogicalSegment(LogicalType.CLASS, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LogicalSegment(LogicalType.INSTANCE, 0x100, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LogicalSegment(LogicalType.SERVICE_ID, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortSegment.of(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SymbolicSegment("x".repeat(32))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DataSegment.Simple(Bytes.fromHex("01"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NetworkSegment(0x03, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ElectronicKeySegment(0, 0, 0, false, 0x80, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> negatives() {
        return TsvCases.load("/fixtures/epath/negative.tsv").stream()
                .map(r -> Arguments.of(Integer.parseInt(r[0]), r[1], Reason.valueOf(r[2]), r[3]));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("negatives")
    void malformedPathFailsWithItsReason(int words, String hex, Reason expected, String defect) {
        WireFormatException e = catchThrowableOfType(WireFormatException.class,
                () -> EPath.decode(WireReader.of(HexFormat.of().parseHex(hex)), words));
        assertThat(e).as(defect).isNotNull();
        assertThat(e.reason()).as(defect + ": " + e.getMessage()).isEqualTo(expected);
    }
}
