package dev.cipsec.wire.file;

/**
 * Transfer packet types of Upload_Transfer replies and Download_Transfer requests. Other values
 * are kept by the codecs (as a packet without checksum) and refused by the object.
 */
public final class PacketType {
    private PacketType() {
    }

    public static final int FIRST = 0;
    public static final int MIDDLE = 1;
    public static final int LAST = 2;
    public static final int ABORT = 3;
    public static final int FIRST_AND_LAST = 4;

    /** Whether a packet of this type ends with the UINT file checksum. */
    public static boolean carriesChecksum(int packetType) {
        return packetType == LAST || packetType == FIRST_AND_LAST;
    }

    public static String describe(int packetType) {
        return switch (packetType) {
            case FIRST -> "first";
            case MIDDLE -> "middle";
            case LAST -> "last";
            case ABORT -> "abort";
            case FIRST_AND_LAST -> "first and last";
            default -> "unknown (" + packetType + ")";
        };
    }
}
