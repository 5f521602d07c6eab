package dev.cipsec.wire.file;

/** Class-specific service codes of the File object (reference §6.5, OpENerFileObject cipfile.h). */
public final class FileServices {
    private FileServices() {
    }

    public static final int INITIATE_UPLOAD = 0x4B;
    public static final int INITIATE_DOWNLOAD = 0x4C;
    public static final int INITIATE_PARTIAL_READ = 0x4D;
    public static final int INITIATE_PARTIAL_WRITE = 0x4E;
    public static final int UPLOAD_TRANSFER = 0x4F;
    public static final int DOWNLOAD_TRANSFER = 0x50;
    public static final int CLEAR_FILE = 0x51;

    public static String describe(int service) {
        return switch (service) {
            case INITIATE_UPLOAD -> "Initiate_Upload";
            case INITIATE_DOWNLOAD -> "Initiate_Download";
            case INITIATE_PARTIAL_READ -> "Initiate_Partial_Read";
            case INITIATE_PARTIAL_WRITE -> "Initiate_Partial_Write";
            case UPLOAD_TRANSFER -> "Upload_Transfer";
            case DOWNLOAD_TRANSFER -> "Download_Transfer";
            case CLEAR_FILE -> "Clear_File";
            default -> String.format("Service (0x%02x)", service);
        };
    }
}
