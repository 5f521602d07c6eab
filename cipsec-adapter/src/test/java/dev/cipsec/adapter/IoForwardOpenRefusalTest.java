package dev.cipsec.adapter;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.ForwardOpenFailure;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cpf.SockaddrItem;
import dev.cipsec.wire.epath.DataSegment;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.ElectronicKeySegment;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.PortSegment;
import dev.cipsec.wire.epath.Segment;
import dev.cipsec.wire.epath.SymbolicSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every class 0/1 Forward_Open refusal with its exact extended status (reference §2.9), against
 * the OpENer-like device (identity 1/12/65001 rev 2.3; input 100, output 150, config 151, 32/32/10 bytes).
 */
class IoForwardOpenRefusalTest {
    private static final NetworkConnectionParameters OT = NetworkConnectionParameters.pointToPoint(38);
    private static final NetworkConnectionParameters TO = NetworkConnectionParameters.pointToPoint(34);

    private CipDevice device;
    private IoPeer peer;

    @BeforeEach
    void start() throws Exception {
        device = CipDevice.start(TestDevices.openerLike());
        peer = IoPeer.open(device);
    }

    @AfterEach
    void stop() throws Exception {
        peer.close();
        device.close();
    }

    private static EPath pathWith(Segment... extra) {
        List<Segment> segs = new ArrayList<>(List.of(extra));
        return new EPath(segs);
    }

    private static EPath keyed(ElectronicKeySegment key) {
        List<Segment> segs = new ArrayList<>();
        segs.add(key);
        segs.addAll(IoPeer.path(151, 150, 100).segments());
        return new EPath(segs);
    }

    private static EPath withConfigData(Bytes data) {
        List<Segment> segs = new ArrayList<>(IoPeer.path(151, 150, 100).segments());
        segs.add(new DataSegment.Simple(data));
        return new EPath(segs);
    }

    private ForwardOpenFailure refused(ForwardOpenRequest fo, int extendedStatus) throws Exception {
        ForwardOpenFailure f = peer.forwardOpen(fo).failure();
        assertThat(f.generalStatus()).isEqualTo(GeneralStatus.CONNECTION_FAILURE);
        assertThat(f.extendedStatus()).as(ExtendedStatus.describe(f.extendedStatus())).isEqualTo(extendedStatus);
        assertThat(f.triad()).isEqualTo(fo.triad());
        assertThat(device.ioConnectionCount()).isZero();
        return f;
    }

    private static ForwardOpenRequest eo(int serial, EPath path) {
        return IoPeer.request(serial, path, OT, TO, 10_000, 0x01);
    }

    @Test
    void vendorOrProductMismatchIs0x0114() throws Exception {
        refused(eo(1, keyed(new ElectronicKeySegment(99, 12, 65001, false, 2, 3))), ExtendedStatus.VENDOR_PRODUCT_MISMATCH);
        refused(eo(2, keyed(new ElectronicKeySegment(1, 12, 7, false, 2, 3))), ExtendedStatus.VENDOR_PRODUCT_MISMATCH);
    }

    @Test
    void deviceTypeMismatchIs0x0115() throws Exception {
        refused(eo(1, keyed(new ElectronicKeySegment(1, 43, 65001, false, 2, 3))), ExtendedStatus.DEVICE_TYPE_MISMATCH);
    }

    @Test
    void revisionMismatchIs0x0116AndTheCompatibilityBitAcceptsAnOlderMinor() throws Exception {
        refused(eo(1, keyed(new ElectronicKeySegment(1, 12, 65001, false, 2, 2))), ExtendedStatus.REVISION_MISMATCH);
        refused(eo(2, keyed(new ElectronicKeySegment(1, 12, 65001, true, 2, 4))), ExtendedStatus.REVISION_MISMATCH);
        refused(eo(3, keyed(new ElectronicKeySegment(1, 12, 65001, true, 3, 1))), ExtendedStatus.REVISION_MISMATCH);
        peer.forwardOpen(eo(4, keyed(new ElectronicKeySegment(1, 12, 65001, true, 2, 1)))).ok();
    }

    @Test
    void zeroKeyMatchesAnything() throws Exception {
        peer.forwardOpen(eo(1, keyed(new ElectronicKeySegment(0, 0, 0, false, 0, 0)))).ok();
    }

    @Test
    void configurationDataOfTheWrongSizeIs0x0126WithTheRightSize() throws Exception {
        ForwardOpenFailure f = refused(eo(1, withConfigData(Bytes.of(new byte[12]))), ExtendedStatus.INVALID_CONFIGURATION_SIZE);
        assertThat(f.correctSize()).hasValue(10);
        assertThat(device.assembly(151).data()).isEqualTo(Bytes.of(new byte[10]));
    }

    @Test
    void configurationDataIsWrittenToTheConfigurationAssembly() throws Exception {
        Bytes cfg = Bytes.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        peer.forwardOpen(eo(1, withConfigData(cfg))).ok();
        assertThat(device.assembly(151).data()).isEqualTo(cfg);
    }

    @Test
    void wrongOtSizeIs0x0127WithTheRightSize() throws Exception {
        ForwardOpenRequest small = IoPeer.request(1, IoPeer.path(151, 150, 100), NetworkConnectionParameters.pointToPoint(36), TO,
                10_000, 0x01);
        assertThat(refused(small, ExtendedStatus.INVALID_OT_SIZE).additionalStatus()).containsExactly(0x0127, 38);
        ForwardOpenRequest larger = IoPeer.request(2, IoPeer.path(151, 150, 100), NetworkConnectionParameters.pointToPoint(200),
                TO, 10_000, 0x01);
        assertThat(refused(larger, ExtendedStatus.INVALID_OT_SIZE).correctSize()).hasValue(38);
        ForwardOpenRequest heartbeat = IoPeer.request(3, IoPeer.path(151, 152, 100), NetworkConnectionParameters.pointToPoint(4),
                TO, 10_000, 0x01);
        assertThat(refused(heartbeat, ExtendedStatus.INVALID_OT_SIZE).correctSize()).hasValue(6);
    }

    @Test
    void wrongToSizeIs0x0128WithTheRightSize() throws Exception {
        ForwardOpenRequest fo = IoPeer.request(1, IoPeer.path(151, 150, 100), OT, NetworkConnectionParameters.pointToPoint(32),
                10_000, 0x01);
        assertThat(refused(fo, ExtendedStatus.INVALID_TO_SIZE).additionalStatus()).containsExactly(0x0128, 34);
    }

    @Test
    void variableSizesAcceptAMaximumThatHoldsTheAssembly() throws Exception {
        NetworkConnectionParameters ot = new NetworkConnectionParameters(100, true, 2, NetworkConnectionParameters.POINT_TO_POINT, false);
        NetworkConnectionParameters to = new NetworkConnectionParameters(34, true, 2, NetworkConnectionParameters.POINT_TO_POINT, false);
        peer.forwardOpen(IoPeer.request(1, IoPeer.path(151, 150, 100), ot, to, 10_000, 0x01)).ok();
        NetworkConnectionParameters tooSmall = new NetworkConnectionParameters(20, true, 2, NetworkConnectionParameters.POINT_TO_POINT, false);
        assertThat(peer.forwardOpen(IoPeer.request(2, IoPeer.path(151, 152, 100), NetworkConnectionParameters.pointToPoint(6),
                tooSmall, 10_000, 0x01)).failure().additionalStatus()).containsExactly(0x0128, 34);
    }

    @Test
    void rpiZeroIs0x0111() throws Exception {
        refused(IoPeer.request(1, IoPeer.path(151, 150, 100), OT, TO, 0, 0x01), ExtendedStatus.RPI_NOT_SUPPORTED);
    }

    @Test
    void rpiOutOfRangeIs0x0112WithTheAcceptableRpis() throws Exception {
        ForwardOpenFailure low = refused(IoPeer.request(1, IoPeer.path(151, 150, 100), OT, TO, 500, 0x01),
                ExtendedStatus.RPI_NOT_ACCEPTABLE);
        assertThat(low.rpiRejection()).hasValue(new ForwardOpenFailure.RpiRejection(ForwardOpenFailure.RPI_MINIMUM,
                ForwardOpenFailure.RPI_MINIMUM, 1_000, 1_000));
        ForwardOpenFailure high = refused(IoPeer.request(2, IoPeer.path(151, 150, 100), OT, TO, 20_000_000, 0x01),
                ExtendedStatus.RPI_NOT_ACCEPTABLE);
        assertThat(high.rpiRejection()).hasValue(new ForwardOpenFailure.RpiRejection(ForwardOpenFailure.RPI_MAXIMUM,
                ForwardOpenFailure.RPI_MAXIMUM, 10_000_000, 10_000_000));
    }

    @Test
    void aSecondExclusiveOwnerIs0x0106() throws Exception {
        peer.forwardOpen(eo(1, IoPeer.path(151, 150, 100))).ok();
        ForwardOpenFailure f = peer.forwardOpen(eo(2, IoPeer.path(151, 150, 100))).failure();
        assertThat(f.additionalStatus()).containsExactly(ExtendedStatus.OWNERSHIP_CONFLICT);
        assertThat(device.ioConnectionCount()).isEqualTo(1);
    }

    @Test
    void theSameTriadTwiceIs0x0100() throws Exception {
        ForwardOpenRequest io = IoPeer.request(1, IoPeer.path(151, 152, 100), NetworkConnectionParameters.pointToPoint(6), TO,
                10_000, 0x01);
        peer.forwardOpen(io).ok();
        assertThat(peer.forwardOpen(io).extendedStatus()).isEqualTo(ExtendedStatus.CONNECTION_IN_USE);
    }

    @Test
    void outOfConnectionsIs0x0113() throws Exception {
        try (CipDevice small = CipDevice.start(TestDevices.openerLike().withLimits(AdapterLimits.defaults().withIoLimits(2, 1, 1444)));
             IoPeer p = IoPeer.open(small)) {
            NetworkConnectionParameters hb = NetworkConnectionParameters.pointToPoint(6);
            p.forwardOpen(IoPeer.request(1, IoPeer.path(151, 152, 100), hb, TO, 10_000, 0x01)).ok();
            // Per originator: one allowed.
            assertThat(p.forwardOpen(IoPeer.request(2, IoPeer.path(151, 152, 100), hb, TO, 10_000, 0x01)).extendedStatus())
                    .isEqualTo(ExtendedStatus.OUT_OF_CONNECTIONS);
        }
        try (CipDevice small = CipDevice.start(TestDevices.openerLike().withLimits(AdapterLimits.defaults().withIoLimits(1, 8, 1444)));
             IoPeer p = IoPeer.open(small)) {
            NetworkConnectionParameters hb = NetworkConnectionParameters.pointToPoint(6);
            p.forwardOpen(IoPeer.request(1, IoPeer.path(151, 152, 100), hb, TO, 10_000, 0x01)).ok();
            assertThat(p.forwardOpen(IoPeer.request(2, IoPeer.path(151, 152, 100), hb, TO, 10_000, 0x01)).extendedStatus())
                    .isEqualTo(ExtendedStatus.OUT_OF_CONNECTIONS);
        }
    }

    @Test
    void packetsLargerThanTheIoPacketLimitAre0x0109() throws Exception {
        try (CipDevice small = CipDevice.start(TestDevices.openerLike().withLimits(AdapterLimits.defaults().withIoLimits(32, 8, 50)));
             IoPeer p = IoPeer.open(small)) {
            assertThat(p.forwardOpen(eo(1, IoPeer.path(151, 150, 100))).extendedStatus())
                    .isEqualTo(ExtendedStatus.INVALID_CONNECTION_SIZE);
        }
    }

    @Test
    void unknownOrWrongKindConnectionPointsAre0x012AAnd0x012BAnd0x0129() throws Exception {
        refused(eo(1, IoPeer.path(151, 199, 100)), ExtendedStatus.INVALID_CONSUMING_APPLICATION_PATH);
        refused(eo(2, IoPeer.path(151, 100, 100)), ExtendedStatus.INVALID_CONSUMING_APPLICATION_PATH);
        refused(eo(3, IoPeer.path(151, 150, 199)), ExtendedStatus.INVALID_PRODUCING_APPLICATION_PATH);
        refused(eo(4, IoPeer.path(151, 150, 150)), ExtendedStatus.INVALID_PRODUCING_APPLICATION_PATH);
        refused(eo(5, IoPeer.path(199, 150, 100)), ExtendedStatus.INVALID_CONFIGURATION_APPLICATION_PATH);
        refused(eo(6, IoPeer.path(100, 150, 100)), ExtendedStatus.INVALID_CONFIGURATION_APPLICATION_PATH);
    }

    @Test
    void aPathNotToAssembliesOrWithTheWrongNumberOfPointsIs0x0117() throws Exception {
        refused(eo(1, pathWith(LogicalSegment.of(LogicalType.CLASS, 2), LogicalSegment.of(LogicalType.INSTANCE, 1))),
                ExtendedStatus.INVALID_APPLICATION_PATH);
        refused(eo(2, pathWith(LogicalSegment.of(LogicalType.CLASS, 4), LogicalSegment.of(LogicalType.CONNECTION_POINT, 150))),
                ExtendedStatus.INVALID_APPLICATION_PATH);
        refused(eo(3, EPath.EMPTY), ExtendedStatus.INVALID_APPLICATION_PATH);
    }

    @Test
    void unknownSegmentTypesAre0x0315() throws Exception {
        refused(eo(1, pathWith(PortSegment.of(1, 0), LogicalSegment.of(LogicalType.CLASS, 4))), ExtendedStatus.INVALID_SEGMENT_IN_PATH);
        List<Segment> segs = new ArrayList<>(IoPeer.path(151, 150, 100).segments());
        segs.add(new SymbolicSegment("x"));
        refused(eo(2, new EPath(segs)), ExtendedStatus.INVALID_SEGMENT_IN_PATH);
        // Raw bytes: a reserved segment type (0xE0) after the class.
        EPath classOnly = pathWith(LogicalSegment.of(LogicalType.CLASS, 4));
        ForwardOpenRequest fo = eo(3, classOnly);
        byte[] raw = fo.toBytes().toArray();
        byte[] longer = new byte[raw.length + 2];
        System.arraycopy(raw, 0, longer, 0, raw.length);
        longer[ForwardOpenRequest.FIXED_LENGTH - 1] = 2;
        longer[raw.length] = (byte) 0xE0;
        MessageRouterRequest req = new MessageRouterRequest(ServiceCodes.FORWARD_OPEN, EPath.parse("6/1"), Bytes.of(longer));
        IoPeer.Reply r = peer.forwardOpen(req.toBytes(), List.of());
        // A segment type the EPATH decoder does not know never reaches the I/O checks: 0x04 path segment error.
        assertThat(r.mr().generalStatus()).as("%s", r.mr()).isEqualTo(GeneralStatus.PATH_SEGMENT_ERROR);
        assertThat(device.ioConnectionCount()).isZero();
    }

    @Test
    void otherTriggersThanCyclicAre0x011D() throws Exception {
        refused(IoPeer.request(1, IoPeer.path(151, 150, 100), OT, TO, 10_000, 0x11), ExtendedStatus.PRODUCTION_TRIGGER_NOT_SUPPORTED);
    }

    @Test
    void connectionTypesAreChecked() throws Exception {
        NetworkConnectionParameters nul = new NetworkConnectionParameters(0, false, 2, NetworkConnectionParameters.NULL, false);
        refused(IoPeer.request(1, IoPeer.path(151, 150, 100), nul, nul, 10_000, 0x01), ExtendedStatus.NULL_FORWARD_OPEN_NOT_SUPPORTED);
        refused(IoPeer.request(2, IoPeer.path(151, 150, 100), NetworkConnectionParameters.multicast(38), TO, 10_000, 0x01),
                ExtendedStatus.INVALID_OT_CONNECTION_TYPE);
        NetworkConnectionParameters reserved = new NetworkConnectionParameters(34, false, 2, NetworkConnectionParameters.RESERVED_TYPE, false);
        refused(IoPeer.request(3, IoPeer.path(151, 150, 100), OT, reserved, 10_000, 0x01), ExtendedStatus.INVALID_TO_CONNECTION_TYPE);
        NetworkConnectionParameters redundant = new NetworkConnectionParameters(38, false, 2, NetworkConnectionParameters.POINT_TO_POINT, true);
        refused(IoPeer.request(4, IoPeer.path(151, 150, 100), redundant, TO, 10_000, 0x01), ExtendedStatus.INVALID_OT_REDUNDANT_OWNER);
    }

    @Test
    void aTimeoutMultiplierAbove7Is0x0108() throws Exception {
        ForwardOpenRequest base = eo(1, IoPeer.path(151, 150, 100));
        ForwardOpenRequest fo = new ForwardOpenRequest(false, base.priorityTimeTick(), base.timeoutTicks(), 0, base.toConnectionId(),
                base.connectionSerial(), base.originatorVendorId(), base.originatorSerial(), 8, base.otRpiMicros(), OT,
                base.toRpiMicros(), TO, 0x01, base.connectionPath());
        refused(fo, ExtendedStatus.INVALID_NETWORK_CONNECTION_PARAMETER);
    }

    @Test
    void truncatedOrLyingForwardOpenLengthsGetTheDecoderStatus() throws Exception {
        byte[] full = eo(1, IoPeer.path(151, 150, 100)).toBytes().toArray();
        byte[] truncated = java.util.Arrays.copyOf(full, 20);
        IoPeer.Reply r = peer.forwardOpen(new MessageRouterRequest(ServiceCodes.FORWARD_OPEN, EPath.parse("6/1"),
                Bytes.of(truncated)).toBytes(), List.of());
        assertThat(r.mr().generalStatus()).isEqualTo(GeneralStatus.NOT_ENOUGH_DATA);
        byte[] lying = full.clone();
        lying[ForwardOpenRequest.FIXED_LENGTH - 1] = 40;
        r = peer.forwardOpen(new MessageRouterRequest(ServiceCodes.FORWARD_OPEN, EPath.parse("6/1"), Bytes.of(lying)).toBytes(),
                List.of());
        assertThat(r.mr().generalStatus()).isEqualTo(0x26);
        assertThat(device.ioConnectionCount()).isZero();
        // The connection and the device carry on.
        peer.forwardOpen(eo(2, IoPeer.path(151, 150, 100))).ok();
    }

    @Test
    void largeForwardOpenOpensTheSameConnection() throws Exception {
        ForwardOpenRequest base = eo(1, IoPeer.path(151, 150, 100));
        ForwardOpenRequest large = new ForwardOpenRequest(true, base.priorityTimeTick(), base.timeoutTicks(), 0,
                base.toConnectionId(), base.connectionSerial(), base.originatorVendorId(), base.originatorSerial(), 0,
                base.otRpiMicros(), OT, base.toRpiMicros(), TO, 0x01, base.connectionPath());
        IoPeer.Reply r = peer.forwardOpen(large);
        assertThat(r.mr().service()).isEqualTo(ServiceCodes.LARGE_FORWARD_OPEN);
        assertThat(r.ok().toConnectionId()).isEqualTo(base.toConnectionId());
        assertThat(peer.receive().connectionId()).isEqualTo(base.toConnectionId());
    }

    @Test
    void multicastConsumersShareOneProducerAndGetTheGroupInTheReply() throws Exception {
        NetworkConnectionParameters mc = NetworkConnectionParameters.multicast(34);
        NetworkConnectionParameters hb = NetworkConnectionParameters.pointToPoint(6);
        IoPeer.Reply first = peer.forwardOpen(IoPeer.request(1, IoPeer.path(151, 150, 100), OT, mc, 10_000, 0x01));
        ForwardOpenResponse a = first.ok();
        SockaddrItem group = first.items().stream().filter(i -> i.typeId() == SockaddrItem.T_TO_O).findFirst().orElseThrow();
        assertThat(group.inetAddress().isMulticastAddress()).isTrue();
        assertThat(group.port()).isEqualTo(device.ioAddress().getPort());
        ForwardOpenResponse b = peer.forwardOpen(IoPeer.request(2, IoPeer.path(151, 152, 100), hb, mc, 10_000, 0x01)).ok();
        ForwardOpenResponse c = peer.forwardOpen(IoPeer.request(3, IoPeer.path(151, 153, 100), hb, mc, 10_000, 0x01)).ok();
        assertThat(b.toConnectionId()).isEqualTo(a.toConnectionId());
        assertThat(c.toConnectionId()).isEqualTo(a.toConnectionId());
        assertThat(List.of(a.otConnectionId(), b.otConnectionId(), c.otConnectionId())).doesNotHaveDuplicates();
        assertThat(peer.forwardOpen(IoPeer.request(4, IoPeer.path(151, 152, 100), hb, mc, 20_000, 0x01)).extendedStatus())
                .isEqualTo(ExtendedStatus.INCOMPATIBLE_MULTICAST_RPI);
    }

    @Test
    void aConfiguredMulticastAddressIsUsed() throws Exception {
        Inet4Address g = (Inet4Address) InetAddress.getByName("239.192.7.9");
        try (CipDevice d = CipDevice.start(TestDevices.openerLike().withIo(IoSettings.defaults().withPort(0).withMulticastAddress(g)));
             IoPeer p = IoPeer.open(d)) {
            IoPeer.Reply r = p.forwardOpen(IoPeer.request(1, IoPeer.path(151, 150, 100), OT,
                    NetworkConnectionParameters.multicast(34), 10_000, 0x01));
            r.ok();
            assertThat(r.items()).extracting(SockaddrItem::inetAddress).contains(g);
        }
    }

    @Test
    void thePathSizeByteSitsJustBeforeThePath() {
        // The raw-byte tests above patch the path size at FIXED_LENGTH - 1; this is where the encoder writes it.
        ForwardOpenRequest fo = eo(1, IoPeer.path(151, 150, 100));
        WireWriter w = WireWriter.ofSize(fo.encodedLength());
        fo.encode(w);
        assertThat(w.array()[ForwardOpenRequest.FIXED_LENGTH - 1]).isEqualTo((byte) fo.connectionPath().words());
    }
}
