package dev.cipsec.adapter;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cm.ConnectionTriad;
import dev.cipsec.wire.cm.ForwardCloseRequest;
import dev.cipsec.wire.cm.ForwardOpenFailure;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cpf.CpfItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.SockaddrItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.epath.Segment;
import dev.cipsec.wire.io.IoFrame;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An originator for I/O tests built from raw parts: a {@link RawClient} for Forward_Open/Close and
 * a plain UDP socket on an ephemeral loopback port for the I/O datagrams.
 */
final class IoPeer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(3);

    final CipDevice device;
    final RawClient tcp;
    final DatagramSocket udp;
    private final byte[] rx = new byte[2048];

    private IoPeer(CipDevice device, RawClient tcp, DatagramSocket udp) {
        this.device = device;
        this.tcp = tcp;
        this.udp = udp;
    }

    static IoPeer open(CipDevice device) throws IOException {
        RawClient tcp = RawClient.connect(device.tcpAddress());
        tcp.registerSession();
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new IoPeer(device, tcp, udp);
    }

    /** {@code 20 04 [24 cfg] 2C ot 2C to}. */
    static EPath path(int config, int ot, int to) {
        List<Segment> segs = new ArrayList<>();
        segs.add(LogicalSegment.of(LogicalType.CLASS, 4));
        if (config != 0) {
            segs.add(LogicalSegment.of(LogicalType.INSTANCE, config));
        }
        segs.add(LogicalSegment.of(LogicalType.CONNECTION_POINT, ot));
        segs.add(LogicalSegment.of(LogicalType.CONNECTION_POINT, to));
        return new EPath(segs);
    }

    /** A class 1 cyclic Forward_Open, point-to-point both ways, multiplier 0 (×4). */
    static ForwardOpenRequest request(int serial, EPath path, int otSize, int toSize, long rpiMicros) {
        return request(serial, path, NetworkConnectionParameters.pointToPoint(otSize),
                NetworkConnectionParameters.pointToPoint(toSize), rpiMicros, 0x01);
    }

    static ForwardOpenRequest request(int serial, EPath path, NetworkConnectionParameters ot, NetworkConnectionParameters to,
                                      long rpiMicros, int trigger) {
        return new ForwardOpenRequest(false, 0x0A, 0x0E, 0, 0x7000_0000L + serial, serial, 0xFFFE, 0x108B001BL, 0,
                rpiMicros, ot, rpiMicros, to, trigger, path);
    }

    static ForwardOpenRequest exclusiveOwner(int serial, long rpiMicros) {
        return request(serial, path(151, 150, 100), 38, 34, rpiMicros);
    }

    /** The reply to a Forward_Open: the Message Router response and the Sockaddr Info items after it. */
    record Reply(MessageRouterResponse mr, List<SockaddrItem> items) {
        ForwardOpenResponse ok() throws WireFormatException {
            assertThat(mr.generalStatus()).as("general status of %s", mr).isZero();
            return ForwardOpenResponse.decode(WireReader.of(mr.data().toArray()));
        }

        ForwardOpenFailure failure() throws WireFormatException {
            assertThat(mr.generalStatus()).as("general status").isNotZero();
            return ForwardOpenFailure.fromResponse(mr);
        }

        int extendedStatus() throws WireFormatException {
            return failure().extendedStatus();
        }
    }

    /** Sends the Forward_Open with a T→O Sockaddr Info item naming this peer's UDP port. */
    Reply forwardOpen(ForwardOpenRequest fo) throws IOException, WireFormatException {
        return forwardOpen(fo.toRequest().toBytes(), List.of(
                SockaddrItem.of(SockaddrItem.T_TO_O, (Inet4Address) InetAddress.getByAddress(new byte[4]), udp.getLocalPort())));
    }

    Reply forwardOpen(Bytes mrRequest, List<SockaddrItem> extra) throws IOException, WireFormatException {
        List<CpfItem> items = new ArrayList<>();
        items.add(NullAddressItem.INSTANCE);
        items.add(new UnconnectedDataItem(mrRequest));
        items.addAll(extra);
        EncapsulationPacket reply = tcp.exchange(tcp.packet(EncapsulationCommand.SEND_RR_DATA, tcp.session(),
                new RrData(RrData.CIP_INTERFACE, 0, new CpfPacket(items)).toBytes()));
        assertThat(reply.header().status()).isEqualTo(EncapsulationStatus.SUCCESS);
        RrData rr = RrData.decode(reply.data());
        UnconnectedDataItem data = rr.cpf().first(UnconnectedDataItem.class).orElseThrow();
        return new Reply(MessageRouterResponse.decode(data.data()), rr.cpf().all(SockaddrItem.class));
    }

    MessageRouterResponse forwardClose(ConnectionTriad triad, EPath path) throws IOException {
        return tcp.unconnected(new ForwardCloseRequest(0x0A, 0x0E, triad, path).toRequest());
    }

    /** The next T→O datagram, decoded as class 1; fails after {@link #WAIT}. */
    IoFrame receive() throws IOException, WireFormatException {
        IoFrame f = receive(WAIT);
        assertThat(f).as("a T->O datagram within %s", WAIT).isNotNull();
        return f;
    }

    /** The next T→O datagram or null when none came within {@code wait}. */
    IoFrame receive(Duration wait) throws IOException, WireFormatException {
        udp.setSoTimeout((int) Math.max(1, wait.toMillis()));
        DatagramPacket p = new DatagramPacket(rx, rx.length);
        try {
            udp.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return IoFrame.decode(WireReader.of(Bytes.copyOf(rx, 0, p.getLength()).toArray()), true);
    }

    /** Drains what is queued, then returns the first datagram that arrives after the call. */
    IoFrame receiveFresh() throws IOException, WireFormatException {
        while (receive(Duration.ofMillis(1)) != null) {
            // discard
        }
        return receive();
    }

    void send(byte[] datagram) throws IOException {
        udp.send(new DatagramPacket(datagram, datagram.length, device.ioAddress()));
    }

    /** A class 1 O→T datagram: sequence count, run/idle header, data. */
    void sendOt(long connectionId, long encapSeq, int cipSeq, boolean run, byte[] data) throws IOException {
        byte[] payload = new byte[4 + data.length];
        payload[0] = (byte) (run ? 1 : 0);
        System.arraycopy(data, 0, payload, 4, data.length);
        send(new IoFrame(connectionId, encapSeq, cipSeq, Bytes.of(payload)).toBytes().toArray());
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
