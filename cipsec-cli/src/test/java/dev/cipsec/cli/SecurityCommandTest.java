package dev.cipsec.cli;

import dev.cipsec.transport.tls.cert.PinnedCertificate;
import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.security.CipherSuiteList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.cipsec.cli.MainTest.asMap;
import static dev.cipsec.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code cipsec security} actions one by one against a factory-default device over plain TCP, and their option parsing. */
class SecurityCommandTest {
    @TempDir
    Path dir;

    CipDevice device;
    String target;

    @BeforeEach
    void start() throws Exception {
        device = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(TlsPolicy.builder().build()))
                .onEphemeralPorts());
        target = "127.0.0.1:" + device.tcpAddress().getPort();
    }

    @AfterEach
    void stop() {
        device.close();
    }

    @Test
    void plainTcpClosesAndTheTargetIsGone() throws Exception {
        assertThat(run("security", target, "plain-tcp", "sideways").err()).contains("expected open or close");
        // Factory default: the change is accepted over plain TCP, on the very connection it closes.
        MainTest.Run close = run("security", target, "plain-tcp", "close", "--json");
        assertThat(close.exit()).as(close.err()).isZero();
        assertThat(close.json()).containsEntry("plainTcp", "closed");
        dev.cipsec.transport.Await.until(java.time.Duration.ofSeconds(5), () -> device.tcpAddress() == null, "plain TCP closed");
        assertThat(run("security", target, "show").exit()).isNotZero();
    }

    @Test
    void showReadsTheFactoryDefault() {
        MainTest.Run r = run("security", target, "show", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> json = r.json();
        assertThat(asMap(json.get("cipSecurity"))).containsEntry("state", 0L);
        Map<String, Object> eip = asMap(json.get("eipSecurity"));
        assertThat(eip).containsEntry("activeCertificates", List.of("0x5F/1")).containsEntry("crl", "none");
        assertThat(asMap(json.get("certificateManagement")).get("instances").toString()).contains("Default Device Certificate");
        MainTest.Run text = run("security", target, "show");
        assertThat(text.out()).contains("CIP Security (0x5D): state 0 (factory default)").contains("[1] Default Device Certificate: verified");
    }

    @Test
    void aSessionInStepsWithNoApply() {
        assertThat(run("security", target, "begin").exit()).isZero();
        assertThat(run("security", target, "kick").exit()).isZero();
        MainTest.Run set = run("security", target, "set", "--no-apply", "--suites", "ECDHE-ECDSA-AES128-GCM-SHA256,0xC037",
                "--psk", "cell:4:00112233445566778899aabbccddeeff", "--check-expiry", "on", "--dtls-timeout", "20");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).contains("not applied");
        assertThat(device.security().eip().pending().allowedSuites()).isEqualTo(CipherSuiteList.of(0xC02B, 0xC037));
        assertThat(device.security().eip().pending().psks().entries().get(0).identity().toArray()).isEqualTo("cell:4".getBytes());
        MainTest.Run apply = run("security", target, "apply", "--json");
        assertThat(apply.exit()).as(apply.err()).isZero();
        assertThat(apply.json()).containsEntry("applied", true);
        MainTest.Run end = run("security", target, "end");
        assertThat(end.exit()).as(end.err()).isZero();
        assertThat(device.security().eip().applied().allowedSuites()).isEqualTo(CipherSuiteList.of(0xC02B, 0xC037));
        assertThat(device.security().cip().state()).isEqualTo(2);
        // Configured: plain TCP may still read, but not change.
        assertThat(run("security", target, "show").exit()).isZero();
        MainTest.Run refused = run("security", target, "reset");
        assertThat(refused.exit()).isEqualTo(Main.REFUSED);
        assertThat(refused.err()).contains("0x0F").contains("0x5D Reset");
    }

    @Test
    void aRefusedStepAbortsTheSessionOfSet() {
        MainTest.Run r = run("security", target, "set", "--suites", "0xC037", "--no-psks");
        assertThat(r.exit()).isEqualTo(Main.REFUSED);
        assertThat(r.err()).contains("0x5E Apply_Config").contains("[0x0001]");
        assertThat(device.security().eip().state()).isZero();
        assertThat(run("security", target, "abort").exit()).as("the 0x5E session is already gone").isEqualTo(Main.REFUSED);
    }

    @Test
    void certificateInstancesAndFiles() throws Exception {
        MainTest.Run create = run("security", target, "create", "spare", "--json");
        assertThat(create.exit()).as(create.err()).isZero();
        assertThat(create.json()).containsEntry("instance", 2L);
        Path blob = Files.write(dir.resolve("blob.bin"), new byte[700]);
        MainTest.Run down = run("security", target, "download", blob.toString(), "--create", "blob", "--json");
        assertThat(down.exit()).as(down.err()).isZero();
        long file = ((Number) down.json().get("instance")).longValue();
        Path back = dir.resolve("back.bin");
        assertThat(run("security", target, "upload", Long.toString(file), "--out", back.toString()).exit()).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(new byte[700]);
        MainTest.Run files = run("security", target, "files");
        assertThat(files.out()).contains("blob (blob.bin): 700 bytes").contains("Device Certificate");
        MainTest.Run verify = run("security", target, "verify", "spare");
        assertThat(verify.exit()).isEqualTo(Main.REFUSED);
        assertThat(verify.err()).contains("0x5F Verify_Certificate");
        assertThat(run("security", target, "delete", "spare").exit()).isZero();
        assertThat(run("security", target, "delete", "spare").exit()).isEqualTo(Main.USAGE);
        // The blob File instance is referenced by nothing: Object_Cleanup removes it, then finds nothing more (0xD0).
        assertThat(run("security", target, "cleanup").exit()).isZero();
        assertThat(run("security", target, "files").out()).doesNotContain("blob");
        MainTest.Run again = run("security", target, "cleanup");
        assertThat(again.exit()).isEqualTo(Main.REFUSED);
        assertThat(again.err()).contains("0xD0").contains("0x5D Object_Cleanup");
    }

    @Test
    void usageErrors() {
        assertThat(run("security", target).exit()).isEqualTo(Main.USAGE);
        assertThat(run("security", target, "set").exit()).isEqualTo(Main.USAGE);
        assertThat(run("security", target, "set", "--verify-client", "maybe").exit()).isEqualTo(Main.USAGE);
        assertThat(run("security", target, "set", "--trusted-authority", "3").err()).contains("ambiguous");
        assertThat(run("security", target, "install-cert", "--instance", "1", "--cert", dir.resolve("none.pem").toString()).exit())
                .isEqualTo(Main.USAGE);
        assertThat(run("security", "127.0.0.1:2221", "--pin-sha256", "abcd", "show").err()).contains("--pin-sha256");
    }

    @Test
    void pskAndPinParsing() {
        assertThat(SecuritySetCommand.parsePsk("a:b:00ff:client")).containsExactly("a:b", "00ff", "client");
        assertThat(SecuritySetCommand.parsePsk("line-3:00ff")).containsExactly("line-3", "00ff", null);
        assertThatThrownBy(() -> SecuritySetCommand.parsePsk("nokey")).isInstanceOf(IllegalArgumentException.class);
        byte[] pin = PinnedCertificate.parse("SHA256=" + "AB:".repeat(31) + "AB");
        assertThat(pin).hasSize(32);
        assertThat(PinnedCertificate.parse("ab".repeat(32))).isEqualTo(pin);
        assertThatThrownBy(() -> PinnedCertificate.parse("ab".repeat(31))).isInstanceOf(IllegalArgumentException.class);
    }
}
