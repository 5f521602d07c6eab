package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/**
 * Create (0x08) reply data on the File class: UINT new instance id, USINT invocation method
 * (attribute 8; 0xFF "not applicable" for plain data files, as OpENerFileObject answers).
 */
public record CreateFileResponse(int instanceId, int invocationMethod) {
    public static final int SIZE = 3;

    public CreateFileResponse {
        Checks.u16(instanceId, "instance id");
        Checks.u8(invocationMethod, "invocation method");
    }

    public int encodedLength() {
        return SIZE;
    }

    public void encode(WireWriter w) {
        w.u16(instanceId).u8(invocationMethod);
    }

    public static CreateFileResponse decode(WireReader r) throws WireFormatException {
        CreateFileResponse v = new CreateFileResponse(r.u16("instance id"), r.u8("invocation method"));
        r.expectEnd("Create reply");
        return v;
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(SIZE);
        encode(w);
        return Bytes.of(w.array());
    }
}
