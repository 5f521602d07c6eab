package dev.cipsec.commission.policy;

/**
 * The Identity object (0x01) fields an inventory entry expects of a device; {@code null} means "any". A
 * replacement device matches an entry when every given field matches (vendor, device type, product code,
 * and a major revision at least the given one, as Rockwell's secured device replacement); the serial number
 * is given only when the entry pins one physical device.
 */
public record ExpectedIdentity(Integer vendorId, Integer deviceType, Integer productCode, Integer minMajorRevision,
                               Long serialNumber) {
    public static final ExpectedIdentity ANY = new ExpectedIdentity(null, null, null, null, null);

    public ExpectedIdentity {
        check("vendor id", vendorId, 0xFFFF);
        check("device type", deviceType, 0xFFFF);
        check("product code", productCode, 0xFFFF);
        check("major revision", minMajorRevision, 0xFF);
        if (serialNumber != null && (serialNumber < 0 || serialNumber > 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException("serial number out of range: " + serialNumber);
        }
    }

    private static void check(String what, Integer value, int max) {
        if (value != null && (value < 0 || value > max)) {
            throw new IllegalArgumentException(what + " out of range 0.." + max + ": " + value);
        }
    }

    /** Whether a device answering with these Identity values matches. */
    public boolean matches(int vendor, int type, int product, int majorRevision, long serial) {
        return (vendorId == null || vendorId == vendor)
                && (deviceType == null || deviceType == type)
                && (productCode == null || productCode == product)
                && (minMajorRevision == null || majorRevision >= minMajorRevision)
                && (serialNumber == null || serialNumber == serial);
    }

    /** Whether nothing is expected. */
    public boolean isAny() {
        return equals(ANY);
    }
}
