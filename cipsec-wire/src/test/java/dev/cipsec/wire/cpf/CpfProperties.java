package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class CpfProperties {

    @Property
    void packetsRoundTrip(@ForAll("packets") CpfPacket p) throws WireFormatException {
        Bytes b = p.toBytes();
        assertThat(b.length()).isEqualTo(p.encodedLength());
        CpfPacket back = CpfPacket.decode(WireReader.of(b.toArray()), 0xFFFF);
        assertThat(back).isEqualTo(p);
        assertThat(back.toBytes()).isEqualTo(b);
    }

    @Property
    void arbitraryBytesOnlyEverFailWithWireFormatException(@ForAll @Size(max = 300) byte[] bytes) {
        decodeExpectingOnlyWireFormatException(bytes);
    }

    /** Random bytes rarely get past the count; damaged valid packets reach every item decoder. */
    @Property
    void damagedPacketsOnlyEverFailWithWireFormatException(@ForAll("packets") CpfPacket p,
                                                           @ForAll List<Integer> positions, @ForAll byte value,
                                                           @ForAll boolean truncate) {
        byte[] b = p.toBytes().toArray();
        for (int pos : positions) {
            if (b.length > 0) {
                b[Math.floorMod(pos, b.length)] ^= value;
            }
        }
        if (truncate && b.length > 0) {
            b = java.util.Arrays.copyOf(b, Math.floorMod(positions.hashCode(), b.length));
        }
        decodeExpectingOnlyWireFormatException(b);
    }

    private static void decodeExpectingOnlyWireFormatException(byte[] bytes) {
        try {
            CpfPacket p = CpfPacket.decode(WireReader.of(bytes));
            assertThat(p.encodedLength()).isLessThanOrEqualTo(bytes.length);
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Provide
    Arbitrary<CpfPacket> packets() {
        return items().list().ofMaxSize(6).map(CpfPacket::new);
    }

    @Provide
    Arbitrary<CpfItem> items() {
        return Arbitraries.oneOf(List.of(
                Arbitraries.just(NullAddressItem.INSTANCE),
                u32().map(ConnectedAddressItem::new),
                Combinators.combine(u32(), u32()).as(SequencedAddressItem::new),
                bytes(400).map(UnconnectedDataItem::new),
                bytes(400).map(ConnectedDataItem::new),
                Combinators.combine(Arbitraries.of(SockaddrItem.O_TO_T, SockaddrItem.T_TO_O), u16(), u16(), u32(),
                        Arbitraries.bytes().array(byte[].class).ofSize(8).map(Bytes::of)).as(SockaddrItem::new),
                identities(),
                Combinators.combine(u16(), u8(), u8(), u8(),
                                Arbitraries.oneOf(List.of(Arbitraries.just(OptionalInt.empty()), u16().map(OptionalInt::of))))
                        .as(CipSecurityItem::new),
                Combinators.combine(u16(), u16(), latin1(16)).as((v, f, n) -> new ListServicesItem(ListServicesItem.COMMUNICATIONS, v, f, n)),
                Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(0, 0x7FFF), u32(), u32(), bytes(200))
                        .as(UnconnectedMessageUdpItem::new),
                Combinators.combine(unknownTypes(), bytes(300)).as(UnknownItem::new),
                // 0x0086 items of a length no edition defines are kept whole
                Arbitraries.of(6, 8, 9, 20).flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n))
                        .map(b -> new UnknownItem(CipSecurityItem.TYPE_ID, Bytes.of(b)))));
    }

    private Arbitrary<CpfItem> identities() {
        Arbitrary<int[]> shorts = u16().array(int[].class).ofSize(7);
        return Combinators.combine(shorts, u8(), u8(), u8(), u32(), u32(), latin1(255))
                .as((s, major, minor, state, addr, serial, name) -> new CipIdentityItem(s[0], s[1], s[2], addr, s[3], s[4],
                        s[5], major, minor, s[6], serial, name, state));
    }

    private static Arbitrary<Integer> unknownTypes() {
        List<Integer> known = List.of(0x0000, 0x000C, 0x0086, 0x00A1, 0x00B1, 0x00B2, 0x0100, 0x8000, 0x8001, 0x8002, 0x8003);
        return Arbitraries.oneOf(List.of(Arbitraries.of(0x0087, 0x0088), u16())).filter(t -> !known.contains(t));
    }

    private static Arbitrary<String> latin1(int max) {
        return Arbitraries.strings().withCharRange((char) 1, (char) 0xFF).ofMaxLength(max);
    }

    private static Arbitrary<Bytes> bytes(int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max).map(Bytes::of);
    }

    private static Arbitrary<Integer> u8() {
        return Arbitraries.integers().between(0, 0xFF);
    }

    private static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    private static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }
}
