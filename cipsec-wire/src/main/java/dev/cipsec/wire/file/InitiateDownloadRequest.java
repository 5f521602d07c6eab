package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

/**
 * Initiate_Download (0x4C) request data: UDINT file size, UINT file format version, USINT major
 * and USINT minor file revision, STRINGI file name (OpENerFileObject's order).
 */
public record InitiateDownloadRequest(long fileSize, int formatVersion, int revisionMajor, int revisionMinor,
                                      StringI fileName) {
    public InitiateDownloadRequest {
        Checks.u32(fileSize, "file size");
        Checks.u16(formatVersion, "file format version");
        Checks.u8(revisionMajor, "major revision");
        Checks.u8(revisionMinor, "minor revision");
        Objects.requireNonNull(fileName, "fileName");
    }

    public int encodedLength() {
        return 4 + 2 + 2 + fileName.encodedLength();
    }

    public void encode(WireWriter w) {
        w.u32(fileSize).u16(formatVersion).u8(revisionMajor).u8(revisionMinor);
        fileName.encode(w);
    }

    public static InitiateDownloadRequest decode(WireReader r) throws WireFormatException {
        long size = r.u32("file size");
        int version = r.u16("file format version");
        int major = r.u8("major revision");
        int minor = r.u8("minor revision");
        StringI name = StringI.decode(r);
        r.expectEnd("Initiate_Download request");
        return new InitiateDownloadRequest(size, version, major, minor, name);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }
}
