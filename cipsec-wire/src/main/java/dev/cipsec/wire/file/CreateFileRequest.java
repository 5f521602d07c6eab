package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Create (0x08) request data on the File class: STRINGI instance name, then an optional USINT
 * file encoding format (reference §6.5; OpENerFileObject reads both). {@link #decode} reads the
 * whole request data: anything after the encoding byte is {@code TOO_MUCH_DATA}.
 *
 * @param instanceName   the new instance's name (attribute 2)
 * @param encodingFormat attribute 11, absent when the request stops after the name
 */
public record CreateFileRequest(StringI instanceName, OptionalInt encodingFormat) {
    public CreateFileRequest {
        Objects.requireNonNull(instanceName, "instanceName");
        Objects.requireNonNull(encodingFormat, "encodingFormat");
        encodingFormat.ifPresent(e -> Checks.u8(e, "encoding format"));
    }

    public static CreateFileRequest of(String name, int encodingFormat) {
        return new CreateFileRequest(StringI.of(name), OptionalInt.of(encodingFormat));
    }

    public int encodedLength() {
        return instanceName.encodedLength() + (encodingFormat.isPresent() ? 1 : 0);
    }

    public void encode(WireWriter w) {
        instanceName.encode(w);
        encodingFormat.ifPresent(w::u8);
    }

    public static CreateFileRequest decode(WireReader r) throws WireFormatException {
        StringI name = StringI.decode(r);
        OptionalInt encoding = r.hasRemaining() ? OptionalInt.of(r.u8("encoding format")) : OptionalInt.empty();
        r.expectEnd("Create request");
        return new CreateFileRequest(name, encoding);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }
}
