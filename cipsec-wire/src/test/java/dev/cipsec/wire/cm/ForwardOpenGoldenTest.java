package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Connection Manager exchanges of the OpENer I/O captures, against the values in the fixtures README. */
class ForwardOpenGoldenTest {

    record Capture(String file, boolean large, long otProposed, long otChosen, long to, int serial, long origSerial,
                   int otParams16, long otParams32, int toParams16, long toParams32, int otSize, int toSize,
                   int consumedPoint) {
    }

    static final Capture EXCLUSIVE = new Capture("opener-io-exclusive-owner.hex", false, 0xB228A0EAL, 0x26E70013L,
            0x84786CF1L, 0xEFDB, 0x108B001BL, 0x4826, -1, 0x4822, -1, 38, 34, 150);
    static final Capture INPUT_ONLY = new Capture("opener-io-input-only.hex", false, 0x04B9DBA1L, 0x73810013L,
            0x4D55D932L, 0x2CA2, 0x873331CEL, 0x4802, -1, 0x4822, -1, 2, 34, 152);
    static final Capture LARGE = new Capture("opener-io-large-forward-open.hex", true, 0x5221187CL, 0xA4190013L,
            0xC7AE94E8L, 0x0E0D, 0x3E4D6872L, -1, 0x48000026L, -1, 0x48000022L, 38, 34, 150);

    static Stream<Arguments> captures() {
        return Stream.of(Arguments.of(EXCLUSIVE), Arguments.of(INPUT_ONLY), Arguments.of(LARGE));
    }

    static byte[] mr(String file, int frame) {
        return SendRRDataFrames.mrPdu(Fixtures.frame(file, frame).payload());
    }

    @ParameterizedTest
    @MethodSource("captures")
    void forwardOpenRequestDecodesToReadmeValuesAndReencodes(Capture c) throws Exception {
        byte[] pdu = mr(c.file, 8);
        MessageRouterRequest req = MessageRouterRequest.decode(WireReader.of(pdu));
        assertThat(req.service()).isEqualTo(c.large ? ServiceCodes.LARGE_FORWARD_OPEN : ServiceCodes.FORWARD_OPEN);
        assertThat(req.path().toBytes()).isEqualTo(Bytes.fromHex("20062401"));

        ForwardOpenRequest fo = ForwardOpenRequest.fromRequest(req);
        assertThat(fo.large()).isEqualTo(c.large);
        assertThat(fo.priorityTimeTick()).isEqualTo(0x0A);
        assertThat(fo.timeoutTicks()).isEqualTo(0x0E);
        assertThat(fo.otConnectionId()).isEqualTo(c.otProposed);
        assertThat(fo.toConnectionId()).isEqualTo(c.to);
        assertThat(fo.triad()).isEqualTo(new ConnectionTriad(c.serial, 0xFFFE, c.origSerial));
        assertThat(fo.timeoutMultiplier()).isZero();
        assertThat(fo.otRpiMicros()).isEqualTo(10_000);
        assertThat(fo.toRpiMicros()).isEqualTo(10_000);
        if (c.large) {
            assertThat(fo.otParameters().toWord32()).isEqualTo(c.otParams32);
            assertThat(fo.toParameters().toWord32()).isEqualTo(c.toParams32);
        } else {
            assertThat(fo.otParameters().toWord16()).isEqualTo(c.otParams16);
            assertThat(fo.toParameters().toWord16()).isEqualTo(c.toParams16);
        }
        assertThat(fo.otParameters()).isEqualTo(NetworkConnectionParameters.pointToPoint(c.otSize));
        assertThat(fo.toParameters()).isEqualTo(NetworkConnectionParameters.pointToPoint(c.toSize));
        assertThat(fo.transportTrigger()).isEqualTo(TransportTrigger.CLASS1_CYCLIC);
        assertThat(fo.trigger().transportClass()).isEqualTo(1);
        assertThat(fo.connectionPath().toBytes()).isEqualTo(Bytes.fromHex("20042497" + "2c" + hex(c.consumedPoint) + "2c64"));
        assertThat(fo.connectionPath().logical(LogicalType.INSTANCE)).isEqualTo(151);
        assertThat(fo.connectionPath().segments()).hasSize(4);

        assertThat(fo.toRequest().toBytes().toArray()).isEqualTo(pdu);
        assertThat(ForwardOpenRequest.decode(WireReader.of(fo.toBytes().toArray()), c.large)).isEqualTo(fo);
    }

    private static String hex(int b) {
        return String.format("%02x", b);
    }

    @ParameterizedTest
    @MethodSource("captures")
    void forwardOpenReplyDecodesToReadmeValuesAndReencodes(Capture c) throws Exception {
        byte[] pdu = mr(c.file, 9);
        MessageRouterResponse rsp = MessageRouterResponse.decode(WireReader.of(pdu));
        assertThat(rsp.service()).isEqualTo(c.large ? ServiceCodes.LARGE_FORWARD_OPEN : ServiceCodes.FORWARD_OPEN);
        assertThat(rsp.isSuccess()).isTrue();

        ForwardOpenResponse r = ForwardOpenResponse.decode(WireReader.of(rsp.data().toArray()));
        assertThat(r.otConnectionId()).isEqualTo(c.otChosen);
        assertThat(r.otConnectionId() & 0xFFFF).isEqualTo(0x0013);
        assertThat(r.toConnectionId()).isEqualTo(c.to);
        assertThat(r.triad()).isEqualTo(new ConnectionTriad(c.serial, 0xFFFE, c.origSerial));
        assertThat(r.otApiMicros()).isEqualTo(10_000);
        assertThat(r.toApiMicros()).isEqualTo(10_000);
        assertThat(r.applicationReply().isEmpty()).isTrue();

        assertThat(r.toResponse(c.large).toBytes().toArray()).isEqualTo(pdu);
    }

    @ParameterizedTest
    @MethodSource("captures")
    void forwardCloseRequestAndReplyMatchTheCapture(Capture c) throws Exception {
        byte[] req = mr(c.file, 211);
        ForwardCloseRequest fc = ForwardCloseRequest.fromRequest(MessageRouterRequest.decode(WireReader.of(req)));
        assertThat(fc.triad()).isEqualTo(new ConnectionTriad(c.serial, 0xFFFE, c.origSerial));
        assertThat(fc.priorityTimeTick()).isEqualTo(0x0A);
        assertThat(fc.timeoutTicks()).isEqualTo(0x0E);
        assertThat(fc.connectionPath()).isEqualTo(
                ForwardOpenRequest.decode(WireReader.of(MessageRouterRequest.decode(WireReader.of(mr(c.file, 8))).data().toArray()),
                        c.large).connectionPath());
        assertThat(fc.toRequest().toBytes().toArray()).isEqualTo(req);

        byte[] rsp = mr(c.file, 212);
        MessageRouterResponse mrr = MessageRouterResponse.decode(WireReader.of(rsp));
        assertThat(mrr.service()).isEqualTo(ServiceCodes.FORWARD_CLOSE);
        ForwardCloseResponse fcr = ForwardCloseResponse.decode(WireReader.of(mrr.data().toArray()));
        assertThat(fcr.triad()).isEqualTo(fc.triad());
        assertThat(fcr.applicationReply()).isEqualTo(Bytes.EMPTY);
        assertThat(fcr.toResponse().toBytes().toArray()).isEqualTo(rsp);
    }

    @Test
    void connectionPathReadsAsConfigConsumedProduced() throws Exception {
        EPath path = ForwardOpenRequest.fromRequest(MessageRouterRequest.decode(WireReader.of(mr(EXCLUSIVE.file, 8))))
                .connectionPath();
        assertThat(path.toString()).isEqualTo("[class 0x04 instance 151 connpoint 150 connpoint 100]");
    }
}
