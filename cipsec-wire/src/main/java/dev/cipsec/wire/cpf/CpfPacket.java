package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static dev.cipsec.wire.buf.WireFormatException.Reason.LIMIT_EXCEEDED;

/**
 * A Common Packet Format list (reference §1.5): item count UINT, then the items. It is the data of
 * SendRRData/SendUnitData (after their prefix, see {@code RrData}), of ListIdentity and
 * ListServices replies, and a whole I/O datagram.
 */
public record CpfPacket(List<CpfItem> items) {

    /** Item limit of {@link #decode(WireReader)}: no known message carries more than a handful. */
    public static final int DEFAULT_MAX_ITEMS = 16;

    public CpfPacket {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
        if (items.size() > 0xFFFF) {
            throw new IllegalArgumentException("more than 65535 CPF items");
        }
    }

    public static CpfPacket of(CpfItem... items) {
        return new CpfPacket(List.of(items));
    }

    public int encodedLength() {
        int n = 2;
        for (CpfItem i : items) {
            n += i.encodedLength();
        }
        return n;
    }

    public void encode(WireWriter w) {
        w.u16(items.size());
        for (CpfItem i : items) {
            i.encode(w);
        }
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    /**
     * Decodes a CPF list that occupies everything that remains in {@code r}. The count is checked
     * against the remaining bytes ({@code COUNT_TOO_LARGE}) and against {@code maxItems}
     * ({@code LIMIT_EXCEEDED}) before anything is allocated; bytes after the last item are
     * {@code TOO_MUCH_DATA}.
     */
    public static CpfPacket decode(WireReader r, int maxItems) throws WireFormatException {
        int count = r.u16("CPF item count");
        r.requireCount(count, CpfItem.HEADER_SIZE, "CPF items");
        if (count > maxItems) {
            throw new WireFormatException(LIMIT_EXCEEDED, "CPF item count " + count + " exceeds the limit of " + maxItems);
        }
        List<CpfItem> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            items.add(CpfItem.decode(r));
        }
        r.expectEnd("CPF packet");
        return new CpfPacket(items);
    }

    public static CpfPacket decode(WireReader r) throws WireFormatException {
        return decode(r, DEFAULT_MAX_ITEMS);
    }

    public static CpfPacket decode(Bytes b) throws WireFormatException {
        return decode(WireReader.of(b.toArray()));
    }

    /** The first item of type {@code type}. */
    public <T extends CpfItem> Optional<T> first(Class<T> type) {
        for (CpfItem i : items) {
            if (type.isInstance(i)) {
                return Optional.of(type.cast(i));
            }
        }
        return Optional.empty();
    }

    /** All items of type {@code type}, in order. */
    public <T extends CpfItem> List<T> all(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (CpfItem i : items) {
            if (type.isInstance(i)) {
                out.add(type.cast(i));
            }
        }
        return out;
    }

    /** The first item with wire type {@code typeId}, whichever record decoded it. */
    public Optional<CpfItem> firstOfType(int typeId) {
        return items.stream().filter(i -> i.typeId() == typeId).findFirst();
    }

    public int size() {
        return items.size();
    }

    public CpfItem get(int index) {
        return items.get(index);
    }
}
