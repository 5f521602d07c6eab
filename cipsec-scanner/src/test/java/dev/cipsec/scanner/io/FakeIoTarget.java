package dev.cipsec.scanner.io;

import dev.cipsec.scanner.Target;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ForwardCloseRequest;
import dev.cipsec.wire.cm.ForwardCloseResponse;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cpf.CpfItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.SockaddrItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.io.IoFrame;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * A scripted I/O target on loopback built from the wire codecs: answers RegisterSession,
 * Forward_Open (by {@link #onForwardOpen}, default: accept with an O->T Sockaddr item naming its
 * UDP port) and Forward_Close, records what it was sent, queues received O->T frames and sends
 * T->O frames on demand, or one T->O frame per O->T frame in echo mode. Public for the CLI tests
 * (scanner test-jar).
 */
public final class FakeIoTarget implements AutoCloseable {
    public static final long OT_ID = 0x2607_0013L;

    public record Received(IoFrame frame, long nanos) {
    }

    public record OpenRequest(ForwardOpenRequest request, List<CpfItem> items) {
    }

    private final ServerSocket server;
    private final DatagramSocket udp;
    private final Thread tcpThread;
    private final Thread udpThread;
    public final List<OpenRequest> opens = new CopyOnWriteArrayList<>();
    public final List<ForwardCloseRequest> closes = new CopyOnWriteArrayList<>();
    public final BlockingQueue<Received> oToT = new LinkedBlockingQueue<>();
    public volatile Function<ForwardOpenRequest, MessageRouterResponse> onForwardOpen = this::accept;
    public volatile boolean classOne = true;
    public volatile boolean announcePort = true;
    /** When not negative, every O->T frame is answered with a T->O frame of this many data bytes. */
    public volatile int echoSize = -1;
    private long echoSequence;
    private volatile Socket socket;

    public FakeIoTarget() throws IOException {
        server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        tcpThread = Thread.ofPlatform().daemon().name("fake-io-tcp").start(this::serveTcp);
        udpThread = Thread.ofPlatform().daemon().name("fake-io-udp").start(this::serveUdp);
    }

    public Target target() {
        return new Target("127.0.0.1", server.getLocalPort(), false);
    }

    public int udpPort() {
        return udp.getLocalPort();
    }

    /** The default answer: accept as asked, O->T id {@link #OT_ID}, our UDP port in the reply. */
    MessageRouterResponse accept(ForwardOpenRequest fo) {
        return new ForwardOpenResponse(OT_ID, fo.toConnectionId(), fo.triad(), fo.otRpiMicros(), fo.toRpiMicros(),
                Bytes.EMPTY).toResponse(fo.large());
    }

    /** The port the originator announced in its T->O Sockaddr item of the last Forward_Open. */
    int originatorPort() {
        OpenRequest last = opens.get(opens.size() - 1);
        return last.items().stream().filter(i -> i instanceof SockaddrItem s && s.typeId() == SockaddrItem.T_TO_O)
                .map(i -> ((SockaddrItem) i).port()).findFirst().orElse(2222);
    }

    /** Sends a T->O frame to the originator from this target's UDP socket. */
    public void sendToO(long connectionId, long encapSeq, int cipSeq, byte[] data) throws IOException {
        sendToO(udp, connectionId, encapSeq, cipSeq, data);
    }

    void sendToO(DatagramSocket from, long connectionId, long encapSeq, int cipSeq, byte[] data) throws IOException {
        byte[] frame = new IoFrame(connectionId, encapSeq, classOne ? cipSeq : IoFrame.NO_SEQUENCE, Bytes.of(data))
                .toBytes().toArray();
        from.send(new DatagramPacket(frame, frame.length, InetAddress.getLoopbackAddress(), originatorPort()));
    }

    private void serveUdp() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!udp.isClosed()) {
            try {
                p.setLength(buf.length);
                udp.receive(p);
                long now = System.nanoTime();
                oToT.add(new Received(IoFrame.decode(WireReader.of(Bytes.copyOf(buf, 0, p.getLength()).toArray()), classOne),
                        now));
                if (echoSize >= 0 && !opens.isEmpty()) {
                    echoSequence++;
                    byte[] data = new byte[echoSize];
                    if (echoSize > 0) {
                        data[0] = (byte) echoSequence;
                    }
                    sendToO(opens.get(opens.size() - 1).request().toConnectionId(), echoSequence, (int) (echoSequence & 0xFFFF), data);
                }
            } catch (Exception e) {
                // closed, or a frame we did not expect: the test sees it missing
            }
        }
    }

    private void serveTcp() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                socket = s;
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    byte[] header = new byte[EncapsulationHeader.SIZE];
                    in.readFully(header);
                    int length = (header[2] & 0xFF) | (header[3] & 0xFF) << 8;
                    byte[] frame = new byte[header.length + length];
                    System.arraycopy(header, 0, frame, 0, header.length);
                    in.readFully(frame, header.length, length);
                    EncapsulationPacket p = EncapsulationPacket.decode(frame);
                    Bytes reply = answer(p);
                    if (reply != null) {
                        out.write(EncapsulationPacket.of(p.header().command(), 0x42, 0, p.header().senderContext(), reply)
                                .toBytes().toArray());
                        out.flush();
                    }
                }
            } catch (EOFException e) {
                // the client hung up; wait for the next one
            } catch (Exception e) {
                return;
            }
        }
    }

    private Bytes answer(EncapsulationPacket p) throws Exception {
        int command = p.header().command();
        if (command == EncapsulationCommand.REGISTER_SESSION) {
            return p.data();
        }
        if (command != EncapsulationCommand.SEND_RR_DATA) {
            return null;
        }
        CpfPacket cpf = RrData.decode(p.data()).cpf();
        MessageRouterRequest req = MessageRouterRequest.decode(cpf.first(UnconnectedDataItem.class).orElseThrow().data());
        List<CpfItem> extra = new ArrayList<>();
        MessageRouterResponse rsp;
        if (req.service() == ServiceCodes.FORWARD_OPEN || req.service() == ServiceCodes.LARGE_FORWARD_OPEN) {
            ForwardOpenRequest fo = ForwardOpenRequest.fromRequest(req);
            opens.add(new OpenRequest(fo, cpf.items().subList(2, cpf.size())));
            rsp = onForwardOpen.apply(fo);
            if (rsp.isSuccess() && announcePort) {
                extra.add(SockaddrItem.of(SockaddrItem.O_TO_T, SockaddrItem.toInet4Address(0), udpPort()));
            }
        } else if (req.service() == ServiceCodes.FORWARD_CLOSE) {
            ForwardCloseRequest fc = ForwardCloseRequest.fromRequest(req);
            closes.add(fc);
            rsp = new ForwardCloseResponse(fc.triad(), Bytes.EMPTY).toResponse();
        } else {
            rsp = MessageRouterResponse.error(req.service(), 0x08);
        }
        List<CpfItem> items = new ArrayList<>();
        items.add(NullAddressItem.INSTANCE);
        items.add(new UnconnectedDataItem(rsp.toBytes()));
        items.addAll(extra);
        return new RrData(0, 0, new CpfPacket(items)).toBytes();
    }

    @Override
    public void close() throws IOException {
        Socket s = socket;
        if (s != null) {
            s.close();
        }
        server.close();
        udp.close();
        try {
            tcpThread.join(5_000);
            udpThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
