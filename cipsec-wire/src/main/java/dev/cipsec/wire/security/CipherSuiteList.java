package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * EtherNet/IP Security Object (0x5E) attributes 3 (Available Cipher Suites) and 4 (Allowed Cipher
 * Suites): USINT count, then per suite its 16-bit IANA id <b>high byte first</b> (reference §5.3,
 * §12.2) — the one big-endian field inside otherwise little-endian CIP data, e.g. {@code C0 23}
 * for TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256.
 *
 * <p>{@link #decode(WireReader)} reads exactly the list and leaves whatever follows (the next
 * attribute of a Get_Attributes_All reply); {@link #decode(Bytes)} insists on the whole value.
 *
 * @param ids IANA TLS cipher-suite ids in wire order, each 0..0xFFFF; at most 255
 */
public record CipherSuiteList(List<Integer> ids) {

    public CipherSuiteList {
        ids = List.copyOf(Objects.requireNonNull(ids, "ids"));
        Fields.checkCount(ids.size(), "cipher suite list");
        for (int id : ids) {
            Fields.checkU16(id, "cipher suite id");
        }
    }

    public static CipherSuiteList of(int... ids) {
        List<Integer> list = new ArrayList<>(ids.length);
        for (int id : ids) {
            list.add(id);
        }
        return new CipherSuiteList(list);
    }

    public boolean contains(int id) {
        return ids.contains(id);
    }

    public int encodedLength() {
        return 1 + 2 * ids.size();
    }

    public void encode(WireWriter w) {
        w.u8(ids.size());
        for (int id : ids) {
            w.u16Be(id);
        }
    }

    public Bytes toBytes() {
        return Fields.toBytes(encodedLength(), this::encode);
    }

    public static CipherSuiteList decode(WireReader r) throws WireFormatException {
        int count = r.u8("cipher suite count");
        r.requireCount(count, 2, "cipher suites");
        Integer[] ids = new Integer[count];
        for (int i = 0; i < count; i++) {
            ids[i] = r.u16Be("cipher suite id");
        }
        return new CipherSuiteList(List.of(ids));
    }

    /** Decodes a whole attribute value; trailing bytes are {@code TOO_MUCH_DATA}. */
    public static CipherSuiteList decode(Bytes value) throws WireFormatException {
        WireReader r = Fields.reader(value);
        CipherSuiteList l = decode(r);
        r.expectEnd("cipher suite list");
        return l;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CipherSuiteList[");
        for (int i = 0; i < ids.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format("0x%04X", ids.get(i)));
        }
        return sb.append(']').toString();
    }
}
