package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.epath.EPath;

/**
 * Certificate Management Object (0x5F) instance attributes 3 (Device Certificate) and 4 (CA
 * Certificate), reference §6.2: USINT certificate status, USINT path size in words, padded EPATH
 * to the File Object (0x37) instance that holds the certificate, e.g. {@code 01 02 20 37 24 01}
 * = verified, File instance 1.
 *
 * <p>{@link #decode(WireReader)} reads exactly the structure; {@link #decode(Bytes)} insists on the
 * whole value.
 *
 * @param status {@link #NOT_VERIFIED}, {@link #VERIFIED}, {@link #INVALID}; other USINT values are
 *               kept as sent
 * @param path   at most 255 words; {@link EPath#EMPTY} when no file is referenced
 */
public record CertificateReference(int status, EPath path) {
    public static final int NOT_VERIFIED = 0;
    public static final int VERIFIED = 1;
    public static final int INVALID = 2;

    public CertificateReference {
        Fields.checkU8(status, "certificate status");
        Fields.checkPath(path, "certificate path");
    }

    public int encodedLength() {
        return 2 + path.encodedLength();
    }

    public void encode(WireWriter w) {
        w.u8(status);
        Fields.writeSizedPath(w, path);
    }

    public Bytes toBytes() {
        return Fields.toBytes(encodedLength(), this::encode);
    }

    public static CertificateReference decode(WireReader r) throws WireFormatException {
        int status = r.u8("certificate status");
        return new CertificateReference(status, Fields.readSizedPath(r, "certificate path"));
    }

    /** Decodes a whole attribute value; trailing bytes are {@code TOO_MUCH_DATA}. */
    public static CertificateReference decode(Bytes value) throws WireFormatException {
        WireReader r = Fields.reader(value);
        CertificateReference c = decode(r);
        r.expectEnd("certificate reference");
        return c;
    }
}
