package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.WireWriter;

/**
 * Electronic key segment, key format 4 (reference §2.3): 0x34 0x04 vendor, device type, product
 * code, major revision (bit 7 = compatibility), minor revision. 0 in vendor/type/product/revision
 * means "any".
 */
public record ElectronicKeySegment(int vendorId, int deviceType, int productCode,
                                   boolean compatibility, int majorRevision, int minorRevision) implements Segment {
    public static final int SEGMENT_TYPE = 0x34;
    public static final int KEY_FORMAT = 4;

    public ElectronicKeySegment {
        checkU16(vendorId, "vendorId");
        checkU16(deviceType, "deviceType");
        checkU16(productCode, "productCode");
        if (majorRevision < 0 || majorRevision > 0x7F) {
            throw new IllegalArgumentException("majorRevision must be 0..127: " + majorRevision);
        }
        if (minorRevision < 0 || minorRevision > 0xFF) {
            throw new IllegalArgumentException("minorRevision must be 0..255: " + minorRevision);
        }
    }

    private static void checkU16(int v, String name) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(name + " must be 0..65535: " + v);
        }
    }

    @Override
    public int encodedLength() {
        return 10;
    }

    @Override
    public void encode(WireWriter w) {
        w.u8(SEGMENT_TYPE).u8(KEY_FORMAT).u16(vendorId).u16(deviceType).u16(productCode)
                .u8((compatibility ? 0x80 : 0) | majorRevision).u8(minorRevision);
    }
}
