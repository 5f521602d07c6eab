package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cpf.ConnectedAddressItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.cpf.UnknownItem;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The allocation-free per-request codecs agree byte for byte with the record codecs. */
class InPlaceCodecTest {
    private static final MessageRouterRequest GAS =
            new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstanceAttribute(1, 1, 7));

    @Test
    void directEncodeEqualsRecordEncode() {
        byte[] expected = EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA, 0x1234, 0, 0x1122334455667788L,
                RrData.unconnected(5, GAS.toBytes()).toBytes()).toBytes().toArray();
        byte[] buf = new byte[100];
        WireWriter w = WireWriter.into(buf, 0);
        int data = RrData.UNCONNECTED_OVERHEAD + GAS.encodedLength();
        EncapsulationHeader.encode(w, EncapsulationCommand.SEND_RR_DATA, data, 0x1234, 0, 0x1122334455667788L);
        RrData.encodeUnconnectedPrefix(w, 5, GAS.encodedLength());
        GAS.encode(w);
        assertThat(w.position()).isEqualTo(expected.length).isEqualTo(48);
        assertThat(java.util.Arrays.copyOf(buf, w.position())).isEqualTo(expected);
    }

    @Test
    void directEncodeChecksRanges() {
        WireWriter w = WireWriter.ofSize(24);
        assertThatThrownBy(() -> EncapsulationHeader.encode(w, 0x10000, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EncapsulationHeader.encode(w, 0x6F, 0, 1L << 32, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RrData.encodeUnconnectedPrefix(WireWriter.ofSize(16), 0, 0x10000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RrData.encodeUnconnectedPrefix(WireWriter.ofSize(16), -1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodeHeaderLeavesTheReaderAtTheData() throws WireFormatException {
        byte[] frame = EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA, 7, 0, 9, Bytes.fromHex("010203")).toBytes().toArray();
        WireReader r = WireReader.of(frame);
        EncapsulationHeader h = EncapsulationPacket.decodeHeader(r);
        assertThat(h).isEqualTo(EncapsulationPacket.decode(frame).header());
        assertThat(r.position()).isEqualTo(24);
        assertThat(r.rest()).isEqualTo(Bytes.fromHex("010203"));
    }

    @Test
    void decodeHeaderRefusesWhatDecodeRefuses() {
        byte[] frame = EncapsulationPacket.of(EncapsulationCommand.NOP, 0, 0, 0, Bytes.fromHex("0102")).toBytes().toArray();
        assertThatThrownBy(() -> EncapsulationPacket.decodeHeader(WireReader.of(frame, 0, 25)))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.TRUNCATED));
        byte[] longer = java.util.Arrays.copyOf(frame, 27);
        assertThatThrownBy(() -> EncapsulationPacket.decodeHeader(WireReader.of(longer)))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.TOO_MUCH_DATA));
    }

    @Test
    void canonicalUnconnectedDataIsReadInPlace() throws WireFormatException {
        byte[] data = RrData.unconnected(3, GAS.toBytes()).toBytes().toArray();
        WireReader r = WireReader.of(data);
        WireReader mr = RrData.unconnectedData(r, CpfPacket.DEFAULT_MAX_ITEMS);
        assertThat(mr).isSameAs(r);
        assertThat(mr.position()).isEqualTo(RrData.UNCONNECTED_OVERHEAD);
        assertThat(MessageRouterRequest.decode(mr)).isEqualTo(GAS);
    }

    @Test
    void everyOtherFormIsLeftToTheGeneralDecoder() throws WireFormatException {
        Bytes mr = GAS.toBytes();
        assertThat(inPlace(new RrData(1, 0, CpfPacket.of(NullAddressItem.INSTANCE, new UnconnectedDataItem(mr))), 16)).isNull();
        assertThat(inPlace(new RrData(0, 0, CpfPacket.of(new UnconnectedDataItem(mr))), 16)).isNull();
        assertThat(inPlace(new RrData(0, 0, CpfPacket.of(new UnconnectedDataItem(mr), NullAddressItem.INSTANCE)), 16)).isNull();
        assertThat(inPlace(new RrData(0, 0, CpfPacket.of(new ConnectedAddressItem(5), new UnconnectedDataItem(mr))), 16)).isNull();
        assertThat(inPlace(new RrData(0, 0, CpfPacket.of(NullAddressItem.INSTANCE, new UnconnectedDataItem(mr),
                new UnknownItem(0x1234, Bytes.EMPTY))), 16)).isNull();
        assertThat(inPlace(RrData.unconnected(0, mr), 1)).isNull();
        // Item length one short of / one past what remains.
        byte[] b = RrData.unconnected(0, mr).toBytes().toArray();
        assertThat(RrData.unconnectedData(WireReader.of(b, 0, b.length - 1), 16)).isNull();
        byte[] longer = java.util.Arrays.copyOf(b, b.length + 1);
        assertThat(RrData.unconnectedData(WireReader.of(longer), 16)).isNull();
        assertThat(RrData.unconnectedData(WireReader.of(b, 0, 15), 16)).isNull();
    }

    @Test
    void openerSendRrDataFramesTakeTheInPlacePath() throws WireFormatException {
        int seen = 0;
        for (Fixtures.Frame f : Fixtures.load("opener-explicit.hex")) {
            if (!f.tcp() || f.payload().length < 24) {
                continue;
            }
            EncapsulationPacket p = EncapsulationPacket.decode(f.payload());
            if (p.header().command() != EncapsulationCommand.SEND_RR_DATA || p.data().isEmpty()) {
                continue;
            }
            WireReader r = WireReader.of(f.payload());
            assertThat(EncapsulationPacket.decodeHeader(r)).isEqualTo(p.header());
            WireReader mr = RrData.unconnectedData(r, CpfPacket.DEFAULT_MAX_ITEMS);
            assertThat(mr).as("frame %d", f.number()).isNotNull();
            UnconnectedDataItem item = RrData.decode(p.data()).cpf().first(UnconnectedDataItem.class).orElseThrow();
            assertThat(mr.rest()).isEqualTo(item.data());
            seen++;
        }
        assertThat(seen).isGreaterThan(10);
    }

    @Test
    void pushAndPopLimitBoundTheReader() throws WireFormatException {
        WireReader r = WireReader.of(HexFormat.of().parseHex("0102030405"));
        r.u8("a");
        int old = r.pushLimit(2, "inner");
        assertThat(r.remaining()).isEqualTo(2);
        assertThat(r.u16("inner")).isEqualTo(0x0302);
        assertThatThrownBy(() -> r.u8("past")).isInstanceOf(WireFormatException.class);
        r.popLimit(old);
        assertThat(r.remaining()).isEqualTo(2);
        assertThatThrownBy(() -> r.pushLimit(3, "too long"))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.TRUNCATED));
        int again = r.pushLimit(1, "unread");
        assertThatThrownBy(() -> r.popLimit(again)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void resetRewindsOverTheSameArray() throws WireFormatException {
        byte[] b = HexFormat.of().parseHex("0102030405");
        WireReader r = WireReader.of(b);
        assertThat(r.reset(1, 2).u16("x")).isEqualTo(0x0302);
        assertThat(r.hasRemaining()).isFalse();
        assertThat(r.reset(0, 5).remaining()).isEqualTo(5);
        assertThatThrownBy(() -> r.reset(4, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> r.reset(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static WireReader inPlace(RrData rr, int maxItems) throws WireFormatException {
        return RrData.unconnectedData(WireReader.of(rr.toBytes().toArray()), maxItems);
    }
}
