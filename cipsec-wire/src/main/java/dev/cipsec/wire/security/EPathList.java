package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.epath.EPath;

import java.util.List;
import java.util.Objects;

/**
 * EtherNet/IP Security Object (0x5E) attributes 6 (Active Device Certificates), 7 (Trusted
 * Authorities) and 12 (Trusted Identities), reference §5.3: USINT count, then per entry a USINT
 * path size in 16-bit words and the padded EPATH (normally to a Certificate Management or File
 * instance, e.g. {@code 01 | 02 | 20 5F 24 01}).
 *
 * <p>Attribute 8 (Certificate Revocation List) is a GAP (§12.3): Wireshark master reads this list
 * form, OpENer and Hilscher a single {USINT size, EPATH}. The two agree byte for byte only on the
 * empty value {@code 00}, which is what OpENer sends; this class is the list form.
 *
 * <p>{@link #decode(WireReader)} reads exactly the list and leaves what follows;
 * {@link #decode(Bytes)} insists on the whole value.
 *
 * @param paths at most 255, each at most 255 words; an entry may be the empty path (size 0)
 */
public record EPathList(List<EPath> paths) {
    private static final EPathList EMPTY = new EPathList(List.of());

    public EPathList {
        paths = List.copyOf(Objects.requireNonNull(paths, "paths"));
        Fields.checkCount(paths.size(), "EPATH list");
        for (EPath p : paths) {
            Fields.checkPath(p, "EPATH list entry");
        }
    }

    public static EPathList of(EPath... p) {
        return new EPathList(List.of(p));
    }

    public static EPathList empty() {
        return EMPTY;
    }

    public boolean isEmpty() {
        return paths.isEmpty();
    }

    public int encodedLength() {
        int n = 1;
        for (EPath p : paths) {
            n += 1 + p.encodedLength();
        }
        return n;
    }

    public void encode(WireWriter w) {
        w.u8(paths.size());
        for (EPath p : paths) {
            Fields.writeSizedPath(w, p);
        }
    }

    public Bytes toBytes() {
        return Fields.toBytes(encodedLength(), this::encode);
    }

    public static EPathList decode(WireReader r) throws WireFormatException {
        int count = r.u8("EPATH list count");
        r.requireCount(count, 1, "EPATH list entries");
        EPath[] out = new EPath[count];
        for (int i = 0; i < count; i++) {
            out[i] = Fields.readSizedPath(r, "EPATH list entry path");
        }
        return new EPathList(List.of(out));
    }

    /** Decodes a whole attribute value; trailing bytes are {@code TOO_MUCH_DATA}. */
    public static EPathList decode(Bytes value) throws WireFormatException {
        WireReader r = Fields.reader(value);
        EPathList l = decode(r);
        r.expectEnd("EPATH list");
        return l;
    }
}
