package dev.cipsec.objects.file;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.CipDataType;
import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.objects.CipInstance;
import dev.cipsec.objects.Service;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import static dev.cipsec.objects.CipDataTypes.BYTE;
import static dev.cipsec.objects.CipDataTypes.UDINT;
import static dev.cipsec.objects.CipDataTypes.UINT;
import static dev.cipsec.objects.CipDataTypes.USINT;

/**
 * File object (class 0x37, reference §6.5): the container through which certificates, CSRs and
 * CRLs travel to and from the CIP Security objects.
 *
 * <p>Instance attributes 1–12 as OpENerFileObject (fixture {@code opener-cs-security-objects}
 * frames 69–91 show an empty instance byte for byte); class revision 3 and class attribute 32, the
 * directory ({@link FileDirectory}). Services: Create (class), Delete, Get/Set_Attribute_*,
 * Initiate_Upload, Upload_Transfer, Initiate_Download, Download_Transfer, Clear_File.
 *
 * <p>Transfers, and the statuses chosen where the public sources leave room (GAP decisions,
 * mostly OpENerFileObject's codes; extended status in the additional status word):
 * <ul>
 *   <li>A service the current state does not allow (e.g. Upload_Transfer without
 *       Initiate_Upload, a second Initiate_* while a transfer runs, a FIRST packet in the middle of
 *       a download, a MIDDLE packet as the first one): 0x0C object state conflict, additional
 *       status = the state attribute.</li>
 *   <li>A download, Clear_File or Delete on a read-only instance: 0x0C (Delete: 0x2D instance not
 *       deletable).</li>
 *   <li>Wrong transfer number: 0x20 invalid parameter, extended 0x0006 out of sequence; the
 *       previous number again in a download: 0x20 / 0x000B duplicate. An upload answers the
 *       previous number again by resending that packet (a lost reply), as OpENer does.</li>
 *   <li>Initiate_Upload with maximum transfer size 0 and Initiate_Download of 0 bytes: 0x20 /
 *       0x0008; a file larger than {@link Limits#maxFileSize}, or packets past the announced size:
 *       0x20 / 0x0004; an empty file name: 0x20 / 0x000A; more data in one packet than the transfer
 *       size, a last packet that ends before the announced size, an unknown packet type: 0x20 /
 *       0x0007. A refused packet leaves the transfer as it was, so the client can send the right
 *       one.</li>
 *   <li>Checksum mismatch on the last packet: 0xD0 (object specific), and the download is
 *       discarded.</li>
 *   <li>The file format version is not checked (OpENer demands 1 yet reports 0 itself).</li>
 * </ul>
 *
 * <p>A download becomes visible (state Loaded, {@link #contents}, {@link Listener#changed}) only
 * when the last packet's checksum matched: received bytes wait in a buffer of the announced size.
 * An aborted, timed-out or failed download leaves the instance as it was before Initiate_Download:
 * a loaded file stays loaded with its old contents (OpENer empties it; for a certificate that would
 * leave the device with none). Transfer timeout: attribute 12 in seconds (default from
 * {@link Limits#transferTimeout}), counted from the last accepted packet, enforced by the timer and
 * also on the next request (a late timer must not keep a stale transfer alive). Upload packets end
 * exactly at the end of the file (LAST, or FIRST_AND_LAST for a file that fits one packet), without
 * OpENer's empty trailing packet when the size is a multiple of the transfer size. Transfer numbers
 * wrap modulo 256.
 *
 * <p>The {@link Listener} hears about changes made over the wire (Create, a completed download,
 * Clear_File, Delete), never about the Java API's own calls, and always after the instance lock is
 * released.
 */
public final class FileObject {
    public static final int CLASS_ID = 0x37;
    public static final int CLASS_REVISION = 3;

    public static final int STATE_NONEXISTENT = 0;
    public static final int STATE_EMPTY = 1;
    public static final int STATE_LOADED = 2;
    public static final int STATE_UPLOAD_INITIATED = 3;
    public static final int STATE_DOWNLOAD_INITIATED = 4;
    public static final int STATE_UPLOAD_IN_PROGRESS = 5;
    public static final int STATE_DOWNLOAD_IN_PROGRESS = 6;
    public static final int STATE_STORING = 7;

    public static final int ENCODING_BINARY = 0;
    public static final int ENCODING_PEM_CERTIFICATE = 2;
    public static final int ENCODING_PKCS7_CERTIFICATE = 3;
    public static final int ENCODING_PEM_CRL = 4;
    public static final int ENCODING_PKCS7_CRL = 5;

    public static final int INVOCATION_NOT_APPLICABLE = 0xFF;
    /** Object-specific general status: checksum failure. */
    public static final int STATUS_CHECKSUM_FAILURE = 0xD0;

    /** Extended statuses (additional status word with 0x20), OpENerFileObject's numbering. */
    public static final int EXT_FILE_SIZE_TOO_LARGE = 0x0004;
    public static final int EXT_OUT_OF_SEQUENCE = 0x0006;
    public static final int EXT_TRANSFER_OTHER = 0x0007;
    public static final int EXT_ZERO_SIZE = 0x0008;
    public static final int EXT_FILE_NAME_EMPTY = 0x000A;
    public static final int EXT_DUPLICATE = 0x000B;

    private static final Logger log = LoggerFactory.getLogger(FileObject.class);

    private static final CipDataType<StringI> STRINGI = CipDataTypes.struct("STRINGI", StringI::encodedLength,
            (v, w) -> v.encode(w), StringI::decode);
    private static final CipDataType<FileDirectory> DIRECTORY = CipDataTypes.struct("File Directory",
            FileDirectory::encodedLength, (v, w) -> v.encode(w), FileDirectory::decode);
    private static final CipDataType<int[]> REVISION = CipDataTypes.fixedStruct("File Revision", 2,
            (v, w) -> w.u8(v[0]).u8(v[1]), r -> new int[] {r.u8("major revision"), r.u8("minor revision")});

    /** Hears about changes made over the wire; called after the change, outside every lock. */
    public interface Listener {
        /** An instance was created, or its file completed a download or was cleared ({@code contents} empty). */
        void changed(FileInstanceInfo info, Bytes contents);

        /** An instance was deleted. */
        void deleted(long id);

        Listener NONE = new Listener() {
            @Override
            public void changed(FileInstanceInfo info, Bytes contents) {
            }

            @Override
            public void deleted(long id) {
            }
        };
    }

    /**
     * Bounds of the object.
     *
     * @param maxInstances    instances at most, 1..0xFFFF
     * @param maxFileSize     bytes per file at most, at least 1
     * @param maxTransferSize data bytes per transfer packet at most, 1..255
     * @param transferTimeout default of attribute 12: whole seconds, 1..255 s
     */
    public record Limits(int maxInstances, int maxFileSize, int maxTransferSize, Duration transferTimeout) {
        public Limits {
            if (maxInstances < 1 || maxInstances > 0xFFFF) {
                throw new IllegalArgumentException("maxInstances must be 1..65535: " + maxInstances);
            }
            if (maxFileSize < 1) {
                throw new IllegalArgumentException("maxFileSize must be positive: " + maxFileSize);
            }
            if (maxTransferSize < 1 || maxTransferSize > 0xFF) {
                throw new IllegalArgumentException("maxTransferSize must be 1..255: " + maxTransferSize);
            }
            Objects.requireNonNull(transferTimeout, "transferTimeout");
            if (transferTimeout.toSeconds() < 1 || transferTimeout.toSeconds() > 0xFF
                    || transferTimeout.toNanosPart() != 0) {
                throw new IllegalArgumentException("transferTimeout must be 1..255 whole seconds: " + transferTimeout);
            }
        }

        /** 32 instances, 64 KiB per file, 255-byte packets, 30 s transfer timeout. */
        public static Limits defaults() {
            return new Limits(32, 64 * 1024, 255, Duration.ofSeconds(30));
        }
    }

    private final Limits limits;
    private final InstantSource clock;
    private final ScheduledExecutorService timer;
    private final Listener listener;
    /** Serialises instance creation and removal (id allocation, name uniqueness, the instance bound). */
    private final ReentrantLock registry = new ReentrantLock();
    private final CipClass<FileInstance> cipClass;

    public FileObject(Limits limits, InstantSource clock, ScheduledExecutorService timer, Listener listener) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.cipClass = CipClass.<FileInstance>builder(CLASS_ID, "File").revision(CLASS_REVISION)
                .classAttribute(Attribute.get(32, "Directory", DIRECTORY, c -> directory()))
                .attributes(
                        Attribute.get(1, "State", USINT, (FileInstance f) -> f.state).inGetAll(),
                        Attribute.get(2, "Instance Name", STRINGI, (FileInstance f) -> f.instanceName).inGetAll(),
                        Attribute.get(3, "File Format Version", UINT, (FileInstance f) -> f.formatVersion).inGetAll(),
                        Attribute.get(4, "File Name", STRINGI, (FileInstance f) -> f.fileName).inGetAll(),
                        Attribute.get(5, "File Revision", REVISION,
                                (FileInstance f) -> new int[] {f.revisionMajor, f.revisionMinor}).inGetAll(),
                        Attribute.get(6, "File Size", UDINT, (FileInstance f) -> (long) f.contents.length()).inGetAll(),
                        Attribute.get(7, "File Checksum", UINT, (FileInstance f) -> f.checksum).inGetAll(),
                        Attribute.get(8, "Invocation Method", USINT, (FileInstance f) -> INVOCATION_NOT_APPLICABLE).inGetAll(),
                        Attribute.get(9, "File Save Parameters", BYTE, (FileInstance f) -> 0).inGetAll(),
                        Attribute.get(10, "File Access Rule", USINT, (FileInstance f) -> f.readOnly ? 1 : 0).inGetAll(),
                        Attribute.get(11, "File Encoding Format", USINT, (FileInstance f) -> f.encoding).inGetAll(),
                        Attribute.getSet(12, "File Transfer Timeout", USINT, (FileInstance f) -> f.transferTimeoutSeconds,
                                (f, v, ctx) -> f.transferTimeoutSeconds = v).validIf(v -> v >= 1).inGetAll())
                .classService(ServiceCodes.CREATE, this::createService)
                .instanceService(ServiceCodes.DELETE, this::deleteService)
                .instanceService(FileServices.INITIATE_UPLOAD, locked(this::initiateUpload))
                .instanceService(FileServices.UPLOAD_TRANSFER, locked(this::uploadTransfer))
                .instanceService(FileServices.INITIATE_DOWNLOAD, locked(this::initiateDownload))
                .instanceService(FileServices.DOWNLOAD_TRANSFER, locked(this::downloadTransfer))
                .instanceService(FileServices.CLEAR_FILE, locked(this::clearFile))
                .build();
    }

    /** The class to register on a {@link dev.cipsec.objects.MessageRouter}. */
    public CipClass<?> cipClass() {
        return cipClass;
    }

    public Limits limits() {
        return limits;
    }

    // ---------------------------------------------------------------- Java API

    /** Creates an instance holding contents (state Loaded, or Empty when contents is empty); returns its id. */
    public long create(String name, int encoding, Bytes contents, boolean readOnly) {
        registry.lock();
        try {
            long id = freeId();
            if (id < 0) {
                throw new IllegalStateException("the File object already has " + limits.maxInstances + " instances");
            }
            add(id, name, encoding, contents, readOnly);
            return id;
        } finally {
            registry.unlock();
        }
    }

    /** Creates an instance with a fixed id (restoring persisted state); fails if the id or name is taken. */
    public void create(long instanceId, String name, int encoding, Bytes contents, boolean readOnly) {
        if (instanceId < 1 || instanceId > 0xFFFF) {
            throw new IllegalArgumentException("File instance ids are 1..65535: " + instanceId);
        }
        registry.lock();
        try {
            if (cipClass.numberOfInstances() >= limits.maxInstances) {
                throw new IllegalStateException("the File object already has " + limits.maxInstances + " instances");
            }
            if (cipClass.typedInstance(instanceId) != null) {
                throw new IllegalStateException("File instance " + instanceId + " exists");
            }
            add(instanceId, name, encoding, contents, readOnly);
        } finally {
            registry.unlock();
        }
    }

    /**
     * The complete file instance {@code instanceId} holds: present when it is Loaded, and also while
     * an upload reads it or a download is on its way to replace it (the old file stays until the
     * new one is verified); empty when the instance is empty or does not exist.
     */
    public Optional<Bytes> contents(long instanceId) {
        return withInstance(instanceId, f -> f.contents.isEmpty() ? null : f.contents);
    }

    public Optional<FileInstanceInfo> info(long instanceId) {
        return withInstance(instanceId, FileInstance::info);
    }

    /** Every instance, by ascending id. */
    public List<FileInstanceInfo> instances() {
        List<FileInstanceInfo> out = new ArrayList<>();
        for (CipInstance<FileInstance> inst : cipClass.instances()) {
            out.add(underLock(inst, () -> inst.state().info()));
        }
        return List.copyOf(out);
    }

    /** Removes an instance, read-only or not, abandoning any transfer; false when there is none. */
    public boolean delete(long instanceId) {
        registry.lock();
        try {
            CipInstance<FileInstance> inst = cipClass.typedInstance(instanceId);
            if (inst == null) {
                return false;
            }
            underLock(inst, () -> {
                endTransfer(inst.state());
                return null;
            });
            return cipClass.removeInstance(instanceId);
        } finally {
            registry.unlock();
        }
    }

    /** Factory reset: every instance removed. */
    public void clear() {
        registry.lock();
        try {
            for (CipInstance<FileInstance> inst : List.copyOf(cipClass.instances())) {
                delete(inst.id());
            }
        } finally {
            registry.unlock();
        }
    }

    private void add(long id, String name, int encoding, Bytes contents, boolean readOnly) {
        Objects.requireNonNull(contents, "contents");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a File instance needs a name");
        }
        if (encoding < 0 || encoding > 0xFF) {
            throw new IllegalArgumentException("encoding must be a USINT: " + encoding);
        }
        if (contents.length() > limits.maxFileSize) {
            throw new IllegalArgumentException(contents.length() + " bytes exceed the file size limit " + limits.maxFileSize);
        }
        StringI instanceName = StringI.of(name);
        if (nameTaken(instanceName)) {
            throw new IllegalStateException("a File instance named '" + name + "' exists");
        }
        FileInstance f = new FileInstance(id, instanceName, encoding, readOnly, defaultTimeoutSeconds());
        if (!contents.isEmpty()) {
            f.contents = contents;
            f.fileName = instanceName;
            f.checksum = FileChecksum.of(contents);
            f.state = STATE_LOADED;
        }
        cipClass.addInstance(id, f);
    }

    private int defaultTimeoutSeconds() {
        return (int) limits.transferTimeout.toSeconds();
    }

    /** Lowest free id, or -1 when the instance bound is reached; caller holds {@link #registry}. */
    private long freeId() {
        if (cipClass.numberOfInstances() >= limits.maxInstances) {
            return -1;
        }
        long id = 1;
        for (CipInstance<FileInstance> inst : cipClass.instances()) {
            if (inst.id() != id) {
                break;
            }
            id++;
        }
        return id <= 0xFFFF ? id : -1;
    }

    private boolean nameTaken(StringI name) {
        for (CipInstance<FileInstance> inst : cipClass.instances()) {
            if (inst.state().instanceName.text().equals(name.text())) {
                return true;
            }
        }
        return false;
    }

    private <T> Optional<T> withInstance(long id, java.util.function.Function<FileInstance, T> read) {
        CipInstance<FileInstance> inst = cipClass.typedInstance(id);
        return inst == null ? Optional.empty() : Optional.ofNullable(underLock(inst, () -> read.apply(inst.state())));
    }

    private static <T> T underLock(CipInstance<?> inst, Supplier<T> body) {
        inst.lock().lock();
        try {
            return body.get();
        } finally {
            inst.lock().unlock();
        }
    }

    private FileDirectory directory() {
        List<FileDirectory.Entry> entries = new ArrayList<>();
        for (CipInstance<FileInstance> inst : cipClass.instances()) {
            entries.add(underLock(inst, () -> new FileDirectory.Entry((int) inst.id(), inst.state().instanceName,
                    inst.state().fileName)));
        }
        return new FileDirectory(entries);
    }

    // ---------------------------------------------------------------- services

    /** An instance service body; runs under the instance lock and queues listener calls in {@code after}. */
    @FunctionalInterface
    private interface Handler {
        MessageRouterResponse handle(FileInstance f, MessageRouterRequest req, List<Runnable> after)
                throws CipServiceException;
    }

    private Service locked(Handler h) {
        return (target, req, ctx) -> {
            FileInstance f = (FileInstance) target.state();
            List<Runnable> after = new ArrayList<>(1);
            MessageRouterResponse resp;
            target.lock().lock();
            try {
                expireIfDue(f);
                resp = h.handle(f, req, after);
            } finally {
                target.lock().unlock();
            }
            after.forEach(this::notifySafely);
            return resp;
        };
    }

    private void notifySafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("File object listener failed", e);
        }
    }

    private interface Decoder<T> {
        T decode(WireReader r) throws WireFormatException;
    }

    private static <T> T decode(MessageRouterRequest req, Decoder<T> d) throws CipServiceException {
        try {
            return d.decode(WireReader.of(req.data().toArray()));
        } catch (WireFormatException e) {
            throw new CipServiceException(e.reason().generalStatus(), e.getMessage());
        }
    }

    private static void noData(MessageRouterRequest req) throws CipServiceException {
        if (!req.data().isEmpty()) {
            throw new CipServiceException(GeneralStatus.TOO_MUCH_DATA, "service takes no data");
        }
    }

    private static CipServiceException stateConflict(FileInstance f, String what) {
        return new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT, what + " in state " + f.state, f.state);
    }

    private static CipServiceException invalid(int extended, String what) {
        return new CipServiceException(GeneralStatus.INVALID_PARAMETER, what, extended);
    }

    private static MessageRouterResponse ok(MessageRouterRequest req, Bytes data) {
        return MessageRouterResponse.success(req.service(), data);
    }

    private MessageRouterResponse createService(CipInstance<?> target, MessageRouterRequest req,
                                                dev.cipsec.objects.RequestContext ctx) throws CipServiceException {
        CreateFileRequest create = decode(req, CreateFileRequest::decode);
        if (create.instanceName().isBlank()) {
            throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "empty instance name");
        }
        FileInstanceInfo info;
        registry.lock();
        try {
            if (nameTaken(create.instanceName())) {
                throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "instance name in use: " + create.instanceName());
            }
            long id = freeId();
            if (id < 0) {
                throw new CipServiceException(GeneralStatus.RESOURCE_UNAVAILABLE, "no free File instance");
            }
            FileInstance f = new FileInstance(id, create.instanceName(), create.encodingFormat().orElse(ENCODING_BINARY),
                    false, defaultTimeoutSeconds());
            cipClass.addInstance(id, f);
            info = f.info();
        } finally {
            registry.unlock();
        }
        notifySafely(() -> listener.changed(info, Bytes.EMPTY));
        return ok(req, new CreateFileResponse((int) info.id(), INVOCATION_NOT_APPLICABLE).toBytes());
    }

    private MessageRouterResponse deleteService(CipInstance<?> target, MessageRouterRequest req,
                                                dev.cipsec.objects.RequestContext ctx) throws CipServiceException {
        noData(req);
        registry.lock();
        try {
            FileInstance f = (FileInstance) target.state();
            target.lock().lock();
            try {
                expireIfDue(f);
                if (f.readOnly) {
                    throw new CipServiceException(GeneralStatus.INSTANCE_NOT_DELETABLE, "read-only File instance " + f.id);
                }
                if (f.transferring()) {
                    throw stateConflict(f, "Delete");
                }
            } finally {
                target.lock().unlock();
            }
            cipClass.removeInstance(target.id());
        } finally {
            registry.unlock();
        }
        notifySafely(() -> listener.deleted(target.id()));
        return ok(req, Bytes.EMPTY);
    }

    private MessageRouterResponse initiateUpload(FileInstance f, MessageRouterRequest req, List<Runnable> after)
            throws CipServiceException {
        InitiateUploadRequest r = decode(req, InitiateUploadRequest::decode);
        if (f.state != STATE_LOADED) {
            throw stateConflict(f, "Initiate_Upload");
        }
        if (r.maxTransferSize() == 0) {
            throw invalid(EXT_ZERO_SIZE, "maximum transfer size 0");
        }
        int size = Math.min(r.maxTransferSize(), limits.maxTransferSize);
        f.upload = new FileInstance.Upload(f.contents, size);
        f.state = STATE_UPLOAD_INITIATED;
        touch(f);
        return ok(req, new InitiateUploadResponse(f.contents.length(), size).toBytes());
    }

    private MessageRouterResponse uploadTransfer(FileInstance f, MessageRouterRequest req, List<Runnable> after)
            throws CipServiceException {
        UploadTransferRequest r = decode(req, UploadTransferRequest::decode);
        FileInstance.Upload u = f.upload;
        if (u == null) {
            throw stateConflict(f, "Upload_Transfer");
        }
        int number = r.transferNumber();
        int offset;
        if (number == u.expectedNumber) {
            offset = u.offset;
        } else if (u.started && number == ((u.expectedNumber - 1) & 0xFF)) {
            offset = u.previousOffset;
        } else {
            throw invalid(EXT_OUT_OF_SEQUENCE, "transfer number " + number + ", expected " + u.expectedNumber);
        }
        int end = Math.min(offset + u.transferSize, u.contents.length());
        boolean first = offset == 0;
        boolean last = end == u.contents.length();
        Bytes data = u.contents.slice(offset, end);
        TransferPacket packet;
        if (last) {
            packet = TransferPacket.last(number, first ? PacketType.FIRST_AND_LAST : PacketType.LAST, data,
                    FileChecksum.of(u.contents));
            endTransfer(f);
            f.state = STATE_LOADED;
        } else {
            packet = TransferPacket.of(number, first ? PacketType.FIRST : PacketType.MIDDLE, data);
            if (offset == u.offset) {
                u.previousOffset = offset;
                u.offset = end;
                u.expectedNumber = (number + 1) & 0xFF;
            }
            u.started = true;
            f.state = STATE_UPLOAD_IN_PROGRESS;
            touch(f);
        }
        return ok(req, packet.toBytes());
    }

    private MessageRouterResponse initiateDownload(FileInstance f, MessageRouterRequest req, List<Runnable> after)
            throws CipServiceException {
        InitiateDownloadRequest r = decode(req, InitiateDownloadRequest::decode);
        if (f.readOnly || (f.state != STATE_EMPTY && f.state != STATE_LOADED)) {
            throw stateConflict(f, f.readOnly ? "Initiate_Download on a read-only file" : "Initiate_Download");
        }
        if (r.fileSize() == 0) {
            throw invalid(EXT_ZERO_SIZE, "file size 0");
        }
        if (r.fileSize() > limits.maxFileSize) {
            throw invalid(EXT_FILE_SIZE_TOO_LARGE, r.fileSize() + " bytes exceed " + limits.maxFileSize);
        }
        if (r.fileName().isBlank()) {
            throw invalid(EXT_FILE_NAME_EMPTY, "empty file name");
        }
        f.download = new FileInstance.Download(r.fileSize(), r.formatVersion(), r.revisionMajor(), r.revisionMinor(),
                r.fileName(), limits.maxTransferSize, f.state);
        f.state = STATE_DOWNLOAD_INITIATED;
        touch(f);
        return ok(req, new InitiateDownloadResponse(0, 0, limits.maxTransferSize).toBytes());
    }

    private MessageRouterResponse downloadTransfer(FileInstance f, MessageRouterRequest req, List<Runnable> after)
            throws CipServiceException {
        TransferPacket r = decode(req, TransferPacket::decode);
        FileInstance.Download d = f.download;
        if (f.readOnly || d == null) {
            throw stateConflict(f, "Download_Transfer");
        }
        int number = r.transferNumber();
        int type = r.packetType();
        Bytes reply = new DownloadTransferResponse(number).toBytes();
        if (type == PacketType.ABORT) {
            abortTransfer(f);
            return ok(req, reply);
        }
        if (type > PacketType.FIRST_AND_LAST) {
            throw invalid(EXT_TRANSFER_OTHER, "packet type " + type);
        }
        boolean firstType = type == PacketType.FIRST || type == PacketType.FIRST_AND_LAST;
        if (firstType != (f.state == STATE_DOWNLOAD_INITIATED)) {
            throw stateConflict(f, PacketType.describe(type) + " packet");
        }
        int expected = (d.lastNumber + 1) & 0xFF;
        if (number != expected) {
            throw invalid(number == d.lastNumber ? EXT_DUPLICATE : EXT_OUT_OF_SEQUENCE,
                    "transfer number " + number + ", expected " + expected);
        }
        Bytes data = r.data();
        if (data.length() > d.transferSize) {
            throw invalid(EXT_TRANSFER_OTHER, data.length() + " bytes in a packet of at most " + d.transferSize);
        }
        long total = (long) d.received + data.length();
        if (total > d.declaredSize) {
            throw invalid(EXT_FILE_SIZE_TOO_LARGE, "packet goes past the announced " + d.declaredSize + " bytes");
        }
        if (!PacketType.carriesChecksum(type)) {
            d.received = data.copyTo(d.buffer, d.received);
            d.lastNumber = number;
            f.state = STATE_DOWNLOAD_IN_PROGRESS;
            touch(f);
            return ok(req, reply);
        }
        if (total != d.declaredSize) {
            throw invalid(EXT_TRANSFER_OTHER, "last packet ends at " + total + " of " + d.declaredSize + " bytes");
        }
        d.received = data.copyTo(d.buffer, d.received);
        int checksum = FileChecksum.of(d.buffer, 0, d.received);
        if (checksum != r.checksum().getAsInt()) {
            abortTransfer(f);
            throw new CipServiceException(STATUS_CHECKSUM_FAILURE,
                    String.format("checksum 0x%04X, file sums to 0x%04X", r.checksum().getAsInt(), checksum));
        }
        endTransfer(f);
        f.contents = Bytes.of(d.buffer);
        f.fileName = d.fileName;
        f.formatVersion = d.formatVersion;
        f.revisionMajor = d.revisionMajor;
        f.revisionMinor = d.revisionMinor;
        f.checksum = checksum;
        f.state = STATE_LOADED;
        FileInstanceInfo info = f.info();
        Bytes contents = f.contents;
        log.debug("File instance {} loaded: {} bytes", f.id, contents.length());
        after.add(() -> listener.changed(info, contents));
        return ok(req, reply);
    }

    private MessageRouterResponse clearFile(FileInstance f, MessageRouterRequest req, List<Runnable> after)
            throws CipServiceException {
        noData(req);
        if (f.readOnly || f.transferring()) {
            throw stateConflict(f, f.readOnly ? "Clear_File on a read-only file" : "Clear_File");
        }
        if (f.state == STATE_LOADED) {
            f.contents = Bytes.EMPTY;
            f.fileName = StringI.empty();
            f.formatVersion = 0;
            f.revisionMajor = 0;
            f.revisionMinor = 0;
            f.checksum = 0;
            f.state = STATE_EMPTY;
            FileInstanceInfo info = f.info();
            after.add(() -> listener.changed(info, Bytes.EMPTY));
        }
        return ok(req, Bytes.EMPTY);
    }

    // ---------------------------------------------------------------- transfer timeout

    /** Records an accepted packet and (re)arms the timeout; caller holds the instance lock. */
    private void touch(FileInstance f) {
        long token = ++f.activity;
        Duration timeout = Duration.ofSeconds(f.transferTimeoutSeconds);
        f.deadline = clock.instant().plus(timeout);
        arm(f, token, timeout.toMillis());
    }

    private void arm(FileInstance f, long token, long delayMillis) {
        if (f.timeoutTask != null) {
            f.timeoutTask.cancel(false);
        }
        CipInstance<FileInstance> inst = cipClass.typedInstance(f.id);
        try {
            f.timeoutTask = timer.schedule(() -> onTimer(inst, f, token), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // a stopped timer leaves the check to the next request (expireIfDue)
            f.timeoutTask = null;
        }
    }

    private void onTimer(CipInstance<FileInstance> inst, FileInstance f, long token) {
        if (inst == null) {
            return;
        }
        underLock(inst, () -> {
            if (f.activity != token || !f.transferring()) {
                return null;
            }
            Duration left = Duration.between(clock.instant(), f.deadline);
            if (left.isNegative() || left.isZero()) {
                log.debug("File instance {}: transfer timed out in state {}", f.id, f.state);
                abortTransfer(f);
            } else {
                arm(f, token, Math.max(1, left.toMillis()));
            }
            return null;
        });
    }

    private void expireIfDue(FileInstance f) {
        if (f.transferring() && f.deadline != null && !clock.instant().isBefore(f.deadline)) {
            log.debug("File instance {}: transfer timed out in state {}", f.id, f.state);
            abortTransfer(f);
        }
    }

    /** Drops the transfer; the instance returns to the state it had before (its complete file untouched). */
    private void abortTransfer(FileInstance f) {
        if (f.download != null) {
            f.state = f.download.stateBefore;
        } else if (f.upload != null) {
            f.state = STATE_LOADED;
        }
        endTransfer(f);
    }

    private static void endTransfer(FileInstance f) {
        f.upload = null;
        f.download = null;
        f.deadline = null;
        f.activity++;
        if (f.timeoutTask != null) {
            f.timeoutTask.cancel(false);
            f.timeoutTask = null;
        }
    }
}
