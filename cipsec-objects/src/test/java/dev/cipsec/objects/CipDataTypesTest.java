package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.epath.EPath;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.cipsec.objects.CipDataTypes.*;
import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;
import static dev.cipsec.wire.buf.WireFormatException.Reason.PATH_SIZE_INVALID;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TRUNCATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CipDataTypesTest {

    /** Encodes {@code value}, checks the bytes, and decodes them back to an equal value using all bytes. */
    static <T> void roundTrip(CipDataType<T> type, T value, String hex) throws WireFormatException {
        byte[] enc = type.toArray(value);
        assertThat(Bytes.of(enc).toHex()).as(type.name()).isEqualTo(hex);
        assertThat(type.encodedLength(value)).isEqualTo(enc.length);
        WireReader r = WireReader.of(enc);
        assertThat(type.decode(r)).isEqualTo(value);
        assertThat(r.hasRemaining()).isFalse();
        assertThat(type.toArray(type.decode(WireReader.of(MrKit.hex(hex))))).isEqualTo(MrKit.hex(hex));
    }

    @Test
    void elementaryTypesRoundTripLittleEndian() throws Exception {
        roundTrip(BOOL, true, "01");
        roundTrip(BOOL, false, "00");
        roundTrip(SINT, -2, "fe");
        roundTrip(USINT, 0xFE, "fe");
        roundTrip(BYTE, 0x81, "81");
        roundTrip(INT, -2, "feff");
        roundTrip(UINT, 65001, "e9fd");
        roundTrip(WORD, 0x1234, "3412");
        roundTrip(DINT, -2, "feffffff");
        roundTrip(UDINT, 0x075BCD15L, "15cd5b07");
        roundTrip(DWORD, 0xFFFF_FFFFL, "ffffffff");
        roundTrip(LINT, -2L, "feffffffffffffff");
        roundTrip(ULINT, 0x0102030405060708L, "0807060504030201");
        roundTrip(REAL, 1.0f, "0000803f");
        roundTrip(LREAL, 1.0, "000000000000f03f");
    }

    @Test
    void stringsAndPaths() throws Exception {
        roundTrip(SHORT_STRING, "OpENer PC", "094f70454e6572205043");
        roundTrip(SHORT_STRING, "", "00");
        roundTrip(STRING, "abc", "0300616263");
        roundTrip(PADDED_STRING, "abc", "030061626300");
        roundTrip(PADDED_STRING, "ab", "02006162");
        roundTrip(EPATH_UINT_SIZED, EPath.parse("0xF6/1"), "020020f62401");
        roundTrip(EPATH_UINT_SIZED, EPath.EMPTY, "0000");
    }

    @Test
    void constructedTypes() throws Exception {
        roundTrip(bytes(3), Bytes.fromHex("010203"), "010203");
        roundTrip(REMAINING_BYTES, Bytes.fromHex("0a0b"), "0a0b");
        roundTrip(array(UINT, 2), List.of(1, 2), "01000200");
        roundTrip(uintCountedList(UINT), List.of(1, 2, 4), "0300010002000400");
        roundTrip(usintCountedList(USINT), List.of(7), "0107");
        CipDataType<int[]> pair = fixedStruct("pair", 2, (v, w) -> w.u8(v[0]).u8(v[1]),
                r -> new int[]{r.u8("a"), r.u8("b")});
        assertThat(pair.decode(WireReader.of(pair.toArray(new int[]{3, 4})))).containsExactly(3, 4);
    }

    @Test
    void boolOtherThanZeroOrOneIsInvalid() {
        assertThatThrownBy(() -> BOOL.decode(WireReader.of(new byte[]{2})))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(INVALID_VALUE));
    }

    @Test
    void truncatedValuesAreTruncated() {
        for (CipDataType<?> t : List.of(UINT, UDINT, LINT, REAL, SHORT_STRING, STRING, PADDED_STRING, bytes(4),
                array(UDINT, 3), uintCountedList(UINT))) {
            byte[] enc = switch (t.name()) {
                case "SHORT_STRING" -> MrKit.hex("0561");
                case "STRING", "STRING (padded)" -> MrKit.hex("050061");
                case "UINT count + UINT[]" -> MrKit.hex("05000100");
                default -> new byte[1];
            };
            assertThatThrownBy(() -> t.decode(WireReader.of(enc))).as(t.name())
                    .isInstanceOfSatisfying(WireFormatException.class,
                            e -> assertThat(e.reason()).isIn(TRUNCATED, WireFormatException.Reason.COUNT_TOO_LARGE));
        }
    }

    @Test
    void epathLongerThanItsSizeIsPathSizeInvalid() {
        // size 1 word, but the class segment's 16-bit form needs 2 words
        assertThatThrownBy(() -> EPATH_UINT_SIZED.decode(WireReader.of(MrKit.hex("01002100f600"))))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(PATH_SIZE_INVALID));
        assertThatThrownBy(() -> EPATH_UINT_SIZED.decode(WireReader.of(MrKit.hex("010061ff"))))
                .isInstanceOfSatisfying(WireFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.PATH_SEGMENT_ERROR));
        assertThatThrownBy(() -> EPATH_UINT_SIZED.decode(WireReader.of(MrKit.hex("03002100"))))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(TRUNCATED));
    }

    @Test
    void encodingOutOfRangeIsAProgrammingError() {
        assertThatThrownBy(() -> UINT.toArray(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SINT.toArray(128)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UDINT.toArray(-1L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SHORT_STRING.toArray("x".repeat(256))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SHORT_STRING.toArray("\u20ac")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bytes(2).toArray(Bytes.of(new byte[3]))).isInstanceOf(IllegalArgumentException.class);
    }
}
