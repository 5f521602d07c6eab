package dev.cipsec.scanner;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;

/**
 * The Identity object (class 0x01 instance 1) as Get_Attributes_All returns it: attributes 1–7
 * always, state (attribute 8) when the target includes it.
 */
public record IdentityInfo(int vendorId, int deviceType, int productCode, int revisionMajor, int revisionMinor,
                           int status, long serialNumber, String productName, int state) {
    public static final int STATE_UNKNOWN = -1;

    /** Decodes a Get_Attributes_All reply of the Identity object; trailing optional attributes are ignored. */
    public static IdentityInfo decodeGetAttributesAll(Bytes data) throws WireFormatException {
        WireReader r = WireReader.of(data.toArray());
        int vendor = r.u16("vendor id");
        int type = r.u16("device type");
        int product = r.u16("product code");
        int major = r.u8("major revision");
        int minor = r.u8("minor revision");
        int status = r.u16("status");
        long serial = r.u32("serial number");
        int len = r.u8("product name length");
        String name = r.ascii(len, "product name");
        int state = r.hasRemaining() ? r.u8("state") : STATE_UNKNOWN;
        return new IdentityInfo(vendor, type, product, major, minor, status, serial, name, state);
    }

    public String revision() {
        return revisionMajor + "." + revisionMinor;
    }
}
