package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cpf.CpfPacket;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;

class InPlaceCodecProperties {

    /** Where the fast path answers, the general decoder agrees; it never throws for any bytes. */
    @Property(tries = 2000)
    void inPlacePathAgreesWithTheGeneralDecoder(@ForAll @Size(max = 40) byte[] bytes) throws WireFormatException {
        WireReader mr = RrData.unconnectedData(WireReader.of(bytes), CpfPacket.DEFAULT_MAX_ITEMS);
        if (mr != null) {
            Bytes message = mr.rest();
            RrData rr = RrData.decode(WireReader.of(bytes));
            assertThat(rr).isEqualTo(RrData.unconnected(rr.timeout(), message));
        }
    }

    @Property
    void canonicalFormIsAlwaysTaken(@ForAll @IntRange(max = 0xFFFF) int timeout, @ForAll @Size(max = 300) byte[] message)
            throws WireFormatException {
        byte[] b = RrData.unconnected(timeout, Bytes.of(message)).toBytes().toArray();
        WireReader mr = RrData.unconnectedData(WireReader.of(b), 2);
        assertThat(mr).isNotNull();
        assertThat(mr.rest()).isEqualTo(Bytes.of(message));
    }
}
