package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/** Upload_Transfer (0x4F) request data: USINT transfer number (0 first, counting up modulo 256). */
public record UploadTransferRequest(int transferNumber) {
    public static final int SIZE = 1;

    public UploadTransferRequest {
        Checks.u8(transferNumber, "transfer number");
    }

    public int encodedLength() {
        return SIZE;
    }

    public void encode(WireWriter w) {
        w.u8(transferNumber);
    }

    public static UploadTransferRequest decode(WireReader r) throws WireFormatException {
        UploadTransferRequest v = new UploadTransferRequest(r.u8("transfer number"));
        r.expectEnd("Upload_Transfer request");
        return v;
    }

    public Bytes toBytes() {
        return Bytes.of((byte) transferNumber);
    }
}
