package dev.cipsec.wire.cip;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireFormatException.Reason;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cm.SendRRDataFrames;
import dev.cipsec.wire.cm.TsvCases;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MessageRouterTest {

    /** opener-explicit.hex request frame to its path (class/instance/attribute, -1 = none), per the fixtures README. */
    static final Map<Integer, long[]> EXPLICIT_PATHS = Map.ofEntries(
            Map.entry(8, new long[]{1, 1, 1}), Map.entry(10, new long[]{1, 1, 2}), Map.entry(12, new long[]{1, 1, 3}),
            Map.entry(14, new long[]{1, 1, 4}), Map.entry(16, new long[]{1, 1, 5}), Map.entry(18, new long[]{1, 1, 6}),
            Map.entry(20, new long[]{1, 1, 7}), Map.entry(22, new long[]{1, 1, -1}), Map.entry(24, new long[]{4, 100, 3}),
            Map.entry(26, new long[]{4, 150, 3}), Map.entry(28, new long[]{4, 150, 3}), Map.entry(30, new long[]{4, 100, 3}),
            Map.entry(32, new long[]{0xE8, 1, 1}), Map.entry(34, new long[]{1, 1, 153}), Map.entry(36, new long[]{1, 1, -1}));

    static Stream<Arguments> explicitRequests() {
        return EXPLICIT_PATHS.keySet().stream().sorted().map(Arguments::of);
    }

    @ParameterizedTest(name = "frame {0}")
    @MethodSource("explicitRequests")
    void openerExplicitRequestPathsDecodeAndReencode(int frame) throws Exception {
        byte[] pdu = SendRRDataFrames.mrPdu(Fixtures.frame("opener-explicit.hex", frame).payload());
        MessageRouterRequest req = MessageRouterRequest.decode(WireReader.of(pdu));
        long[] cia = EXPLICIT_PATHS.get(frame);
        EPath expected = cia[2] < 0 ? EPath.classInstance((int) cia[0], cia[1])
                : EPath.classInstanceAttribute((int) cia[0], cia[1], (int) cia[2]);
        assertThat(req.path()).isEqualTo(expected);
        assertThat(req.toBytes().toArray()).isEqualTo(pdu);
        if (frame == 26) {
            assertThat(req.service()).isEqualTo(ServiceCodes.SET_ATTRIBUTE_SINGLE);
            assertThat(req.data().toHex()).isEqualTo("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        }
    }

    static Stream<Arguments> explicitReplies() {
        return Stream.of(Arguments.of(9, 0x00, "0100"), Arguments.of(21, 0x00, "094f70454e6572205043"),
                Arguments.of(27, 0x00, ""), Arguments.of(33, 0x05, ""), Arguments.of(35, 0x14, ""),
                Arguments.of(37, 0x08, ""));
    }

    @ParameterizedTest(name = "frame {0}")
    @MethodSource("explicitReplies")
    void openerExplicitRepliesDecodeAndReencode(int frame, int status, String data) throws Exception {
        byte[] pdu = SendRRDataFrames.mrPdu(Fixtures.frame("opener-explicit.hex", frame).payload());
        MessageRouterResponse rsp = MessageRouterResponse.decode(WireReader.of(pdu));
        assertThat(rsp.generalStatus()).isEqualTo(status);
        assertThat(rsp.additionalStatus()).isEmpty();
        assertThat(rsp.data().toHex()).isEqualTo(data);
        assertThat(rsp.toBytes().toArray()).isEqualTo(pdu);
    }

    @Test
    void requestWith16BitClassAnd32BitInstance() throws Exception {
        EPath path = EPath.of(LogicalSegment.of(LogicalType.CLASS, 0x0300), LogicalSegment.of(LogicalType.INSTANCE, 0x12345678L),
                LogicalSegment.of(LogicalType.ATTRIBUTE, 0x0101));
        MessageRouterRequest req = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, path);
        assertThat(req.toBytes()).isEqualTo(Bytes.fromHex("0e07" + "21000003" + "260078563412" + "31000101"));
        assertThat(MessageRouterRequest.decode(req.toBytes())).isEqualTo(req);
    }

    @Test
    void responseWithAdditionalStatusWords() throws Exception {
        MessageRouterResponse rsp = new MessageRouterResponse(ServiceCodes.FORWARD_OPEN, GeneralStatus.CONNECTION_FAILURE,
                List.of(0x0127, 0x0026), Bytes.fromHex("dbeffeff1b008b100000"));
        Bytes b = rsp.toBytes();
        assertThat(b).isEqualTo(Bytes.fromHex("d4000102" + "27012600" + "dbeffeff1b008b100000"));
        MessageRouterResponse back = MessageRouterResponse.decode(b);
        assertThat(back).isEqualTo(rsp);
        assertThat(back.extendedStatus()).isEqualTo(0x0127);
        assertThat(back.isSuccess()).isFalse();
        assertThat(MessageRouterResponse.error(0x0E, 0x14).extendedStatus()).isEqualTo(-1);
    }

    static Stream<Arguments> negatives() {
        return TsvCases.load("/fixtures/cip/negative.tsv").stream()
                .map(r -> Arguments.of(r[0], r[1], Reason.valueOf(r[2]), r[3]));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("negatives")
    void malformedPduFailsWithItsReason(String kind, String hex, Reason expected, String defect) {
        byte[] b = HexFormat.of().parseHex(hex);
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> {
            if (kind.equals("request")) {
                MessageRouterRequest.decode(WireReader.of(b));
            } else {
                MessageRouterResponse.decode(WireReader.of(b));
            }
        });
        assertThat(e).as(defect).isNotNull();
        assertThat(e.reason()).as(defect + ": " + e.getMessage()).isEqualTo(expected);
    }
}
