package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/** Initiate_Upload (0x4B) request data: USINT maximum transfer size the client accepts per packet. */
public record InitiateUploadRequest(int maxTransferSize) {
    public static final int SIZE = 1;

    public InitiateUploadRequest {
        Checks.u8(maxTransferSize, "maximum transfer size");
    }

    public int encodedLength() {
        return SIZE;
    }

    public void encode(WireWriter w) {
        w.u8(maxTransferSize);
    }

    public static InitiateUploadRequest decode(WireReader r) throws WireFormatException {
        InitiateUploadRequest v = new InitiateUploadRequest(r.u8("maximum transfer size"));
        r.expectEnd("Initiate_Upload request");
        return v;
    }

    public Bytes toBytes() {
        return Bytes.of((byte) maxTransferSize);
    }
}
