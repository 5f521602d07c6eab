package dev.cipsec.bench;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.io.IoRuntime;
import dev.cipsec.objects.std.AssemblyInstance;
import dev.cipsec.scanner.io.IoSettings;
import dev.cipsec.transport.io.DatagramPort;
import dev.cipsec.transport.io.DatagramPortStats;
import dev.cipsec.transport.io.DatagramReceiver;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.io.RunIdleHeader;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-packet paths of one adapter I/O connection, driven through the real {@link IoRuntime}
 * over an in-memory {@link DatagramTransport} (the seam a DTLS transport will use), so the figures
 * are the connection logic's and not the kernel's. Run with {@code -prof gc}: JMH's GC profiler
 * counts the allocations of every thread, so {@code gc.alloc.rate.norm} covers the scheduler
 * thread as well as the benchmark thread, and both must read about 0 B/op.
 * <ul>
 *   <li>{@code consumeOtPacket}: one O->T datagram with a new sequence and new data through the
 *       receive path: frame parsing, connection lookup, peer and sequence checks, run/idle, and the
 *       copy into the output assembly.</li>
 *   <li>{@code produceToPacket}: waits for the next T->O datagram that the scheduler produced at
 *       the RPI from the input assembly (sequence counts, encode, the port's send). Its time per op
 *       is the RPI ({@value #TO_RPI_MICROS} µs), not a cost.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IoPathBenchmark {
    static final long TO_RPI_MICROS = 200;
    private static final int CONFIG = 151;
    private static final int OUTPUT = 150;
    private static final int INPUT = 100;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final InetSocketAddress ORIGINATOR = new InetSocketAddress(LOOPBACK, 2222);

    private CipDevice device;
    private IoRuntime runtime;
    MemoryPort port;
    private long otConnectionId;
    private byte[] payload;
    private final byte[] frame = new byte[1500];
    private long encapSeq;
    private int cipSeq;
    private long seenSent;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        // The device supplies the standard objects and assemblies; its own I/O port stays unused.
        device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts());
        MemoryTransport transport = new MemoryTransport();
        runtime = IoRuntime.start(new IoRuntime.Options(new InetSocketAddress(LOOPBACK, 0), 152, 153, 100,
                10_000_000, null, 8, 8, 1500), device.objects(), () -> { }, transport);
        port = transport.port;
        AssemblyInstance output = device.assembly(OUTPUT);
        AssemblyInstance input = device.assembly(INPUT);
        // Ten seconds O->T with the largest multiplier: the connection never times out while produceToPacket runs.
        IoSettings s = IoSettings.builder().exclusiveOwner().configPoint(CONFIG).otPoint(OUTPUT).toPoint(INPUT)
                .otSize(output.size()).toSize(input.size()).otRpi(Duration.ofSeconds(10))
                .toRpi(Duration.ofNanos(TO_RPI_MICROS * 1000)).timeoutMultiplier(7).localPort(0).build();
        ForwardOpenRequest fo = new ForwardOpenRequest(false, 0x0A, 0x0E, 0, 0x1234_5678L, 1, 0x1234, 0x0BEE_F001L,
                s.timeoutMultiplier(), s.otRpiMicros(), NetworkConnectionParameters.pointToPoint(s.otConnectionSize()),
                s.toRpiMicros(), NetworkConnectionParameters.pointToPoint(s.toConnectionSize()), s.transportTrigger(),
                s.connectionPath());
        if (!(runtime.forwardOpen(fo, ORIGINATOR, List.of()) instanceof IoRuntime.Opened opened)) {
            throw new IllegalStateException("the benchmark's Forward_Open was refused");
        }
        otConnectionId = opened.connection().otConnectionId();
        payload = new byte[RunIdleHeader.LENGTH + output.size()];
        RunIdleHeader.write(payload, 0, RunIdleHeader.RUN_BIT);
        // Written once: the producer sends the same snapshot, as between application writes.
        input.write(Bytes.of(new byte[input.size()]));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.close();
        device.close();
    }

    @Benchmark
    public long consumeOtPacket() {
        encapSeq++;
        cipSeq = (cipSeq + 1) & 0xFFFF;
        payload[RunIdleHeader.LENGTH] = (byte) encapSeq;
        int n = IoFrame.encode(frame, 0, otConnectionId, encapSeq, cipSeq, payload, 0, payload.length);
        port.receiver.datagram(frame, 0, n, ORIGINATOR);
        return encapSeq;
    }

    @Benchmark
    public long produceToPacket() {
        long target = seenSent + 1;
        long now;
        while ((now = port.sent) < target) {
            Thread.onSpinWait();
        }
        seenSent = now;
        return port.lastLength;
    }

    /** Hands out one {@link MemoryPort}. */
    static final class MemoryTransport implements DatagramTransport {
        MemoryPort port;

        @Override
        public DatagramPort open(InetSocketAddress bind, int maxDatagramSize, String name, DatagramReceiver receiver) {
            port = new MemoryPort(bind, maxDatagramSize, receiver);
            return port;
        }
    }

    /** A port with no socket: the benchmark calls the receiver itself and counts what is sent. */
    static final class MemoryPort implements DatagramPort {
        final InetSocketAddress local;
        final int max;
        final DatagramReceiver receiver;
        /** Written by the scheduler thread only. */
        volatile long sent;
        volatile int lastLength;
        /** The thread that produces (the scheduler), for per-thread allocation counts. */
        volatile Thread sender;

        MemoryPort(InetSocketAddress local, int max, DatagramReceiver receiver) {
            this.local = local;
            this.max = max;
            this.receiver = receiver;
        }

        @Override
        public InetSocketAddress localAddress() {
            return local;
        }

        @Override
        public int maxDatagramSize() {
            return max;
        }

        @Override
        public void send(byte[] buf, int off, int len, InetSocketAddress to) {
            if (sender == null) {
                sender = Thread.currentThread();
            }
            lastLength = len;
            sent = sent + 1;
        }

        @Override
        public DatagramPortStats stats() {
            return new DatagramPortStats(0, 0, 0, 0, sent, 0, 0);
        }

        @Override
        public void close() {
        }
    }
}
