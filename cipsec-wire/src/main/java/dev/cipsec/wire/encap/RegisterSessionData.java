package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/**
 * RegisterSession request and reply data (reference §1.3): protocol version UINT (1) and option
 * flags UINT (0). Unsupported values are kept; the target answers them with
 * {@link EncapsulationStatus#UNSUPPORTED_PROTOCOL_VERSION}.
 */
public record RegisterSessionData(int protocolVersion, int options) {
    public static final int SIZE = 4;
    public static final int PROTOCOL_VERSION = 1;
    public static final RegisterSessionData DEFAULT = new RegisterSessionData(PROTOCOL_VERSION, 0);

    public RegisterSessionData {
        EncapsulationHeader.checkU16(protocolVersion, "protocol version");
        EncapsulationHeader.checkU16(options, "options");
    }

    public boolean isSupported() {
        return protocolVersion == PROTOCOL_VERSION && options == 0;
    }

    public int encodedLength() {
        return SIZE;
    }

    public void encode(WireWriter w) {
        w.u16(protocolVersion).u16(options);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(SIZE);
        encode(w);
        return Bytes.of(w.array());
    }

    /** Decodes data that must be exactly 4 bytes. */
    public static RegisterSessionData decode(WireReader r) throws WireFormatException {
        RegisterSessionData d = new RegisterSessionData(r.u16("protocol version"), r.u16("option flags"));
        r.expectEnd("RegisterSession data");
        return d;
    }

    public static RegisterSessionData decode(Bytes b) throws WireFormatException {
        return decode(WireReader.of(b.toArray()));
    }
}
