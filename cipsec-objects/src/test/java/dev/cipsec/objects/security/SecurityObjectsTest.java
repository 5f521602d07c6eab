package dev.cipsec.objects.security;

import dev.cipsec.objects.MessageRouter;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.objects.file.FileObject;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.CsrRequest;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskEntry;
import dev.cipsec.wire.security.PskList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The security objects' services and state machines through the Message Router, with a device stub behind them. */
class SecurityObjectsTest {
    static final CipherSuiteList AVAILABLE = CipherSuiteList.of(0x003C, 0xC023, 0xC02B, 0xC037);
    static final EipSecurityConfig FACTORY = EipSecurityConfig.of(CipherSuiteList.of(0xC02B), PskList.empty(),
            EPathList.of(EPath.classInstance(0x5F, 1)));

    /** The device side: records commits, answers validation and CSRs as told. */
    static final class Hooks implements SecurityHooks {
        int validation;
        boolean failCommit;
        String verifyProblem;
        final List<Boolean> commits = new ArrayList<>();
        final List<Long> deleted = new ArrayList<>();

        @Override
        public int validate(EipSecurityConfig config, SecurityObjects objects) {
            return validation;
        }

        @Override
        public void commit(SecurityObjects objects, boolean policyChanged, ApplyConfigRequest apply) throws CipServiceException {
            if (failCommit) {
                throw new CipServiceException(GeneralStatus.STORE_OPERATION_FAILURE, "disk full");
            }
            commits.add(policyChanged);
        }

        @Override
        public Bytes createCsr(long instance, CsrRequest request) {
            return Bytes.of(("-----BEGIN CERTIFICATE REQUEST-----\n" + request.commonName() + "\n").getBytes());
        }

        @Override
        public String verify(long instance, Bytes deviceCertificate, Bytes caCertificate) {
            return verifyProblem;
        }

        @Override
        public void instanceDeleted(long instance) {
            deleted.add(instance);
        }
    }

    ScheduledExecutorService timer;
    Hooks hooks;
    FileObject files;
    SecurityObjects objects;
    MessageRouter router;
    final RequestContext tls = ctx("127.0.0.1", true);
    final RequestContext plain = ctx("127.0.0.1", false);
    final RequestContext otherHost = ctx("127.0.0.2", true);

    static RequestContext ctx(String ip, boolean secure) {
        try {
            InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName(ip), 50000);
            return secure ? RequestContext.secure(peer, 7, "tool") : RequestContext.plain(peer, 7);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void start() {
        startWith(Duration.ofSeconds(10));
    }

    void startWith(Duration sessionTimeout) {
        timer = Executors.newSingleThreadScheduledExecutor();
        hooks = new Hooks();
        files = new FileObject(FileObject.Limits.defaults(), InstantSource.system(), timer, FileObject.Listener.NONE);
        long cert = files.create("Device Certificate", 2, Bytes.of("cert".getBytes()), true);
        long ca = files.create("CA Certificate", 2, Bytes.of("ca".getBytes()), true);
        objects = new SecurityObjects(new SecurityObjects.Options(AVAILABLE, FACTORY, cert, ca, sessionTimeout, 4), files, hooks, timer);
        router = new MessageRouter();
        objects.register(router);
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    MessageRouterResponse call(int service, EPath path, Bytes data, RequestContext ctx) {
        return router.handle(new MessageRouterRequest(service, path, data), ctx);
    }

    MessageRouterResponse eip(int service, Bytes data, RequestContext ctx) {
        return call(service, EPath.classInstance(0x5E, 1), data, ctx);
    }

    MessageRouterResponse cip(int service, RequestContext ctx) {
        return call(service, EPath.classInstance(0x5D, 1), Bytes.EMPTY, ctx);
    }

    MessageRouterResponse setEip(int attribute, Bytes value, RequestContext ctx) {
        return call(0x10, EPath.classInstanceAttribute(0x5E, 1, attribute), value, ctx);
    }

    Bytes getEip(int attribute) {
        MessageRouterResponse r = call(0x0E, EPath.classInstanceAttribute(0x5E, 1, attribute), Bytes.EMPTY, plain);
        assertThat(r.generalStatus()).as("%s", r).isZero();
        return r.data();
    }

    static void status(MessageRouterResponse r, int expected) {
        assertThat(r.generalStatus()).as("%s", r).isEqualTo(expected);
    }

    @Test
    void factoryDefaultAttributes() {
        MessageRouterResponse gaa = call(0x01, EPath.classInstance(0x5D, 1), Bytes.EMPTY, plain);
        assertThat(gaa.data()).isEqualTo(Bytes.fromHex("000200"));
        assertThat(getEip(1)).isEqualTo(Bytes.fromHex("00"));
        assertThat(getEip(2)).isEqualTo(Bytes.fromHex("01000000"));
        assertThat(getEip(3)).isEqualTo(Bytes.fromHex("04003cc023c02bc037"));
        assertThat(getEip(4)).isEqualTo(Bytes.fromHex("01c02b"));
        assertThat(getEip(8)).isEqualTo(Bytes.fromHex("00"));
        assertThat(getEip(13)).isEqualTo(Bytes.fromHex("01"));
        assertThat(getEip(15)).isEqualTo(Bytes.fromHex("0c00"));
        // GAA: 1-16 in order as OpENer lays them out, then 17.
        Bytes all = eip(0x01, Bytes.EMPTY, plain).data();
        assertThat(all.toHex()).isEqualTo("00" + "01000000" + "04003cc023c02bc037" + "01c02b" + "00" + "0102205f2401"
                + "00" + "00" + "00" + "00" + "00" + "00" + "01" + "0000" + "0c00" + "00" + "00");
    }

    @Test
    void settableAttributesNeedAConfigurationSession() {
        status(setEip(4, CipherSuiteList.of(0xC023).toBytes(), tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(setEip(3, CipherSuiteList.of(0xC023).toBytes(), tls), GeneralStatus.ATTRIBUTE_NOT_SETTABLE);
        status(eip(0x4C, Bytes.EMPTY, tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(eip(0x4D, Bytes.EMPTY, tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(eip(0x4E, Bytes.EMPTY, tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(cip(0x4D, tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(cip(0x4C, tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        assertThat(hooks.commits).isEmpty();
    }

    @Test
    void aSessionEditsAPendingCopyThatApplyConfigHandsToTheDevice() {
        status(eip(0x4B, Bytes.EMPTY, plain), 0);
        status(eip(0x4B, Bytes.EMPTY, plain), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(setEip(4, CipherSuiteList.of(0xC037, 0xC02B).toBytes(), plain), 0);
        status(setEip(5, PskList.of(new PskEntry(Bytes.of("id".getBytes()), Bytes.fromHex("0102030405060708"))).toBytes(), plain), 0);
        assertThat(getEip(1)).isEqualTo(Bytes.fromHex("01"));
        assertThat(getEip(4)).isEqualTo(Bytes.fromHex("02c037c02b"));
        // Keys are write-only: size 0, no bytes.
        assertThat(getEip(5)).isEqualTo(Bytes.fromHex("0102" + "6964" + "00"));
        assertThat(objects.eip().applied()).isEqualTo(FACTORY);
        status(eip(0x4D, new ApplyConfigRequest(0, 0).toBytes(), plain), 0);
        assertThat(hooks.commits).containsExactly(true);
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.CONFIGURED);
        assertThat(objects.eip().applied().allowedSuites()).isEqualTo(CipherSuiteList.of(0xC037, 0xC02B));
        assertThat(objects.eip().applied().psks().entries().get(0).key()).isEqualTo(Bytes.fromHex("0102030405060708"));
        assertThat(objects.eip().pending()).isNull();
    }

    @Test
    void applyConfigRefusalsCarryTheFailureCodeAndKeepTheSession() {
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(setEip(4, CipherSuiteList.of(0xC037).toBytes(), tls), 0);
        for (int code = 1; code <= 4; code++) {
            hooks.validation = code;
            MessageRouterResponse r = eip(0x4D, Bytes.EMPTY, tls);
            status(r, EipSecurityObject.APPLY_FAILED);
            assertThat(r.additionalStatus()).containsExactly(code);
            assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.CONFIGURATION_IN_PROGRESS);
        }
        assertThat(objects.eip().applied()).isEqualTo(FACTORY);
        assertThat(hooks.commits).isEmpty();
        hooks.validation = 0;
        hooks.failCommit = true;
        status(eip(0x4D, Bytes.EMPTY, tls), GeneralStatus.STORE_OPERATION_FAILURE);
        assertThat(objects.eip().applied()).isEqualTo(FACTORY);
        assertThat(objects.eip().pending().allowedSuites()).isEqualTo(CipherSuiteList.of(0xC037));
        hooks.failCommit = false;
        status(eip(0x4D, Bytes.fromHex("0100"), tls), 0);
        status(eip(0x4D, Bytes.EMPTY, tls), GeneralStatus.OBJECT_STATE_CONFLICT);
    }

    @Test
    void malformedApplyConfigDataIsRefusedBeforeTheStateIsLooked() {
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(eip(0x4D, Bytes.fromHex("01"), tls), GeneralStatus.NOT_ENOUGH_DATA);
        status(eip(0x4D, Bytes.fromHex("0100000000"), tls), GeneralStatus.TOO_MUCH_DATA);
        assertThat(objects.eip().state()).isEqualTo(1);
    }

    @Test
    void badValuesAreRefusedWithTheDocumentedStatusAndNothingChanges() {
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        EipSecurityConfig before = objects.eip().pending();
        status(setEip(4, Bytes.fromHex("01c0ff"), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE); // not available
        status(setEip(4, Bytes.fromHex("02c02bc02b"), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE); // twice
        status(setEip(4, Bytes.fromHex("05c02b"), tls), GeneralStatus.NOT_ENOUGH_DATA); // count lies
        status(setEip(4, Bytes.fromHex("01c02b00"), tls), GeneralStatus.TOO_MUCH_DATA);
        byte[] longIdentity = new byte[129];
        status(setEip(5, Bytes.of(concat(new byte[] {1, (byte) 129}, longIdentity, new byte[] {1, 1})), tls),
                GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        status(setEip(5, Bytes.fromHex("010000"), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE); // empty identity and key
        status(setEip(6, EPathList.of(EPath.classInstance(0x5F, 9)).toBytes(), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        status(setEip(7, EPathList.of(EPath.classInstance(0x01, 1)).toBytes(), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        status(setEip(8, Bytes.fromHex("0220372463"), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE); // file 0x63 missing
        status(setEip(9, Bytes.fromHex("02"), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        status(setEip(15, Bytes.fromHex("0000"), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        status(setEip(15, Bytes.fromHex("110e"), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE); // 3601 s
        status(setEip(16, Bytes.fromHex("01"), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        status(setEip(99, Bytes.fromHex("01"), tls), GeneralStatus.ATTRIBUTE_NOT_SUPPORTED);
        assertThat(objects.eip().pending()).isEqualTo(before);
    }

    @Test
    void theCrlAttributeIsTheSingleFormAndAcceptsTheListForm() {
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(setEip(8, Bytes.fromHex("0220372401"), tls), 0); // single form
        assertThat(getEip(8)).isEqualTo(Bytes.fromHex("0220372401"));
        status(setEip(8, Bytes.fromHex("010220372402"), tls), 0); // Wireshark master's list form
        assertThat(getEip(8)).isEqualTo(Bytes.fromHex("0220372402"));
        status(setEip(8, Bytes.fromHex("00"), tls), 0);
        assertThat(objects.eip().pending().crls().paths()).isEmpty();
        status(setEip(8, Bytes.fromHex("0202203724010220372402"), tls), GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        status(setEip(8, Bytes.fromHex("02022037"), tls), GeneralStatus.NOT_ENOUGH_DATA);
    }

    @Test
    void anotherHostCannotWriteIntoSomeoneElsesSession() {
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(setEip(4, CipherSuiteList.of(0xC023).toBytes(), otherHost), GeneralStatus.PRIVILEGE_VIOLATION);
        status(eip(0x4D, Bytes.EMPTY, otherHost), GeneralStatus.PRIVILEGE_VIOLATION);
        status(eip(0x4E, Bytes.EMPTY, otherHost), GeneralStatus.PRIVILEGE_VIOLATION);
        status(eip(0x4C, Bytes.EMPTY, otherHost), GeneralStatus.PRIVILEGE_VIOLATION);
        // The same host on another connection (another session handle) may go on.
        RequestContext sameHostOtherSession = new RequestContext(tls.peer(), true, 99, RequestContext.UNCONNECTED, "",
                new RequestContext.AfterReply());
        status(setEip(4, CipherSuiteList.of(0xC023).toBytes(), sameHostOtherSession), 0);
    }

    @Test
    void onceConfiguredChangesNeedTls() {
        status(cip(0x4B, plain), 0);
        status(eip(0x4B, Bytes.EMPTY, plain), 0);
        status(eip(0x4D, Bytes.EMPTY, plain), 0);
        status(cip(0x4D, plain), 0);
        assertThat(objects.cip().state()).isEqualTo(CipSecurityObject.CONFIGURED);
        assertThat(objects.cip().configuredProfiles()).isEqualTo(0x0002);
        status(cip(0x4B, plain), GeneralStatus.PRIVILEGE_VIOLATION);
        status(eip(0x4B, Bytes.EMPTY, plain), GeneralStatus.PRIVILEGE_VIOLATION);
        status(eip(0x05, Bytes.EMPTY, plain), GeneralStatus.PRIVILEGE_VIOLATION);
        status(cip(0x05, plain), GeneralStatus.PRIVILEGE_VIOLATION);
        status(call(0x08, EPath.classInstance(0x5F, 0), Bytes.fromHex("0141"), plain), GeneralStatus.PRIVILEGE_VIOLATION);
        status(call(0x4E, EPath.classInstance(0x5D, 0), Bytes.EMPTY, plain), GeneralStatus.PRIVILEGE_VIOLATION);
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(eip(0x4E, Bytes.EMPTY, tls), 0);
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.CONFIGURED);
    }

    @Test
    void endConfigWithUnappliedChangesIsRefused() {
        status(cip(0x4B, tls), 0);
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(cip(0x4D, tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(eip(0x4E, Bytes.EMPTY, tls), 0);
        status(cip(0x4D, tls), 0);
    }

    @Test
    void resetsReturnToFactoryDefaultAndChooseThePullModel() {
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(setEip(4, CipherSuiteList.of(0xC023).toBytes(), tls), 0);
        status(eip(0x4D, Bytes.EMPTY, tls), 0);
        status(eip(0x05, Bytes.fromHex("02"), tls), GeneralStatus.INVALID_PARAMETER);
        status(eip(0x05, Bytes.fromHex("0000"), tls), GeneralStatus.TOO_MUCH_DATA);
        status(eip(0x05, Bytes.fromHex("00"), tls), 0);
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_DISABLED);
        assertThat(getEip(13)).isEqualTo(Bytes.fromHex("00"));
        assertThat(getEip(14)).isEqualTo(Bytes.fromHex("ffff"));
        assertThat(objects.eip().applied()).isEqualTo(FACTORY);
        status(call(0x05, EPath.classInstance(0x5D, 1), Bytes.fromHex("00"), tls), GeneralStatus.TOO_MUCH_DATA);
        status(cip(0x05, tls), 0);
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.FACTORY_DEFAULT);
        assertThat(getEip(14)).isEqualTo(Bytes.fromHex("0000"));
        assertThat(hooks.commits).containsExactly(true, true, true);
    }

    @Test
    void anAbandonedSessionTimesOut() throws Exception {
        stop();
        startWith(Duration.ofMillis(150));
        status(cip(0x4B, tls), 0);
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(setEip(4, CipherSuiteList.of(0xC023).toBytes(), tls), 0);
        await(() -> objects.cip().state() == CipSecurityObject.INCOMPLETE_CONFIGURATION
                && objects.eip().state() == EipSecurityObject.FACTORY_DEFAULT);
        assertThat(objects.eip().pending()).isNull();
        assertThat(objects.eip().applied()).isEqualTo(FACTORY);
        // Incomplete configuration may start again.
        status(cip(0x4B, tls), 0);
    }

    @Test
    void kickTimerKeepsTheSessionOpen() throws Exception {
        stop();
        startWith(Duration.ofMillis(400));
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        long end = System.nanoTime() + Duration.ofMillis(1200).toNanos();
        while (System.nanoTime() < end) {
            status(eip(0x4C, Bytes.EMPTY, tls), 0);
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.CONFIGURATION_IN_PROGRESS);
    }

    @Test
    void certificateManagementCreateCsrVerifyDelete() {
        MessageRouterResponse created = call(0x08, EPath.classInstance(0x5F, 0), Bytes.fromHex("044c696e65"), tls);
        status(created, 0);
        assertThat(created.data()).isEqualTo(Bytes.fromHex("0200"));
        status(call(0x08, EPath.classInstance(0x5F, 0), Bytes.fromHex("044c696e65"), tls), GeneralStatus.OBJECT_ALREADY_EXISTS);
        status(call(0x08, EPath.classInstance(0x5F, 0), Bytes.EMPTY, tls), GeneralStatus.NOT_ENOUGH_DATA);
        status(call(0x08, EPath.classInstance(0x5F, 0), Bytes.fromHex("00"), tls), GeneralStatus.INVALID_PARAMETER);
        EPath two = EPath.classInstance(0x5F, 2);
        CsrRequest badCountry = new CsrRequest("plc", "", "", "", "", "DEU", "", "", "");
        status(call(0x4B, two, badCountry.toBytes(), tls), GeneralStatus.INVALID_PARAMETER);
        status(call(0x4B, EPath.classInstance(0x5F, 1), CsrRequest.deviceDefaults().toBytes(), tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        MessageRouterResponse csr = call(0x4B, two, new CsrRequest("plc-7", "", "", "", "", "DE", "", "", "").toBytes(), tls);
        status(csr, 0);
        long csrFile = csr.data().get(4);
        assertThat(csr.data()).isEqualTo(Bytes.fromHex("02203724" + String.format("%02x", csrFile)));
        assertThat(new String(files.contents(csrFile).orElseThrow().toArray())).contains("plc-7");
        assertThat(objects.certificates().entry(2).state()).isEqualTo(CertificateEntry.CONFIGURING);
        // A second CSR replaces the first one's file.
        MessageRouterResponse again = call(0x4B, two, new CsrRequest("plc-8", "", "", "", "", "", "", "", "").toBytes(), tls);
        status(again, 0);
        long againFile = again.data().get(4);
        assertThat(new String(files.contents(againFile).orElseThrow().toArray())).contains("plc-8");
        assertThat(files.instances().stream().filter(f -> f.name().startsWith("CSR ")).count()).isEqualTo(1);
        hooks.failCommit = true;
        status(call(0x4B, two, new CsrRequest("plc-9", "", "", "", "", "", "", "", "").toBytes(), tls),
                GeneralStatus.STORE_OPERATION_FAILURE);
        hooks.failCommit = false;
        assertThat(new String(files.contents(againFile).orElseThrow().toArray())).as("kept when nothing could be saved").contains("plc-8");
        csrFile = againFile;
        // Verify with nothing to verify, then point attr 3 at a file and verify it.
        status(call(0x4C, two, Bytes.EMPTY, tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(call(0x10, EPath.classInstanceAttribute(0x5F, 2, 3), Bytes.fromHex("0102203724" + "7f"), tls),
                GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        long certFile = files.create("signed", 2, Bytes.of("pem".getBytes()), false);
        status(call(0x10, EPath.classInstanceAttribute(0x5F, 2, 3),
                new CertificateReference(1, EPath.classInstance(0x37, certFile)).toBytes(), tls), 0);
        assertThat(objects.certificates().entry(2).device().status()).isEqualTo(CertificateReference.NOT_VERIFIED);
        status(call(0x4C, two, Bytes.fromHex("0300"), tls), GeneralStatus.INVALID_PARAMETER);
        hooks.verifyProblem = "wrong key";
        status(call(0x4C, two, Bytes.fromHex("0100"), tls), CertificateManagementObject.VERIFY_FAILED);
        assertThat(objects.certificates().entry(2).state()).isEqualTo(CertificateEntry.INVALID);
        hooks.verifyProblem = null;
        status(call(0x4C, two, Bytes.fromHex("0100"), tls), 0);
        assertThat(objects.certificates().entry(2).state()).isEqualTo(CertificateEntry.VERIFIED);
        assertThat(objects.certificates().entry(2).device().status()).isEqualTo(CertificateReference.VERIFIED);
        // In use by 0x5E: not deletable; the default instance never is.
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(setEip(6, EPathList.of(two).toBytes(), tls), 0);
        status(call(0x09, two, Bytes.EMPTY, tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(eip(0x4E, Bytes.EMPTY, tls), 0);
        status(call(0x09, EPath.classInstance(0x5F, 1), Bytes.EMPTY, tls), GeneralStatus.INSTANCE_NOT_DELETABLE);
        status(call(0x10, EPath.classInstanceAttribute(0x5F, 1, 3),
                new CertificateReference(1, EPath.classInstance(0x37, certFile)).toBytes(), tls), GeneralStatus.OBJECT_STATE_CONFLICT);
        status(call(0x09, two, Bytes.EMPTY, tls), 0);
        assertThat(hooks.deleted).containsExactly(2L);
        // Class attribute 9 lists what is left.
        MessageRouterResponse list = call(0x0E, EPath.classInstanceAttribute(0x5F, 0, 9), Bytes.EMPTY, tls);
        assertThat(list.data().toHex()).isEqualTo("011a" + hex("Default Device Certificate") + "02205f2401");
    }

    @Test
    void certificateInstancesAreBounded() {
        for (int i = 0; i < 3; i++) {
            status(call(0x08, EPath.classInstance(0x5F, 0), Bytes.of(new byte[] {1, (byte) ('a' + i)}), tls), 0);
        }
        status(call(0x08, EPath.classInstance(0x5F, 0), Bytes.fromHex("017a"), tls), GeneralStatus.RESOURCE_UNAVAILABLE);
    }

    @Test
    void objectCleanupDeletesOnlyWhatNothingReferences() {
        status(call(0x4E, EPath.classInstance(0x5D, 0), Bytes.EMPTY, tls), CipSecurityObject.NO_ORPHAN_OBJECTS);
        long orphan = files.create("orphan", 2, Bytes.of("x".getBytes()), false);
        long kept = files.create("kept", 2, Bytes.of("y".getBytes()), false);
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(setEip(7, EPathList.of(EPath.classInstance(0x37, kept)).toBytes(), tls), 0);
        status(eip(0x4D, Bytes.EMPTY, tls), 0);
        status(call(0x4E, EPath.classInstance(0x5D, 0), Bytes.EMPTY, tls), 0);
        assertThat(files.info(orphan)).isEmpty();
        assertThat(files.info(kept)).isPresent();
        assertThat(files.info(1)).isPresent();
    }

    @Test
    void theStateSurvivesItsCodecAndARestoreEndsOpenSessions() throws Exception {
        status(cip(0x4B, tls), 0);
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(setEip(5, PskList.of(new PskEntry(Bytes.of("a".getBytes()), Bytes.fromHex("11"), OptionalInt.of(2))).toBytes(), tls), 0);
        status(setEip(8, Bytes.fromHex("0220372401"), tls), 0);
        status(eip(0x4D, Bytes.EMPTY, tls), 0);
        status(call(0x08, EPath.classInstance(0x5F, 0), Bytes.fromHex("0141"), tls), 0);
        SecurityObjects.State s = objects.state();
        Bytes encoded = SecurityStateCodec.encode(s);
        SecurityObjects.State back = SecurityStateCodec.decode(encoded);
        assertThat(back).isEqualTo(s);
        assertThat(back.cipState()).isEqualTo(CipSecurityObject.INCOMPLETE_CONFIGURATION);
        assertThat(back.eipApplied().psks().entries().get(0).key()).isEqualTo(Bytes.fromHex("11"));

        stop();
        start();
        objects.restore(back);
        assertThat(objects.cip().state()).isEqualTo(CipSecurityObject.INCOMPLETE_CONFIGURATION);
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.CONFIGURED);
        assertThat(objects.certificates().entry(2).name()).isEqualTo("A");
        assertThat(objects.eip().applied()).isEqualTo(s.eipApplied());
    }

    static Bytes cipString(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[2 + b.length];
        out[0] = (byte) b.length;
        out[1] = (byte) (b.length >>> 8);
        System.arraycopy(b, 0, out, 2, b.length);
        return Bytes.of(out);
    }

    static final String EST_URI = "https://est.plant:8443/.well-known/est";
    static final Bytes FINGERPRINT = Bytes.fromHex("00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF");

    @Test
    void theEstServerIsSetOutsideSessionsTakesEffectAtOnceAndIsPersisted() throws Exception {
        assertThat(getEip(100)).isEqualTo(Bytes.fromHex("0000"));
        assertThat(getEip(101)).isEqualTo(Bytes.fromHex("00"));
        // Factory default: plain TCP may set it, as it may Begin_Config.
        status(setEip(101, Bytes.of(concat(new byte[] {32}, FINGERPRINT.toArray())), plain), 0);
        status(setEip(100, cipString(EST_URI), plain), 0);
        assertThat(getEip(100)).isEqualTo(cipString(EST_URI));
        assertThat(getEip(101)).isEqualTo(Bytes.of(concat(new byte[] {32}, FINGERPRINT.toArray())));
        assertThat(objects.eip().estServer()).isEqualTo(new EstServerSetting(EST_URI, FINGERPRINT));
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.FACTORY_DEFAULT);
        assertThat(hooks.commits).containsExactly(false, false);

        SecurityObjects.State back = SecurityStateCodec.decode(SecurityStateCodec.encode(objects.state()));
        assertThat(back.estServer()).isEqualTo(new EstServerSetting(EST_URI, FINGERPRINT));
        stop();
        start();
        objects.restore(back);
        assertThat(getEip(100)).isEqualTo(cipString(EST_URI));

        // Get_Attributes_All keeps its layout (attributes 1-17) whatever is set here.
        MessageRouterResponse all = call(0x01, EPath.classInstance(0x5E, 1), Bytes.EMPTY, plain);
        assertThat(all.data().toHex()).doesNotContain(Bytes.of(EST_URI.getBytes()).toHex());
    }

    @Test
    void estServerValuesAreCheckedAndRefusalsChangeNothing() {
        status(setEip(100, cipString(EST_URI), plain), 0);
        for (String bad : List.of("http://est.plant/.well-known/est", "https://est.plant/est", "https://user@est.plant/.well-known/est",
                "https://est.plant/.well-known/est?x=1", "https://est.plant/.well-known/est/a/b", "https://est.plant/.well-known/est/a b",
                "https://" + "e".repeat(250) + "/.well-known/est")) {
            status(setEip(100, cipString(bad), plain), GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        }
        status(setEip(101, Bytes.of(concat(new byte[] {16}, FINGERPRINT.slice(0, 16).toArray())), plain), GeneralStatus.INVALID_ATTRIBUTE_VALUE);
        // Lying lengths: more characters announced than sent, trailing bytes.
        assertThat(setEip(100, Bytes.fromHex("FF00414243"), plain).generalStatus()).isNotZero();
        assertThat(setEip(101, Bytes.of(concat(new byte[] {32}, FINGERPRINT.toArray(), new byte[] {0})), plain).generalStatus()).isNotZero();
        assertThat(objects.eip().estServer()).isEqualTo(new EstServerSetting(EST_URI, Bytes.EMPTY));
        // A failed write to disk leaves the previous value.
        hooks.failCommit = true;
        status(setEip(100, cipString("https://other/.well-known/est"), plain), GeneralStatus.STORE_OPERATION_FAILURE);
        assertThat(objects.eip().estServer().uri()).isEqualTo(EST_URI);
        hooks.failCommit = false;
        status(setEip(100, cipString(""), plain), 0);
        assertThat(objects.eip().estServer()).isEqualTo(EstServerSetting.NONE);
    }

    @Test
    void onceConfiguredOnlyTlsSetsTheEstServerAndResetClearsIt() throws Exception {
        status(setEip(100, cipString(EST_URI), plain), 0);
        status(eip(0x4B, Bytes.EMPTY, tls), 0);
        status(eip(0x4D, Bytes.EMPTY, tls), 0);
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.CONFIGURED);
        status(setEip(100, cipString("https://evil/.well-known/est"), plain), GeneralStatus.PRIVILEGE_VIOLATION);
        status(setEip(101, Bytes.of(concat(new byte[] {32}, FINGERPRINT.toArray())), plain), GeneralStatus.PRIVILEGE_VIOLATION);
        status(setEip(101, Bytes.of(concat(new byte[] {32}, FINGERPRINT.toArray())), tls), 0);
        assertThat(objects.eip().estServer()).isEqualTo(new EstServerSetting(EST_URI, FINGERPRINT));
        status(eip(0x05, Bytes.fromHex("00"), tls), 0);
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_DISABLED);
        assertThat(objects.eip().estServer()).isEqualTo(EstServerSetting.NONE);
    }

    @Test
    void aVersionOneStateFileIsStillRead() throws Exception {
        Bytes v2 = SecurityStateCodec.encode(objects.state());
        // Version 1 is version 2 without the trailing EST block (4-byte length + UINT 0 + USINT 0).
        byte[] v1 = v2.slice(0, v2.length() - 7).toArray();
        v1[4] = 1;
        SecurityObjects.State back = SecurityStateCodec.decode(Bytes.of(v1));
        assertThat(back).isEqualTo(objects.state());
    }

    @Test
    void aDamagedStateFileIsRefused() {
        Bytes good = SecurityStateCodec.encode(objects.state());
        for (int cut = 0; cut < good.length(); cut += 3) {
            Bytes truncated = good.slice(0, cut);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SecurityStateCodec.decode(truncated))
                    .isInstanceOf(dev.cipsec.wire.buf.WireFormatException.class);
        }
    }

    private static String hex(String s) {
        return Bytes.of(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).toHex();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 5 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }
}
