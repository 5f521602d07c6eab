package dev.cipsec.commission.deploy;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.commission.policy.Authentication;
import dev.cipsec.commission.policy.DevicePolicy;
import dev.cipsec.commission.policy.ExpectedIdentity;
import dev.cipsec.objects.security.EipSecurityObject;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommissionerTest {
    static final List<Integer> SUITES = List.of(0xC02B, 0xC023);

    @TempDir
    Path dir;

    final List<CipDevice> devices = new ArrayList<>();
    final TestCa ca = new TestCa("test plant CA");

    @AfterEach
    void close() {
        devices.forEach(CipDevice::close);
    }

    CipDevice device(String name) throws IOException {
        CipDevice d = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(TlsPolicy.builder().build())
                .withStateDirectory(dir.resolve("device-" + name)).withDtlsPort(-1)).onEphemeralPorts());
        devices.add(d);
        return d;
    }

    static DevicePolicy policy(String name, CipDevice d, List<Integer> suites, String fingerprint) {
        return new DevicePolicy(name, "line1", "127.0.0.1", d.tlsAddress().getPort(), ExpectedIdentity.ANY, fingerprint,
                Authentication.CERTIFICATE, suites, List.of(), new CsrSubject(name + ".line1", "Acme", "", "", "", "FR", "", "",
                List.of("IP:127.0.0.1")), 365, true, true, false, 12, true, List.of());
    }

    static String fingerprint(CipDevice d) {
        return CredentialFiles.sha256Fingerprint(d.defaultIdentity().certificate()).replace(":", "");
    }

    Deployment.Summary deploy(DeploymentOptions options, DevicePolicy... ps) throws Exception {
        return new Deployment(dir.resolve("state"), ca, options).run(List.of(ps), new Deployment.Listener() {
        });
    }

    static EipSecurityObject eip(CipDevice d) {
        return d.security().eip();
    }

    @Test
    void commissionsADeviceAndADifferentialRunLeavesItAlone() throws Exception {
        CipDevice d = device("plc1");
        DevicePolicy p = policy("plc1", d, SUITES, fingerprint(d));

        Deployment.Summary first = deploy(DeploymentOptions.defaults(), p);
        DeviceReport r = first.reports().getFirst();
        assertThat(r.result()).as(r.toString()).isEqualTo(DeviceReport.Result.CONFIGURED);
        assertThat(r.steps()).containsExactly(Events.START, Events.CONNECTED, Events.IDENTITY, Events.SESSION, Events.CSR,
                Events.ISSUED, Events.INSTALLED, Events.WRITTEN, Events.APPLYING, Events.APPLIED, Events.ENDED,
                Events.PLAIN_CLOSED, Events.VERIFIED, Events.DONE);
        assertThat(r.presentedFingerprint()).isEqualTo(CredentialFiles.sha256Fingerprint(d.defaultIdentity().certificate()));
        assertThat(eip(d).applyCount()).isEqualTo(1);
        assertThat(eip(d).state()).isEqualTo(EipSecurityObject.CONFIGURED);
        assertThat(eip(d).applied().allowedSuites().ids()).isEqualTo(SUITES);
        assertThat(Files.readString(Deployment.reportFile(dir.resolve("state"), "plc1"))).contains("\"result\": \"configured\"");

        // The device now presents the plant certificate and wants ours.
        X509Certificate presented = presentedTo(d, true);
        assertThat(presented.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(CredentialFiles.sha256Fingerprint(presented)).isEqualTo(r.deviceFingerprint());
        assertThatThrownBy(() -> presentedTo(d, false)).isInstanceOf(IOException.class);

        DeviceReport again = deploy(DeploymentOptions.defaults(), p).reports().getFirst();
        assertThat(again.result()).isEqualTo(DeviceReport.Result.UNCHANGED);
        assertThat(again.steps()).isEmpty();
        assertThat(eip(d).applyCount()).isEqualTo(1);

        // A changed policy is deployed over the device's current credentials.
        DeviceReport changed = deploy(DeploymentOptions.defaults(), policy("plc1", d, List.of(0xC02B), fingerprint(d)))
                .reports().getFirst();
        assertThat(changed.result()).as(changed.toString()).isEqualTo(DeviceReport.Result.CONFIGURED);
        assertThat(changed.steps()).contains(Events.CONNECTED);
        assertThat(DeviceJournal.open(Commissioner.journalFile(dir.resolve("state"), "plc1")).last(Events.CONNECTED)
                .orElseThrow().field("credentials")).isEqualTo("current");
        assertThat(eip(d).applyCount()).isEqualTo(2);
        assertThat(eip(d).applied().allowedSuites().ids()).containsExactly(0xC02B);
    }

    @Test
    void aSpoofedDeviceIsRefusedAndNothingIsWritten() throws Exception {
        CipDevice d = device("spoof");
        CipDevice other = device("genuine");
        DeviceReport r = deploy(DeploymentOptions.defaults(), policy("plc2", d, SUITES, fingerprint(other))).reports().getFirst();
        assertThat(r.result()).isEqualTo(DeviceReport.Result.REFUSED);
        assertThat(r.error().step()).isEqualTo(Events.CONNECTED);
        assertThat(r.error().message()).contains("not the device the inventory pins")
                .contains(CredentialFiles.sha256Fingerprint(d.defaultIdentity().certificate()));
        assertThat(eip(d).applyCount()).isZero();
        assertThat(eip(d).state()).isEqualTo(EipSecurityObject.FACTORY_DEFAULT);
        assertThat(ca.issued.get()).as("only the tool's own certificate").isEqualTo(1);
    }

    @Test
    void anUnpinnedDeviceNeedsAnExplicitAccept() throws Exception {
        CipDevice d = device("tofu");
        DeviceReport refused = deploy(DeploymentOptions.defaults(), policy("plc3", d, SUITES, "")).reports().getFirst();
        assertThat(refused.result()).isEqualTo(DeviceReport.Result.FAILED);
        assertThat(refused.error().message()).contains("--accept-unknown");
        assertThat(eip(d).applyCount()).isZero();

        DeviceReport accepted = deploy(DeploymentOptions.defaults().withAcceptUnknown(true), policy("plc3", d, SUITES, ""))
                .reports().getFirst();
        assertThat(accepted.result()).as(accepted.toString()).isEqualTo(DeviceReport.Result.CONFIGURED);
        assertThat(accepted.presentedFingerprint()).isEqualTo(CredentialFiles.sha256Fingerprint(d.defaultIdentity().certificate()));
    }

    @Test
    void aDeviceWithTheWrongIdentityIsRefused() throws Exception {
        CipDevice d = device("wrong");
        DevicePolicy p = policy("plc4", d, SUITES, fingerprint(d));
        DevicePolicy expectsOther = new DevicePolicy(p.name(), p.zone(), p.host(), p.tlsPort(),
                new ExpectedIdentity(0x4242, null, null, null, null), p.expectFingerprint(), p.authentication(),
                p.allowedSuites(), p.psks(), p.subject(), p.validityDays(), p.verifyClientCertificate(),
                p.sendCertificateChain(), p.checkExpiration(), p.dtlsTimeoutSeconds(), p.closePlainPort(), p.trustedIps());
        DeviceReport r = deploy(DeploymentOptions.defaults(), expectsOther).reports().getFirst();
        assertThat(r.result()).isEqualTo(DeviceReport.Result.REFUSED);
        assertThat(r.error().message()).contains("identity mismatch").contains("vendor");
        assertThat(eip(d).state()).isEqualTo(EipSecurityObject.FACTORY_DEFAULT);
    }

    @Test
    void aToolThatDiedAfterSendingApplyConfigDoesNotApplyAgain() throws Exception {
        CipDevice d = device("resume");
        DevicePolicy p = policy("plc5", d, SUITES, fingerprint(d));
        assertThat(deploy(DeploymentOptions.defaults(), p).reports().getFirst().result()).isEqualTo(DeviceReport.Result.CONFIGURED);
        // Cut the journal back to the moment Apply_Config was on its way: the answer never reached the journal.
        Path journal = Commissioner.journalFile(dir.resolve("state"), "plc5");
        List<String> lines = Files.readAllLines(journal);
        int applying = 0;
        while (!lines.get(applying).contains("\t" + Events.APPLYING)) {
            applying++;
        }
        Files.write(journal, lines.subList(0, applying + 1));

        DeviceReport r = deploy(DeploymentOptions.defaults(), p).reports().getFirst();
        assertThat(r.result()).as(r.toString()).isEqualTo(DeviceReport.Result.CONFIGURED);
        assertThat(r.steps()).contains(Events.APPLIED).doesNotContain(Events.APPLYING, Events.CSR, Events.SESSION);
        assertThat(eip(d).applyCount()).as("applied once").isEqualTo(1);
        assertThat(DeviceJournal.open(journal).last(Events.APPLIED).orElseThrow().field("recovered")).isEqualTo("true");
    }

    @Test
    void pskOnlyDevicesAreCommissionedAndVerifiedOverTheirPsk() throws Exception {
        CipDevice d = device("psk");
        DevicePolicy c = policy("plc6", d, SUITES, fingerprint(d));
        PskCredential psk = PskCredential.of("zone:line1", Bytes.of(new byte[32]));
        DevicePolicy p = new DevicePolicy(c.name(), c.zone(), c.host(), c.tlsPort(), c.expected(), c.expectFingerprint(),
                Authentication.PSK, List.of(0xC037), List.of(psk), c.subject(), c.validityDays(), false, true, false, 30,
                false, List.of("10.0.0.9"));
        DeviceReport r = deploy(DeploymentOptions.defaults(), p).reports().getFirst();
        assertThat(r.result()).as(r.toString()).isEqualTo(DeviceReport.Result.CONFIGURED);
        assertThat(r.steps()).doesNotContain(Events.CSR, Events.PLAIN_CLOSED);
        assertThat(eip(d).applied().allowedSuites().ids()).containsExactly(0xC037);
        assertThat(eip(d).applied().dtlsTimeoutSeconds()).isEqualTo(30);
        assertThat(r.toMap().toString()).doesNotContain("0000000000000000");
    }

    @Test
    void aDeviceThatRefusesApplyConfigIsReportedWithItsStatusAndLeftOnItsOldConfiguration() throws Exception {
        CipDevice d = device("refuses");
        // A PSK suite without a PSK: the device refuses Apply_Config with 0xD0 and failure code 1 (no PSK).
        DeviceReport r = deploy(DeploymentOptions.defaults(), policy("plc7", d, List.of(0xC037), fingerprint(d)))
                .reports().getFirst();
        assertThat(r.result()).isEqualTo(DeviceReport.Result.FAILED);
        assertThat(r.error().step()).isEqualTo(Events.APPLIED);
        assertThat(r.error().generalStatus()).isEqualTo(0xD0);
        assertThat(r.error().extendedStatus()).containsExactly(1);
        assertThat(r.toMap().toString()).contains("generalStatus=0xD0").contains("0x0001");
        assertThat(r.steps()).endsWith(Events.APPLYING, Events.ABORTED);
        assertThat(eip(d).state()).isEqualTo(EipSecurityObject.FACTORY_DEFAULT);
        assertThat(eip(d).pending()).isNull();
        DeviceJournal journal = DeviceJournal.open(Commissioner.journalFile(dir.resolve("state"), "plc7"));
        assertThat(journal.entries().getLast().event()).isEqualTo(Events.FAILED);
        assertThat(journal.entries().getLast().field("status")).isEqualTo("0xD0");

        // The fixed policy is another configuration: it gets a certificate of its own and applies once.
        int issuedBefore = ca.issued.get();
        DeviceReport fixed = deploy(DeploymentOptions.defaults(), policy("plc7", d, SUITES, fingerprint(d))).reports().getFirst();
        assertThat(fixed.result()).as(fixed.toString()).isEqualTo(DeviceReport.Result.CONFIGURED);
        assertThat(eip(d).applyCount()).isEqualTo(1);
        assertThat(ca.issued.get() - issuedBefore).as("a new configuration gets its own certificate").isEqualTo(1);
    }

    @Test
    void aDeviceThatStopsAnsweringMidSessionFailsClearlyAndTheNextRunFinishesWithoutReissuing() throws Exception {
        CipDevice d = device("stalls");
        try (StallingRelay relay = new StallingRelay(d.tlsAddress())) {
            DevicePolicy viaRelay = new DevicePolicy("plc8", "line1", "127.0.0.1", relay.port(), ExpectedIdentity.ANY,
                    fingerprint(d), Authentication.CERTIFICATE, SUITES, List.of(), CsrSubject.of("plc8"), 365, true, true,
                    false, 12, false, List.of());
            // The device goes silent right after the plant CA signed its CSR: the install step gets no answer.
            CertificateAuthority stallAfterIssue = new CertificateAuthority() {
                @Override
                public X509Certificate certificate() {
                    return ca.certificate();
                }

                @Override
                public X509Certificate issue(byte[] csr, CsrSubject subject, int days) throws IOException,
                        java.security.GeneralSecurityException {
                    X509Certificate c = ca.issue(csr, subject, days);
                    if (!subject.commonName().equals(ToolIdentity.COMMON_NAME)) {
                        relay.stall(true);
                    }
                    return c;
                }

                @Override
                public java.util.Optional<java.security.cert.X509CRL> crl() {
                    return java.util.Optional.empty();
                }
            };
            DeploymentOptions quick = DeploymentOptions.defaults().withTimeouts(java.time.Duration.ofSeconds(5),
                    java.time.Duration.ofSeconds(1));
            DeviceReport r = new Deployment(dir.resolve("state"), stallAfterIssue, quick).run(List.of(viaRelay),
                    new Deployment.Listener() {
                    }).reports().getFirst();
            assertThat(r.result()).isEqualTo(DeviceReport.Result.FAILED);
            assertThat(r.error().step()).isEqualTo(Events.INSTALLED);
            assertThat(r.error().generalStatus()).isEqualTo(-1);
            assertThat(r.steps()).contains(Events.ISSUED).doesNotContain(Events.APPLYING);
            DeviceJournal journal = DeviceJournal.open(Commissioner.journalFile(dir.resolve("state"), "plc8"));
            assertThat(journal.entries().getLast().event()).isEqualTo(Events.FAILED);
            assertThat(journal.entries().getLast().field("step")).isEqualTo(Events.INSTALLED);
            assertThat(eip(d).applyCount()).isZero();

            relay.stall(false);
            int issued = ca.issued.get();
            DeviceReport again = new Deployment(dir.resolve("state"), ca, quick).run(List.of(viaRelay), new Deployment.Listener() {
            }).reports().getFirst();
            assertThat(again.result()).as(again.toString()).isEqualTo(DeviceReport.Result.CONFIGURED);
            assertThat(again.steps()).doesNotContain(Events.CSR, Events.ISSUED).contains(Events.INSTALLED);
            assertThat(ca.issued.get()).as("the certificate issued before the stall is the one installed").isEqualTo(issued);
            assertThat(eip(d).applyCount()).isEqualTo(1);
        }
    }

    @Test
    void aReplacementDeviceWithTheSameIdentityGetsTheEntrysPolicy() throws Exception {
        CipDevice old = device("old");
        int port = old.tlsAddress().getPort();
        DevicePolicy p = new DevicePolicy("plc9", "line1", "127.0.0.1", port,
                new ExpectedIdentity(old.profile().identity().vendorId(), old.profile().identity().deviceType(),
                        old.profile().identity().productCode(), old.profile().identity().revisionMajor(), null),
                fingerprint(old), Authentication.CERTIFICATE, SUITES, List.of(), CsrSubject.of("plc9"), 365, true, true,
                false, 12, false, List.of());
        assertThat(deploy(DeploymentOptions.defaults(), p).reports().getFirst().result()).isEqualTo(DeviceReport.Result.CONFIGURED);
        old.close();

        // A new unit of the same kind, at the same address, out of its box (its own default certificate).
        CipDevice replacement = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts().withSecurity(
                SecuritySettings.tls(TlsPolicy.builder().build()).withStateDirectory(dir.resolve("device-replacement"))
                        .withDtlsPort(-1).withTlsPort(port)));
        devices.add(replacement);
        assertThat(deploy(DeploymentOptions.defaults(), p).reports().getFirst().result())
                .as("without a check the journal is trusted").isEqualTo(DeviceReport.Result.UNCHANGED);

        DeploymentOptions check = DeploymentOptions.defaults().withCheckUnchanged(true);
        DeviceReport pinned = deploy(check, p).reports().getFirst();
        assertThat(pinned.result()).as(pinned.toString() + " the old unit's pin does not vouch for the new one").isEqualTo(DeviceReport.Result.REFUSED);
        assertThat(eip(replacement).applyCount()).isZero();

        assertThat(deploy(check.withAcceptUnknown(true), p).reports().getFirst().result())
                .as("accepting unknown certificates does not override a pin that names another").isEqualTo(DeviceReport.Result.REFUSED);

        // The operator pins the new unit (cipsec commission --expect-fingerprint plc9=...): the hash is unchanged,
        // since a pin is how the tool trusts the device, not something it deploys.
        DevicePolicy repinned = new DevicePolicy(p.name(), p.zone(), p.host(), p.tlsPort(), p.expected(), fingerprint(replacement),
                p.authentication(), p.allowedSuites(), p.psks(), p.subject(), p.validityDays(), p.verifyClientCertificate(),
                p.sendCertificateChain(), p.checkExpiration(), p.dtlsTimeoutSeconds(), p.closePlainPort(), p.trustedIps());
        assertThat(repinned.configHash()).isEqualTo(p.configHash());
        DeviceReport r = deploy(check, repinned).reports().getFirst();
        assertThat(r.result()).as(r.toString()).isEqualTo(DeviceReport.Result.CONFIGURED);
        assertThat(r.changes().getFirst()).contains("deployed again");
        assertThat(r.presentedFingerprint()).isEqualTo(CredentialFiles.sha256Fingerprint(replacement.defaultIdentity().certificate()));
        assertThat(eip(replacement).applyCount()).isEqualTo(1);
        assertThat(deploy(check, repinned).reports().getFirst().result()).isEqualTo(DeviceReport.Result.UNCHANGED);
    }

    @Test
    void kickTimerKeepsTheSessionAliveThroughASlowStep() throws Exception {
        CipDevice d = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(TlsPolicy.builder().build())
                .withStateDirectory(dir.resolve("device-slow")).withDtlsPort(-1)
                .withSessionTimeout(java.time.Duration.ofSeconds(1))).onEphemeralPorts());
        devices.add(d);
        // A CA that takes three session timeouts to sign (a key on a slow token): only Kick_Timer keeps the session.
        CertificateAuthority slow = new CertificateAuthority() {
            @Override
            public X509Certificate certificate() {
                return ca.certificate();
            }

            @Override
            public X509Certificate issue(byte[] csr, CsrSubject subject, int days) throws IOException,
                    java.security.GeneralSecurityException {
                if (!subject.commonName().equals(ToolIdentity.COMMON_NAME)) {
                    try {
                        Thread.sleep(3000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
                return ca.issue(csr, subject, days);
            }

            @Override
            public java.util.Optional<java.security.cert.X509CRL> crl() {
                return java.util.Optional.empty();
            }
        };
        DeviceReport r = new Deployment(dir.resolve("state"), slow, DeploymentOptions.defaults()
                .withKickInterval(java.time.Duration.ofMillis(300))).run(List.of(policy("plc10", d, SUITES, fingerprint(d))),
                new Deployment.Listener() {
                }).reports().getFirst();
        assertThat(r.result()).as(r.toString()).isEqualTo(DeviceReport.Result.CONFIGURED);
        assertThat(eip(d).applyCount()).isEqualTo(1);
    }

    /** The certificate the device presents to a client trusting the test CA (with the tool's certificate when asked). */
    X509Certificate presentedTo(CipDevice d, boolean withToolCertificate) throws Exception {
        List<X509Certificate> seen = new ArrayList<>();
        TrustStore trust = TrustStore.of(List.of(ca.certificate()), List.of(), List.of());
        PeerVerifier v = (chain, role) -> {
            seen.add(chain.getFirst());
            PeerVerifier.trusting(trust, false).verify(chain, role);
        };
        TlsPolicy.Builder b = TlsPolicy.builder().allSuites().peerVerifier(v);
        if (withToolCertificate) {
            b.identity(ToolIdentity.loadOrCreate(dir.resolve("state"), ca));
        }
        try (CipClient c = CipClient.connect(new Target("127.0.0.1", d.tlsAddress().getPort(), true),
                ClientOptions.defaults().withTls(b.build()))) {
            c.identity();
        }
        return seen.getFirst();
    }
}
