package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cpf.ConnectedDataItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EncapsulationProperties {

    @Property
    void packetsRoundTrip(@ForAll("packets") EncapsulationPacket p) throws WireFormatException {
        byte[] b = p.toBytes().toArray();
        assertThat(b).hasSize(p.encodedLength());
        assertThat(EncapsulationPacket.frameLength(b, 0)).isEqualTo(b.length);
        EncapsulationPacket back = EncapsulationPacket.decode(WireReader.of(b));
        assertThat(back).isEqualTo(p);
        assertThat(back.toBytes().toArray()).isEqualTo(b);
        DecodedDatagram d = EncapsulationPacket.decodeDatagram(WireReader.of(b));
        assertThat(d.lengthFieldMismatch()).isFalse();
        assertThat(d.packet()).isEqualTo(p);
    }

    @Property
    void rrDataRoundTrips(@ForAll("rrData") RrData rr) throws WireFormatException {
        Bytes b = rr.toBytes();
        assertThat(b.length()).isEqualTo(rr.encodedLength());
        assertThat(RrData.decode(b)).isEqualTo(rr);
    }

    @Property
    void registerSessionDataRoundTrips(@ForAll @IntRange(max = 0xFFFF) int version, @ForAll @IntRange(max = 0xFFFF) int options)
            throws WireFormatException {
        RegisterSessionData d = new RegisterSessionData(version, options);
        assertThat(RegisterSessionData.decode(d.toBytes())).isEqualTo(d);
    }

    /** A datagram whose length field lies is still read whole, and the lie is reported. */
    @Property
    void datagramsWithAWrongLengthFieldAreFlagged(@ForAll("packets") EncapsulationPacket p, @ForAll @IntRange(max = 0xFFFF) int lie)
            throws WireFormatException {
        byte[] b = p.toBytes().toArray();
        b[2] = (byte) lie;
        b[3] = (byte) (lie >>> 8);
        DecodedDatagram d = EncapsulationPacket.decodeDatagram(WireReader.of(b));
        assertThat(d.declaredLength()).isEqualTo(lie);
        assertThat(d.lengthFieldMismatch()).isEqualTo(lie != p.data().length());
        assertThat(d.packet()).isEqualTo(p);
    }

    @Property
    void arbitraryBytesOnlyEverFailWithWireFormatException(@ForAll @Size(max = 200) byte[] bytes) {
        decodeAllWays(bytes);
    }

    /** Valid messages with bytes flipped and cut, so that the CPF and item decoders are reached. */
    @Property
    void damagedMessagesOnlyEverFailWithWireFormatException(@ForAll("rrPackets") EncapsulationPacket p,
                                                            @ForAll List<@IntRange(max = 1000) Integer> positions,
                                                            @ForAll byte value, @ForAll @IntRange(max = 1000) int cut) {
        byte[] b = p.toBytes().toArray();
        for (int pos : positions) {
            b[pos % b.length] ^= value;
        }
        decodeAllWays(b);
        decodeAllWays(Arrays.copyOf(b, cut % (b.length + 1)));
    }

    private static void decodeAllWays(byte[] bytes) {
        try {
            EncapsulationPacket p = EncapsulationPacket.decode(WireReader.of(bytes));
            RrData.decode(p.data());
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
        try {
            DecodedDatagram d = EncapsulationPacket.decodeDatagram(WireReader.of(bytes));
            CpfPacket.decode(d.packet().data());
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
        try {
            RegisterSessionData.decode(WireReader.of(bytes));
        } catch (WireFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Provide
    Arbitrary<EncapsulationPacket> packets() {
        return Combinators.combine(u16(), u32(), u32(), Arbitraries.longs(), u32(),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(600))
                .as((cmd, session, status, context, options, data) -> new EncapsulationPacket(
                        new EncapsulationHeader(cmd, data.length, session, status, context, options), Bytes.of(data)));
    }

    @Provide
    Arbitrary<RrData> rrData() {
        Arbitrary<CpfPacket> cpf = Arbitraries.oneOf(List.of(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(b -> RrData.unconnected(0, Bytes.of(b)).cpf()),
                Combinators.combine(u32(), Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                        .as((id, b) -> CpfPacket.of(new dev.cipsec.wire.cpf.ConnectedAddressItem(id), new ConnectedDataItem(Bytes.of(b)))),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(50).list().ofMaxSize(5)
                        .map(l -> new CpfPacket(l.stream().<dev.cipsec.wire.cpf.CpfItem>map(b -> new UnconnectedDataItem(Bytes.of(b))).toList()))));
        return Combinators.combine(u32(), u16(), cpf).as(RrData::new);
    }

    @Provide
    Arbitrary<EncapsulationPacket> rrPackets() {
        return Combinators.combine(Arbitraries.of(EncapsulationCommand.SEND_RR_DATA, EncapsulationCommand.SEND_UNIT_DATA), rrData())
                .as((cmd, rr) -> EncapsulationPacket.of(cmd, 1, 0, 0, rr.toBytes()));
    }

    private static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    private static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }
}
