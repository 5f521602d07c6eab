package dev.cipsec.wire.encap;

/**
 * Encapsulation status codes (reference §1.4). Kept as plain {@code int}s: the status field is a
 * UDINT and a peer may send values no table names.
 */
public final class EncapsulationStatus {
    public static final int SUCCESS = 0x0000;
    public static final int INVALID_COMMAND = 0x0001;
    public static final int INSUFFICIENT_MEMORY = 0x0002;
    public static final int INCORRECT_DATA = 0x0003;
    public static final int INVALID_SESSION_HANDLE = 0x0064;
    public static final int INVALID_LENGTH = 0x0065;
    public static final int UNSUPPORTED_PROTOCOL_VERSION = 0x0069;
    public static final int SERVICE_NOT_ALLOWED_ON_PORT = 0x006A;

    private EncapsulationStatus() {
    }

    /** A readable name, or the hex value for one no table names. */
    public static String describe(long status) {
        String n;
        if (status == SUCCESS) {
            n = "success";
        } else if (status == INVALID_COMMAND) {
            n = "invalid or unsupported command";
        } else if (status == INSUFFICIENT_MEMORY) {
            n = "insufficient memory";
        } else if (status == INCORRECT_DATA) {
            n = "incorrect data";
        } else if (status == INVALID_SESSION_HANDLE) {
            n = "invalid session handle";
        } else if (status == INVALID_LENGTH) {
            n = "invalid length";
        } else if (status == UNSUPPORTED_PROTOCOL_VERSION) {
            n = "unsupported encapsulation protocol revision";
        } else if (status == SERVICE_NOT_ALLOWED_ON_PORT) {
            n = "encapsulated CIP service not allowed on this port";
        } else {
            n = "unknown status";
        }
        return String.format("0x%04X %s", status, n);
    }
}
