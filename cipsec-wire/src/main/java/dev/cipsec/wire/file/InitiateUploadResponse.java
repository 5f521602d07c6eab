package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/**
 * Initiate_Upload (0x4B) reply data: UDINT file size, USINT transfer size (the data bytes each
 * Upload_Transfer reply carries, at most the requested maximum).
 */
public record InitiateUploadResponse(long fileSize, int transferSize) {
    public static final int SIZE = 5;

    public InitiateUploadResponse {
        Checks.u32(fileSize, "file size");
        Checks.u8(transferSize, "transfer size");
    }

    public int encodedLength() {
        return SIZE;
    }

    public void encode(WireWriter w) {
        w.u32(fileSize).u8(transferSize);
    }

    public static InitiateUploadResponse decode(WireReader r) throws WireFormatException {
        InitiateUploadResponse v = new InitiateUploadResponse(r.u32("file size"), r.u8("transfer size"));
        r.expectEnd("Initiate_Upload reply");
        return v;
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(SIZE);
        encode(w);
        return Bytes.of(w.array());
    }
}
