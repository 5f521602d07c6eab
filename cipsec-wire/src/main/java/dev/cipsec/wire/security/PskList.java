package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;
import static dev.cipsec.wire.buf.WireFormatException.Reason.LENGTH_MISMATCH;

/**
 * EtherNet/IP Security Object (0x5E) attribute 5, Pre-Shared Keys (reference §5.3): USINT count,
 * then per entry {USINT identity size, identity, USINT key size, key, [USINT usage]}.
 *
 * <p><b>Two editions, one attribute (GAP §12.4).</b> Newer editions add a usage byte to every entry;
 * older ones (and OpENer) have none, and nothing in the value says which edition wrote it. So
 * {@link #decode(WireReader)} reads <em>everything that remains</em> and tries both layouts:
 * <ol>
 *   <li>with a usage byte per entry (each 0, 1 or 2) — accepted only if it consumes the reader
 *       exactly;</li>
 *   <li>otherwise without usage bytes — which must also consume the reader exactly;</li>
 *   <li>otherwise {@link WireFormatException}: {@code LENGTH_MISMATCH} when the entries end before
 *       the value does, the reason of the failed field when they run out ({@code TRUNCATED}), or
 *       {@code INVALID_VALUE} for an identity above 128 or a key above 64 bytes.</li>
 * </ol>
 * A count that cannot fit even at 2 bytes per entry fails first with {@code COUNT_TOO_LARGE},
 * before anything is allocated. An empty list ({@code 00}) reads the same in both editions.
 *
 * <p>Inside a Get_Attributes_All reply the value does not run to the end, so the caller says which
 * layout it expects with {@link #decode(WireReader, boolean)}.
 *
 * <p>Entries must all carry a usage or none: the encoder writes the usage byte iff
 * {@link #withUsage()}, and a mixed list could not be written without losing something.
 *
 * @param entries at most 255
 */
public record PskList(List<PskEntry> entries) {

    public PskList {
        entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
        Fields.checkCount(entries.size(), "PSK list");
        long withUsage = entries.stream().filter(e -> e.usage().isPresent()).count();
        if (withUsage != 0 && withUsage != entries.size()) {
            throw new IllegalArgumentException("PSK entries must all have a usage or none");
        }
    }

    public static PskList of(PskEntry... entries) {
        return new PskList(List.of(entries));
    }

    public static PskList empty() {
        return new PskList(List.of());
    }

    /** True when every entry has a usage (and the list is non-empty): the newer edition's layout. */
    public boolean withUsage() {
        return !entries.isEmpty() && entries.get(0).usage().isPresent();
    }

    /** Every key emptied: the value a Get_Attribute_Single / Get_Attributes_All must return. */
    public PskList redacted() {
        return new PskList(entries.stream().map(PskEntry::redacted).toList());
    }

    public int encodedLength() {
        boolean usage = withUsage();
        int n = 1;
        for (PskEntry e : entries) {
            n += e.encodedLength(usage);
        }
        return n;
    }

    /** Writes the usage byte of each entry iff {@link #withUsage()}. */
    public void encode(WireWriter w) {
        boolean usage = withUsage();
        w.u8(entries.size());
        for (PskEntry e : entries) {
            e.encode(w, usage);
        }
    }

    public Bytes toBytes() {
        return Fields.toBytes(encodedLength(), this::encode);
    }

    /** Decodes the whole rest of {@code r}; see the class comment for how the edition is chosen. */
    public static PskList decode(WireReader r) throws WireFormatException {
        int count = r.u8("PSK count");
        r.requireCount(count, 2, "PSK entries");
        // Both attempts read the same bytes, so take them once and give each layout its own reader.
        byte[] body = r.rest().toArray();
        try {
            WireReader withUsage = WireReader.of(body);
            List<PskEntry> entries = readEntries(withUsage, count, true);
            if (!withUsage.hasRemaining()) {
                return new PskList(entries);
            }
        } catch (WireFormatException notThisEdition) {
            // fall through to the older layout
        }
        WireReader plain = WireReader.of(body);
        List<PskEntry> entries = readEntries(plain, count, false);
        if (plain.hasRemaining()) {
            throw new WireFormatException(LENGTH_MISMATCH, count + " PSK entries end " + plain.remaining()
                    + " bytes before the value does, with or without usage bytes");
        }
        return new PskList(entries);
    }

    /** Same as {@link #decode(WireReader)}: this value always runs to the end of its data. */
    public static PskList decode(Bytes value) throws WireFormatException {
        return decode(Fields.reader(value));
    }

    /**
     * Decodes exactly one list in the layout the caller knows ({@code withUsage} = the newer
     * edition) and leaves whatever follows, for a Get_Attributes_All reply where attribute 5 sits
     * between others and cannot be told apart by where it ends.
     */
    public static PskList decode(WireReader r, boolean withUsage) throws WireFormatException {
        int count = r.u8("PSK count");
        r.requireCount(count, withUsage ? 3 : 2, "PSK entries");
        return new PskList(readEntries(r, count, withUsage));
    }

    private static List<PskEntry> readEntries(WireReader r, int count, boolean withUsage) throws WireFormatException {
        PskEntry[] out = new PskEntry[count];
        for (int i = 0; i < count; i++) {
            int idLen = r.u8("PSK identity size");
            if (idLen > PskEntry.MAX_IDENTITY) {
                throw new WireFormatException(INVALID_VALUE, "PSK identity size " + idLen + " exceeds 128");
            }
            Bytes id = r.bytes(idLen, "PSK identity");
            int keyLen = r.u8("PSK size");
            if (keyLen > PskEntry.MAX_KEY) {
                throw new WireFormatException(INVALID_VALUE, "PSK size " + keyLen + " exceeds 64");
            }
            Bytes key = r.bytes(keyLen, "PSK");
            OptionalInt usage = OptionalInt.empty();
            if (withUsage) {
                int u = r.u8("PSK usage");
                if (!PskEntry.isUsage(u)) {
                    throw new WireFormatException(INVALID_VALUE, "PSK usage " + u + " is not 0, 1 or 2");
                }
                usage = OptionalInt.of(u);
            }
            out[i] = new PskEntry(id, key, usage);
        }
        return List.of(out);
    }
}
