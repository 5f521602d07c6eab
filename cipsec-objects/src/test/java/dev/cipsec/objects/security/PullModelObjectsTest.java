package dev.cipsec.objects.security;

import dev.cipsec.objects.file.FileObject;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.EPathList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two entry points of the device's EST client: progress through state 3, install and apply to state 4. */
class PullModelObjectsTest {
    static final Bytes CERT = Bytes.of("device pem".getBytes());
    static final Bytes CA = Bytes.of("ca pem".getBytes());

    ScheduledExecutorService timer;
    SecurityObjectsTest.Hooks hooks;
    FileObject files;
    SecurityObjects objects;
    final List<Long> bound = new ArrayList<>();

    @BeforeEach
    void start() {
        timer = Executors.newSingleThreadScheduledExecutor();
        hooks = new SecurityObjectsTest.Hooks();
        files = new FileObject(FileObject.Limits.defaults(), InstantSource.system(), timer, FileObject.Listener.NONE);
        long cert = files.create("Device Certificate", 2, Bytes.of("cert".getBytes()), true);
        long ca = files.create("CA Certificate", 2, Bytes.of("ca".getBytes()), true);
        objects = new SecurityObjects(new SecurityObjects.Options(SecurityObjectsTest.AVAILABLE, SecurityObjectsTest.FACTORY, cert, ca,
                Duration.ofSeconds(10), 4), files, hooks, timer);
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void progressStartsThePullModelAndIsPersisted() throws Exception {
        assertThat(objects.pullProgress(1)).isTrue();
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_IN_PROGRESS);
        assertThat(objects.eip().pullModelStatus()).isEqualTo(1);
        assertThat(objects.state().eipState()).isEqualTo(EipSecurityObject.PULL_MODEL_IN_PROGRESS);
        assertThat(hooks.commits).containsExactly(false);
        assertThat(objects.pullProgress(3)).isTrue();
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_IN_PROGRESS);
    }

    @Test
    void installAppliesTheNewInstanceAndReplacesThePreviousOne() throws Exception {
        objects.pullProgress(4);
        int filesBefore = files.instances().size();
        long id = objects.pullInstall(CERT, CA, bound::add, 5);
        assertThat(bound).containsExactly(id);
        EipSecurityObject eip = objects.eip();
        assertThat(eip.state()).isEqualTo(EipSecurityObject.PULL_MODEL_COMPLETED);
        assertThat(eip.pullModelStatus()).isEqualTo(5);
        assertThat(eip.applyCount()).isEqualTo(1);
        EPathList self = EPathList.of(CertificateManagementObject.path(id));
        assertThat(eip.applied().activeCertificates()).isEqualTo(self);
        assertThat(eip.applied().trustedAuthorities()).isEqualTo(self);
        assertThat(eip.applied().allowedSuites()).isEqualTo(SecurityObjectsTest.FACTORY.allowedSuites());
        CertificateEntry entry = objects.certificates().entry(id);
        assertThat(entry.name()).isEqualTo("EST " + id);
        assertThat(entry.state()).isEqualTo(CertificateEntry.VERIFIED);
        assertThat(entry.device().status()).isEqualTo(CertificateReference.VERIFIED);
        assertThat(objects.fileContents(entry.device().path())).isEqualTo(CERT);
        assertThat(objects.fileContents(entry.ca().path())).isEqualTo(CA);
        assertThat(files.instances()).hasSize(filesBefore + 2);
        assertThat(objects.configured()).isTrue();

        // Re-enrolment: a new instance, the previous one and its files gone.
        long renewed = objects.pullInstall(CERT, CA, bound::add, 5);
        assertThat(renewed).isNotEqualTo(id);
        assertThat(objects.certificates().entry(id)).isNull();
        assertThat(hooks.deleted).containsExactly(id);
        assertThat(files.instances()).hasSize(filesBefore + 2);
        assertThat(objects.eip().applied().activeCertificates()).isEqualTo(EPathList.of(CertificateManagementObject.path(renewed)));
        assertThat(objects.eip().applyCount()).isEqualTo(2);
    }

    @Test
    void aRefusedInstallLeavesNothingBehind() throws Exception {
        objects.pullProgress(4);
        int filesBefore = files.instances().size();
        hooks.verifyProblem = "not issued by the CA";
        assertThatThrownBy(() -> objects.pullInstall(CERT, CA, bound::add, 5)).isInstanceOf(CipServiceException.class)
                .hasMessageContaining("not issued by the CA");
        hooks.verifyProblem = null;
        hooks.validation = EipSecurityObject.FAILURE_KEY_TYPE;
        assertThatThrownBy(() -> objects.pullInstall(CERT, CA, bound::add, 5)).isInstanceOf(CipServiceException.class)
                .satisfies(e -> assertThat(((CipServiceException) e).generalStatus()).isEqualTo(EipSecurityObject.APPLY_FAILED));
        hooks.validation = 0;
        hooks.failCommit = true;
        assertThatThrownBy(() -> objects.pullInstall(CERT, CA, bound::add, 5)).isInstanceOf(CipServiceException.class)
                .satisfies(e -> assertThat(((CipServiceException) e).generalStatus()).isEqualTo(GeneralStatus.STORE_OPERATION_FAILURE));
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_IN_PROGRESS);
        assertThat(objects.eip().applied()).isEqualTo(SecurityObjectsTest.FACTORY);
        assertThat(objects.eip().applyCount()).isZero();
        assertThat(objects.certificates().ids()).containsExactly(CertificateManagementObject.DEFAULT_INSTANCE);
        assertThat(files.instances()).hasSize(filesBefore);
        assertThat(hooks.deleted).hasSize(3);
    }

    @Test
    void nothingHappensOnceThePullModelIsDisabled() throws Exception {
        objects.locked(() -> {
            objects.resetToFactory(false, true);
            return null;
        });
        assertThat(objects.eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_DISABLED);
        assertThat(objects.pullProgress(1)).isFalse();
        assertThat(objects.eip().pullModelStatus()).isEqualTo(EipSecurityObject.PULL_STATUS_DISABLED);
        assertThatThrownBy(() -> objects.pullInstall(CERT, CA, bound::add, 5)).isInstanceOf(CipServiceException.class)
                .satisfies(e -> assertThat(((CipServiceException) e).generalStatus()).isEqualTo(GeneralStatus.OBJECT_STATE_CONFLICT));
        assertThat(bound).isEmpty();
        // Not started from factory default either: install needs state 3 or 4.
        objects.locked(() -> {
            objects.resetToFactory(false, false);
            return null;
        });
        assertThatThrownBy(() -> objects.pullInstall(CERT, CA, bound::add, 5)).isInstanceOf(CipServiceException.class);
        assertThat(objects.certificates().ids()).containsExactly(CertificateManagementObject.DEFAULT_INSTANCE);
    }
}
