package dev.cipsec.objects.std;

import java.util.Objects;

/**
 * What a device says about itself in the Identity object (reference §3.1) and in ListIdentity.
 *
 * @param vendorId      Vendor ID (UINT)
 * @param deviceType    Device Type (UINT), e.g. 0x0C communications adapter
 * @param productCode   Product Code (UINT)
 * @param revisionMajor major revision (1..127; bit 7 is the key compatibility bit elsewhere)
 * @param revisionMinor minor revision (USINT)
 * @param serialNumber  Serial Number (UDINT)
 * @param productName   Product Name, at most 32 ISO-8859-1 characters (SHORT_STRING)
 * @param status        Status word (attribute 5)
 * @param state         State (attribute 8): 0 nonexistent … 3 operational … 5 major unrecoverable fault
 */
public record DeviceIdentity(int vendorId, int deviceType, int productCode, int revisionMajor, int revisionMinor,
                             long serialNumber, String productName, int status, int state) {

    public static final int STATE_OPERATIONAL = 3;

    public DeviceIdentity {
        uint("vendorId", vendorId);
        uint("deviceType", deviceType);
        uint("productCode", productCode);
        if (revisionMajor < 1 || revisionMajor > 0x7F) {
            throw new IllegalArgumentException("revisionMajor must be 1..127: " + revisionMajor);
        }
        if (revisionMinor < 0 || revisionMinor > 0xFF) {
            throw new IllegalArgumentException("revisionMinor must be 0..255: " + revisionMinor);
        }
        if (serialNumber < 0 || serialNumber > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("serialNumber must be a UDINT: " + serialNumber);
        }
        Objects.requireNonNull(productName, "productName");
        if (productName.length() > 32 || !productName.chars().allMatch(c -> c >= 0x20 && c <= 0xFF)) {
            throw new IllegalArgumentException("productName must be 0..32 printable ISO-8859-1 characters: " + productName);
        }
        uint("status", status);
        if (state < 0 || state > 0xFF) {
            throw new IllegalArgumentException("state must be a USINT: " + state);
        }
    }

    /** An operational device with status 0. */
    public static DeviceIdentity of(int vendorId, int deviceType, int productCode, int revisionMajor, int revisionMinor,
                                    long serialNumber, String productName) {
        return new DeviceIdentity(vendorId, deviceType, productCode, revisionMajor, revisionMinor, serialNumber,
                productName, 0, STATE_OPERATIONAL);
    }

    public DeviceIdentity withStatus(int newStatus) {
        return new DeviceIdentity(vendorId, deviceType, productCode, revisionMajor, revisionMinor, serialNumber,
                productName, newStatus, state);
    }

    public DeviceIdentity withState(int newState) {
        return new DeviceIdentity(vendorId, deviceType, productCode, revisionMajor, revisionMinor, serialNumber,
                productName, status, newState);
    }

    private static void uint(String name, int v) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(name + " must be a UINT: " + v);
        }
    }
}
