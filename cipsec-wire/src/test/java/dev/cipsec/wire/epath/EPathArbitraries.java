package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.Bytes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.List;

/** jqwik generators for every segment kind and for whole paths; shared by the wire property tests. */
public final class EPathArbitraries {
    private EPathArbitraries() {
    }

    public static Arbitrary<Bytes> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max).map(Bytes::of);
    }

    static Arbitrary<String> ascii(int min, int max) {
        return Arbitraries.strings().withCharRange((char) 0x20, (char) 0x7E).ofMinLength(min).ofMaxLength(max);
    }

    public static Arbitrary<Segment> logical() {
        return Arbitraries.of(LogicalType.values()).flatMap(type -> {
            List<Integer> formats = switch (type) {
                case SERVICE_ID -> List.of(0);
                case CLASS, ATTRIBUTE -> List.of(0, 1);
                default -> List.of(0, 1, 2);
            };
            return Arbitraries.of(formats).flatMap(format -> {
                long max = format == 0 ? 0xFF : format == 1 ? 0xFFFF : 0xFFFF_FFFFL;
                return Arbitraries.longs().between(0, max).map(v -> (Segment) new LogicalSegment(type, v, format));
            });
        });
    }

    public static Arbitrary<Segment> electronicKey() {
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xFFFF);
        return Combinators.combine(u16, u16, u16, Arbitraries.of(true, false), Arbitraries.integers().between(0, 0x7F),
                Arbitraries.integers().between(0, 0xFF)).as(ElectronicKeySegment::new);
    }

    public static Arbitrary<Segment> port() {
        Arbitrary<Integer> ports = Arbitraries.oneOf(Arbitraries.integers().between(1, 14),
                Arbitraries.integers().between(15, 0xFFFF));
        return Combinators.combine(ports, bytes(1, 24)).as(PortSegment::new);
    }

    public static Arbitrary<Segment> symbolic() {
        return ascii(1, 31).map(SymbolicSegment::new);
    }

    public static Arbitrary<Segment> ansiSymbol() {
        return ascii(1, 40).map(DataSegment.AnsiSymbol::new);
    }

    public static Arbitrary<Segment> simpleData() {
        return Arbitraries.integers().between(0, 20).flatMap(words -> bytes(2 * words, 2 * words))
                .map(DataSegment.Simple::new);
    }

    public static Arbitrary<Segment> network() {
        Arbitrary<Segment> small = Combinators.combine(Arbitraries.integers().between(0, 0x0F), bytes(1, 1))
                .as(NetworkSegment::new);
        Arbitrary<Segment> sized = Combinators.combine(Arbitraries.integers().between(0x10, 0x1F),
                Arbitraries.integers().between(0, 8).flatMap(w -> bytes(2 * w, 2 * w))).as(NetworkSegment::new);
        return Arbitraries.oneOf(small, sized);
    }

    public static Arbitrary<Segment> segments() {
        return Arbitraries.oneOf(logical(), electronicKey(), port(), symbolic(), ansiSymbol(), simpleData(), network());
    }

    public static Arbitrary<EPath> paths() {
        return segments().list().ofMaxSize(6).map(EPath::new);
    }
}
