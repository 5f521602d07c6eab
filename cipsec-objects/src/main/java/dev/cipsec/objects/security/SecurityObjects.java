package dev.cipsec.objects.security;

import dev.cipsec.objects.MessageRouter;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.objects.file.FileInstanceInfo;
import dev.cipsec.objects.file.FileObject;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.EPathList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The security objects of one device: CIP Security (0x5D), EtherNet/IP Security (0x5E),
 * Certificate Management (0x5F) and the File Object (0x37) that carries their certificates, CSRs and
 * CRLs. One lock serialises every security service: they are rare, touch several objects at once
 * (a Reset clears 0x5D and 0x5E, a cleanup walks 0x5E, 0x5F and 0x37) and each ends in one durable
 * commit through {@link SecurityHooks#commit}, so a simple global order is worth more than concurrency.
 */
public final class SecurityObjects {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityObjects.class);

    /** Volume 8's configuration session timeout. */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

    /**
     * What the device contributes.
     *
     * @param availableSuites          0x5E attribute 3: the suites the device's TLS stack can run
     * @param factoryConfig            0x5E settable attributes in factory default (Reset returns to them)
     * @param defaultDeviceCertificate File instance holding the default device certificate (0x5F instance 1)
     * @param defaultCaCertificate     File instance holding the CA of the default certificate (itself when self-signed)
     * @param sessionTimeout           configuration session timeout (10 s; shorter in tests)
     * @param maxCertificateInstances  0x5F instances including the default one
     */
    public record Options(CipherSuiteList availableSuites, EipSecurityConfig factoryConfig, long defaultDeviceCertificate,
                          long defaultCaCertificate, Duration sessionTimeout, int maxCertificateInstances) {
        public Options {
            Objects.requireNonNull(availableSuites, "availableSuites");
            Objects.requireNonNull(factoryConfig, "factoryConfig");
            Objects.requireNonNull(sessionTimeout, "sessionTimeout");
            if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
                throw new IllegalArgumentException("session timeout must be positive");
            }
            if (maxCertificateInstances < 1 || maxCertificateInstances > 0xFFFF) {
                throw new IllegalArgumentException("max certificate instances 1..65535: " + maxCertificateInstances);
            }
        }
    }

    /** Everything the objects persist (the File instances are persisted by the device with their contents). */
    public record State(int cipState, int cipConfiguredProfiles, int eipState, EipSecurityConfig eipApplied,
                        boolean pullModelEnabled, int pullModelStatus, Map<Long, CertificateEntry> certificates,
                        EstServerSetting estServer) {
        public State {
            Objects.requireNonNull(eipApplied, "eipApplied");
            certificates = Map.copyOf(certificates);
            Objects.requireNonNull(estServer, "estServer");
        }
    }

    @FunctionalInterface
    public interface Action<T> {
        T run() throws CipServiceException;
    }

    private final Options options;
    private final FileObject files;
    private final SecurityHooks hooks;
    private final ScheduledExecutorService timer;
    private final ReentrantLock lock = new ReentrantLock();
    private final CipSecurityObject cip;
    private final EipSecurityObject eip;
    private final CertificateManagementObject certificates;

    public SecurityObjects(Options options, FileObject files, SecurityHooks hooks, ScheduledExecutorService timer) {
        this.options = Objects.requireNonNull(options, "options");
        this.files = Objects.requireNonNull(files, "files");
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.cip = new CipSecurityObject(this);
        this.eip = new EipSecurityObject(this);
        this.certificates = new CertificateManagementObject(this, defaultEntry());
    }

    /** Registers the four classes on the device's router. */
    public void register(MessageRouter router) {
        router.register(cip.cipClass());
        router.register(eip.cipClass());
        router.register(certificates.cipClass());
        router.register(files.cipClass());
    }

    public CipSecurityObject cip() {
        return cip;
    }

    public EipSecurityObject eip() {
        return eip;
    }

    public CertificateManagementObject certificates() {
        return certificates;
    }

    public FileObject files() {
        return files;
    }

    public SecurityHooks hooks() {
        return hooks;
    }

    CipherSuiteList availableSuites() {
        return options.availableSuites();
    }

    EipSecurityConfig factoryConfig() {
        return options.factoryConfig();
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    Duration sessionTimeout() {
        return options.sessionTimeout();
    }

    int maxCertificateInstances() {
        return options.maxCertificateInstances();
    }

    private CertificateEntry defaultEntry() {
        return new CertificateEntry(CertificateManagementObject.DEFAULT_NAME, CertificateEntry.VERIFIED,
                new CertificateReference(CertificateReference.VERIFIED, filePath(options.defaultDeviceCertificate())),
                new CertificateReference(CertificateReference.VERIFIED, filePath(options.defaultCaCertificate())),
                OptionalLong.empty());
    }

    /** Runs {@code action} under the objects' lock. */
    public <T> T locked(Action<T> action) throws CipServiceException {
        lock.lock();
        try {
            return action.run();
        } finally {
            lock.unlock();
        }
    }

    /** For timers: runs under the lock and logs what it throws. */
    void lockedQuietly(Runnable r) {
        lock.lock();
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("security objects: {}", e.toString(), e);
        } finally {
            lock.unlock();
        }
    }

    /** The device state for ListIdentity and logs; also what is persisted. */
    public State state() {
        lock.lock();
        try {
            Map<Long, CertificateEntry> certs = new java.util.TreeMap<>();
            for (long id : certificates.ids()) {
                certs.put(id, certificates.entry(id));
            }
            return new State(cip.state() == CipSecurityObject.CONFIGURATION_IN_PROGRESS ? CipSecurityObject.INCOMPLETE_CONFIGURATION
                    : cip.state(), cip.configuredProfiles(), eip.persistedState(), eip.applied(), eip.pullModelEnabled(),
                    eip.pullModelStatus(), certs, eip.estServer());
        } finally {
            lock.unlock();
        }
    }

    /** Puts a persisted state back (at start, before any request). */
    public void restore(State s) {
        lock.lock();
        try {
            cip.restore(s.cipState(), s.cipConfiguredProfiles());
            eip.restore(s.eipState(), s.eipApplied(), s.pullModelEnabled(), s.pullModelStatus(), s.estServer());
            for (long id : certificates.ids()) {
                if (!s.certificates().containsKey(id) && id != CertificateManagementObject.DEFAULT_INSTANCE) {
                    certificates.remove(id);
                }
            }
            s.certificates().forEach((id, e) -> certificates.put(id, id == CertificateManagementObject.DEFAULT_INSTANCE ? defaultEntry() : e));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pull model progress: the device's EST client reports {@code status} (0x5E attribute 14). From
     * factory default this starts the pull model (state 3); in states 3 and 4 only the status changes.
     * Persisted, so a restart knows where the pull model was.
     *
     * @return false, changing nothing, when the pull model is disabled or a tool configured the device
     */
    public boolean pullProgress(int status) throws CipServiceException {
        return locked(() -> {
            int s = eip.state();
            if (!eip.pullModelEnabled() || (s != EipSecurityObject.FACTORY_DEFAULT
                    && s != EipSecurityObject.PULL_MODEL_IN_PROGRESS && s != EipSecurityObject.PULL_MODEL_COMPLETED)) {
                return false;
            }
            State before = state();
            eip.pullProgress(s == EipSecurityObject.FACTORY_DEFAULT ? EipSecurityObject.PULL_MODEL_IN_PROGRESS : s, status);
            try {
                commit(false, null);
            } catch (CipServiceException e) {
                restore(before);
                throw e;
            }
            return true;
        });
    }

    /**
     * Installs what the pull model obtained, as a push tool would with Create, File transfers,
     * Verify_Certificate and Apply_Config: a new Certificate Management instance named
     * {@code "EST <id>"} with the device and CA certificate in two new File instances, made the active
     * certificate and the trusted authority of the applied configuration, validated and committed
     * atomically (state 4). The instance a previous pull installed is deleted with its files afterwards.
     *
     * @param bindKey called with the new instance id before verification, to give the instance its key
     * @return the new instance id
     */
    public long pullInstall(Bytes devicePem, Bytes caPem, java.util.function.LongConsumer bindKey, int status)
            throws CipServiceException {
        return locked(() -> {
            int s = eip.state();
            if (!eip.pullModelEnabled() || (s != EipSecurityObject.PULL_MODEL_IN_PROGRESS && s != EipSecurityObject.PULL_MODEL_COMPLETED)) {
                throw new CipServiceException(GeneralStatus.OBJECT_STATE_CONFLICT, "pull model install in state " + s);
            }
            if (certificates.ids().size() >= options.maxCertificateInstances()) {
                throw new CipServiceException(GeneralStatus.RESOURCE_UNAVAILABLE, "no more Certificate Management instances");
            }
            State before = state();
            long id = certificates.freeId();
            long deviceFile = createFile("EST device certificate " + id, CertificateManagementObject.FILE_ENCODING_ASCII, devicePem);
            long caFile;
            try {
                caFile = createFile("EST CA certificate " + id, CertificateManagementObject.FILE_ENCODING_ASCII, caPem);
            } catch (CipServiceException e) {
                files.delete(deviceFile);
                throw e;
            }
            Runnable undo = () -> {
                restore(before);
                files.delete(deviceFile);
                files.delete(caFile);
                hooks.instanceDeleted(id);
            };
            try {
                bindKey.accept(id);
                String problem = hooks.verify(id, devicePem, caPem);
                if (problem != null) {
                    throw new CipServiceException(CertificateManagementObject.VERIFY_FAILED, "pull model: " + problem);
                }
                certificates.put(id, new CertificateEntry(PULL_INSTANCE_PREFIX + id, CertificateEntry.VERIFIED,
                        new CertificateReference(CertificateReference.VERIFIED, filePath(deviceFile)),
                        new CertificateReference(CertificateReference.VERIFIED, filePath(caFile)), OptionalLong.empty()));
                EPathList self = EPathList.of(CertificateManagementObject.path(id));
                EipSecurityConfig candidate = eip.applied().withActiveCertificates(self).withTrustedAuthorities(self);
                int failure = hooks.validate(candidate, this);
                if (failure != 0) {
                    throw new CipServiceException(EipSecurityObject.APPLY_FAILED, "pull model: configuration refused", failure);
                }
                OptionalLong previous = previousPullInstance();
                eip.pullApplied(candidate, status);
                commit(true, null);
                eip.countApply();
                if (previous.isPresent()) {
                    CertificateEntry old = certificates.entry(previous.getAsLong());
                    certificates.remove(previous.getAsLong());
                    hooks.instanceDeleted(previous.getAsLong());
                    fileInstance(old.device().path()).ifPresent(files::delete);
                    fileInstance(old.ca().path()).ifPresent(files::delete);
                    commitQuietly();
                }
                return id;
            } catch (CipServiceException | RuntimeException e) {
                undo.run();
                throw e;
            }
        });
    }

    /** Name prefix of the Certificate Management instances the pull model creates. */
    public static final String PULL_INSTANCE_PREFIX = "EST ";

    private OptionalLong previousPullInstance() {
        for (EPath p : eip.applied().activeCertificates().paths()) {
            if (p.classId() == CertificateManagementObject.CLASS_ID) {
                CertificateEntry e = certificates.entry(p.instanceId());
                if (e != null && e.name().startsWith(PULL_INSTANCE_PREFIX)) {
                    return OptionalLong.of(p.instanceId());
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The live 0x5D state as ListIdentity reports it. */
    public int cipSecurityState() {
        return cip.state();
    }

    public int eipSecurityState() {
        return eip.state();
    }

    /** Whether the device's security was configured: security configuration changes then need TLS. */
    public boolean configured() {
        return deviceConfigured();
    }

    /** Whether either object says the device was configured: configuration changes then need TLS. */
    boolean deviceConfigured() {
        return cip.state() == CipSecurityObject.CONFIGURED || eip.configured();
    }

    void requireSecureIfConfigured(RequestContext ctx, boolean configured, String what) throws CipServiceException {
        if (configured && !ctx.secure()) {
            throw new CipServiceException(GeneralStatus.PRIVILEGE_VIOLATION,
                    what + ": the device is configured; security configuration is accepted only over TLS");
        }
    }

    void commit(boolean policyChanged, ApplyConfigRequest apply) throws CipServiceException {
        hooks.commit(this, policyChanged, apply);
    }

    /** A commit from a timer, where nobody waits for a status: a failure is logged and the state kept in memory. */
    void commitQuietly() {
        try {
            hooks.commit(this, false, null);
        } catch (CipServiceException e) {
            LOG.error("security objects: could not persist a timed-out configuration session: {}", e.getMessage());
        }
    }

    /**
     * 0x5D Reset ({@code cipToo}) or 0x5E Reset: the EtherNet/IP Security Object back to its factory
     * values (pull model on or off) and the new policy applied; certificates and files stay (Object_Cleanup
     * or an Identity Reset remove them).
     */
    void resetToFactory(boolean cipToo, boolean pullDisabled) throws CipServiceException {
        State before = state();
        int cipState = cip.state();
        if (cipToo) {
            cip.resetState();
        }
        eip.resetState(pullDisabled);
        try {
            commit(true, null);
        } catch (CipServiceException e) {
            restore(before);
            cip.restore(cipState, before.cipConfiguredProfiles());
            throw e;
        }
    }

    /**
     * Identity Reset type 1 or 2 (reference §8.4): every security object and certificate back to
     * factory default, every File instance the tools created removed, and the factory policy applied.
     */
    public void factoryReset() throws CipServiceException {
        locked(() -> {
            cip.resetState();
            eip.resetState(false);
            certificates.resetAll(defaultEntry());
            for (FileInstanceInfo f : files.instances()) {
                if (!isDefaultFile(f.id())) {
                    files.delete(f.id());
                }
            }
            commit(true, null);
            return null;
        });
    }

    private boolean isDefaultFile(long id) {
        return id == options.defaultDeviceCertificate() || id == options.defaultCaCertificate();
    }

    /** Object_Cleanup: deletes certificate instances and files nothing refers to; returns how many. */
    int cleanup() throws CipServiceException {
        Set<Long> usedCertificates = new HashSet<>();
        Set<Long> usedFiles = new HashSet<>();
        for (EipSecurityConfig c : eip.pending() == null ? List.of(eip.applied()) : List.of(eip.applied(), eip.pending())) {
            collect(c.activeCertificates(), usedCertificates, usedFiles);
            collect(c.trustedAuthorities(), usedCertificates, usedFiles);
            collect(c.crls(), usedCertificates, usedFiles);
            collect(c.trustedIdentities(), usedCertificates, usedFiles);
        }
        usedCertificates.add(CertificateManagementObject.DEFAULT_INSTANCE);
        int deleted = 0;
        for (long id : certificates.ids()) {
            CertificateEntry e = certificates.entry(id);
            boolean configuring = e.state() == CertificateEntry.CREATED || e.state() == CertificateEntry.CONFIGURING;
            if (!usedCertificates.contains(id) && !configuring) {
                certificates.remove(id);
                hooks.instanceDeleted(id);
                deleted++;
            }
        }
        for (long id : certificates.ids()) {
            CertificateEntry e = certificates.entry(id);
            fileInstance(e.device().path()).ifPresent(usedFiles::add);
            fileInstance(e.ca().path()).ifPresent(usedFiles::add);
            e.csrFile().ifPresent(usedFiles::add);
        }
        for (FileInstanceInfo f : files.instances()) {
            if (!usedFiles.contains(f.id()) && !isDefaultFile(f.id()) && f.state() == FileObject.STATE_LOADED) {
                files.delete(f.id());
                deleted++;
            }
        }
        if (deleted > 0) {
            commit(false, null);
        }
        return deleted;
    }

    void cleanupQuietly() {
        try {
            cleanup();
        } catch (CipServiceException e) {
            LOG.warn("Object_Cleanup after Apply_Config: {}", e.getMessage());
        }
    }

    private void collect(EPathList paths, Set<Long> certs, Set<Long> fileIds) {
        for (EPath p : paths.paths()) {
            if (p.classId() == CertificateManagementObject.CLASS_ID) {
                certs.add(p.instanceId());
            } else if (p.classId() == FileObject.CLASS_ID) {
                fileIds.add(p.instanceId());
            }
        }
    }

    /** Whether 0x5E (applied or pending) names Certificate Management instance {@code id}. */
    boolean certificateInstanceInUse(long id) {
        for (EipSecurityConfig c : eip.pending() == null ? List.of(eip.applied()) : List.of(eip.applied(), eip.pending())) {
            for (EPathList l : List.of(c.activeCertificates(), c.trustedIdentities(), c.trustedAuthorities())) {
                for (EPath p : l.paths()) {
                    if (p.classId() == CertificateManagementObject.CLASS_ID && p.instanceId() == id) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether {@code p} names an existing Certificate Management instance (when allowed) or File instance (when allowed). */
    boolean pathExists(EPath p, boolean certificateManagement, boolean file) {
        long cls = p.classId();
        long inst = p.instanceId();
        if (cls < 0 || inst < 0 || p.segments().size() != 2) {
            return false;
        }
        if (certificateManagement && cls == CertificateManagementObject.CLASS_ID) {
            return certificates.entry(inst) != null;
        }
        return file && cls == FileObject.CLASS_ID && files.info(inst).isPresent();
    }

    public static EPath filePath(long id) {
        return EPath.classInstance(FileObject.CLASS_ID, id);
    }

    /** The File instance {@code path} names, if it names one that exists. */
    public OptionalLong fileInstance(EPath path) {
        if (!pathExists(path, false, true)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(path.instanceId());
    }

    /** The contents of the loaded File instance at {@code path}, or null. */
    public Bytes fileContents(EPath path) {
        OptionalLong id = fileInstance(path);
        return id.isEmpty() ? null : files.contents(id.getAsLong()).orElse(null);
    }

    int fileEncoding(long id) {
        return files.info(id).map(FileInstanceInfo::encoding).orElse(-1);
    }

    long createFile(String name, int encoding, Bytes contents) throws CipServiceException {
        try {
            return files.create(name, encoding, contents, true);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new CipServiceException(GeneralStatus.RESOURCE_UNAVAILABLE, "no File instance for the CSR: " + e.getMessage());
        }
    }

    void deleteFile(long id) {
        files.delete(id);
    }

    /** Resolves a path list entry to the certificate file it means: a 0x5F instance's device or CA file, or a File instance. */
    public Bytes certificateFile(EPath p, boolean ca) {
        if (pathExists(p, true, false)) {
            CertificateEntry e = certificates.entry(p.instanceId());
            return fileContents(ca && !e.ca().path().segments().isEmpty() ? e.ca().path() : e.device().path());
        }
        return fileContents(p);
    }
}
