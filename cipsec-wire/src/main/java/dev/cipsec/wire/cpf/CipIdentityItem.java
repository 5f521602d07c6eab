package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * CIP Identity item (0x000C) of a ListIdentity reply (reference §1.6). The sockaddr part is
 * big-endian; its 8 sin_zero bytes are written as zeros and ignored on read. The product name is a
 * SHORT_STRING (USINT length + Latin-1 characters).
 */
public record CipIdentityItem(int encapsulationVersion, int sinFamily, int sinPort, long sinAddress, int vendorId,
                              int deviceType, int productCode, int revisionMajor, int revisionMinor, int status,
                              long serialNumber, String productName, int state) implements CpfItem {

    public static final int TYPE_ID = 0x000C;
    /** Data length of an item whose product name is empty; add the name's length. */
    public static final int SIZE_WITHOUT_NAME = 34;

    public CipIdentityItem {
        checkU16(encapsulationVersion, "encapsulation version");
        checkU16(sinFamily, "sin_family");
        checkU16(sinPort, "sin_port");
        if (sinAddress < 0 || sinAddress > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("sin_addr must be a u32: " + sinAddress);
        }
        checkU16(vendorId, "vendor ID");
        checkU16(deviceType, "device type");
        checkU16(productCode, "product code");
        checkU8(revisionMajor, "major revision");
        checkU8(revisionMinor, "minor revision");
        checkU16(status, "status");
        if (serialNumber < 0 || serialNumber > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("serial number must be a UDINT: " + serialNumber);
        }
        Objects.requireNonNull(productName, "productName");
        if (productName.length() > 0xFF) {
            throw new IllegalArgumentException("product name longer than a SHORT_STRING: " + productName.length());
        }
        for (int i = 0; i < productName.length(); i++) {
            if (productName.charAt(i) > 0xFF) {
                throw new IllegalArgumentException("product name must be Latin-1: " + productName);
            }
        }
        checkU8(state, "state");
    }

    public Inet4Address inetAddress() {
        return SockaddrItem.toInet4Address(sinAddress);
    }

    @Override
    public int typeId() {
        return TYPE_ID;
    }

    @Override
    public int dataLength() {
        return SIZE_WITHOUT_NAME + productName.length();
    }

    @Override
    public void encodeData(WireWriter w) {
        w.u16(encapsulationVersion)
                .u16Be(sinFamily).u16Be(sinPort).u32Be(sinAddress).zeros(8)
                .u16(vendorId).u16(deviceType).u16(productCode).u8(revisionMajor).u8(revisionMinor)
                .u16(status).u32(serialNumber)
                .u8(productName.length()).ascii(productName)
                .u8(state);
    }

    static CipIdentityItem decodeData(WireReader d) throws WireFormatException {
        int version = d.u16("encapsulation version");
        int family = d.u16Be("sin_family");
        int port = d.u16Be("sin_port");
        long address = d.u32Be("sin_addr");
        d.skip(8, "sin_zero");
        int vendor = d.u16("vendor ID");
        int type = d.u16("device type");
        int product = d.u16("product code");
        int major = d.u8("major revision");
        int minor = d.u8("minor revision");
        int status = d.u16("status");
        long serial = d.u32("serial number");
        int nameLength = d.u8("product name length");
        String name = d.ascii(nameLength, "product name");
        int state = d.u8("state");
        return new CipIdentityItem(version, family, port, address, vendor, type, product, major, minor, status, serial,
                name, state);
    }

    private static void checkU8(int v, String what) {
        if (v < 0 || v > 0xFF) {
            throw new IllegalArgumentException(what + " must be a USINT: " + v);
        }
    }

    private static void checkU16(int v, String what) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be a UINT: " + v);
        }
    }

    @Override
    public String toString() {
        return String.format("CipIdentityItem[v%d %s:%d vendor=%d type=%d product=%d rev=%d.%d status=0x%04X "
                        + "serial=0x%08X '%s' state=%d]", encapsulationVersion, inetAddress().getHostAddress(), sinPort,
                vendorId, deviceType, productCode, revisionMajor, revisionMinor, status, serialNumber, productName, state);
    }
}
