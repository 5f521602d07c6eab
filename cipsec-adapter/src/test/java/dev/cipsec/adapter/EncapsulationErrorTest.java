package dev.cipsec.adapter;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cpf.ConnectedAddressItem;
import dev.cipsec.wire.cpf.ConnectedDataItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RegisterSessionData;
import dev.cipsec.wire.encap.RrData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;

import static dev.cipsec.adapter.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One test per encapsulation-level defect (reference §1.3, §1.4): the exact reply and what
 * happens to the connection afterwards. Usable means a follow-up request on the same connection
 * is answered; closed means a read sees EOF within a deadline.
 */
class EncapsulationErrorTest {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);
    private static final String ERRORS = "opener-encap-errors.hex";

    private CipDevice device;

    @BeforeEach
    void start() throws IOException {
        // Configured like OpENer's sample, so that replies can be compared with its captures byte for byte.
        device = TestDevices.startOpenerLike();
    }

    @AfterEach
    void stop() {
        device.close();
    }

    private RawClient client() throws IOException {
        return RawClient.connect(device.tcpAddress());
    }

    private static byte[] headerOnly(int command, long session, long status, long context) {
        return EncapsulationPacket.of(command, session, status, context, Bytes.EMPTY).toBytes().toArray();
    }

    @Test
    void unknownCommandIsAnsweredWithHeaderOnlyStatus1AndTheConnectionStaysUsable() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            // OpENer frame 8 -> 9, our session in place of its handle 1.
            c.send(Frames.withSession(Frames.payload(ERRORS, 8), session));
            assertThat(hex(c.readFrame())).isEqualTo(hex(Frames.withSession(Frames.payload(ERRORS, 9), session)));

            EncapsulationPacket withBody = c.packet(0x00FE, session, Bytes.of((byte) 1, (byte) 2, (byte) 3));
            c.send(withBody);
            assertThat(hex(c.readFrame())).isEqualTo(hex(headerOnly(0x00FE, session, EncapsulationStatus.INVALID_COMMAND,
                    withBody.header().senderContext())));

            c.assertUsable();
        }
        assertThat(device.stats().unsupportedCommands()).isEqualTo(2);
    }

    @Test
    void unknownCommandWithoutSessionEchoesTheHandleItWasSent() throws IOException {
        try (RawClient c = client()) {
            EncapsulationPacket p = c.packet(0x1234, 0x0BAD_F00DL, Bytes.EMPTY);
            c.send(p);
            assertThat(hex(c.readFrame())).isEqualTo(hex(headerOnly(0x1234, 0x0BAD_F00DL, EncapsulationStatus.INVALID_COMMAND,
                    p.header().senderContext())));
            c.assertUsable();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 5, 8})
    void registerSessionWithWrongLengthGetsStatus0x65AndTheConnectionIsClosed(int length) throws IOException {
        try (RawClient c = client()) {
            EncapsulationPacket p = c.packet(EncapsulationCommand.REGISTER_SESSION, 0, Bytes.of(new byte[length]));
            c.send(p);
            assertThat(hex(c.readFrame())).isEqualTo(hex(headerOnly(EncapsulationCommand.REGISTER_SESSION, 0,
                    EncapsulationStatus.INVALID_LENGTH, p.header().senderContext())));
            c.assertClosedWithin(CLOSE_WAIT);
        }
        assertThat(device.stats().invalidLengths()).isEqualTo(1);
        assertThat(device.sessionCount()).isZero();
    }

    @Test
    void cpfItemRunningPastTheFrameGetsStatus0x65AndTheConnectionIsClosed() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            // Interface handle, timeout, 2 items: null address, then an unconnected data item claiming 200 bytes of 6.
            byte[] data = WireWriter.ofSize(6 + 2 + 4 + 4 + 6).u32(0).u16(0).u16(2).u16(0).u16(0)
                    .u16(UnconnectedDataItem.TYPE_ID).u16(200).bytes(Bytes.fromHex("0e0220012401")).array();
            EncapsulationPacket p = c.packet(EncapsulationCommand.SEND_RR_DATA, session, Bytes.of(data));
            c.send(p);
            assertThat(hex(c.readFrame())).isEqualTo(hex(headerOnly(EncapsulationCommand.SEND_RR_DATA, session,
                    EncapsulationStatus.INVALID_LENGTH, p.header().senderContext())));
            c.assertClosedWithin(CLOSE_WAIT);
        }
        Await.until(CLOSE_WAIT, () -> device.sessionCount() == 0, "session released with its connection");
    }

    @Test
    void cpfItemCountBeyondTheDataGetsStatus0x65AndTheConnectionIsClosed() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            byte[] data = WireWriter.ofSize(8).u32(0).u16(0).u16(50).array();
            EncapsulationPacket p = c.packet(EncapsulationCommand.SEND_RR_DATA, session, Bytes.of(data));
            c.send(p);
            assertThat(c.read().header().status()).isEqualTo(EncapsulationStatus.INVALID_LENGTH);
            c.assertClosedWithin(CLOSE_WAIT);
        }
    }

    @Test
    void wrongSessionOnSendRrDataGetsStatus0x64AsOpenerAndTheSessionSurvives() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            // OpENer frame 10 -> 11: the wrong handle 0x5A5A0000 is echoed, no data.
            c.send(Frames.payload(ERRORS, 10));
            assertThat(hex(c.readFrame())).isEqualTo(hex(Frames.payload(ERRORS, 11)));
            // Frame 12 -> 13: the same request in the right session works.
            c.send(Frames.withSession(Frames.payload(ERRORS, 12), session));
            assertThat(hex(c.readFrame())).isEqualTo(hex(Frames.withSession(Frames.payload(ERRORS, 13), session)));
        }
        assertThat(device.stats().invalidSessionHandles()).isEqualTo(1);
    }

    @Test
    void sendRrDataBeforeRegisterSessionGetsStatus0x64() throws IOException {
        try (RawClient c = client()) {
            EncapsulationPacket p = c.packet(EncapsulationCommand.SEND_RR_DATA, 0,
                    RrData.unconnected(0, Bytes.fromHex("0e03200124013001")).toBytes());
            c.send(p);
            assertThat(hex(c.readFrame())).isEqualTo(hex(headerOnly(EncapsulationCommand.SEND_RR_DATA, 0,
                    EncapsulationStatus.INVALID_SESSION_HANDLE, p.header().senderContext())));
            c.registerSession();
            c.assertUsable();
        }
    }

    @Test
    void wrongSessionOnSendUnitDataGetsStatus0x64AndTheSessionSurvives() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            long wrong = session ^ 0x0101_0101L;
            EncapsulationPacket p = c.packet(EncapsulationCommand.SEND_UNIT_DATA, wrong,
                    RrData.connected(0x1234, Bytes.fromHex("01000e03200124013001")).toBytes());
            c.send(p);
            assertThat(hex(c.readFrame())).isEqualTo(hex(headerOnly(EncapsulationCommand.SEND_UNIT_DATA, wrong,
                    EncapsulationStatus.INVALID_SESSION_HANDLE, p.header().senderContext())));
            c.assertUsable();
        }
    }

    @Test
    void wrongSessionOnUnRegisterSessionGetsStatus0x64AndTheSessionSurvives() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            long wrong = session ^ 0x8000_0000L;
            EncapsulationPacket p = c.packet(EncapsulationCommand.UNREGISTER_SESSION, wrong, Bytes.EMPTY);
            c.send(p);
            assertThat(hex(c.readFrame())).isEqualTo(hex(headerOnly(EncapsulationCommand.UNREGISTER_SESSION, wrong,
                    EncapsulationStatus.INVALID_SESSION_HANDLE, p.header().senderContext())));
            c.assertUsable();
            assertThat(device.sessionCount()).isEqualTo(1);
        }
    }

    @Test
    void unRegisterSessionHasNoReplyAndClosesTheConnection() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            c.send(c.packet(EncapsulationCommand.UNREGISTER_SESSION, session, Bytes.EMPTY));
            c.assertClosedWithin(CLOSE_WAIT);
        }
        Await.until(CLOSE_WAIT, () -> device.sessionCount() == 0, "session unregistered");
    }

    @Test
    void registerSessionVersion2GetsStatus0x69WithVersion1AsOpenerAndARetryWorks() throws IOException {
        try (RawClient c = client()) {
            // OpENer frame 21 -> 23, byte for byte (session 0 both ways).
            c.send(Frames.payload(ERRORS, 21));
            assertThat(hex(c.readFrame())).isEqualTo(hex(Frames.payload(ERRORS, 23)));
            c.registerSession();
            c.assertUsable();
        }
        assertThat(device.stats().unsupportedVersions()).isEqualTo(1);
    }

    @Test
    void registerSessionWithOptionFlagsGetsStatus0x69AndARetryWorks() throws IOException {
        try (RawClient c = client()) {
            EncapsulationPacket p = c.packet(EncapsulationCommand.REGISTER_SESSION, 0, new RegisterSessionData(1, 1).toBytes());
            c.send(p);
            assertThat(hex(c.readFrame())).isEqualTo(hex(EncapsulationPacket.of(EncapsulationCommand.REGISTER_SESSION, 0,
                    EncapsulationStatus.UNSUPPORTED_PROTOCOL_VERSION, p.header().senderContext(),
                    RegisterSessionData.DEFAULT.toBytes()).toBytes().toArray()));
            assertThat(device.sessionCount()).isZero();
            c.registerSession();
            c.assertUsable();
        }
    }

    @Test
    void secondRegisterSessionOnOneConnectionKeepsTheFirstSession() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            EncapsulationPacket reply = c.exchange(c.packet(EncapsulationCommand.REGISTER_SESSION, 0, RegisterSessionData.DEFAULT.toBytes()));
            assertThat(reply.header().status()).isEqualTo(EncapsulationStatus.INCORRECT_DATA);
            assertThat(reply.header().sessionHandle()).isEqualTo(session);
            c.assertUsable();
            assertThat(device.sessionCount()).isEqualTo(1);
        }
    }

    @Test
    void nonZeroOptionsAreDiscardedWithoutReplyAndTheConnectionStaysUsable() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            EncapsulationHeader h = new EncapsulationHeader(EncapsulationCommand.LIST_IDENTITY, 0, 0, 0, c.nextContext(), 1);
            c.send(new EncapsulationPacket(h, Bytes.EMPTY));
            Bytes rr = RrData.unconnected(0, Bytes.fromHex("0e03200124013001")).toBytes();
            EncapsulationHeader h2 = new EncapsulationHeader(EncapsulationCommand.SEND_RR_DATA, rr.length(), session, 0, c.nextContext(), 0x8000_0000L);
            c.send(new EncapsulationPacket(h2, rr));
            // The next frame to arrive answers the follow-up: neither discarded packet got a reply.
            EncapsulationPacket follow = c.packet(EncapsulationCommand.LIST_SERVICES, 0, Bytes.EMPTY);
            EncapsulationPacket reply = c.exchange(follow);
            assertThat(reply.header().status()).isEqualTo(EncapsulationStatus.SUCCESS);
            c.assertUsable();
        }
        assertThat(device.stats().unconnectedRequests()).isEqualTo(1);
    }

    @Test
    void nopGetsNoReply() throws IOException {
        try (RawClient c = client()) {
            c.send(c.packet(EncapsulationCommand.NOP, 0, Bytes.EMPTY));
            c.send(c.packet(EncapsulationCommand.NOP, 0x1234, Bytes.of(new byte[100])));
            EncapsulationPacket reply = c.exchange(c.packet(EncapsulationCommand.LIST_SERVICES, 0, Bytes.EMPTY));
            assertThat(reply.header().status()).isEqualTo(EncapsulationStatus.SUCCESS);
        }
        assertThat(device.stats().framesIn()).isEqualTo(3);
    }

    @Test
    void listInterfacesAnswersAnEmptyList() throws IOException {
        try (RawClient c = client()) {
            EncapsulationPacket reply = c.exchange(c.packet(EncapsulationCommand.LIST_INTERFACES, 0, Bytes.EMPTY));
            assertThat(reply.header().status()).isEqualTo(EncapsulationStatus.SUCCESS);
            assertThat(reply.data()).isEqualTo(CpfPacket.of().toBytes());
        }
    }

    @ParameterizedTest(name = "MR request {0} -> general status {1}")
    @org.junit.jupiter.params.provider.CsvSource({
            // path size 5 words, 4 bytes of path
            "0e0520012401, 0x0E, 0x26",
            // a reserved segment type (0xE0)
            "0e02e0000000, 0x0E, 0x04",
            // the service alone, no path size
            "0e, 0x0E, 0x13",
            // nothing at all
            "'', 0x00, 0x13",
            // a reply code (0x8E) sent as a request: answered as inside Multiple_Service_Packet
            "8e03200124013001, 0x0E, 0x08",
    })
    void malformedMessageRouterRequestGetsTheMappedGeneralStatusAndTheConnectionStaysUsable(String request, String service,
                                                                                          String status) throws IOException {
        try (RawClient c = client()) {
            c.registerSession();
            MessageRouterResponse r = c.unconnected(Bytes.fromHex(request));
            assertThat(r.service()).isEqualTo(Integer.decode(service));
            assertThat(r.generalStatus()).isEqualTo(Integer.decode(status));
            assertThat(r.additionalStatus()).isEmpty();
            assertThat(r.data().isEmpty()).isTrue();
            c.assertUsable();
        }
    }

    @Test
    void symbolicSegmentWithNonAsciiCharactersIsAPathErrorNotADroppedConnection() throws IOException {
        try (RawClient c = client()) {
            c.registerSession();
            // Get_Attribute_Single, 2 words: symbolic segment of 3 characters, the first 0xE9.
            MessageRouterResponse r = c.unconnected(Bytes.fromHex("0e0263e94142"));
            assertThat(r.service()).isEqualTo(0x0E);
            assertThat(r.generalStatus()).isEqualTo(GeneralStatus.PATH_SEGMENT_ERROR);
            c.assertUsable();
        }
    }

    @Test
    void sendRrDataWithoutNullAddressItemGetsStatus3AndTheConnectionStaysUsable() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            Bytes rr = new RrData(0, 0, CpfPacket.of(new UnconnectedDataItem(Bytes.fromHex("0e03200124013001")))).toBytes();
            EncapsulationPacket p = c.packet(EncapsulationCommand.SEND_RR_DATA, session, rr);
            c.send(p);
            assertThat(hex(c.readFrame())).isEqualTo(hex(headerOnly(EncapsulationCommand.SEND_RR_DATA, session,
                    EncapsulationStatus.INCORRECT_DATA, p.header().senderContext())));
            c.assertUsable();
        }
        assertThat(device.stats().malformedRequests()).isEqualTo(1);
    }

    @Test
    void sendRrDataWithConnectedItemsOrAnotherInterfaceGetsStatus3() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            Bytes connected = RrData.connected(0x42, Bytes.fromHex("0100")).toBytes();
            assertThat(c.exchange(c.packet(EncapsulationCommand.SEND_RR_DATA, session, connected)).header().status())
                    .isEqualTo(EncapsulationStatus.INCORRECT_DATA);
            Bytes otherInterface = new RrData(7, 0, CpfPacket.of(new NullAddressItem(),
                    new UnconnectedDataItem(Bytes.fromHex("0e03200124013001")))).toBytes();
            assertThat(c.exchange(c.packet(EncapsulationCommand.SEND_RR_DATA, session, otherInterface)).header().status())
                    .isEqualTo(EncapsulationStatus.INCORRECT_DATA);
            c.assertUsable();
        }
    }

    @Test
    void sendUnitDataWithUnconnectedItemsGetsStatus3() throws IOException {
        try (RawClient c = client()) {
            long session = c.registerSession();
            Bytes wrongShape = new RrData(0, 0, CpfPacket.of(new ConnectedAddressItem(1), new ConnectedDataItem(Bytes.of((byte) 1)))).toBytes();
            assertThat(c.exchange(c.packet(EncapsulationCommand.SEND_UNIT_DATA, session, wrongShape)).header().status())
                    .as("connected data shorter than a sequence count").isEqualTo(EncapsulationStatus.INCORRECT_DATA);
            Bytes unconnected = RrData.unconnected(0, Bytes.fromHex("0e03200124013001")).toBytes();
            assertThat(c.exchange(c.packet(EncapsulationCommand.SEND_UNIT_DATA, session, unconnected)).header().status())
                    .isEqualTo(EncapsulationStatus.INCORRECT_DATA);
            c.assertUsable();
        }
    }
}
