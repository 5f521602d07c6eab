package dev.cipsec.cli;

import dev.cipsec.adapter.config.Json;
import dev.cipsec.commission.policy.PskSecrets;
import dev.cipsec.transport.tls.PskCredential;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyCommandTest {
    @TempDir
    Path dir;
    Path policy;

    record Run(int exit, String out, String err) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return (Map<String, Object>) Json.parse(out);
        }
    }

    static Run run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = String.valueOf(args[i]);
        }
        int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), a);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeEach
    void copyExample() throws Exception {
        policy = dir.resolve("policy.json");
        Files.copy(Path.of("../docs/examples/policy.json"), policy);
    }

    private static String hex(PskCredential c) {
        return HexFormat.of().formatHex(c.key().toArray());
    }

    @Test
    void validateListsThePsksAndCreatesNothing() {
        Run r = run("policy", "validate", policy);
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("""
                PSK zone:packaging: will be generated
                PSK conduit:hmi-line1: will be generated
                PSK conduit:hmi-packaging: will be generated
                %s: valid (3 zones, 4 devices, 2 conduits, 0 warnings)
                """.formatted(policy));
        assertThat(Files.exists(dir.resolve("policy.json.secrets"))).isFalse();
    }

    @Test
    void validateSaysWhichPsksArePresentWithoutPrintingThem() throws Exception {
        PskCredential key = PskSecrets.open(dir.resolve("policy.json.secrets")).getOrCreate("conduit:hmi-line1");
        Run r = run("policy", "validate", policy);
        assertThat(r.out()).contains("PSK conduit:hmi-line1: present\n").doesNotContain(hex(key));
        Run j = run("policy", "validate", policy, "--json");
        assertThat(j.exit()).isZero();
        assertThat(j.out()).doesNotContain(hex(key));
        assertThat(j.json()).containsEntry("valid", true).containsEntry("psks", Map.of("zone:packaging", "will be generated",
                "conduit:hmi-line1", "present", "conduit:hmi-packaging", "will be generated"));
    }

    @Test
    void validateReportsEveryProblemOneLineEach() throws Exception {
        Files.writeString(policy, Files.readString(policy).replace("\"zone\": \"packaging\"", "\"zone\": \"packing\"")
                .replace("\"port\": 2221", "\"prot\": 2221"));
        Run r = run("policy", "validate", policy);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("""
                %1$s:19:5: zones[1]: warning: zone 'packaging' has no devices
                %1$s:23:64: devices[0].prot: unknown key 'prot', did you mean 'port'?
                %1$s:29:33: devices[2].zone: unknown zone 'packing', did you mean 'packaging'?
                %1$s: 2 errors, 1 warning
                """.formatted(policy).replace("%1$s", policy.toString()));
        Run j = run("policy", "validate", policy, "--json");
        assertThat(j.exit()).isEqualTo(1);
        assertThat(j.json()).containsEntry("valid", false).containsEntry("errors", 2L);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> problems = (List<Map<String, Object>>) j.json().get("problems");
        assertThat(problems.get(2)).containsEntry("line", 29L).containsEntry("column", 33L)
                .containsEntry("path", "devices[2].zone").containsEntry("severity", "ERROR");
    }

    @Test
    void syntaxErrorIsOneLine() throws Exception {
        Files.writeString(policy, "{\"version\": 1,,}");
        Run r = run("policy", "validate", policy);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo(policy + ":1:15: expected a string key\n" + policy + ": 1 error, 0 warnings\n");
    }

    @Test
    void missingFileIsAnIoError() {
        Run r = run("policy", "validate", dir.resolve("nope.json"));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("nope.json");
    }

    @Test
    void showResolvesEachDeviceWithoutKeys() throws Exception {
        PskCredential key = PskSecrets.open(dir.resolve("policy.json.secrets")).getOrCreate("zone:packaging");
        Run r = run("policy", "show", policy);
        assertThat(r.exit()).isZero();
        assertThat(r.out()).doesNotContain(hex(key)).contains("""
                filler:
                  zone: packaging
                  address: 10.0.2.20:2221
                  expected identity: vendor 283, serial 0x12345678
                  expected fingerprint: none
                  authentication: psk
                  allowed suites: TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 (0xD001), TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 (0xCCAC), TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256 (0xC037), TLS_ECDHE_PSK_WITH_NULL_SHA256 (0xC03A)
                  PSKs: zone:packaging (present), conduit:hmi-packaging (will be generated)
                  certificate subject: CN=filler, O=Acme, OU=Plant 3, L=Lyon, ST=ARA, C=FR
                """).contains("  plain port: stays open\n");
        Run j = run("policy", "show", policy, "--json");
        assertThat(j.exit()).isZero();
        assertThat(j.out()).doesNotContain(hex(key));
        assertThat((List<?>) j.json().get("devices")).hasSize(4);
        assertThat(PskSecrets.open(dir.resolve("policy.json.secrets")).names()).containsExactly("zone:packaging");
    }

    @Test
    void diffListsChangedDevicesAndCountsTheRest() throws Exception {
        Path old = dir.resolve("old.json");
        Files.copy(policy, old);
        Files.writeString(policy, Files.readString(policy).replace("\"10.0.1.11\"", "\"10.0.1.12\"")
                .replace("\"hybrid\": true", "\"hybrid\": false"));
        Run r = run("policy", "diff", policy, "--against", old);
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("""
                CHANGED drive1
                  address 10.0.1.11 -> 10.0.1.12
                  certificate alternative names IP:10.0.1.11 -> IP:10.0.1.12
                CHANGED filler
                  plain port: stays open -> closed
                CHANGED hmi1
                  plain port: stays open -> closed
                1 device unchanged
                """);
        assertThat(Files.exists(dir.resolve("policy.json.secrets"))).as("diff writes nothing").isFalse();
        Run j = run("policy", "diff", policy, "--against", old, "--json");
        assertThat(j.json()).containsEntry("unchanged", 1L);
        assertThat((List<?>) j.json().get("devices")).hasSize(3);
    }

    @Test
    void diffRefusesAnInvalidPolicy() throws Exception {
        Path old = dir.resolve("old.json");
        Files.writeString(old, "[]");
        Run r = run("policy", "diff", policy, "--against", old);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo(old + ":1:1: the policy must be a JSON object, found an array\n");
    }

    @Test
    void rotatePskChangesTheKeyAndNeverPrintsIt() throws Exception {
        Path secrets = dir.resolve("policy.json.secrets");
        PskCredential before = PskSecrets.open(secrets).getOrCreate("conduit:hmi-line1");
        Run r = run("policy", "rotate-psk", policy, "conduit:hmi-line1");
        assertThat(r.exit()).isZero();
        PskCredential after = PskSecrets.open(secrets).getOrCreate("conduit:hmi-line1");
        assertThat(after.key()).isNotEqualTo(before.key());
        assertThat(r.out()).isEqualTo("PSK conduit:hmi-line1: rotated in " + secrets
                + "; deploy the policy to plc1, drive1, hmi1\n").doesNotContain(hex(after)).doesNotContain(hex(before));
        Run unknown = run("policy", "rotate-psk", policy, "zone:line1");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("the policy has no PSK named 'zone:line1'; its PSKs: zone:packaging, "
                + "conduit:hmi-line1, conduit:hmi-packaging");
    }

    @Test
    void explicitSecretsFileIsUsed() throws Exception {
        Path other = dir.resolve("elsewhere.secrets");
        PskSecrets.open(other).getOrCreate("zone:packaging");
        assertThat(run("policy", "validate", policy, "--secrets", other).out()).contains("PSK zone:packaging: present");
        assertThat(run("policy", "validate", policy).out()).contains("PSK zone:packaging: will be generated");
    }
}
