package dev.cipsec.wire.cip;

/** Common service codes (reference §2.4) and Connection Manager services (§2.5). */
public final class ServiceCodes {
    public static final int GET_ATTRIBUTES_ALL = 0x01;
    public static final int SET_ATTRIBUTES_ALL = 0x02;
    public static final int GET_ATTRIBUTE_LIST = 0x03;
    public static final int SET_ATTRIBUTE_LIST = 0x04;
    public static final int RESET = 0x05;
    public static final int START = 0x06;
    public static final int STOP = 0x07;
    public static final int CREATE = 0x08;
    public static final int DELETE = 0x09;
    public static final int MULTIPLE_SERVICE_PACKET = 0x0A;
    public static final int APPLY_ATTRIBUTES = 0x0D;
    public static final int GET_ATTRIBUTE_SINGLE = 0x0E;
    public static final int SET_ATTRIBUTE_SINGLE = 0x10;
    public static final int FIND_NEXT_OBJECT_INSTANCE = 0x11;
    public static final int RESTORE = 0x15;
    public static final int SAVE = 0x16;
    public static final int NOP = 0x17;

    public static final int FORWARD_CLOSE = 0x4E;
    public static final int UNCONNECTED_SEND = 0x52;
    public static final int FORWARD_OPEN = 0x54;
    public static final int GET_CONNECTION_OWNER = 0x5A;
    public static final int LARGE_FORWARD_OPEN = 0x5B;

    /** The reply bit: a response's service code is the request's | 0x80. */
    public static final int REPLY_BIT = 0x80;

    private ServiceCodes() {
    }

    public static String describe(int service) {
        String name = switch (service & 0x7F) {
            case GET_ATTRIBUTES_ALL -> "Get_Attributes_All";
            case SET_ATTRIBUTES_ALL -> "Set_Attributes_All";
            case GET_ATTRIBUTE_LIST -> "Get_Attribute_List";
            case SET_ATTRIBUTE_LIST -> "Set_Attribute_List";
            case RESET -> "Reset";
            case START -> "Start";
            case STOP -> "Stop";
            case CREATE -> "Create";
            case DELETE -> "Delete";
            case MULTIPLE_SERVICE_PACKET -> "Multiple_Service_Packet";
            case APPLY_ATTRIBUTES -> "Apply_Attributes";
            case GET_ATTRIBUTE_SINGLE -> "Get_Attribute_Single";
            case SET_ATTRIBUTE_SINGLE -> "Set_Attribute_Single";
            case FIND_NEXT_OBJECT_INSTANCE -> "Find_Next_Object_Instance";
            case RESTORE -> "Restore";
            case SAVE -> "Save";
            case NOP -> "NOP";
            case FORWARD_CLOSE -> "Forward_Close";
            case UNCONNECTED_SEND -> "Unconnected_Send";
            case FORWARD_OPEN -> "Forward_Open";
            case GET_CONNECTION_OWNER -> "Get_Connection_Owner";
            case LARGE_FORWARD_OPEN -> "Large_Forward_Open";
            default -> "Service";
        };
        return String.format("%s (0x%02X)", name, service);
    }
}
