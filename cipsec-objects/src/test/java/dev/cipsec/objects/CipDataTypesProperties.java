package dev.cipsec.objects;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

import java.util.List;

import static dev.cipsec.objects.CipDataTypes.*;
import static org.assertj.core.api.Assertions.assertThat;

class CipDataTypesProperties {

    private static <T> T back(CipDataType<T> t, T v) throws WireFormatException {
        WireReader r = WireReader.of(t.toArray(v));
        T out = t.decode(r);
        assertThat(r.hasRemaining()).isFalse();
        return out;
    }

    @Property
    void integersRoundTrip(@ForAll @IntRange(min = -128, max = 127) int sint, @ForAll @IntRange(max = 255) int usint,
                           @ForAll @IntRange(min = -32768, max = 32767) int i, @ForAll @IntRange(max = 65535) int ui,
                           @ForAll int dint, @ForAll @LongRange(max = 0xFFFF_FFFFL) long udint, @ForAll long lint)
            throws WireFormatException {
        assertThat(back(SINT, sint)).isEqualTo(sint);
        assertThat(back(USINT, usint)).isEqualTo(usint);
        assertThat(back(BYTE, usint)).isEqualTo(usint);
        assertThat(back(INT, i)).isEqualTo(i);
        assertThat(back(UINT, ui)).isEqualTo(ui);
        assertThat(back(WORD, ui)).isEqualTo(ui);
        assertThat(back(DINT, dint)).isEqualTo(dint);
        assertThat(back(UDINT, udint)).isEqualTo(udint);
        assertThat(back(DWORD, udint)).isEqualTo(udint);
        assertThat(back(LINT, lint)).isEqualTo(lint);
        assertThat(back(ULINT, lint)).isEqualTo(lint);
    }

    @Property
    void realsKeepTheirBits(@ForAll int bits, @ForAll long lbits) throws WireFormatException {
        float f = Float.intBitsToFloat(bits);
        assertThat(Float.floatToIntBits(back(REAL, f))).isEqualTo(Float.floatToIntBits(f));
        double d = Double.longBitsToDouble(lbits);
        assertThat(Double.doubleToLongBits(back(LREAL, d))).isEqualTo(Double.doubleToLongBits(d));
    }

    @Property
    void stringsRoundTrip(@ForAll("latin1") @StringLength(max = 255) String s) throws WireFormatException {
        assertThat(back(SHORT_STRING, s)).isEqualTo(s);
        assertThat(back(STRING, s)).isEqualTo(s);
        assertThat(back(PADDED_STRING, s)).isEqualTo(s);
        assertThat(PADDED_STRING.encodedLength(s) % 2).isZero();
    }

    @Provide
    Arbitrary<String> latin1() {
        return Arbitraries.strings().withCharRange('\u0000', '\u00ff');
    }

    @Property
    void listsRoundTrip(@ForAll @Size(max = 40) List<@IntRange(max = 65535) Integer> ids) throws WireFormatException {
        assertThat(back(uintCountedList(UINT), ids)).isEqualTo(ids);
        assertThat(back(array(UINT, ids.size()), ids)).isEqualTo(ids);
    }

    @Property
    void decodersThrowOnlyWireFormatException(@ForAll @Size(max = 40) byte[] data) {
        List<CipDataType<?>> types = List.of(BOOL, SINT, USINT, BYTE, INT, UINT, WORD, DINT, UDINT, DWORD, LINT, ULINT,
                REAL, LREAL, SHORT_STRING, STRING, PADDED_STRING, EPATH_UINT_SIZED, REMAINING_BYTES, bytes(6),
                array(UDINT, 3), uintCountedList(UINT), usintCountedList(SHORT_STRING));
        for (CipDataType<?> t : types) {
            try {
                t.decode(WireReader.of(data));
            } catch (WireFormatException expected) {
                // the only failure allowed
            }
        }
    }

    @Property
    void bytesRoundTrip(@ForAll @Size(max = 64) byte[] data) throws WireFormatException {
        Bytes b = Bytes.of(data);
        assertThat(back(bytes(data.length), b)).isEqualTo(b);
        assertThat(back(REMAINING_BYTES, b)).isEqualTo(b);
    }
}
