package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.commission.deploy.Commissioner;
import dev.cipsec.commission.deploy.Deployment;
import dev.cipsec.objects.security.EipSecurityObject;
import dev.cipsec.transport.tls.OpenSslCommand;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The issue's end-to-end test: a fleet of 20 devices, a deployment killed with SIGKILL half-way, resumed with the
 * same command; every device ends configured exactly once; then a differential deployment touches only the
 * devices whose policy changed; openssl confirms what a commissioned device presents and refuses.
 */
class CommissionFleetTest {
    static final int FLEET = 20;
    static final int LINE2 = 3;

    @TempDir
    Path dir;

    final List<CipDevice> devices = new ArrayList<>();

    @AfterEach
    void stop() {
        devices.forEach(CipDevice::close);
    }

    @Test
    void aKilledDeploymentResumesAndEveryDeviceIsConfiguredOnce() throws Exception {
        for (int i = 0; i < FLEET; i++) {
            devices.add(CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(TlsPolicy.builder().build())
                    .withStateDirectory(dir.resolve("device-" + i)).withDtlsPort(-1)).onEphemeralPorts()));
        }
        Path password = dir.resolve("ca-password");
        Files.writeString(password, "plant-ca-secret\n");
        MainTest.Run init = MainTest.run("ca", "init", "--dir", dir.resolve("ca").toString(), "--cn", "Plant CA",
                "--o", "Acme", "--password-file", password.toString());
        assertThat(init.exit()).as(init.err()).isZero();

        // A client certificate the plant CA issued and then revoked: the CRL goes to every device.
        OpenSslCommand openssl = OpenSslCommand.in(dir);
        openssl.ok("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "revoked.key",
                "-out", "revoked.csr", "-subj", "/CN=revoked client");
        MainTest.Run issue = MainTest.run("ca", "issue", "--dir", dir.resolve("ca").toString(), "--password-file",
                password.toString(), "--csr", dir.resolve("revoked.csr").toString(), "--cn", "revoked client",
                "--out", dir.resolve("revoked.pem").toString(), "--json");
        assertThat(issue.exit()).as(issue.err()).isZero();
        String serial = CredentialFiles.readCertificates(dir.resolve("revoked.pem")).getFirst().getSerialNumber().toString(16);
        assertThat(MainTest.run("ca", "revoke", "--dir", dir.resolve("ca").toString(), "--password-file", password.toString(),
                "--serial", serial).exit()).isZero();
        assertThat(MainTest.run("ca", "crl", "--dir", dir.resolve("ca").toString(), "--password-file", password.toString())
                .exit()).isZero();

        Path policy = dir.resolve("plant.json");
        Files.writeString(policy, policy("\"security\": \"confidentiality\""));
        Path state = dir.resolve("state");
        String[] command = {"commission", "--policy", policy.toString(), "--ca", dir.resolve("ca").toString(),
                "--password-file", password.toString(), "--state", state.toString(), "--parallelism", "2"};

        // The tool in a child JVM, killed once a few devices are done and others are under way.
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(command));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        child.getOutputStream().close();
        List<String> childOut = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    childOut.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (done(state) < 4) {
            assertThat(child.isAlive()).as("the tool ended before the kill: %s", childOut).isTrue();
            assertThat(System.nanoTime()).as("devices done in time: %s", childOut).isLessThan(deadline);
            Thread.onSpinWait();
            child.waitFor(20, TimeUnit.MILLISECONDS);
        }
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int doneAtKill = done(state);
        assertThat(doneAtKill).as("the kill fell half-way").isLessThan(FLEET);

        MainTest.Run resumed = MainTest.run(concat(command, "--json"));
        assertThat(resumed.exit()).as(resumed.out() + resumed.err()).isZero();
        // Devices finished before the kill are left alone; the others are finished now, each where it stopped.
        assertThat(resumed.out()).contains("\"unchanged\": " + doneAtKill).contains("\"configured\": " + (FLEET - doneAtKill));
        for (int i = 0; i < FLEET; i++) {
            EipSecurityObject eip = devices.get(i).security().eip();
            assertThat(eip.state()).as("device %d", i).isEqualTo(EipSecurityObject.CONFIGURED);
            assertThat(eip.applyCount()).as("device %d applied once", i).isEqualTo(1);
            assertThat(Files.readString(Deployment.reportFile(state, name(i)))).containsPattern("\"result\": \"(configured|unchanged)\"");
        }

        // Before the change, line2 accepts the CBC suite of the confidentiality level.
        String caFile = dir.resolve("ca").resolve("ca.pem").toString();
        String[] tool = {"-cert", dir.resolve("state/tool/cert.pem").toString(), "-key", dir.resolve("state/tool/key.pem").toString()};
        assertThat(sClient(openssl, 0, "ECDHE-ECDSA-AES128-SHA256", caFile, tool).exit()).isZero();

        // Differential: only line2 changes; its explicit suite list removes the CBC and ChaCha20 suites.
        Files.writeString(policy, policy("\"suites\": [\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\"]"));
        MainTest.Run diff = MainTest.run(concat(command, "--json"));
        assertThat(diff.exit()).as(diff.out() + diff.err()).isZero();
        for (int i = 0; i < FLEET; i++) {
            EipSecurityObject eip = devices.get(i).security().eip();
            assertThat(eip.applyCount()).as("device %d", i).isEqualTo(i < LINE2 ? 2 : 1);
        }
        assertThat(diff.out()).contains("\"configured\": " + LINE2).contains("\"unchanged\": " + (FLEET - LINE2));

        // openssl, on every device: the plant certificate; the suite the policy removed refused on line2 only;
        // NULL suites nowhere.
        String connect = null;
        for (int i = 0; i < FLEET; i++) {
            connect = "127.0.0.1:" + devices.get(i).tlsAddress().getPort();
            OpenSslCommand.Result gcm = sClient(openssl, i, "ECDHE-ECDSA-AES128-GCM-SHA256", caFile, tool);
            assertThat(gcm.exit()).as(gcm.output()).isZero();
            assertThat(gcm.output()).contains("Verify return code: 0 (ok)").containsPattern("subject=.*CN = " + name(i));
            OpenSslCommand.Result cbc = sClient(openssl, i, "ECDHE-ECDSA-AES128-SHA256", caFile, tool);
            assertThat(cbc.exit()).as("device %d CBC: %s", i, cbc.output()).isEqualTo(i < LINE2 ? 1 : 0);
            assertThat(sClient(openssl, i, "ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0", caFile, tool).exit()).isNotZero();
        }
        OpenSslCommand.Result revoked = openssl.run("s_client", "-connect", connect, "-tls1_2",
                "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-CAfile", caFile, "-cert", dir.resolve("revoked.pem").toString(),
                "-key", dir.resolve("revoked.key").toString());
        assertThat(revoked.output()).containsPattern("alert|errno|error");
        assertThat(revoked.output()).doesNotContain("Verify return code: 0 (ok)\n---\nDONE");
    }

    OpenSslCommand.Result sClient(OpenSslCommand openssl, int device, String cipher, String caFile, String[] tool)
            throws Exception {
        return openssl.run(concat(new String[]{"s_client", "-connect", "127.0.0.1:" + devices.get(device).tlsAddress().getPort(),
                "-tls1_2", "-cipher", cipher, "-CAfile", caFile, "-verify_return_error"}, tool));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String name(int i) {
        return String.format("plc%02d", i);
    }

    /** How many devices' journals end in "done". */
    static int done(Path state) throws IOException {
        int n = 0;
        for (int i = 0; i < FLEET; i++) {
            Path j = Commissioner.journalFile(state, name(i));
            if (Files.exists(j) && Files.readString(j).contains("\tdone\t")) {
                n++;
            }
        }
        return n;
    }

    /** Two zones; {@code line2} gets {@code line2Setting} (its security level or suite list). */
    String policy(String line2Setting) {
        StringBuilder b = new StringBuilder();
        b.append("{\"version\": 1,\n \"settings\": {\"certificate\": {\"organization\": \"Acme\", \"country\": \"FR\", ")
                .append("\"validityDays\": 365}},\n \"zones\": [\n")
                .append("  {\"name\": \"line1\", \"authentication\": \"certificate\", \"security\": \"confidentiality\"},\n")
                .append("  {\"name\": \"line2\", \"authentication\": \"certificate\", ").append(line2Setting)
                .append("}],\n \"devices\": [\n");
        for (int i = 0; i < FLEET; i++) {
            CipDevice d = devices.get(i);
            b.append("  {\"name\": \"").append(name(i)).append("\", \"zone\": \"").append(i < LINE2 ? "line2" : "line1")
                    .append("\", \"address\": \"127.0.0.1\", \"port\": ").append(d.tlsAddress().getPort())
                    .append(", \"fingerprint\": \"").append(CredentialFiles.sha256Fingerprint(d.defaultIdentity().certificate()))
                    .append("\"}").append(i + 1 < FLEET ? ",\n" : "\n");
        }
        return b.append(" ]}\n").toString();
    }
}
