package dev.cipsec.bench;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.epath.EPath;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A whole SendRRData frame (24-byte header + CPF) carrying Get_Attribute_Single 1/1/7, 42 bytes,
 * encoded and decoded the way the client and the adapter do per request. Run with
 * {@code -prof gc} and read {@code gc.alloc.rate.norm}.
 *
 * <ul>
 *   <li>{@code encodeIntoBuffer}: header and data written straight into a reused buffer: 0 B/op.</li>
 *   <li>{@code decodeInPlace}: the result objects are the {@link EncapsulationHeader} (56 B) and the
 *       {@link MessageRouterRequest} tree: the request (24 B), its {@link EPath} (16 B), the
 *       immutable list of three segments (24 B + 32 B array) and three {@code LogicalSegment}s
 *       (3 x 32 B); the empty request data is the shared {@code Bytes.EMPTY}. Sum: 248 B/op.</li>
 *   <li>{@code encodeRecords} and {@code decodeRecords}: the record-building path the client and
 *       adapter used before the in-place path existed, kept for comparison.</li>
 * </ul>
 * Sizes assume compressed class pointers and oops (the default for heaps under 32 GB).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SendRRDataCodecBenchmark {
    private static final long SESSION = 0x0102_0304L;

    private final MessageRouterRequest request =
            new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstanceAttribute(1, 1, 7));
    private byte[] tx;
    private byte[] frame;
    /** One reader per receive buffer, as the adapter and the client keep it. */
    private WireReader reader;
    private long context;

    @Setup
    public void setup() {
        tx = new byte[EncapsulationHeader.SIZE + RrData.UNCONNECTED_OVERHEAD + request.encodedLength()];
        frame = encodeRecords();
        reader = WireReader.of(frame);
    }

    /** The per-request encode: header, CPF and request straight into {@code tx}; returns the length. */
    @Benchmark
    public int encodeIntoBuffer() {
        int mr = request.encodedLength();
        int data = RrData.UNCONNECTED_OVERHEAD + mr;
        WireWriter w = WireWriter.into(tx, 0);
        EncapsulationHeader.encode(w, EncapsulationCommand.SEND_RR_DATA, data, SESSION, 0, ++context);
        RrData.encodeUnconnectedPrefix(w, 5, mr);
        request.encode(w);
        return w.position();
    }

    /** The per-request decode: header, then the request read from the same buffer, no copies. */
    @Benchmark
    public void decodeInPlace(Blackhole bh) throws WireFormatException {
        WireReader r = reader.reset(0, frame.length);
        EncapsulationHeader h = EncapsulationPacket.decodeHeader(r);
        WireReader mr = RrData.unconnectedData(r, CpfPacket.DEFAULT_MAX_ITEMS);
        bh.consume(h);
        bh.consume(MessageRouterRequest.decode(mr));
    }

    /** Before: request, item, CPF, RrData and packet records, each {@code toBytes()} a fresh copy. */
    @Benchmark
    public byte[] encodeRecords() {
        CpfPacket cpf = new CpfPacket(List.of(new NullAddressItem(), new UnconnectedDataItem(request.toBytes())));
        RrData rr = new RrData(0, 5, cpf);
        return EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA, SESSION, 0, ++context, rr.toBytes())
                .toBytes().toArray();
    }

    /** Before: the data copied into the packet, copied again for the CPF, the message copied twice more. */
    @Benchmark
    public MessageRouterRequest decodeRecords() throws WireFormatException {
        EncapsulationPacket p = EncapsulationPacket.decode(WireReader.of(frame, 0, frame.length));
        RrData rr = RrData.decode(WireReader.of(p.data().toArray()));
        UnconnectedDataItem item = (UnconnectedDataItem) rr.cpf().get(1);
        return MessageRouterRequest.decode(WireReader.of(item.data().toArray()));
    }
}
