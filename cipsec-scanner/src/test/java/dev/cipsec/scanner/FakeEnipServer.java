package dev.cipsec.scanner;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted single-connection encapsulation peer on loopback, for the client behaviours a real
 * device will not show on demand: encapsulation errors, silence, stale replies, hang-ups.
 */
final class FakeEnipServer implements AutoCloseable {

    /** Reacts to one request frame; writes zero or more frames to {@code out}, returns false to hang up. */
    @FunctionalInterface
    interface Script {
        boolean onRequest(EncapsulationPacket request, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final Thread thread;
    final List<EncapsulationPacket> received = new CopyOnWriteArrayList<>();
    private volatile Socket socket;

    FakeEnipServer(Script script) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = Thread.ofPlatform().daemon().name("fake-enip").start(() -> serve(script));
    }

    Target target() {
        return new Target("127.0.0.1", server.getLocalPort(), false);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void serve(Script script) {
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
                received.add(p);
                if (!script.onRequest(p, out)) {
                    return;
                }
                out.flush();
            }
        } catch (EOFException e) {
            // the client hung up
        } catch (Exception e) {
            // the test closed the server
        }
    }

    static void reply(OutputStream out, EncapsulationPacket request, long session, long status, Bytes data)
            throws IOException {
        out.write(EncapsulationPacket.of(request.header().command(), session, status, request.header().senderContext(), data)
                .toBytes().toArray());
    }

    @Override
    public void close() throws IOException {
        Socket s = socket;
        if (s != null) {
            s.close();
        }
        server.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
