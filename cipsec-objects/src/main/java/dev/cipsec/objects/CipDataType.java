package dev.cipsec.objects;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/**
 * How an attribute value of Java type {@code T} travels in CIP service data. Encode and decode sit
 * side by side; {@link #decode} reads only through the bounded {@link WireReader} and consumes
 * exactly the value's bytes, so values can be read back to back (Set_Attribute_List) and a caller
 * can tell "too much data" from "not enough". Standard types are in {@link CipDataTypes}.
 *
 * @param <T> the Java representation of the value
 */
public interface CipDataType<T> {

    /** A short name for messages, e.g. "UINT". */
    String name();

    /** The exact number of bytes {@link #encode} writes for {@code value}. */
    int encodedLength(T value);

    void encode(T value, WireWriter w);

    /**
     * Reads one value. Throws {@code TRUNCATED} when bytes are missing and {@code INVALID_VALUE}
     * when the bytes are not a legal value of this type (e.g. a BOOL of 2).
     */
    T decode(WireReader r) throws WireFormatException;

    /** Encodes {@code value} into a fresh array of exactly {@link #encodedLength} bytes. */
    default byte[] toArray(T value) {
        WireWriter w = WireWriter.ofSize(encodedLength(value));
        encode(value, w);
        return w.array();
    }
}
