package dev.cipsec.wire.cip;

/**
 * CIP general status codes (reference §2.2). Statuses travel as plain {@code int}s in wire
 * records so that every value a peer may send is kept; this class names them.
 */
public final class GeneralStatus {
    public static final int SUCCESS = 0x00;
    public static final int CONNECTION_FAILURE = 0x01;
    public static final int RESOURCE_UNAVAILABLE = 0x02;
    public static final int INVALID_PARAMETER_VALUE = 0x03;
    public static final int PATH_SEGMENT_ERROR = 0x04;
    public static final int PATH_DESTINATION_UNKNOWN = 0x05;
    public static final int PARTIAL_TRANSFER = 0x06;
    public static final int CONNECTION_LOST = 0x07;
    public static final int SERVICE_NOT_SUPPORTED = 0x08;
    public static final int INVALID_ATTRIBUTE_VALUE = 0x09;
    public static final int ATTRIBUTE_LIST_ERROR = 0x0A;
    public static final int ALREADY_IN_REQUESTED_MODE = 0x0B;
    public static final int OBJECT_STATE_CONFLICT = 0x0C;
    public static final int OBJECT_ALREADY_EXISTS = 0x0D;
    public static final int ATTRIBUTE_NOT_SETTABLE = 0x0E;
    public static final int PRIVILEGE_VIOLATION = 0x0F;
    public static final int DEVICE_STATE_CONFLICT = 0x10;
    public static final int REPLY_DATA_TOO_LARGE = 0x11;
    public static final int FRAGMENTATION_OF_PRIMITIVE = 0x12;
    public static final int NOT_ENOUGH_DATA = 0x13;
    public static final int ATTRIBUTE_NOT_SUPPORTED = 0x14;
    public static final int TOO_MUCH_DATA = 0x15;
    public static final int OBJECT_DOES_NOT_EXIST = 0x16;
    public static final int FRAGMENTATION_SEQUENCE_NOT_IN_PROGRESS = 0x17;
    public static final int NO_STORED_ATTRIBUTE_DATA = 0x18;
    public static final int STORE_OPERATION_FAILURE = 0x19;
    public static final int ROUTING_REQUEST_TOO_LARGE = 0x1A;
    public static final int ROUTING_RESPONSE_TOO_LARGE = 0x1B;
    public static final int MISSING_ATTRIBUTE_LIST_ENTRY = 0x1C;
    public static final int INVALID_ATTRIBUTE_VALUE_LIST = 0x1D;
    public static final int EMBEDDED_SERVICE_ERROR = 0x1E;
    public static final int VENDOR_SPECIFIC = 0x1F;
    public static final int INVALID_PARAMETER = 0x20;
    public static final int WRITE_ONCE_ALREADY_WRITTEN = 0x21;
    public static final int INVALID_REPLY_RECEIVED = 0x22;
    public static final int BUFFER_OVERFLOW = 0x23;
    public static final int MESSAGE_FORMAT_ERROR = 0x24;
    public static final int KEY_FAILURE_IN_PATH = 0x25;
    public static final int PATH_SIZE_INVALID = 0x26;
    public static final int UNEXPECTED_ATTRIBUTE_IN_LIST = 0x27;
    public static final int INVALID_MEMBER_ID = 0x28;
    public static final int MEMBER_NOT_SETTABLE = 0x29;
    public static final int GROUP2_SERVER_FAILURE = 0x2A;
    public static final int UNKNOWN_MODBUS_ERROR = 0x2B;
    public static final int ATTRIBUTE_NOT_GETTABLE = 0x2C;
    public static final int INSTANCE_NOT_DELETABLE = 0x2D;
    public static final int SERVICE_NOT_SUPPORTED_FOR_PATH = 0x2E;

    private static final String[] NAMES = new String[256];

    static {
        String[] n = {
                "success", "connection failure", "resource unavailable", "invalid parameter value",
                "path segment error", "path destination unknown", "partial transfer", "connection lost",
                "service not supported", "invalid attribute value", "attribute list error",
                "already in requested mode/state", "object state conflict", "object already exists",
                "attribute not settable", "privilege violation", "device state conflict", "reply data too large",
                "fragmentation of a primitive value", "not enough data", "attribute not supported", "too much data",
                "object does not exist", "fragmentation sequence not in progress", "no stored attribute data",
                "store operation failure", "routing failure, request too large", "routing failure, response too large",
                "missing attribute list entry", "invalid attribute value list", "embedded service error",
                "vendor specific error", "invalid parameter", "write-once value already written",
                "invalid reply received", "buffer overflow", "message format error", "key failure in path",
                "path size invalid", "unexpected attribute in list", "invalid member ID", "member not settable",
                "group 2 only server general failure", "unknown Modbus error", "attribute not gettable",
                "instance not deletable", "service not supported for specified path"};
        System.arraycopy(n, 0, NAMES, 0, n.length);
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i] == null) {
                NAMES[i] = i >= 0xD0 ? "object class specific" : "reserved";
            }
        }
    }

    private GeneralStatus() {
    }

    /** A human name for {@code code}, never null. */
    public static String describe(int code) {
        if (code < 0 || code > 0xFF) {
            return "invalid status " + code;
        }
        return String.format("0x%02X %s", code, NAMES[code]);
    }
}
