package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/** Download_Transfer (0x50) reply data: the USINT transfer number of the packet it acknowledges. */
public record DownloadTransferResponse(int transferNumber) {
    public static final int SIZE = 1;

    public DownloadTransferResponse {
        Checks.u8(transferNumber, "transfer number");
    }

    public int encodedLength() {
        return SIZE;
    }

    public void encode(WireWriter w) {
        w.u8(transferNumber);
    }

    public static DownloadTransferResponse decode(WireReader r) throws WireFormatException {
        DownloadTransferResponse v = new DownloadTransferResponse(r.u8("transfer number"));
        r.expectEnd("Download_Transfer reply");
        return v;
    }

    public Bytes toBytes() {
        return Bytes.of((byte) transferNumber);
    }
}
