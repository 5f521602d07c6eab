package dev.cipsec.bench;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.io.IoFrameView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Class 1 I/O frame codec cost. Run with {@code -prof gc} and read {@code gc.alloc.rate.norm}:
 * {@code encodeIntoBuffer} and {@code wrapView} must be 0 B/op (the per-packet path); the record
 * decode {@code decodeRecord} allocates exactly its result: the {@link IoFrame} (40 B), its
 * {@link Bytes} (16 B) and the payload copy (16 B array header + payload, 8-byte aligned): 104 B for
 * the default 32-byte payload. The reader is reused, as a receive loop keeps one per buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IoFrameCodecBenchmark {
    /** Bytes of I/O data after the sequence count (32 is a typical small assembly with run/idle). */
    @Param({"32"})
    public int payloadSize;

    private byte[] payload;
    private byte[] frame;
    private int frameLength;
    private final IoFrameView view = new IoFrameView();
    private WireReader reader;
    private long encapSeq;
    private int cipSeq;

    @Setup
    public void setup() {
        payload = new byte[payloadSize];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        frame = new byte[IoFrame.frameLength(true, payloadSize)];
        frameLength = IoFrame.encode(frame, 0, 0x1234_5678L, 1, 1, payload, 0, payload.length);
        reader = WireReader.of(frame);
    }

    /** The producer's per-packet path: a new frame into the one send buffer. Returns the length. */
    @Benchmark
    public int encodeIntoBuffer() {
        encapSeq = (encapSeq + 1) & 0xFFFF_FFFFL;
        cipSeq = (cipSeq + 1) & 0xFFFF;
        return IoFrame.encode(frame, 0, 0x1234_5678L, encapSeq, cipSeq, payload, 0, payload.length);
    }

    /** The consumer's per-packet path: validate and expose the frame in place. */
    @Benchmark
    public long wrapView() throws WireFormatException {
        view.wrap(frame, 0, frameLength);
        return view.connectionId() + view.cipSequence() + view.dataOffset();
    }

    /** The record decode (tests, tools), for comparison: allocates the record and a copy of the data. */
    @Benchmark
    public IoFrame decodeRecord() throws WireFormatException {
        return IoFrame.decode(reader.reset(0, frameLength), true);
    }
}
