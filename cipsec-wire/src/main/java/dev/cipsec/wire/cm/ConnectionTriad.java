package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

/**
 * Connection serial number, originator vendor id and originator serial number (reference §2.6):
 * the key by which Forward_Close and duplicate Forward_Open detection find a connection. On the
 * wire: UINT, UINT, UDINT (8 bytes).
 */
public record ConnectionTriad(int connectionSerial, int originatorVendorId, long originatorSerial) {
    public static final int ENCODED_LENGTH = 8;

    public ConnectionTriad {
        if (connectionSerial < 0 || connectionSerial > 0xFFFF) {
            throw new IllegalArgumentException("connection serial must be 0..65535: " + connectionSerial);
        }
        if (originatorVendorId < 0 || originatorVendorId > 0xFFFF) {
            throw new IllegalArgumentException("vendor id must be 0..65535: " + originatorVendorId);
        }
        if (originatorSerial < 0 || originatorSerial > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("originator serial must be a UDINT: " + originatorSerial);
        }
    }

    public void encode(WireWriter w) {
        w.u16(connectionSerial).u16(originatorVendorId).u32(originatorSerial);
    }

    public static ConnectionTriad decode(WireReader r) throws WireFormatException {
        int serial = r.u16("connection serial number");
        int vendor = r.u16("originator vendor id");
        long origSerial = r.u32("originator serial number");
        return new ConnectionTriad(serial, vendor, origSerial);
    }

    @Override
    public String toString() {
        return String.format("Triad[serial 0x%04X, vendor 0x%04X, originator 0x%08X]", connectionSerial,
                originatorVendorId, originatorSerial);
    }
}
