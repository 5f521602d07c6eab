package dev.cipsec.wire.cm;

import java.util.Map;

/**
 * Connection Manager extended status codes (reference §2.9): the first additional status word of a
 * reply with general status 0x01. Codes travel as plain {@code int}s so every value a target sends
 * is kept; this class names them. The 0x091x codes come from the Ingress/Egress object that CIP
 * Security targets use to refuse connections (0x091A refuses a non-secure connection).
 */
public final class ExtendedStatus {
    public static final int CONNECTION_IN_USE = 0x0100;
    public static final int TRANSPORT_TRIGGER_NOT_SUPPORTED = 0x0103;
    public static final int OWNERSHIP_CONFLICT = 0x0106;
    public static final int TARGET_CONNECTION_NOT_FOUND = 0x0107;
    public static final int INVALID_NETWORK_CONNECTION_PARAMETER = 0x0108;
    public static final int INVALID_CONNECTION_SIZE = 0x0109;
    public static final int TARGET_NOT_CONFIGURED = 0x0110;
    public static final int RPI_NOT_SUPPORTED = 0x0111;
    public static final int RPI_NOT_ACCEPTABLE = 0x0112;
    public static final int OUT_OF_CONNECTIONS = 0x0113;
    public static final int VENDOR_PRODUCT_MISMATCH = 0x0114;
    public static final int DEVICE_TYPE_MISMATCH = 0x0115;
    public static final int REVISION_MISMATCH = 0x0116;
    public static final int INVALID_APPLICATION_PATH = 0x0117;
    public static final int INVALID_CONFIGURATION_PATH = 0x0118;
    public static final int NON_LISTEN_ONLY_NOT_OPENED = 0x0119;
    public static final int TARGET_OUT_OF_CONNECTIONS = 0x011A;
    public static final int RPI_SMALLER_THAN_INHIBIT = 0x011B;
    public static final int TRANSPORT_CLASS_NOT_SUPPORTED = 0x011C;
    public static final int PRODUCTION_TRIGGER_NOT_SUPPORTED = 0x011D;
    public static final int DIRECTION_NOT_SUPPORTED = 0x011E;
    public static final int INVALID_OT_FIXED_VARIABLE = 0x011F;
    public static final int INVALID_TO_FIXED_VARIABLE = 0x0120;
    public static final int INVALID_OT_PRIORITY = 0x0121;
    public static final int INVALID_TO_PRIORITY = 0x0122;
    public static final int INVALID_OT_CONNECTION_TYPE = 0x0123;
    public static final int INVALID_TO_CONNECTION_TYPE = 0x0124;
    public static final int INVALID_OT_REDUNDANT_OWNER = 0x0125;
    public static final int INVALID_CONFIGURATION_SIZE = 0x0126;
    public static final int INVALID_OT_SIZE = 0x0127;
    public static final int INVALID_TO_SIZE = 0x0128;
    public static final int INVALID_CONFIGURATION_APPLICATION_PATH = 0x0129;
    public static final int INVALID_CONSUMING_APPLICATION_PATH = 0x012A;
    public static final int INVALID_PRODUCING_APPLICATION_PATH = 0x012B;
    public static final int NULL_FORWARD_OPEN_NOT_SUPPORTED = 0x0132;
    public static final int CONNECTION_TIMED_OUT = 0x0203;
    public static final int UNCONNECTED_REQUEST_TIMED_OUT = 0x0204;
    public static final int UNCONNECTED_PARAMETER_ERROR = 0x0205;
    public static final int MESSAGE_TOO_LARGE = 0x0206;
    public static final int NO_BUFFER_MEMORY = 0x0301;
    public static final int PORT_NOT_AVAILABLE = 0x0311;
    public static final int LINK_ADDRESS_NOT_VALID = 0x0312;
    public static final int INVALID_SEGMENT_IN_PATH = 0x0315;
    public static final int FORWARD_CLOSE_PATH_MISMATCH = 0x0316;
    public static final int MISCELLANEOUS = 0x031C;
    public static final int NETWORK_LINK_OFFLINE = 0x0800;
    public static final int INCOMPATIBLE_MULTICAST_RPI = 0x0801;
    public static final int NOT_CONFIGURED_FOR_OFF_SUBNET_MULTICAST = 0x0813;
    public static final int INVALID_PRODUCE_CONSUME_DATA_FORMAT = 0x0814;
    public static final int EGRESS_RULE_DENY = 0x0916;
    public static final int EGRESS_RULE_CIPHER_NOT_ALLOWED = 0x0917;
    public static final int NO_MATCHING_INGRESS_RULE = 0x0918;
    public static final int INGRESS_RULE_DENY = 0x0919;
    public static final int INGRESS_RULE_DENY_NON_SECURE = 0x091A;
    public static final int NO_MATCHING_EGRESS_RULE = 0x091B;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(CONNECTION_IN_USE, "connection in use / duplicate Forward_Open"),
            Map.entry(TRANSPORT_TRIGGER_NOT_SUPPORTED, "transport class and trigger combination not supported"),
            Map.entry(OWNERSHIP_CONFLICT, "ownership conflict"),
            Map.entry(TARGET_CONNECTION_NOT_FOUND, "target connection not found"),
            Map.entry(INVALID_NETWORK_CONNECTION_PARAMETER, "invalid network connection parameter"),
            Map.entry(INVALID_CONNECTION_SIZE, "invalid connection size"),
            Map.entry(TARGET_NOT_CONFIGURED, "target for connection not configured"),
            Map.entry(RPI_NOT_SUPPORTED, "RPI not supported"),
            Map.entry(RPI_NOT_ACCEPTABLE, "RPI value(s) not acceptable"),
            Map.entry(OUT_OF_CONNECTIONS, "out of connections"),
            Map.entry(VENDOR_PRODUCT_MISMATCH, "vendor id or product code mismatch"),
            Map.entry(DEVICE_TYPE_MISMATCH, "device type mismatch"),
            Map.entry(REVISION_MISMATCH, "revision mismatch"),
            Map.entry(INVALID_APPLICATION_PATH, "invalid produced or consumed application path"),
            Map.entry(INVALID_CONFIGURATION_PATH, "invalid or inconsistent configuration application path"),
            Map.entry(NON_LISTEN_ONLY_NOT_OPENED, "non-listen-only connection not opened"),
            Map.entry(TARGET_OUT_OF_CONNECTIONS, "target object out of connections"),
            Map.entry(RPI_SMALLER_THAN_INHIBIT, "RPI is smaller than the production inhibit time"),
            Map.entry(TRANSPORT_CLASS_NOT_SUPPORTED, "transport class not supported"),
            Map.entry(PRODUCTION_TRIGGER_NOT_SUPPORTED, "production trigger not supported"),
            Map.entry(DIRECTION_NOT_SUPPORTED, "direction not supported"),
            Map.entry(INVALID_OT_FIXED_VARIABLE, "invalid O->T fixed/variable flag"),
            Map.entry(INVALID_TO_FIXED_VARIABLE, "invalid T->O fixed/variable flag"),
            Map.entry(INVALID_OT_PRIORITY, "invalid O->T priority"),
            Map.entry(INVALID_TO_PRIORITY, "invalid T->O priority"),
            Map.entry(INVALID_OT_CONNECTION_TYPE, "invalid O->T connection type"),
            Map.entry(INVALID_TO_CONNECTION_TYPE, "invalid T->O connection type"),
            Map.entry(INVALID_OT_REDUNDANT_OWNER, "invalid O->T redundant owner flag"),
            Map.entry(INVALID_CONFIGURATION_SIZE, "invalid configuration size"),
            Map.entry(INVALID_OT_SIZE, "invalid O->T size"),
            Map.entry(INVALID_TO_SIZE, "invalid T->O size"),
            Map.entry(INVALID_CONFIGURATION_APPLICATION_PATH, "invalid configuration application path"),
            Map.entry(INVALID_CONSUMING_APPLICATION_PATH, "invalid consuming application path"),
            Map.entry(INVALID_PRODUCING_APPLICATION_PATH, "invalid producing application path"),
            Map.entry(NULL_FORWARD_OPEN_NOT_SUPPORTED, "Null Forward_Open not supported"),
            Map.entry(CONNECTION_TIMED_OUT, "connection timed out"),
            Map.entry(UNCONNECTED_REQUEST_TIMED_OUT, "unconnected request timed out"),
            Map.entry(UNCONNECTED_PARAMETER_ERROR, "parameter error in unconnected request"),
            Map.entry(MESSAGE_TOO_LARGE, "message too large for Unconnected_Send"),
            Map.entry(NO_BUFFER_MEMORY, "no buffer memory"),
            Map.entry(PORT_NOT_AVAILABLE, "port not available"),
            Map.entry(LINK_ADDRESS_NOT_VALID, "link address not valid"),
            Map.entry(INVALID_SEGMENT_IN_PATH, "invalid segment in connection path"),
            Map.entry(FORWARD_CLOSE_PATH_MISMATCH, "Forward_Close connection path mismatch"),
            Map.entry(MISCELLANEOUS, "miscellaneous"),
            Map.entry(NETWORK_LINK_OFFLINE, "network link offline"),
            Map.entry(INCOMPATIBLE_MULTICAST_RPI, "incompatible multicast RPI"),
            Map.entry(NOT_CONFIGURED_FOR_OFF_SUBNET_MULTICAST, "not configured for off-subnet multicast"),
            Map.entry(INVALID_PRODUCE_CONSUME_DATA_FORMAT, "invalid produce/consume data format"),
            Map.entry(EGRESS_RULE_DENY, "egress rule deny"),
            Map.entry(EGRESS_RULE_CIPHER_NOT_ALLOWED, "egress rule: cipher suite not allowed"),
            Map.entry(NO_MATCHING_INGRESS_RULE, "no matching ingress rule"),
            Map.entry(INGRESS_RULE_DENY, "ingress rule deny"),
            Map.entry(INGRESS_RULE_DENY_NON_SECURE, "ingress rule: non-secure connection denied"),
            Map.entry(NO_MATCHING_EGRESS_RULE, "no matching egress rule"));

    private ExtendedStatus() {
    }

    /** A human name for {@code code}, never null; unknown codes are shown as such. */
    public static String describe(int code) {
        String name = NAMES.get(code);
        if (name == null) {
            name = code >= 0 && code <= 0xFFFF ? "unknown extended status" : "invalid extended status";
        }
        return String.format("0x%04X %s", code, name);
    }
}
