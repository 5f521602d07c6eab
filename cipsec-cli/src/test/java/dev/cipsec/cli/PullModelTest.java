package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.EstSettings;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.commission.ca.CaInit;
import dev.cipsec.commission.ca.CaKeyAccess;
import dev.cipsec.commission.ca.KeyAlgorithm;
import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.commission.est.EstServer;
import dev.cipsec.commission.est.EstServerConfig;
import dev.cipsec.commission.est.PendingRequest;
import dev.cipsec.objects.security.EipSecurityObject;
import dev.cipsec.objects.security.SecurityObjects;
import dev.cipsec.transport.Await;
import dev.cipsec.transport.tls.OpenSslCommand;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.DeviceCredentials;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pull model end to end: our device's EST client against our EST server and plant CA. */
class PullModelTest {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final char[] PASSWORD = "pull test".toCharArray();

    @TempDir
    Path dir;

    final List<AutoCloseable> open = new ArrayList<>();
    final Identity factory = TestPki.selfSigned(KeyType.EC_P256, "factory plc1");
    PlantCa ca;
    EstServer server;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    void plant(boolean pinned, int validityDays, int retryAfterSeconds) throws Exception {
        ca = PlantCa.init(dir.resolve("ca"), new CaInit(KeyAlgorithm.EC_P256,
                new CsrSubject("Pull Test CA", "Acme", "", "", "", "FR", "", "", List.of()), 3650, new CaKeyAccess.Pkcs12(PASSWORD)));
        open.add(ca::close);
        String pin = pinned ? ", \"fingerprint\": \"" + CredentialFiles.sha256Fingerprint(factory.certificate()).replace(":", "") + "\"" : "";
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, """
                {
                  "version": 1,
                  "settings": { "certificate": { "organization": "Acme", "country": "FR", "validityDays": %d } },
                  "zones": [ { "name": "line1" } ],
                  "devices": [ { "name": "plc1", "zone": "line1", "address": "127.0.0.1", "dnsName": "plc1.line1"%s } ]
                }
                """.formatted(validityDays, pin));
        server = EstServer.start(EstServerConfig.of(ca, policy, dir.resolve("est"))
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withLimits(EstServerConfig.DEFAULT_MAX_BODY_BYTES, EstServerConfig.DEFAULT_MAX_CONCURRENT, 16, retryAfterSeconds));
        open.add(server);
    }

    CipDevice device(EstSettings est) throws Exception {
        CipDevice d = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(TlsPolicy.builder().identity(factory).build())
                .withStateDirectory(dir.resolve("device")).withDtlsPort(SecuritySettings.NO_DTLS).withEst(est)).onEphemeralPorts());
        open.add(d);
        return d;
    }

    EstSettings est() {
        return EstSettings.of(server.baseUri(), List.of(ca.certificate())).withRetry(Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    /** Waits for {@code state} and, for state 4, for the TLS listener to have the pulled configuration. */
    static void awaitState(CipDevice d, int state) {
        Await.until(DEADLINE, () -> d.security().eip().state() == state
                && (state != EipSecurityObject.PULL_MODEL_COMPLETED || d.security().eip().applyCount() > 0), "0x5E state " + state + " (now "
                + d.security().eip().state() + ", status 0x" + Integer.toHexString(d.security().eip().pullModelStatus()) + ")");
    }

    /** The certificate the applied configuration makes the device present. */
    static X509Certificate applied(CipDevice d) throws Exception {
        SecurityObjects o = d.security();
        Bytes pem = o.certificateFile(o.eip().applied().activeCertificates().paths().get(0), false);
        return DeviceCredentials.parseCertificates(pem).get(0);
    }

    /** What {@code openssl s_client} is shown on the device's TLS port, verified against the plant CA. */
    X509Certificate presented(CipDevice d) throws Exception {
        Files.write(dir.resolve("plant-ca.pem"), CredentialFiles.pem(List.of(ca.certificate())).toArray());
        String out = OpenSslCommand.in(dir).ok("s_client", "-connect", "127.0.0.1:" + d.tlsAddress().getPort(), "-tls1_2",
                "-CAfile", "plant-ca.pem", "-verify_return_error");
        assertThat(out).contains("Verify return code: 0 (ok)");
        String pem = out.substring(out.indexOf("-----BEGIN CERTIFICATE-----"), out.indexOf("-----END CERTIFICATE-----") + 25);
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    long issuedToPlc1() throws Exception {
        return ca.list().stream().filter(c -> c.subject().contains("CN=plc1.line1")).count();
    }

    @Test
    void pinnedDeviceEnrolsAndPresentsThePlantCertificateAcrossARestart() throws Exception {
        plant(true, 365, 1);
        CipDevice d = device(est());
        awaitState(d, EipSecurityObject.PULL_MODEL_COMPLETED);
        EipSecurityObject eip = d.security().eip();
        assertThat(eip.pullModelStatus()).isEqualTo(5);
        assertThat(eip.applyCount()).isEqualTo(1);
        X509Certificate cert = presented(d);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=plc1.line1,O=Acme,C=FR");
        assertThat(cert).isEqualTo(applied(d));
        assertThat(issuedToPlc1()).isEqualTo(1);

        // Persisted: after a restart the device is still in state 4 with the same certificate and enrols no more.
        d.close();
        CipDevice again = device(est());
        assertThat(again.security().eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_COMPLETED);
        assertThat(presented(again)).isEqualTo(cert);
        assertThat(issuedToPlc1()).isEqualTo(1);
    }

    @Test
    void unknownDeviceWaitsForApprovalThenEnrols() throws Exception {
        plant(false, 365, 1);
        CipDevice d = device(est());
        Await.until(DEADLINE, () -> d.security().eip().pullModelStatus() == 3, "awaiting approval");
        assertThat(d.security().eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_IN_PROGRESS);
        // A restart in state 3 comes back in state 3 and asks again (a new key: a new pending request).
        d.close();
        CipDevice again = device(est());
        assertThat(again.security().eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_IN_PROGRESS);
        Await.until(DEADLINE, () -> {
            try {
                return server.pending().list().size() == 2;
            } catch (Exception e) {
                return false;
            }
        }, "the restarted device's request");
        List<PendingRequest> pending = server.pending().list();
        for (PendingRequest r : pending) {
            assertThat(r.clientFingerprint().replace(":", ""))
                    .isEqualToIgnoringCase(CredentialFiles.sha256Fingerprint(factory.certificate()).replace(":", ""));
            server.pending().approve(r.id(), "plc1");
        }
        awaitState(again, EipSecurityObject.PULL_MODEL_COMPLETED);
        assertThat(presented(again).getSubjectX500Principal().getName()).isEqualTo("CN=plc1.line1,O=Acme,C=FR");
    }

    @Test
    void reenrolsWithinTheMarginAndPresentsTheNewCertificate() throws Exception {
        plant(true, 1, 1);
        // One day of validity, a margin two seconds short of it: re-enrolment is due two seconds after
        // each enrolment, and at least 60 s apart (the initial retry), so this test sees exactly one.
        CipDevice d = device(est().withReenrolMargin(Duration.ofDays(1).minusSeconds(2))
                .withRetry(Duration.ofSeconds(60), Duration.ofMinutes(2)));
        awaitState(d, EipSecurityObject.PULL_MODEL_COMPLETED);
        X509Certificate first = applied(d);
        // The second apply is counted once the TLS listener has the renewed certificate.
        Await.until(DEADLINE, () -> d.security().eip().applyCount() == 2, "re-enrolment");
        X509Certificate renewed = applied(d);
        assertThat(renewed.getSubjectX500Principal()).isEqualTo(first.getSubjectX500Principal());
        assertThat(renewed.getPublicKey()).isNotEqualTo(first.getPublicKey());
        assertThat(d.security().eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_COMPLETED);
        assertThat(presented(d)).isEqualTo(renewed);
        assertThat(issuedToPlc1()).isEqualTo(2);
        // The first enrolment's 0x5F instance is gone: only the default and the new one remain.
        assertThat(d.security().certificates().ids()).hasSize(2);
    }

    @Test
    void resetWithPullDisabledStopsTheClient() throws Exception {
        plant(true, 365, 1);
        CipDevice d = device(est());
        awaitState(d, EipSecurityObject.PULL_MODEL_COMPLETED);
        presented(d);
        // Configured by pull: Reset only over TLS, trusting the plant CA the device now presents.
        MainTest.Run reset = MainTest.run("security", "127.0.0.1:" + d.tlsAddress().getPort(), "--tls",
                "--trust", dir.resolve("plant-ca.pem").toString(), "reset", "--eip-only", "--disable-pull-model");
        assertThat(reset.exit()).as(reset.err()).isZero();
        EipSecurityObject eip = d.security().eip();
        assertThat(eip.state()).isEqualTo(EipSecurityObject.PULL_MODEL_DISABLED);
        assertThat(eip.pullModelStatus()).isEqualTo(EipSecurityObject.PULL_STATUS_DISABLED);
        assertThat(eip.pullModelEnabled()).isFalse();
        // The factory certificate again, and the client stays idle across a restart too.
        assertThat(OpenSslCommand.in(dir).ok("s_client", "-connect", "127.0.0.1:" + d.tlsAddress().getPort(), "-tls1_2"))
                .contains("CN = factory plc1");
        d.close();
        CipDevice again = device(est());
        assertThat(again.security().eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_DISABLED);
        assertThat(again.security().eip().pullModelStatus()).isEqualTo(EipSecurityObject.PULL_STATUS_DISABLED);
        assertThat(issuedToPlc1()).isEqualTo(1);
        assertThat(server.pending().list()).isEmpty();
    }

    @Test
    void deviceCommandEnrolsWithEstUrlAndTrust() throws Exception {
        plant(true, 365, 1);
        Path trust = dir.resolve("est-trust.pem");
        Files.write(trust, CredentialFiles.pem(List.of(ca.certificate())).toArray());
        try (DeviceTlsCommandTest.RunningDevice d = new DeviceTlsCommandTest.RunningDevice("device", "--port", "0", "--udp-port", "-1",
                "--tls", "--tls-port", "0", "--dtls-port", "-1", "--state", dir.resolve("cli-device").toString(),
                "--est-url", server.baseUri().toString(), "--est-trust", trust.toString())) {
            // Not the pinned factory identity: the device's own default one waits for the operator.
            Await.until(DEADLINE, () -> {
                try {
                    return server.pending().list().size() == 1;
                } catch (Exception e) {
                    return false;
                }
            }, "a pending request");
            server.pending().approve(server.pending().list().get(0).id(), "plc1");
            Files.write(dir.resolve("plant-ca.pem"), CredentialFiles.pem(List.of(ca.certificate())).toArray());
            String tls = d.target("tls");
            Await.until(DEADLINE, () -> {
                try {
                    return OpenSslCommand.in(dir).run("s_client", "-connect", tls, "-tls1_2", "-CAfile", "plant-ca.pem",
                            "-verify_return_error").output().contains("CN = plc1.line1");
                } catch (Exception e) {
                    return false;
                }
            }, "the plant certificate on the TLS port");
        }
        MainTest.Run bad = MainTest.run("device", "--port", "0", "--udp-port", "-1", "--tls", "--tls-port", "0",
                "--est-url", server.baseUri().toString());
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("--est-url and --est-trust go together");
    }

    @Test
    void resetWithPullEnabledEnrolsAgain() throws Exception {
        plant(true, 365, 1);
        CipDevice d = device(est());
        awaitState(d, EipSecurityObject.PULL_MODEL_COMPLETED);
        X509Certificate first = presented(d);
        MainTest.Run reset = MainTest.run("security", "127.0.0.1:" + d.tlsAddress().getPort(), "--tls",
                "--trust", dir.resolve("plant-ca.pem").toString(), "reset", "--eip-only");
        assertThat(reset.exit()).as(reset.err()).isZero();
        Await.until(DEADLINE, () -> d.security().eip().applyCount() == 2
                && d.security().eip().state() == EipSecurityObject.PULL_MODEL_COMPLETED, "a second enrolment");
        X509Certificate second = presented(d);
        assertThat(second).isNotEqualTo(first);
        assertThat(second.getSubjectX500Principal()).isEqualTo(first.getSubjectX500Principal());
        assertThat(issuedToPlc1()).isEqualTo(2);
    }
}
