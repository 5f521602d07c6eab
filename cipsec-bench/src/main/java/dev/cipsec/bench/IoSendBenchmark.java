package dev.cipsec.bench;

import dev.cipsec.transport.udp.UdpEndpoint;
import dev.cipsec.wire.io.IoFrame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;

/**
 * The producer's per-packet path: a 50-byte class 1 frame encoded into a reused buffer and sent over
 * loopback UDP. Run with {@code -prof gc} and read {@code gc.alloc.rate.norm}.
 * <ul>
 *   <li>{@code encodeAndSendEndpoint}: {@link IoFrame#encode} + {@link UdpEndpoint#send}, what the
 *       adapter and the scanner do at every RPI;</li>
 *   <li>{@code encodeAndSendChannel}: the same frame through {@link DatagramChannel#send} of one
 *       reused direct {@link ByteBuffer}, the lower bound for a JDK socket;</li>
 *   <li>{@code sendPlainSocket}: {@link DatagramSocket#send} of one reused {@link DatagramPacket},
 *       the plain-Java baseline of {@link IoBench}.</li>
 * </ul>
 * The datagrams go to a bound socket that nobody reads: once its receive buffer is full the kernel
 * drops them, so the figures are the sender's cost alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IoSendBenchmark {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private DatagramChannel sink;
    private InetSocketAddress to;
    private UdpEndpoint endpoint;
    private DatagramChannel channel;
    private ByteBuffer direct;
    private DatagramSocket plain;
    private DatagramPacket packet;
    private final byte[] payload = new byte[IoBench.PAYLOAD_BYTES];
    private final byte[] frame = new byte[IoBench.FRAME_BYTES];
    private long encapSeq;
    private int cipSeq;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        sink = DatagramChannel.open().bind(LOOPBACK);
        sink.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        to = (InetSocketAddress) sink.getLocalAddress();
        endpoint = UdpEndpoint.open(LOOPBACK, IoBench.FRAME_BYTES, (buf, len, from) -> { });
        channel = DatagramChannel.open().bind(LOOPBACK);
        direct = ByteBuffer.allocateDirect(IoBench.FRAME_BYTES);
        plain = new DatagramSocket(LOOPBACK);
        int len = IoFrame.encode(frame, 0, 0x1234_5678L, 1, 1, payload, 0, payload.length);
        packet = new DatagramPacket(frame.clone(), len, to);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        endpoint.close();
        channel.close();
        plain.close();
        sink.close();
    }

    private int encode() {
        encapSeq = (encapSeq + 1) & 0xFFFF_FFFFL;
        cipSeq = (cipSeq + 1) & 0xFFFF;
        payload[0] = (byte) encapSeq;
        return IoFrame.encode(frame, 0, 0x1234_5678L, encapSeq, cipSeq, payload, 0, payload.length);
    }

    @Benchmark
    public void encodeAndSendEndpoint() throws IOException {
        endpoint.send(frame, 0, encode(), to);
    }

    @Benchmark
    public int encodeAndSendChannel() throws IOException {
        int len = encode();
        direct.clear();
        direct.put(frame, 0, len).flip();
        return channel.send(direct, to);
    }

    @Benchmark
    public void sendPlainSocket() throws IOException {
        plain.send(packet);
    }
}
