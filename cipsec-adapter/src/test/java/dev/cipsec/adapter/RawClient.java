package dev.cipsec.adapter;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cpf.ConnectedDataItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RegisterSessionData;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.epath.EPath;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A raw encapsulation client for tests: frames are built with the wire codecs and written as
 * bytes, replies are read as a 24-byte header plus its length within a deadline. Nothing here is
 * clever on purpose, so that what the device does is what the test sees.
 */
final class RawClient implements AutoCloseable {
    static final Duration REPLY_WAIT = Duration.ofSeconds(3);

    private final Socket socket;
    private final InputStream in;
    private long context = 0x3130303030307866L; // "fx000001"
    private long session;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    static RawClient connect(InetSocketAddress target) throws IOException {
        return connect(target, null);
    }

    /** Connects from {@code localAddress} (any loopback address on Linux), or the default when null. */
    static RawClient connect(InetSocketAddress target, InetAddress localAddress) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            if (localAddress != null) {
                s.bind(new InetSocketAddress(localAddress, 0));
            }
            s.connect(target, (int) REPLY_WAIT.toMillis());
            return new RawClient(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    Socket socket() {
        return socket;
    }

    long session() {
        return session;
    }

    /** A fresh sender context per request, so a reply can be matched to its request by eye. */
    long nextContext() {
        return context++;
    }

    void send(byte[] frame) throws IOException {
        socket.getOutputStream().write(frame);
        socket.getOutputStream().flush();
    }

    void send(EncapsulationPacket p) throws IOException {
        send(p.toBytes().toArray());
    }

    EncapsulationPacket packet(int command, long sessionHandle, Bytes data) {
        return EncapsulationPacket.of(command, sessionHandle, 0, nextContext(), data);
    }

    /** Reads one whole frame: 24 header bytes, then as many as the header's length field says. */
    byte[] readFrame(Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] header = readFully(EncapsulationHeader.SIZE, deadline);
        int total = EncapsulationPacket.frameLength(header, 0);
        byte[] frame = new byte[total];
        System.arraycopy(header, 0, frame, 0, header.length);
        byte[] body = readFully(total - header.length, deadline);
        System.arraycopy(body, 0, frame, header.length, body.length);
        return frame;
    }

    byte[] readFrame() throws IOException {
        return readFrame(REPLY_WAIT);
    }

    EncapsulationPacket read() throws IOException {
        try {
            return EncapsulationPacket.decode(readFrame());
        } catch (WireFormatException e) {
            throw new AssertionError("device sent an undecodable frame", e);
        }
    }

    private byte[] readFully(int n, long deadline) throws IOException {
        byte[] b = new byte[n];
        int pos = 0;
        while (pos < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no complete frame in time: " + pos + " of " + n + " bytes");
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int r = in.read(b, pos, n - pos);
            if (r < 0) {
                throw new EOFException("connection closed after " + pos + " of " + n + " bytes");
            }
            pos += r;
        }
        return b;
    }

    /** Sends one request and reads one reply, checking that the reply echoes command and context. */
    EncapsulationPacket exchange(EncapsulationPacket request) throws IOException {
        send(request);
        EncapsulationPacket reply = read();
        assertThat(reply.header().command()).as("reply command").isEqualTo(request.header().command());
        assertThat(reply.header().senderContext()).as("echoed context").isEqualTo(request.header().senderContext());
        return reply;
    }

    long registerSession() throws IOException {
        EncapsulationPacket reply = exchange(packet(EncapsulationCommand.REGISTER_SESSION, 0, RegisterSessionData.DEFAULT.toBytes()));
        assertThat(reply.header().status()).as("RegisterSession status").isEqualTo(EncapsulationStatus.SUCCESS);
        assertThat(reply.header().sessionHandle()).isNotZero();
        session = reply.header().sessionHandle();
        return session;
    }

    /** An unconnected request over SendRRData in this client's session; the encapsulation status must be success. */
    MessageRouterResponse unconnected(MessageRouterRequest request) throws IOException {
        return unconnected(request.toBytes());
    }

    MessageRouterResponse unconnected(Bytes mrRequest) throws IOException {
        EncapsulationPacket reply = exchange(packet(EncapsulationCommand.SEND_RR_DATA, session, RrData.unconnected(0, mrRequest).toBytes()));
        assertThat(reply.header().status()).as("SendRRData status").isEqualTo(EncapsulationStatus.SUCCESS);
        assertThat(reply.header().sessionHandle()).isEqualTo(session);
        try {
            RrData rr = RrData.decode(reply.data());
            assertThat(rr.cpf().items()).hasSize(2);
            return MessageRouterResponse.decode(((UnconnectedDataItem) rr.cpf().get(1)).data());
        } catch (WireFormatException e) {
            throw new AssertionError("undecodable SendRRData reply " + reply, e);
        }
    }

    MessageRouterResponse getAttributeSingle(int classId, int instance, int attribute) throws IOException {
        return unconnected(new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE,
                EPath.classInstanceAttribute(classId, instance, attribute)));
    }

    /** Proves the connection and session still work: Identity vendor id comes back. */
    void assertUsable() throws IOException {
        if (session == 0) {
            EncapsulationPacket reply = exchange(packet(EncapsulationCommand.LIST_SERVICES, 0, Bytes.EMPTY));
            assertThat(reply.header().status()).isEqualTo(EncapsulationStatus.SUCCESS);
        } else {
            assertThat(getAttributeSingle(1, 1, 1).isSuccess()).as("Get_Attribute_Single 1/1/1 succeeds").isTrue();
        }
    }

    /** Class 3: sequence count + MR request to {@code otConnectionId}; returns the reply frame's data item payload. */
    static Bytes connectedPayload(int sequence, MessageRouterRequest request) {
        Bytes mr = request.toBytes();
        byte[] b = new byte[2 + mr.length()];
        b[0] = (byte) sequence;
        b[1] = (byte) (sequence >>> 8);
        mr.copyTo(b, 2);
        return Bytes.of(b);
    }

    static ConnectedDataItem connectedData(EncapsulationPacket reply) {
        try {
            return (ConnectedDataItem) RrData.decode(reply.data()).cpf().get(1);
        } catch (WireFormatException e) {
            throw new AssertionError("undecodable SendUnitData reply " + reply, e);
        }
    }

    /** The device closed the connection (EOF or reset) within {@code wait}, sending nothing more. */
    void assertClosedWithin(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("connection still open after " + wait);
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int b = in.read();
                if (b < 0) {
                    return;
                }
                fail("expected the connection to close, but the device sent data (first byte 0x" + Integer.toHexString(b) + ")");
            }
        } catch (SocketTimeoutException e) {
            fail("connection still open after " + wait);
        } catch (SocketException e) {
            // Connection reset: the device closed with our unread bytes in its buffer.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
