package dev.cipsec.wire.encap;

/**
 * Encapsulation command codes (reference §1.3). Commands travel as plain {@code int}s so that a
 * command we do not know is kept and can be answered with {@link EncapsulationStatus#INVALID_COMMAND}.
 */
public final class EncapsulationCommand {
    public static final int NOP = 0x0000;
    public static final int LIST_SERVICES = 0x0004;
    public static final int LIST_IDENTITY = 0x0063;
    public static final int LIST_INTERFACES = 0x0064;
    public static final int REGISTER_SESSION = 0x0065;
    public static final int UNREGISTER_SESSION = 0x0066;
    public static final int SEND_RR_DATA = 0x006F;
    public static final int SEND_UNIT_DATA = 0x0070;
    public static final int START_DTLS = 0x00C8;

    private EncapsulationCommand() {
    }

    public static boolean isKnown(int command) {
        return name(command) != null;
    }

    /** The command's name, or {@code "command 0x00FE"} for one we do not know. */
    public static String describe(int command) {
        String n = name(command);
        return n != null ? n : String.format("command 0x%04X", command);
    }

    private static String name(int command) {
        return switch (command) {
            case NOP -> "NOP";
            case LIST_SERVICES -> "ListServices";
            case LIST_IDENTITY -> "ListIdentity";
            case LIST_INTERFACES -> "ListInterfaces";
            case REGISTER_SESSION -> "RegisterSession";
            case UNREGISTER_SESSION -> "UnRegisterSession";
            case SEND_RR_DATA -> "SendRRData";
            case SEND_UNIT_DATA -> "SendUnitData";
            case START_DTLS -> "StartDTLS";
            default -> null;
        };
    }
}
