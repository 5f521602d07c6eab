package dev.cipsec.scanner.security;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.file.CreateFileRequest;
import dev.cipsec.wire.file.CreateFileResponse;
import dev.cipsec.wire.file.TransferPacket;
import dev.cipsec.wire.file.DownloadTransferResponse;
import dev.cipsec.wire.file.FileChecksum;
import dev.cipsec.wire.file.FileDirectory;
import dev.cipsec.wire.file.FileServices;
import dev.cipsec.wire.file.InitiateDownloadRequest;
import dev.cipsec.wire.file.InitiateDownloadResponse;
import dev.cipsec.wire.file.InitiateUploadRequest;
import dev.cipsec.wire.file.InitiateUploadResponse;
import dev.cipsec.wire.file.PacketType;
import dev.cipsec.wire.file.StringI;
import dev.cipsec.wire.file.UploadTransferRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Objects;

/**
 * Whole-file transfers with a target's File object (class 0x37). In the File object's words an
 * <em>upload</em> goes from the device to us (Initiate_Upload, Upload_Transfer) and a
 * <em>download</em> from us to the device (Initiate_Download, Download_Transfer).
 *
 * <p>Both directions check the file checksum of the last packet (two's complement of the 16-bit sum
 * of the file's bytes). An upload is bounded by {@link #maxFileSize()} before anything is allocated
 * for it, since the size comes from the target.
 */
public final class FileTransfer {
    public static final int CLASS_ID = 0x37;
    /** Default bound of an upload: certificates, CSRs and CRLs are a few KiB. */
    public static final int DEFAULT_MAX_FILE_SIZE = 1 << 20;
    /** The largest transfer size a USINT can ask for. */
    static final int MAX_TRANSFER_SIZE = 0xFF;

    /** File object encodings (attribute 11). */
    public static final int ENCODING_BINARY = 0;
    public static final int ENCODING_PEM_CERTIFICATE = 2;
    public static final int ENCODING_PKCS7_CERTIFICATE = 3;
    public static final int ENCODING_PEM_CRL = 4;
    public static final int ENCODING_PKCS7_CRL = 5;
    public static final int ENCODING_ASCII = 11;

    /** Attribute 1 values. */
    public static final int STATE_EMPTY = 1;
    public static final int STATE_LOADED = 2;

    private final CipClient client;
    private final int maxFileSize;

    public FileTransfer(CipClient client) {
        this(client, DEFAULT_MAX_FILE_SIZE);
    }

    public FileTransfer(CipClient client, int maxFileSize) {
        this.client = Objects.requireNonNull(client, "client");
        if (maxFileSize < 1) {
            throw new IllegalArgumentException("maxFileSize must be positive: " + maxFileSize);
        }
        this.maxFileSize = maxFileSize;
    }

    public int maxFileSize() {
        return maxFileSize;
    }

    public static EPath path(long instance) {
        return EPath.classInstance(CLASS_ID, instance);
    }

    private Bytes call(String name, int service, EPath path, Bytes data) throws IOException, SecurityServiceException {
        return Calls.call(client, "0x37 " + name, service, path, data);
    }

    /** Create (class service): a new empty instance; returns its instance number. */
    public long create(String name, int encoding) throws IOException, SecurityServiceException {
        Bytes reply = call("Create", ServiceCodes.CREATE, EPath.classInstance(CLASS_ID, 0), CreateFileRequest.of(name, encoding).toBytes());
        return Calls.decode("0x37 Create", reply, CreateFileResponse::decode).instanceId();
    }

    public void delete(long instance) throws IOException, SecurityServiceException {
        call("Delete", ServiceCodes.DELETE, path(instance), Bytes.EMPTY);
    }

    /** Class attribute 32: every instance with its instance name and file name. */
    public FileDirectory directory() throws IOException, SecurityServiceException {
        Bytes value = call("Get_Attribute_Single Directory", ServiceCodes.GET_ATTRIBUTE_SINGLE,
                EPath.classInstanceAttribute(CLASS_ID, 0, 32), Bytes.EMPTY);
        return Calls.decode("0x37 Directory", value, FileDirectory::decode);
    }

    /** What attributes 1, 2, 6, 7, 10 and 11 say about one instance. */
    public record FileInfo(long instance, int state, String name, long size, int checksum, boolean readOnly, int encoding) {
    }

    public FileInfo info(long instance) throws IOException, SecurityServiceException {
        return new FileInfo(instance,
                attr(instance, 1, "State", r -> r.u8("state")),
                attr(instance, 2, "Instance Name", StringI::decode).text(),
                attr(instance, 6, "File Size", r -> r.u32("size")),
                attr(instance, 7, "File Checksum", r -> r.u16("checksum")),
                attr(instance, 10, "File Access Rule", r -> r.u8("access rule")) != 0,
                attr(instance, 11, "File Encoding Format", r -> r.u8("encoding")));
    }

    private <T> T attr(long instance, int id, String name, Calls.Decoder<T> d) throws IOException, SecurityServiceException {
        Bytes value = call("Get_Attribute_Single " + name, ServiceCodes.GET_ATTRIBUTE_SINGLE,
                EPath.classInstanceAttribute(CLASS_ID, instance, id), Bytes.EMPTY);
        return Calls.decode("0x37 " + name, value, d);
    }

    /** Reads the whole file of {@code instance} (Initiate_Upload, then Upload_Transfer until the last packet). */
    public Bytes upload(long instance) throws IOException, SecurityServiceException {
        EPath path = path(instance);
        InitiateUploadResponse init = Calls.decode("0x37 Initiate_Upload",
                call("Initiate_Upload", FileServices.INITIATE_UPLOAD, path, new InitiateUploadRequest(MAX_TRANSFER_SIZE).toBytes()),
                InitiateUploadResponse::decode);
        if (init.fileSize() > maxFileSize) {
            throw new IOException("File instance " + instance + " holds " + init.fileSize() + " bytes, more than the "
                    + maxFileSize + " accepted");
        }
        if (init.transferSize() == 0) {
            throw new IOException("File instance " + instance + " offered transfer size 0");
        }
        int size = (int) init.fileSize();
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        // Enough packets for the whole file, plus one: a device may end with an empty last packet.
        long maxPackets = size / init.transferSize() + 2;
        for (int number = 0; number < maxPackets; number++) {
            TransferPacket packet = Calls.decode("0x37 Upload_Transfer",
                    call("Upload_Transfer", FileServices.UPLOAD_TRANSFER, path, new UploadTransferRequest(number & 0xFF).toBytes()),
                    TransferPacket::decode);
            if (packet.transferNumber() != (number & 0xFF)) {
                throw new IOException("Upload_Transfer answered packet " + packet.transferNumber() + " for " + (number & 0xFF));
            }
            boolean firstType = packet.packetType() == PacketType.FIRST || packet.packetType() == PacketType.FIRST_AND_LAST;
            if (packet.packetType() == PacketType.ABORT) {
                throw new IOException("File instance " + instance + " aborted the upload");
            }
            if (packet.packetType() > PacketType.FIRST_AND_LAST || firstType != (number == 0)) {
                throw new IOException("Upload_Transfer packet " + number + " has type " + PacketType.describe(packet.packetType()));
            }
            if (packet.data().length() > init.transferSize() || out.size() + packet.data().length() > size) {
                throw new IOException("Upload_Transfer packet " + number + " goes past the announced size of " + size + " bytes");
            }
            out.write(packet.data().toArray(), 0, packet.data().length());
            if (packet.checksum().isPresent()) {
                byte[] file = out.toByteArray();
                if (file.length != size) {
                    throw new IOException("the upload ended after " + file.length + " of " + size + " bytes");
                }
                int sum = FileChecksum.of(file, 0, file.length);
                if (sum != packet.checksum().getAsInt()) {
                    throw new IOException(String.format("upload checksum 0x%04X, but the file sums to 0x%04X",
                            packet.checksum().getAsInt(), sum));
                }
                return Bytes.of(file);
            }
        }
        throw new IOException("the upload of File instance " + instance + " did not end after " + maxPackets + " packets");
    }

    /**
     * Writes {@code contents} as the file of {@code instance} (Initiate_Download, then Download_Transfer:
     * first, middle..., last, or one first-and-last packet), with the checksum on the last packet. The
     * device makes the file visible only when the checksum matched.
     */
    public void download(long instance, String fileName, Bytes contents) throws IOException, SecurityServiceException {
        if (contents.isEmpty()) {
            throw new IllegalArgumentException("a File object download needs at least one byte");
        }
        EPath path = path(instance);
        InitiateDownloadResponse init = Calls.decode("0x37 Initiate_Download",
                call("Initiate_Download", FileServices.INITIATE_DOWNLOAD, path,
                        new InitiateDownloadRequest(contents.length(), 1, 1, 0, StringI.of(fileName)).toBytes()),
                InitiateDownloadResponse::decode);
        int chunk = init.transferSize();
        if (chunk == 0) {
            throw new IOException("File instance " + instance + " offered transfer size 0");
        }
        int checksum = FileChecksum.of(contents);
        int offset = 0;
        for (int number = 0; offset < contents.length(); number++) {
            int end = Math.min(contents.length(), offset + chunk);
            boolean first = offset == 0;
            boolean last = end == contents.length();
            int type = first && last ? PacketType.FIRST_AND_LAST : first ? PacketType.FIRST : last ? PacketType.LAST : PacketType.MIDDLE;
            Bytes data = contents.slice(offset, end);
            TransferPacket packet = last ? TransferPacket.last(number & 0xFF, type, data, checksum)
                    : TransferPacket.of(number & 0xFF, type, data);
            DownloadTransferResponse reply = Calls.decode("0x37 Download_Transfer",
                    call("Download_Transfer", FileServices.DOWNLOAD_TRANSFER, path, packet.toBytes()),
                    DownloadTransferResponse::decode);
            if (reply.transferNumber() != (number & 0xFF)) {
                throw new IOException("Download_Transfer answered packet " + reply.transferNumber() + " for " + (number & 0xFF));
            }
            offset = end;
        }
    }
}
