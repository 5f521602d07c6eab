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

    /** A device with the factory identity; {@code est} null: no EST server of its own (one may be set over CIP). */
    CipDevice device(EstSettings est) throws Exception {
        SecuritySettings security = SecuritySettings.tls(TlsPolicy.builder().identity(factory).build())
                .withStateDirectory(dir.resolve("device")).withDtlsPort(SecuritySettings.NO_DTLS);
        CipDevice d = CipDevice.start(DeviceProfile.defaults().withSecurity(est == null ? security : security.withEst(est)).onEphemeralPorts());
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
    void aRevokedCertificateIsReplacedByAFreshEnrolment() throws Exception {
        plant(true, 365, 1);
        CipDevice d = device(est().withRevocationCheck(Duration.ofMillis(300)));
        awaitState(d, EipSecurityObject.PULL_MODEL_COMPLETED);
        X509Certificate first = applied(d);
        // A CRL without our certificate changes nothing; the next one revokes it.
        ca.crl(Duration.ofDays(7));
        ca.revoke(first.getSerialNumber(), 1);
        ca.crl(Duration.ofDays(7));
        Await.until(DEADLINE, () -> d.security().eip().applyCount() == 2, "a fresh enrolment after the revocation");
        X509Certificate second = applied(d);
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(second.getPublicKey()).isNotEqualTo(first.getPublicKey());
        assertThat(second.getSubjectX500Principal()).isEqualTo(first.getSubjectX500Principal());
        assertThat(d.security().eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_COMPLETED);
        assertThat(presented(d)).isEqualTo(second);
        assertThat(issuedToPlc1()).isEqualTo(2);
        // openssl agrees that the first is revoked and the second is not, against the CRL the server hands out.
        assertThat(ca.lastCrl().orElseThrow().isRevoked(first)).isTrue();
        Files.copy(dir.resolve("ca").resolve("crl.pem"), dir.resolve("crl.pem"));
        Files.write(dir.resolve("first.pem"), CredentialFiles.pem(List.of(first)).toArray());
        Files.write(dir.resolve("second.pem"), CredentialFiles.pem(List.of(second)).toArray());
        assertThat(OpenSslCommand.in(dir).run("verify", "-crl_check", "-CAfile", "plant-ca.pem", "-CRLfile", "crl.pem", "first.pem").output()).contains("certificate revoked");
        assertThat(OpenSslCommand.in(dir).ok("verify", "-crl_check", "-CAfile", "plant-ca.pem", "-CRLfile", "crl.pem", "second.pem"))
                .contains("second.pem: OK");
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
        long requestsBefore = server.requestCount();
        CipDevice again = device(est());
        assertThat(again.security().eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_DISABLED);
        assertThat(again.security().eip().pullModelStatus()).isEqualTo(EipSecurityObject.PULL_STATUS_DISABLED);
        // A commit wakes the client (it re-reads the objects); disabled, it still asks the server nothing.
        MainTest.Run set = MainTest.run("security", "127.0.0.1:" + again.tlsAddress().getPort(), "--tls",
                "--pin-sha256", CredentialFiles.sha256Fingerprint(factory.certificate()), "est",
                "--server-ca", dir.resolve("plant-ca.pem").toString());
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).contains("pull model disabled, status 0xFFFF");
        assertThat(server.requestCount()).isEqualTo(requestsBefore);
        assertThat(issuedToPlc1()).isEqualTo(1);
        assertThat(server.pending().list()).isEmpty();
    }

    @Test
    void deviceCommandWantsEstUrlAndTrustTogether() throws Exception {
        plant(true, 365, 1);
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

    @Test
    void anEstServerSetOverCipEnrolsAFactoryDefaultDevice() throws Exception {
        plant(true, 365, 1);
        CipDevice d = device(null);
        Path plantCa = dir.resolve("plant-ca.pem");
        Files.write(plantCa, CredentialFiles.pem(List.of(ca.certificate())).toArray());
        assertThat(d.security().eip().state()).isEqualTo(EipSecurityObject.FACTORY_DEFAULT);
        String plain = "127.0.0.1:" + d.tcpAddress().getPort();
        String url = server.baseUri().toString();

        // A wrong anchor: the device cannot trust the server, says so in its status, and nothing is issued.
        MainTest.Run wrong = MainTest.run("security", plain, "est", "--url", url, "--server-sha256", "AB".repeat(32));
        assertThat(wrong.exit()).as(wrong.err()).isZero();
        Await.until(DEADLINE, () -> d.security().eip().pullModelStatus() == 0x8001, "status 0x8001 (TLS failure)");
        assertThat(issuedToPlc1()).isZero();

        // The plant CA's fingerprint (plain TCP is fine in factory default, as for Begin_Config): the device enrols.
        MainTest.Run set = MainTest.run("security", plain, "est", "--server-ca", plantCa.toString(), "--json");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).contains("\"estServerUri\": \"" + url + "\"")
                .contains(CredentialFiles.sha256Fingerprint(ca.certificate()));
        awaitState(d, EipSecurityObject.PULL_MODEL_COMPLETED);
        assertThat(presented(d).getSubjectX500Principal().getName()).isEqualTo("CN=plc1.line1,O=Acme,C=FR");
        assertThat(issuedToPlc1()).isEqualTo(1);

        // Configured now: plain TCP may no longer redirect the device; TLS shows and may change the setting.
        MainTest.Run refused = MainTest.run("security", plain, "est", "--clear");
        assertThat(refused.exit()).isEqualTo(Main.REFUSED);
        assertThat(refused.err()).contains("privilege violation");
        MainTest.Run shown = MainTest.run("security", "127.0.0.1:" + d.tlsAddress().getPort(), "--tls", "--trust", plantCa.toString(), "est");
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).contains(url).contains("0x5E state 4, pull model enabled, status 0x0005");

        // Persisted with the security state.
        d.close();
        CipDevice again = device(null);
        assertThat(again.security().eip().estServer().uri()).isEqualTo(url);
        assertThat(again.security().eip().state()).isEqualTo(EipSecurityObject.PULL_MODEL_COMPLETED);
        assertThat(presented(again).getSubjectX500Principal().getName()).isEqualTo("CN=plc1.line1,O=Acme,C=FR");
    }

    @Test
    void anEstServerPinnedByItsOwnCertificateAndRefusedValues() throws Exception {
        plant(true, 365, 1);
        CipDevice d = device(null);
        String plain = "127.0.0.1:" + d.tcpAddress().getPort();
        MainTest.Run bad = MainTest.run("security", plain, "est", "--url", "http://127.0.0.1/.well-known/est");
        assertThat(bad.exit()).isEqualTo(Main.USAGE);
        assertThat(bad.err()).contains("https URI");
        // The server's own certificate (leaf pin) is trusted as well as its CA.
        MainTest.Run set = MainTest.run("security", plain, "est", "--url", server.baseUri().toString(),
                "--server-sha256", server.serverFingerprint());
        assertThat(set.exit()).as(set.err()).isZero();
        awaitState(d, EipSecurityObject.PULL_MODEL_COMPLETED);
        assertThat(issuedToPlc1()).isEqualTo(1);
    }

    /**
     * The device in a JVM of its own, as {@code cipsec device} runs: Bouncy Castle's EST client needs provider
     * "BC", which in the other tests the EST server of the same JVM had registered (a device failed with
     * "no such provider: BC" that way).
     */
    @Test
    void aDeviceInItsOwnJvmEnrolsWithEstUrlAndTrust() throws Exception {
        plant(false, 365, 1);
        Path trust = dir.resolve("est-trust.pem");
        Files.write(trust, CredentialFiles.pem(List.of(ca.certificate())).toArray());
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "device", "--port", "0", "--udp-port", "-1",
                "--tls", "--tls-port", "0", "--dtls-port", "-1", "--state", dir.resolve("child-device").toString(),
                "--est-url", server.baseUri().toString(), "--est-trust", trust.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        child.getOutputStream().close();
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the child is gone
            }
        });
        try {
            Await.until(DEADLINE, () -> {
                try {
                    return server.pending().list().size() == 1;
                } catch (Exception e) {
                    return false;
                }
            }, "a pending request from the child device: " + lines);
            server.pending().approve(server.pending().list().get(0).id(), "plc1");
            java.util.regex.Pattern tlsPort = java.util.regex.Pattern.compile("tls \\S*?:(\\d+)");
            String port = lines.stream().map(tlsPort::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1))
                    .findFirst().orElseThrow(() -> new AssertionError("no TLS port in " + lines));
            Files.write(dir.resolve("plant-ca.pem"), CredentialFiles.pem(List.of(ca.certificate())).toArray());
            Await.until(DEADLINE, () -> {
                try {
                    return OpenSslCommand.in(dir).run("s_client", "-connect", "127.0.0.1:" + port, "-tls1_2", "-CAfile", "plant-ca.pem",
                            "-verify_return_error").output().contains("CN = plc1.line1");
                } catch (Exception e) {
                    return false;
                }
            }, "the plant certificate on the child's TLS port: " + lines);
            assertThat(String.join("\n", lines)).doesNotContain("no such provider");
        } finally {
            child.destroy();
            if (!child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor();
            }
        }
    }
}
