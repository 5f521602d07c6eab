package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.ElectronicKeySegment;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.PortSegment;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Round trips and encode-side rules of the Connection Manager records. */
class ConnectionManagerCodecTest {

    static final ConnectionTriad TRIAD = new ConnectionTriad(0x1234, 0xFFFE, 0xCAFEBABEL);
    static final EPath IO_PATH = EPath.of(new ElectronicKeySegment(1, 12, 65001, true, 2, 3),
            LogicalSegment.of(LogicalType.CLASS, 4), LogicalSegment.of(LogicalType.INSTANCE, 151),
            LogicalSegment.of(LogicalType.CONNECTION_POINT, 150), LogicalSegment.of(LogicalType.CONNECTION_POINT, 100));

    static ForwardOpenRequest forwardOpen(boolean large, int otSize) {
        return new ForwardOpenRequest(large, 0x0A, 0x0E, 0, 0x11223344L, TRIAD.connectionSerial(),
                TRIAD.originatorVendorId(), TRIAD.originatorSerial(), 2, 20_000,
                NetworkConnectionParameters.pointToPoint(otSize), 10_000, NetworkConnectionParameters.multicast(34),
                TransportTrigger.CLASS1_CYCLIC, IO_PATH);
    }

    @Test
    void forwardOpenHasTheReferenceLayout() throws Exception {
        ForwardOpenRequest fo = forwardOpen(false, 38);
        byte[] b = fo.toBytes().toArray();
        assertThat(b).hasSize(36 + 18);
        assertThat(fo.encodedLength()).isEqualTo(b.length);
        assertThat(Bytes.copyOf(b, 18, 4)).isEqualTo(Bytes.fromHex("02000000")); // multiplier + 3 reserved zeros
        assertThat(Bytes.copyOf(b, 26, 2)).isEqualTo(Bytes.fromHex("2648"));
        assertThat(Bytes.copyOf(b, 32, 2)).isEqualTo(Bytes.fromHex("2228"));     // multicast 34
        assertThat(b[34]).isEqualTo((byte) 0x01);
        assertThat(b[35]).isEqualTo((byte) 9);                                   // key 5 words + 4 logical words
        assertThat(fo.triad()).isEqualTo(TRIAD);
        assertThat(ForwardOpenRequest.decode(WireReader.of(b), false)).isEqualTo(fo);

        MessageRouterRequest req = fo.toRequest();
        assertThat(req.service()).isEqualTo(ServiceCodes.FORWARD_OPEN);
        assertThat(req.path().toBytes()).isEqualTo(Bytes.fromHex("20062401"));
        assertThat(ForwardOpenRequest.fromRequest(req)).isEqualTo(fo);
    }

    @Test
    void reservedBytesAreIgnoredOnDecode() throws Exception {
        byte[] b = forwardOpen(false, 38).toBytes().toArray();
        b[19] = 1;
        b[21] = (byte) 0xFF;
        assertThat(ForwardOpenRequest.decode(WireReader.of(b), false)).isEqualTo(forwardOpen(false, 38));
    }

    @Test
    void largeForwardOpenCarriesBigConnectionSizes() throws Exception {
        ForwardOpenRequest lfo = forwardOpen(true, 4000);
        byte[] b = lfo.toBytes().toArray();
        assertThat(b).hasSize(40 + 18);
        assertThat(Bytes.copyOf(b, 26, 4)).isEqualTo(Bytes.fromHex("a00f0048"));
        assertThat(lfo.toRequest().service()).isEqualTo(ServiceCodes.LARGE_FORWARD_OPEN);
        assertThat(ForwardOpenRequest.fromRequest(lfo.toRequest())).isEqualTo(lfo);
    }

    @Test
    void forwardOpenRefusesWhatItCannotEncode() {
        assertThatThrownBy(() -> forwardOpen(false, 512)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Large_Forward_Open");
        assertThatThrownBy(() -> new ForwardOpenRequest(false, 256, 0, 0, 0, 0, 0, 0, 0, 0,
                NetworkConnectionParameters.pointToPoint(2), 0, NetworkConnectionParameters.pointToPoint(2), 1, EPath.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ForwardOpenRequest(false, 0, 0, 1L << 32, 0, 0, 0, 0, 0, 0,
                NetworkConnectionParameters.pointToPoint(2), 0, NetworkConnectionParameters.pointToPoint(2), 1, EPath.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromRequestChecksTheService() {
        MessageRouterRequest other = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstance(6, 1));
        assertThatThrownBy(() -> ForwardOpenRequest.fromRequest(other)).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> ForwardCloseRequest.fromRequest(other)).isInstanceOf(WireFormatException.class);
        assertThatThrownBy(() -> UnconnectedSendRequest.fromRequest(other)).isInstanceOf(WireFormatException.class);
    }

    @Test
    void forwardOpenReplyRoundTripsWithApplicationReply() throws Exception {
        ForwardOpenResponse r = new ForwardOpenResponse(0x26E70013L, 0x84786CF1L, TRIAD, 10_000, 20_000, Bytes.fromHex("01020304"));
        byte[] b = r.toBytes().toArray();
        assertThat(b).hasSize(30);
        assertThat(b[24]).isEqualTo((byte) 2);
        assertThat(ForwardOpenResponse.decode(WireReader.of(b))).isEqualTo(r);
        MessageRouterResponse large = r.toResponse(true);
        assertThat(large.service()).isEqualTo(ServiceCodes.LARGE_FORWARD_OPEN);
        assertThatThrownBy(() -> new ForwardOpenResponse(1, 2, TRIAD, 0, 0, Bytes.fromHex("01")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sizeFailureCarriesTheCorrectSizeInTheSecondStatusWord() throws Exception {
        ForwardOpenFailure f = ForwardOpenFailure.invalidSize(TRIAD, 0, ExtendedStatus.INVALID_OT_SIZE, 38);
        MessageRouterResponse rsp = f.toResponse(ServiceCodes.FORWARD_OPEN);
        assertThat(rsp.toBytes()).isEqualTo(Bytes.fromHex("d4000102" + "2701" + "2600" + "3412feffbebafeca" + "0000"));
        ForwardOpenFailure back = ForwardOpenFailure.fromResponse(MessageRouterResponse.decode(rsp.toBytes()));
        assertThat(back).isEqualTo(f);
        assertThat(back.extendedStatus()).isEqualTo(0x0127);
        assertThat(back.correctSize()).hasValue(38);
        assertThat(back.rpiRejection()).isEmpty();
    }

    @Test
    void rpiFailureCarriesTypesAndRpisInStatusWords() throws Exception {
        ForwardOpenFailure.RpiRejection rpi = new ForwardOpenFailure.RpiRejection(
                ForwardOpenFailure.RPI_MINIMUM, ForwardOpenFailure.RPI_ACCEPTABLE, 0x00012345L, 10_000);
        ForwardOpenFailure f = ForwardOpenFailure.rpiNotAcceptable(TRIAD, 3, rpi);
        assertThat(f.additionalStatus()).containsExactly(0x0112, 0x0002, 0x2345, 0x0001, 0x2710, 0x0000);
        MessageRouterResponse rsp = f.toResponse(ServiceCodes.LARGE_FORWARD_OPEN);
        ForwardOpenFailure back = ForwardOpenFailure.fromResponse(MessageRouterResponse.decode(rsp.toBytes()));
        assertThat(back.rpiRejection()).contains(rpi);
        assertThat(back.remainingPathSize()).isEqualTo(3);
        assertThat(back.correctSize()).isEmpty();
    }

    @Test
    void plainFailureAndMissingExtendedStatus() throws Exception {
        ForwardOpenFailure f = ForwardOpenFailure.of(TRIAD, 0, ExtendedStatus.CONNECTION_IN_USE);
        assertThat(f.generalStatus()).isEqualTo(GeneralStatus.CONNECTION_FAILURE);
        assertThat(f.correctSize()).isEmpty();
        ForwardOpenFailure bare = new ForwardOpenFailure(TRIAD, 0, GeneralStatus.RESOURCE_UNAVAILABLE, List.of());
        assertThat(bare.extendedStatus()).isEqualTo(-1);
        assertThat(ForwardOpenFailure.fromResponse(bare.toResponse(ServiceCodes.FORWARD_CLOSE))).isEqualTo(bare);
        assertThatThrownBy(() -> new ForwardOpenFailure(TRIAD, 0, 0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ForwardOpenFailure.decode(WireReader.of(new byte[10]), 0, List.of()))
                .isInstanceOf(WireFormatException.class);
    }

    @Test
    void forwardCloseRoundTrips() throws Exception {
        ForwardCloseRequest fc = new ForwardCloseRequest(0x0A, 0x0E, TRIAD, IO_PATH);
        assertThat(fc.encodedLength()).isEqualTo(12 + 18);
        assertThat(ForwardCloseRequest.fromRequest(fc.toRequest())).isEqualTo(fc);
        ForwardCloseResponse r = new ForwardCloseResponse(TRIAD, Bytes.fromHex("abcd"));
        assertThat(ForwardCloseResponse.decode(WireReader.of(r.toBytes().toArray()))).isEqualTo(r);
        assertThat(r.toResponse().service()).isEqualTo(ServiceCodes.FORWARD_CLOSE);
    }

    @Test
    void unconnectedSendPadsAnOddEmbeddedRequest() throws Exception {
        MessageRouterRequest set = new MessageRouterRequest(ServiceCodes.SET_ATTRIBUTE_SINGLE,
                EPath.classInstanceAttribute(1, 1, 7), Bytes.fromHex("05"));
        EPath route = EPath.of(PortSegment.of(1, 0));
        UnconnectedSendRequest us = new UnconnectedSendRequest(0x07, 0xE9, set, route);
        assertThat(us.toBytes()).isEqualTo(Bytes.fromHex("07e9" + "0900" + "1003200124013007" + "05" + "00" + "0100" + "0100"));
        assertThat(UnconnectedSendRequest.fromRequest(us.toRequest())).isEqualTo(us);
        assertThat(us.toRequest().path().toBytes()).isEqualTo(Bytes.fromHex("20062401"));
    }

    @Test
    void unconnectedSendWithEvenEmbeddedRequestAndExtendedRoute() throws Exception {
        MessageRouterRequest get = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstanceAttribute(1, 1, 7));
        EPath route = EPath.of(PortSegment.of(1, 2), PortSegment.of(2, "192.168.1.10"));
        UnconnectedSendRequest us = new UnconnectedSendRequest(0x07, 0xE9, get, route);
        byte[] b = us.toBytes().toArray();
        assertThat(b).hasSize(4 + 8 + 2 + 2 + 14);
        assertThat(UnconnectedSendRequest.decode(WireReader.of(b))).isEqualTo(us);
    }
}
