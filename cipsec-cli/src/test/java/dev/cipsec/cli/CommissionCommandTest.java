package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.objects.security.EipSecurityObject;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CommissionCommandTest {
    @TempDir
    Path dir;

    CipDevice a;
    CipDevice b;
    Path password;

    @BeforeEach
    void start() throws Exception {
        a = device("a");
        b = device("b");
        password = dir.resolve("pw");
        Files.writeString(password, "secret\n");
        MainTest.Run init = MainTest.run("ca", "init", "--dir", dir.resolve("ca").toString(), "--cn", "CLI test CA",
                "--password-file", password.toString());
        assertThat(init.exit()).as(init.err()).isZero();
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    CipDevice device(String name) throws Exception {
        return CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(TlsPolicy.builder().build())
                .withStateDirectory(dir.resolve("device-" + name)).withDtlsPort(-1)).onEphemeralPorts());
    }

    static String fp(CipDevice d) {
        return CredentialFiles.sha256Fingerprint(d.defaultIdentity().certificate());
    }

    Path policy(String zoneOfA, String pinOfA) throws Exception {
        Path file = dir.resolve("plant.json");
        Files.writeString(file, """
                {"version": 1,
                 "zones": [{"name": "line1"}],
                 "devices": [
                  {"name": "plcA", "zone": "%s", "address": "127.0.0.1", "port": %d, "fingerprint": "%s"},
                  {"name": "plcB", "zone": "line1", "address": "127.0.0.1", "port": %d, "fingerprint": "%s"}]}
                """.formatted(zoneOfA, a.tlsAddress().getPort(), pinOfA, b.tlsAddress().getPort(), fp(b)));
        return file;
    }

    MainTest.Run commission(Path policy, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("commission", "--policy", policy.toString(), "--ca",
                dir.resolve("ca").toString(), "--password-file", password.toString(), "--state", dir.resolve("state").toString()));
        args.addAll(List.of(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void anInvalidPolicyIsRefusedWithEachProblemsLocationAndNothingIsDeployed() throws Exception {
        MainTest.Run r = commission(policy("line9", fp(a)));
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).containsPattern("plant\\.json:4:\\d+: devices\\[0\\]\\.zone: unknown zone 'line9'")
                .contains("nothing was deployed");
        assertThat(a.security().eip().state()).isEqualTo(EipSecurityObject.FACTORY_DEFAULT);
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSpoofedDeviceIsRefusedAndReportedWhileTheOthersAreConfigured() throws Exception {
        Path policy = policy("line1", fp(b));   // plcA's entry pins B's certificate: A is not who the inventory says
        MainTest.Run r = commission(policy, "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.REFUSED);
        Map<String, Object> out = r.json();
        assertThat(out).containsEntry("configured", 1L).containsEntry("refused", 1L);
        Map<String, Object> plcA = ((List<Map<String, Object>>) out.get("devices")).getFirst();
        assertThat(plcA).containsEntry("result", "refused").containsEntry("presentedFingerprint", "");
        assertThat((Map<String, Object>) plcA.get("error")).containsEntry("step", "connected");
        assertThat(((Map<String, Object>) plcA.get("error")).get("message").toString()).contains(fp(a)).contains("not the pinned");
        assertThat(a.security().eip().applyCount()).isZero();
        assertThat(b.security().eip().applyCount()).isEqualTo(1);

        // policy diff against what was deployed: A is still to do, and says why.
        MainTest.Run pending = MainTest.run("policy", "diff", policy.toString(), "--state", dir.resolve("state").toString());
        assertThat(pending.exit()).as(pending.err()).isZero();
        assertThat(pending.out()).contains("CHANGED plcA").contains("last deployment refused at connected")
                .doesNotContain("plcB").contains("1 device unchanged");

        // The operator checks A and pins it on the command line: only A is deployed now.
        MainTest.Run fixed = commission(policy, "--expect-fingerprint", "plcA=" + fp(a));
        assertThat(fixed.exit()).as(fixed.err()).isZero();
        assertThat(fixed.out()).contains("plcA (127.0.0.1:" + a.tlsAddress().getPort() + "): configured")
                .contains("plcB (127.0.0.1:" + b.tlsAddress().getPort() + "): unchanged")
                .contains("1 configured, 1 unchanged, 0 refused, 0 failed");
        assertThat(fixed.err()).contains("[2/2]");
        assertThat(a.security().eip().applyCount()).isEqualTo(1);
        assertThat(b.security().eip().applyCount()).isEqualTo(1);

        MainTest.Run clean = MainTest.run("policy", "diff", policy.toString(), "--state", dir.resolve("state").toString());
        assertThat(clean.out()).contains("2 devices unchanged").doesNotContain("CHANGED");

        MainTest.Run unknown = commission(policy, "--device", "plcZ");
        assertThat(unknown.exit()).isEqualTo(Main.USAGE);
        assertThat(unknown.err()).contains("plcZ");
    }

    @Test
    void pskZonesAndConduitsReachTheDevicesAsOpensslSeesThem() throws Exception {
        Path file = dir.resolve("psk.json");
        Files.writeString(file, """
                {"version": 1,
                 "zones": [{"name": "line1"}, {"name": "cells", "authentication": "psk"}],
                 "devices": [
                  {"name": "plcA", "zone": "line1", "address": "127.0.0.1", "port": %d, "fingerprint": "%s"},
                  {"name": "plcB", "zone": "cells", "address": "127.0.0.1", "port": %d, "fingerprint": "%s"}],
                 "conduits": [{"name": "a-b", "between": ["device:plcA", "device:plcB"], "authentication": "psk",
                               "security": "integrity"}]}
                """.formatted(a.tlsAddress().getPort(), fp(a), b.tlsAddress().getPort(), fp(b)));
        MainTest.Run r = commission(file);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        // The keys were generated into the secrets file and printed nowhere.
        dev.cipsec.commission.policy.PskSecrets secrets = dev.cipsec.commission.policy.PskSecrets.open(
                dev.cipsec.commission.policy.PskSecrets.defaultFileFor(file));
        String cells = java.util.HexFormat.of().formatHex(secrets.getOrCreate("zone:cells").key().toArray());
        String conduit = java.util.HexFormat.of().formatHex(secrets.getOrCreate("conduit:a-b").key().toArray());
        assertThat(r.out() + r.err()).doesNotContainIgnoringCase(cells).doesNotContainIgnoringCase(conduit);
        assertThat(Files.readString(dir.resolve("state/reports/plcB.json"))).doesNotContainIgnoringCase(cells);

        dev.cipsec.transport.tls.OpenSslCommand openssl = dev.cipsec.transport.tls.OpenSslCommand.in(dir);
        String plcB = "127.0.0.1:" + b.tlsAddress().getPort();
        assertThat(openssl.ok("s_client", "-connect", plcB, "-tls1_2", "-cipher", "ECDHE-PSK-AES128-CBC-SHA256",
                "-psk_identity", "zone:cells", "-psk", cells)).contains("ECDHE-PSK-AES128-CBC-SHA256");
        // The conduit is integrity only: its NULL suite is allowed on both ends.
        assertThat(openssl.ok("s_client", "-connect", plcB, "-tls1_2", "-cipher", "ECDHE-PSK-NULL-SHA256:@SECLEVEL=0",
                "-psk_identity", "conduit:a-b", "-psk", conduit)).contains("ECDHE-PSK-NULL-SHA256");
        String plcA = "127.0.0.1:" + a.tlsAddress().getPort();
        assertThat(openssl.ok("s_client", "-connect", plcA, "-tls1_2", "-cipher", "ECDHE-PSK-NULL-SHA256:@SECLEVEL=0",
                "-psk_identity", "conduit:a-b", "-psk", conduit)).contains("ECDHE-PSK-NULL-SHA256");
        // plcB has no certificate relationship: certificate suites are gone, and so is the zone key on plcA.
        assertThat(openssl.run("s_client", "-connect", plcB, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256").exit())
                .isNotZero();
        assertThat(openssl.run("s_client", "-connect", plcA, "-tls1_2", "-cipher", "ECDHE-PSK-AES128-CBC-SHA256",
                "-psk_identity", "zone:cells", "-psk", cells).exit()).isNotZero();
    }
}
