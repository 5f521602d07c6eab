package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/**
 * Initiate_Download (0x4C) reply data: UDINT incremental burn (bytes the device stores at a time, 0
 * when it stores the file at once), UINT incremental burn time in seconds, USINT transfer size
 * (the data bytes each Download_Transfer request may carry).
 */
public record InitiateDownloadResponse(long incrementalBurn, int incrementalBurnTime, int transferSize) {
    public static final int SIZE = 7;

    public InitiateDownloadResponse {
        Checks.u32(incrementalBurn, "incremental burn");
        Checks.u16(incrementalBurnTime, "incremental burn time");
        Checks.u8(transferSize, "transfer size");
    }

    public int encodedLength() {
        return SIZE;
    }

    public void encode(WireWriter w) {
        w.u32(incrementalBurn).u16(incrementalBurnTime).u8(transferSize);
    }

    public static InitiateDownloadResponse decode(WireReader r) throws WireFormatException {
        InitiateDownloadResponse v = new InitiateDownloadResponse(r.u32("incremental burn"),
                r.u16("incremental burn time"), r.u8("transfer size"));
        r.expectEnd("Initiate_Download reply");
        return v;
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(SIZE);
        encode(w);
        return Bytes.of(w.array());
    }
}
