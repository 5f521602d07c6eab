package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireFormatException.Reason;
import dev.cipsec.wire.buf.WireReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** One malformation per line of {@code fixtures/cm/negative.tsv}, each with the reason it must produce. */
class CmNegativeTest {

    static Stream<Arguments> cases() {
        return TsvCases.load("/fixtures/cm/negative.tsv").stream()
                .map(r -> Arguments.of(r[0], r[1], Reason.valueOf(r[2]), r[3]));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("cases")
    void malformedDataFailsWithItsReason(String codec, String hex, Reason expected, String defect) {
        byte[] b = HexFormat.of().parseHex(hex);
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> decode(codec, WireReader.of(b)));
        assertThat(e).as(defect).isNotNull();
        assertThat(e.reason()).as(defect + ": " + e.getMessage()).isEqualTo(expected);
    }

    private static void decode(String codec, WireReader r) throws WireFormatException {
        switch (codec) {
            case "fo" -> ForwardOpenRequest.decode(r, false);
            case "lfo" -> ForwardOpenRequest.decode(r, true);
            case "fo-reply" -> ForwardOpenResponse.decode(r);
            case "fo-failure" -> ForwardOpenFailure.decode(r, 0x01, List.of(ExtendedStatus.OUT_OF_CONNECTIONS));
            case "fc" -> ForwardCloseRequest.decode(r);
            case "fc-reply" -> ForwardCloseResponse.decode(r);
            case "ucs" -> UnconnectedSendRequest.decode(r);
            default -> throw new IllegalArgumentException("unknown codec " + codec);
        }
    }
}
