package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Sockaddr Info item (0x8000 O→T, 0x8001 T→O; reference §1.5): sin_family, sin_port, sin_addr and
 * 8 trailing bytes, all big-endian (network order). The address is a u32 so the record stays a pure
 * value; the trailing bytes are kept as received so that odd peers round-trip.
 *
 * @param address IPv4 address as an unsigned 32-bit big-endian value (127.0.0.1 = 0x7F000001)
 * @param zero    the 8 sin_zero bytes
 */
public record SockaddrItem(int typeId, int family, int port, long address, Bytes zero) implements CpfItem {
    public static final int O_TO_T = 0x8000;
    public static final int T_TO_O = 0x8001;
    public static final int AF_INET = 2;
    public static final int DATA_SIZE = 16;
    private static final Bytes ZERO8 = Bytes.of(new byte[8]);

    public SockaddrItem {
        if (typeId != O_TO_T && typeId != T_TO_O) {
            throw new IllegalArgumentException(String.format("sockaddr item type must be 0x8000 or 0x8001: 0x%04X", typeId));
        }
        if (family < 0 || family > 0xFFFF || port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("family and port must be UINTs: " + family + ", " + port);
        }
        if (address < 0 || address > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("address must be a u32: " + address);
        }
        Objects.requireNonNull(zero, "zero");
        if (zero.length() != 8) {
            throw new IllegalArgumentException("sin_zero is 8 bytes, got " + zero.length());
        }
    }

    /** An AF_INET item with zero padding. */
    public static SockaddrItem of(int typeId, Inet4Address address, int port) {
        return new SockaddrItem(typeId, AF_INET, port, toU32(address), ZERO8);
    }

    public Inet4Address inetAddress() {
        return toInet4Address(address);
    }

    /** The u32 (big-endian) value of an IPv4 address. */
    public static long toU32(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xFFL) << 24 | (b[1] & 0xFFL) << 16 | (b[2] & 0xFFL) << 8 | (b[3] & 0xFFL);
    }

    /** The IPv4 address of a u32 value; no name lookup takes place. */
    public static Inet4Address toInet4Address(long address) {
        byte[] b = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4-byte address is always valid", e);
        }
    }

    @Override
    public int dataLength() {
        return DATA_SIZE;
    }

    @Override
    public void encodeData(WireWriter w) {
        w.u16Be(family).u16Be(port).u32Be(address).bytes(zero);
    }

    static SockaddrItem decodeData(int typeId, WireReader d) throws WireFormatException {
        return new SockaddrItem(typeId, d.u16Be("sin_family"), d.u16Be("sin_port"), d.u32Be("sin_addr"),
                d.bytes(8, "sin_zero"));
    }

    @Override
    public String toString() {
        return String.format("SockaddrItem[%s family=%d %s:%d%s]", typeId == O_TO_T ? "O->T" : "T->O", family,
                inetAddress().getHostAddress(), port, zero.equals(ZERO8) ? "" : " zero=" + zero);
    }
}
