package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.epath.EPath;

import java.util.List;
import java.util.Objects;

/**
 * Certificate Management Object (0x5F) class attribute 9, Certificate List (reference §6.1): USINT
 * count, then per instance {SHORT_STRING name, USINT path size in words, padded EPATH to the 0x5F
 * instance}. OpENer: {@code 01 | 1a "Default Device Certificate" | 02 | 20 5f 24 01}.
 *
 * <p>{@link #decode(WireReader)} reads exactly the list; {@link #decode(Bytes)} insists on the
 * whole value.
 *
 * @param entries at most 255
 */
public record CertificateList(List<Entry> entries) {

    /**
     * @param name SHORT_STRING (at most 255 one-byte characters)
     * @param path at most 255 words
     */
    public record Entry(String name, EPath path) {
        public Entry {
            Fields.checkShortString(name, "certificate name");
            Fields.checkPath(path, "certificate instance path");
        }

        int encodedLength() {
            return 1 + name.length() + 1 + path.encodedLength();
        }
    }

    public CertificateList {
        entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
        Fields.checkCount(entries.size(), "certificate list");
    }

    public static CertificateList of(Entry... entries) {
        return new CertificateList(List.of(entries));
    }

    public int encodedLength() {
        int n = 1;
        for (Entry e : entries) {
            n += e.encodedLength();
        }
        return n;
    }

    public void encode(WireWriter w) {
        w.u8(entries.size());
        for (Entry e : entries) {
            Fields.writeShortString(w, e.name());
            Fields.writeSizedPath(w, e.path());
        }
    }

    public Bytes toBytes() {
        return Fields.toBytes(encodedLength(), this::encode);
    }

    public static CertificateList decode(WireReader r) throws WireFormatException {
        int count = r.u8("certificate count");
        // Smallest entry: an empty name (1 byte) and an empty path (1 byte).
        r.requireCount(count, 2, "certificate list entries");
        Entry[] out = new Entry[count];
        for (int i = 0; i < count; i++) {
            String name = Fields.readShortString(r, "certificate name");
            out[i] = new Entry(name, Fields.readSizedPath(r, "certificate instance path"));
        }
        return new CertificateList(List.of(out));
    }

    /** Decodes a whole attribute value; trailing bytes are {@code TOO_MUCH_DATA}. */
    public static CertificateList decode(Bytes value) throws WireFormatException {
        WireReader r = Fields.reader(value);
        CertificateList l = decode(r);
        r.expectEnd("certificate list");
        return l;
    }
}
