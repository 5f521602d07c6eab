package dev.cipsec.adapter;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.objects.std.AssemblyInstance;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ConnectionTriad;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.ForwardCloseRequest;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cpf.ConnectedAddressItem;
import dev.cipsec.wire.cpf.ConnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.epath.EPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.cipsec.adapter.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

/** Class 3 connected explicit messaging (reference §2.5–2.9, §2.11) over raw SendRRData/SendUnitData. */
class Class3ConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(3);
    private static final EPath MESSAGE_ROUTER = EPath.classInstance(0x02, 1);
    private static final int VENDOR = 0x1234;
    private static final long ORIGINATOR_SERIAL = 0xCAFE_F00DL;
    /** 1 s RPI x 16: no connection times out during a test unless it asks to. */
    private static final long SLOW_RPI = 1_000_000;

    private CipDevice device;

    @BeforeEach
    void start() throws IOException {
        device = TestDevices.start(AdapterLimits.defaults().withMaxClass3Connections(3));
    }

    @AfterEach
    void stop() {
        device.close();
    }

    private static ForwardOpenRequest forwardOpen(boolean large, int serial, int trigger, long rpiMicros, int multiplier) {
        return new ForwardOpenRequest(large, 0x0A, 0x0E, 0, 0x7000_0000L + serial, serial, VENDOR, ORIGINATOR_SERIAL,
                multiplier, rpiMicros, NetworkConnectionParameters.pointToPoint(504), rpiMicros,
                NetworkConnectionParameters.pointToPoint(504), trigger, MESSAGE_ROUTER);
    }

    private static ForwardOpenRequest class3(int serial) {
        return forwardOpen(false, serial, 0xA3, SLOW_RPI, 2);
    }

    private static ForwardOpenResponse opened(MessageRouterResponse r) {
        assertThat(r.generalStatus()).as("Forward_Open status, extended 0x%04X", r.extendedStatus()).isZero();
        try {
            return ForwardOpenResponse.decode(WireReader.of(r.data().toArray()));
        } catch (WireFormatException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertConnectionFailure(MessageRouterResponse r, int service, int extended) {
        assertThat(r.service()).isEqualTo(service);
        assertThat(r.generalStatus()).isEqualTo(GeneralStatus.CONNECTION_FAILURE);
        assertThat(r.additionalStatus()).containsExactly(extended);
    }

    private static EncapsulationPacket unitData(RawClient c, long otId, int seq, MessageRouterRequest req) {
        return c.packet(EncapsulationCommand.SEND_UNIT_DATA, c.session(), RrData.connected(otId, RawClient.connectedPayload(seq, req)).toBytes());
    }

    /** Sends one class 3 request and checks the reply's addressing; returns the reply's MR response. */
    private static MessageRouterResponse connected(RawClient c, ForwardOpenResponse conn, int seq, MessageRouterRequest req)
            throws IOException {
        EncapsulationPacket reply = c.exchange(unitData(c, conn.otConnectionId(), seq, req));
        assertThat(reply.header().status()).isEqualTo(EncapsulationStatus.SUCCESS);
        try {
            RrData rr = RrData.decode(reply.data());
            assertThat(rr.cpf().get(0)).isEqualTo(new ConnectedAddressItem(conn.toConnectionId()));
            Bytes data = ((ConnectedDataItem) rr.cpf().get(1)).data();
            assertThat(data.get(0) | data.get(1) << 8).as("echoed sequence count").isEqualTo(seq);
            return MessageRouterResponse.decode(data.slice(2, data.length()));
        } catch (WireFormatException e) {
            throw new AssertionError(e);
        }
    }

    private static MessageRouterRequest identityVendor() {
        return new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstanceAttribute(1, 1, 1));
    }

    private int connectionTimeouts(RawClient c) throws IOException {
        MessageRouterResponse r = c.getAttributeSingle(0x06, 1, 8);
        assertThat(r.isSuccess()).isTrue();
        return r.data().get(0) | r.data().get(1) << 8;
    }

    @Test
    void forwardOpenThenRequestsWithIncrementingSequenceCounts() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            ForwardOpenRequest fo = class3(1);
            ForwardOpenResponse conn = opened(c.unconnected(fo.toRequest()));
            assertThat(conn.toConnectionId()).isEqualTo(fo.toConnectionId());
            assertThat(conn.otConnectionId()).isNotZero();
            assertThat(conn.triad()).isEqualTo(fo.triad());
            assertThat(device.class3ConnectionCount()).isEqualTo(1);
            for (int seq = 1; seq <= 5; seq++) {
                MessageRouterResponse r = connected(c, conn, seq, identityVendor());
                assertThat(r.isSuccess()).isTrue();
                assertThat(r.data()).isEqualTo(Bytes.fromHex("feff"));
            }
            assertThat(device.stats().connectedRequests()).isEqualTo(5);
        }
    }

    @Test
    void repeatedSequenceCountGetsTheStoredReplyWithoutExecutingAgain() throws IOException {
        AtomicInteger writes = new AtomicInteger();
        AssemblyInstance.Listener counter = (a, data, source) -> {
            if (source == AssemblyInstance.WriteSource.EXPLICIT) {
                writes.incrementAndGet();
            }
        };
        device.assembly(150).addListener(counter);
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            ForwardOpenResponse conn = opened(c.unconnected(class3(2).toRequest()));
            byte[] first = new byte[32];
            first[0] = 1;
            MessageRouterRequest set = new MessageRouterRequest(ServiceCodes.SET_ATTRIBUTE_SINGLE,
                    EPath.classInstanceAttribute(4, 150, 3), Bytes.of(first));
            byte[] request = unitData(c, conn.otConnectionId(), 7, set).toBytes().toArray();
            c.send(request);
            byte[] reply = c.readFrame();
            assertThat(writes.get()).isEqualTo(1);

            // The retry carries other data under the same sequence count: it must not run.
            byte[] second = new byte[32];
            second[0] = 2;
            MessageRouterRequest set2 = new MessageRouterRequest(ServiceCodes.SET_ATTRIBUTE_SINGLE,
                    EPath.classInstanceAttribute(4, 150, 3), Bytes.of(second));
            EncapsulationPacket retry = unitData(c, conn.otConnectionId(), 7, set2);
            byte[] retryBytes = retry.toBytes().toArray();
            System.arraycopy(request, 12, retryBytes, 12, 8); // same sender context as the original
            c.send(retryBytes);
            assertThat(hex(c.readFrame())).as("identical stored reply").isEqualTo(hex(reply));
            assertThat(writes.get()).as("not executed twice").isEqualTo(1);
            assertThat(device.assembly(150).data().get(0)).isEqualTo(1);
            assertThat(device.stats().connectedDuplicates()).isEqualTo(1);

            assertThat(connected(c, conn, 8, set2).isSuccess()).isTrue();
            assertThat(writes.get()).isEqualTo(2);
            assertThat(device.assembly(150).data().get(0)).isEqualTo(2);
        } finally {
            device.assembly(150).removeListener(counter);
        }
    }

    @Test
    void duplicateForwardOpenIsConnectionInUse() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            opened(c.unconnected(class3(3).toRequest()));
            assertConnectionFailure(c.unconnected(class3(3).toRequest()), ServiceCodes.FORWARD_OPEN, ExtendedStatus.CONNECTION_IN_USE);
            assertThat(device.class3ConnectionCount()).isEqualTo(1);
            c.assertUsable();
        }
    }

    @Test
    void forwardCloseClosesAndAnUnknownTriadIsTargetConnectionNotFound() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            ForwardOpenRequest fo = class3(4);
            ForwardOpenResponse conn = opened(c.unconnected(fo.toRequest()));
            ConnectionTriad unknown = new ConnectionTriad(999, VENDOR, ORIGINATOR_SERIAL);
            MessageRouterResponse miss = c.unconnected(new ForwardCloseRequest(0x0A, 0x0E, unknown, MESSAGE_ROUTER).toRequest());
            assertConnectionFailure(miss, ServiceCodes.FORWARD_CLOSE, ExtendedStatus.TARGET_CONNECTION_NOT_FOUND);
            assertThat(device.class3ConnectionCount()).isEqualTo(1);

            MessageRouterResponse closed = c.unconnected(new ForwardCloseRequest(0x0A, 0x0E, fo.triad(), MESSAGE_ROUTER).toRequest());
            assertThat(closed.isSuccess()).isTrue();
            assertThat(device.class3ConnectionCount()).isZero();
            // The closed connection's id is unknown now: no reply, and the session goes on.
            c.send(unitData(c, conn.otConnectionId(), 1, identityVendor()));
            c.assertUsable();
            assertThat(device.stats().connectedUnknown()).isEqualTo(1);
        }
    }

    @Test
    void class1ForwardOpenToTheMessageRouterIsAnInvalidApplicationPath() throws IOException {
        // Class 1 goes to the I/O runtime, which wants assembly connection points (class 4), not 20 02 24 01.
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            assertConnectionFailure(c.unconnected(forwardOpen(false, 5, 0x01, 10_000, 0).toRequest()),
                    ServiceCodes.FORWARD_OPEN, ExtendedStatus.INVALID_APPLICATION_PATH);
            assertThat(device.class3ConnectionCount()).isZero();
        }
    }

    @Test
    void silentConnectionTimesOutAndIsCounted() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            int before = connectionTimeouts(c);
            // 10 ms RPI x 4 (multiplier 0) = 40 ms.
            opened(c.unconnected(forwardOpen(false, 6, 0xA3, 10_000, 0).toRequest()));
            Await.until(WAIT, () -> device.class3ConnectionCount() == 0, "timed-out connection removed");
            assertThat(connectionTimeouts(c)).isEqualTo(before + 1);
        }
    }

    @Test
    void reservedTimeoutMultiplierIsRefusedNotAHandlerFailure() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            // Multipliers 0..7 mean x4..x512; 40 would overflow the timeout arithmetic.
            MessageRouterResponse r = c.unconnected(forwardOpen(false, 11, 0xA3, 4_000_000_000L, 40).toRequest());
            assertConnectionFailure(r, ServiceCodes.FORWARD_OPEN, ExtendedStatus.MISCELLANEOUS);
            // 0xFF would shift the multiplier to zero: a connection that expires at once.
            r = c.unconnected(forwardOpen(false, 12, 0xA3, SLOW_RPI, 0xFF).toRequest());
            assertConnectionFailure(r, ServiceCodes.FORWARD_OPEN, ExtendedStatus.MISCELLANEOUS);
            assertThat(device.class3ConnectionCount()).isZero();
            c.assertUsable();
        }
    }

    @Test
    void closingTheTcpConnectionRemovesItsClass3Connections() throws IOException {
        try (RawClient keep = RawClient.connect(device.tcpAddress())) {
            keep.registerSession();
            opened(keep.unconnected(class3(20).toRequest()));
            try (RawClient c = RawClient.connect(device.tcpAddress())) {
                c.registerSession();
                opened(c.unconnected(class3(7).toRequest()));
                opened(c.unconnected(class3(8).toRequest()));
                assertThat(device.class3ConnectionCount()).isEqualTo(3);
            }
            Await.until(WAIT, () -> device.class3ConnectionCount() == 1, "class 3 connections of the closed session removed");
            keep.assertUsable();
        }
    }

    @Test
    void sendUnitDataToAnUnknownOrForeignConnectionGetsNoReplyAndTheSessionGoesOn() throws IOException {
        try (RawClient owner = RawClient.connect(device.tcpAddress()); RawClient other = RawClient.connect(device.tcpAddress())) {
            owner.registerSession();
            other.registerSession();
            ForwardOpenResponse conn = opened(owner.unconnected(class3(9).toRequest()));
            other.send(unitData(other, 0x0BAD_BEEFL, 1, identityVendor()));
            // Another session may not use the owner's connection either.
            other.send(unitData(other, conn.otConnectionId(), 1, identityVendor()));
            // The first frame back answers this follow-up: neither SendUnitData got a reply.
            other.assertUsable();
            assertThat(device.stats().connectedUnknown()).isEqualTo(2);
            assertThat(connected(owner, conn, 1, identityVendor()).isSuccess()).isTrue();
        }
    }

    @Test
    void largeForwardOpenOpensAUsableConnection() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            MessageRouterResponse r = c.unconnected(forwardOpen(true, 10, 0xA3, SLOW_RPI, 2).toRequest());
            assertThat(r.service()).isEqualTo(ServiceCodes.LARGE_FORWARD_OPEN);
            ForwardOpenResponse conn = opened(r);
            assertThat(connected(c, conn, 1, identityVendor()).data()).isEqualTo(Bytes.fromHex("feff"));
        }
    }

    @Test
    void class3ConnectionsBeyondTheLimitAreOutOfConnections() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            for (int serial = 30; serial < 33; serial++) {
                opened(c.unconnected(class3(serial).toRequest()));
            }
            assertConnectionFailure(c.unconnected(class3(33).toRequest()), ServiceCodes.FORWARD_OPEN, ExtendedStatus.OUT_OF_CONNECTIONS);
            assertThat(device.class3ConnectionCount()).isEqualTo(3);
            // Closing one makes room again.
            assertThat(c.unconnected(new ForwardCloseRequest(0x0A, 0x0E, class3(30).triad(), MESSAGE_ROUTER).toRequest()).isSuccess()).isTrue();
            opened(c.unconnected(class3(33).toRequest()));
        }
    }
}
