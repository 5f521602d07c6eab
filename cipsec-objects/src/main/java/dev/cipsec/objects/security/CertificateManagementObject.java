package dev.cipsec.objects.security;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.CipDataType;
import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.objects.CipInstance;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.CertificateList;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.CsrRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static dev.cipsec.objects.CipDataTypes.DWORD;
import static dev.cipsec.objects.CipDataTypes.SHORT_STRING;
import static dev.cipsec.objects.CipDataTypes.USINT;

/**
 * Certificate Management Object, class 0x5F (reference §6.1-6.3): instance 1 is the device's
 * default certificate (static, not deletable); tools Create more, have them issue a CSR signed with
 * a key the device generates for that instance, download the signed certificate into a File
 * instance, point attribute 3 (and 4 for the CA) at it and call Verify_Certificate.
 *
 * <p>Decisions where the public sources are silent (also in {@code docs/security-objects.md}):
 * <ul>
 *   <li>Verify_Certificate's UINT: 1 the device certificate, 2 the CA certificate, 0 (or no data)
 *       every certificate the instance references; other values 0x20. A failed check answers 0xD0 and
 *       marks the certificate and the instance invalid.</li>
 *   <li>Writing attribute 3 or 4 takes the path; the status byte of the request is ignored (the device
 *       owns it) and becomes "not verified"; the path must lead to a File instance (0x09 otherwise).
 *       Instance 1's attributes are not writable (0x0C).</li>
 *   <li>Create_CSR stores the PEM request in a new read-only File instance with encoding 11 (ASCII:
 *       the File Object has no code for a CSR) and replaces the instance's previous CSR file.</li>
 *   <li>Create, Delete, Create_CSR, attribute writes and Verify_Certificate are configuration changes:
 *       once the device is configured they are accepted only over TLS (0x0F), like Begin_Config.</li>
 *   <li>An instance named by the EtherNet/IP Security Object (active certificate or trusted identity)
 *       cannot be deleted (0x0C); other references are left for Object_Cleanup.</li>
 * </ul>
 */
public final class CertificateManagementObject {
    public static final int CLASS_ID = 0x5F;
    public static final int REVISION = 2;
    public static final long DEFAULT_INSTANCE = 1;
    public static final String DEFAULT_NAME = "Default Device Certificate";

    public static final int CREATE_CSR = 0x4B;
    public static final int VERIFY_CERTIFICATE = 0x4C;
    public static final int VERIFY_FAILED = 0xD0;

    /** Class attribute 8: push model (pull model arrives with EST). */
    public static final long CAPABILITY_PUSH = 0x1;
    /** Class attribute 10: PEM and PKCS#7 files are both read. */
    public static final long ENCODINGS_PEM_PKCS7 = 0x3;
    /** Certificate Encoding attribute 5 values (different numbering from class attribute 10's bits). */
    public static final int ENCODING_PEM = 0;
    public static final int ENCODING_PKCS7 = 1;

    /** File Object encoding of a CSR: ASCII text. */
    public static final int FILE_ENCODING_ASCII = 11;
    public static final int FILE_ENCODING_PKCS7_CERT = 3;

    private static final CipDataType<CertificateReference> REFERENCE = CipDataTypes.struct("certificate reference",
            CertificateReference::encodedLength, (v, w) -> v.encode(w), CertificateReference::decode);
    private static final CipDataType<CertificateList> LIST = CipDataTypes.struct("certificate list",
            CertificateList::encodedLength, (v, w) -> v.encode(w), CertificateList::decode);

    /** The mutable cell behind one CIP instance. */
    static final class Cell {
        volatile CertificateEntry entry;

        Cell(CertificateEntry entry) {
            this.entry = entry;
        }
    }

    private final SecurityObjects objects;
    private final CipClass<Cell> cipClass;

    CertificateManagementObject(SecurityObjects objects, CertificateEntry defaultEntry) {
        this.objects = objects;
        this.cipClass = CipClass.<Cell>builder(CLASS_ID, "Certificate Management").revision(REVISION)
                .classAttribute(Attribute.<CipClass<Cell>, Long>get(8, "Capability Flags", DWORD, c -> CAPABILITY_PUSH).inGetAll())
                .classAttribute(Attribute.<CipClass<Cell>, CertificateList>get(9, "Certificate List", LIST, c -> list()).inGetAll())
                .classAttribute(Attribute.<CipClass<Cell>, Long>get(10, "Certificate Encodings Flag", DWORD, c -> ENCODINGS_PEM_PKCS7).inGetAll())
                .attributes(
                        Attribute.get(1, "Name", SHORT_STRING, (Cell c) -> c.entry.name()).inGetAll(),
                        Attribute.get(2, "State", USINT, (Cell c) -> c.entry.state()).inGetAll(),
                        Attribute.getSet(3, "Device Certificate", REFERENCE, (Cell c) -> c.entry.device(),
                                (c, v, ctx) -> setReference(c, v, ctx, true)).inGetAll(),
                        Attribute.getSet(4, "CA Certificate", REFERENCE, (Cell c) -> c.entry.ca(),
                                (c, v, ctx) -> setReference(c, v, ctx, false)).inGetAll(),
                        Attribute.get(5, "Certificate Encoding", USINT, (Cell c) -> encoding(c.entry)).inGetAll())
                .withoutInstanceService(ServiceCodes.SET_ATTRIBUTE_LIST)
                .withoutClassService(ServiceCodes.SET_ATTRIBUTE_LIST)
                .withoutClassService(ServiceCodes.SET_ATTRIBUTE_SINGLE)
                .classService(ServiceCodes.CREATE, this::create)
                .instanceService(ServiceCodes.DELETE, this::delete)
                .instanceService(CREATE_CSR, this::createCsr)
                .instanceService(VERIFY_CERTIFICATE, this::verify)
                .instance(DEFAULT_INSTANCE, new Cell(defaultEntry))
                .build();
    }

    public CipClass<Cell> cipClass() {
        return cipClass;
    }

    /** Instance {@code id}'s state, or null. */
    public CertificateEntry entry(long id) {
        CipInstance<Cell> i = cipClass.typedInstance(id);
        return i == null ? null : i.state().entry;
    }

    /** Every instance id with its state, ascending. */
    public List<Long> ids() {
        return cipClass.instances().stream().map(CipInstance::id).toList();
    }

    public static EPath path(long id) {
        return EPath.classInstance(CLASS_ID, id);
    }

    CertificateList list() {
        List<CertificateList.Entry> out = new ArrayList<>();
        for (CipInstance<Cell> i : cipClass.instances()) {
            out.add(new CertificateList.Entry(i.state().entry.name(), path(i.id())));
        }
        return new CertificateList(out);
    }

    private int encoding(CertificateEntry e) {
        OptionalLong file = objects.fileInstance(e.device().path());
        return file.isPresent() && objects.fileEncoding(file.getAsLong()) == FILE_ENCODING_PKCS7_CERT ? ENCODING_PKCS7 : ENCODING_PEM;
    }

    void put(long id, CertificateEntry e) {
        CipInstance<Cell> i = cipClass.typedInstance(id);
        if (i == null) {
            cipClass.addInstance(id, new Cell(e));
        } else {
            i.state().entry = e;
        }
    }

    /** The lowest free instance id above the default one. */
    long freeId() {
        long id = 2;
        while (cipClass.typedInstance(id) != null) {
            id++;
        }
        return id;
    }

    void remove(long id) {
        cipClass.removeInstance(id);
    }

    /** Drops every instance but the default one, which gets {@code defaultEntry} back. */
    void resetAll(CertificateEntry defaultEntry) {
        for (long id : ids()) {
            if (id != DEFAULT_INSTANCE) {
                remove(id);
                objects.hooks().instanceDeleted(id);
            }
        }
        put(DEFAULT_INSTANCE, defaultEntry);
    }

    private void setReference(Cell c, CertificateReference v, RequestContext ctx, boolean device) throws CipServiceException {
        objects.locked(() -> {
            objects.requireSecureIfConfigured(ctx, objects.deviceConfigured(), "Set certificate");
            if (c == cipClass.typedInstance(DEFAULT_INSTANCE).state()) {
                throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT, "the default certificate instance is static");
            }
            if (!v.path().segments().isEmpty() && objects.fileInstance(v.path()).isEmpty()) {
                throw new CipServiceException(GeneralStatus.INVALID_ATTRIBUTE_VALUE, "no File instance at " + v.path());
            }
            CertificateEntry before = c.entry;
            CertificateReference ref = new CertificateReference(CertificateReference.NOT_VERIFIED, v.path());
            c.entry = (device ? before.withDevice(ref) : before.withCa(ref)).withState(CertificateEntry.CONFIGURING);
            commitOrRollback(c, before);
            return null;
        });
    }

    private MessageRouterResponse create(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        String name;
        try {
            WireReader r = WireReader.of(req.data().toArray());
            name = SHORT_STRING.decode(r);
            r.expectEnd("Create");
        } catch (WireFormatException e) {
            throw new CipServiceException(e.reason().generalStatus(), "Create: " + e.getMessage());
        }
        if (name.isEmpty() || name.length() > CertificateEntry.MAX_NAME) {
            throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "Create: name must be 1.." + CertificateEntry.MAX_NAME + " characters");
        }
        String n = name;
        return objects.locked(() -> {
            objects.requireSecureIfConfigured(ctx, objects.deviceConfigured(), "Create");
            if (cipClass.numberOfInstances() >= objects.maxCertificateInstances()) {
                throw new CipServiceException(GeneralStatus.RESOURCE_UNAVAILABLE, "no more Certificate Management instances");
            }
            for (CipInstance<Cell> i : cipClass.instances()) {
                if (i.state().entry.name().equals(n)) {
                    throw new CipServiceException(GeneralStatus.OBJECT_ALREADY_EXISTS, "an instance is named " + n);
                }
            }
            long id = 2;
            while (cipClass.typedInstance(id) != null) {
                id++;
            }
            cipClass.addInstance(id, new Cell(CertificateEntry.created(n)));
            try {
                objects.commit(false, null);
            } catch (CipServiceException e) {
                cipClass.removeInstance(id);
                throw e;
            }
            WireWriter w = WireWriter.ofSize(2);
            w.u16((int) id);
            return MessageRouterResponse.success(req.service(), Bytes.of(w.array()));
        });
    }

    private MessageRouterResponse delete(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        CipSecurityObject.noData(req);
        long id = target.id();
        if (id == DEFAULT_INSTANCE) {
            throw new CipServiceException(GeneralStatus.INSTANCE_NOT_DELETABLE, "the default certificate instance is static");
        }
        return objects.locked(() -> {
            objects.requireSecureIfConfigured(ctx, objects.deviceConfigured(), "Delete");
            if (objects.certificateInstanceInUse(id)) {
                throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT,
                        "instance " + id + " is named by the EtherNet/IP Security Object");
            }
            CertificateEntry before = entry(id);
            cipClass.removeInstance(id);
            try {
                objects.commit(false, null);
            } catch (CipServiceException e) {
                cipClass.addInstance(id, new Cell(before));
                throw e;
            }
            objects.hooks().instanceDeleted(id);
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private MessageRouterResponse createCsr(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        long id = target.id();
        if (id == DEFAULT_INSTANCE) {
            throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT, "Create_CSR: not on the default certificate instance");
        }
        CsrRequest csr;
        try {
            csr = CsrRequest.decode(WireReader.of(req.data().toArray()));
        } catch (WireFormatException e) {
            throw new CipServiceException(e.reason().generalStatus(), "Create_CSR: " + e.getMessage());
        }
        if (!csr.country().isEmpty() && !csr.country().matches("[A-Za-z]{2}")) {
            throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "Create_CSR: country must be two letters: " + csr.country());
        }
        return objects.locked(() -> {
            objects.requireSecureIfConfigured(ctx, objects.deviceConfigured(), "Create_CSR");
            Cell c = cipClass.typedInstance(id).state();
            CertificateEntry before = c.entry;
            Bytes pem = objects.hooks().createCsr(id, csr);
            // The previous CSR file gives way first (its name is taken), and comes back if nothing can be saved.
            Bytes previous = before.csrFile().isPresent() ? objects.files().contents(before.csrFile().getAsLong()).orElse(null) : null;
            before.csrFile().ifPresent(objects::deleteFile);
            long file = objects.createFile("CSR " + before.name(), FILE_ENCODING_ASCII, pem);
            c.entry = before.withCsrFile(OptionalLong.of(file)).withState(CertificateEntry.CONFIGURING);
            try {
                objects.commit(false, null);
            } catch (CipServiceException e) {
                c.entry = before;
                objects.deleteFile(file);
                if (previous != null) {
                    objects.files().create(before.csrFile().getAsLong(), "CSR " + before.name(), FILE_ENCODING_ASCII, previous, true);
                }
                throw e;
            }
            EPath path = SecurityObjects.filePath(file);
            WireWriter w = WireWriter.ofSize(1 + path.encodedLength());
            w.u8(path.words());
            path.encode(w);
            return MessageRouterResponse.success(req.service(), Bytes.of(w.array()));
        });
    }

    private MessageRouterResponse verify(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx)
            throws CipServiceException {
        int which;
        Bytes data = req.data();
        if (data.isEmpty()) {
            which = 0;
        } else if (data.length() == 2) {
            which = data.get(0) | data.get(1) << 8;
        } else {
            throw new CipServiceException(data.length() < 2 ? GeneralStatus.NOT_ENOUGH_DATA : GeneralStatus.TOO_MUCH_DATA,
                    "Verify_Certificate takes one UINT");
        }
        if (which > 2) {
            throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "Verify_Certificate: 0 all, 1 device, 2 CA: " + which);
        }
        long id = target.id();
        return objects.locked(() -> {
            objects.requireSecureIfConfigured(ctx, objects.deviceConfigured(), "Verify_Certificate");
            Cell c = cipClass.typedInstance(id).state();
            CertificateEntry before = c.entry;
            boolean checkDevice = which != 2 && !before.device().path().segments().isEmpty();
            boolean checkCa = which != 1 && !before.ca().path().segments().isEmpty();
            if (!checkDevice && !checkCa) {
                throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT, "Verify_Certificate: no certificate to verify");
            }
            Bytes device = checkDevice ? objects.fileContents(before.device().path()) : null;
            Bytes ca = before.ca().path().segments().isEmpty() ? null : objects.fileContents(before.ca().path());
            String problem;
            if ((checkDevice && device == null) || (checkCa && ca == null)) {
                problem = "the certificate file is missing or empty";
            } else {
                problem = objects.hooks().verify(id, device, checkCa || checkDevice ? ca : null);
            }
            int status = problem == null ? CertificateReference.VERIFIED : CertificateReference.INVALID;
            CertificateEntry after = before;
            if (checkDevice) {
                after = after.withDevice(new CertificateReference(status, before.device().path()));
            }
            if (checkCa) {
                after = after.withCa(new CertificateReference(status, before.ca().path()));
            }
            after = after.withState(problem == null ? CertificateEntry.VERIFIED : CertificateEntry.INVALID);
            c.entry = after;
            commitOrRollback(c, before);
            if (problem != null) {
                throw new CipServiceException(VERIFY_FAILED, "Verify_Certificate: " + problem);
            }
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    private void commitOrRollback(Cell c, CertificateEntry before) throws CipServiceException {
        try {
            objects.commit(false, null);
        } catch (CipServiceException e) {
            c.entry = before;
            throw e;
        }
    }
}
