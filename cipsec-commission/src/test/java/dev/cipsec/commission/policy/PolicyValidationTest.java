package dev.cipsec.commission.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyValidationTest {
    private static List<String> problems(String text) {
        return PolicyModel.parse("policy.json", text).validate().stream().map(Problem::toString).toList();
    }

    @Test
    void theDocumentedExampleIsValidWithoutWarnings() throws Exception {
        PolicyModel m = PolicyFile.load(Path.of("../docs/examples/policy.json"));
        assertThat(m.validate()).isEmpty();
        assertThat(m.isValid()).isTrue();
        assertThat(m.zones()).extracting(PolicyModel.Zone::name).containsExactly("line1", "packaging", "control-room");
        assertThat(m.devices()).extracting(PolicyModel.Device::name).containsExactly("plc1", "drive1", "filler", "hmi1");
        assertThat(m.conduits()).extracting(PolicyModel.Conduit::name).containsExactly("hmi-line1", "hmi-packaging");
        assertThat(m.pskNames()).containsExactly("zone:packaging", "conduit:hmi-line1", "conduit:hmi-packaging");
    }

    @Test
    void theDocsSectionShowsTheExampleFile() throws Exception {
        String doc = Files.readString(Path.of("../docs/commissioning.md"));
        assertThat(doc).contains("## Policy model").contains(Files.readString(Path.of("../docs/examples/policy.json")).strip());
    }

    @Test
    void minimalPolicyTakesTheDefaults() {
        PolicyModel m = PolicyModel.parse("p.json", """
                {"version": 1, "zones": [{"name": "z"}], "devices": [{"name": "d", "zone": "z", "address": "10.0.0.1"}]}""");
        assertThat(m.validate()).isEmpty();
        assertThat(m.settings()).isEqualTo(PolicyModel.Settings.DEFAULTS);
        assertThat(m.settings().dtlsTimeoutSeconds()).isEqualTo(12);
        assertThat(m.settings().validityDays()).isEqualTo(825);
        assertThat(m.settings().checkExpiration()).isFalse();
        assertThat(m.zones().get(0)).isEqualTo(new PolicyModel.Zone("z", Authentication.CERTIFICATE,
                PolicyModel.Security.CONFIDENTIALITY, List.of(), List.of(), false));
        assertThat(m.devices().get(0).port()).isEqualTo(2221);
        assertThat(m.conduits()).isEmpty();
    }

    @Test
    void syntaxErrorIsTheOnlyProblem() {
        assertThat(problems("{\"version\": 1,\n  \"zones\": [}\n")).containsExactly(
                "policy.json:2:13: unexpected character '}'");
        assertThat(problems("{\"version\": 1, \"version\": 1}")).containsExactly(
                "policy.json:1:16: duplicate key \"version\" (first at 1:2)");
    }

    @Test
    void loadNamesTheFileAsGivenAndFailsOnlyForUnreadableFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("plant.json");
        Files.writeString(f, "[]");
        PolicyModel m = PolicyFile.load(f);
        assertThat(m.validate()).extracting(Problem::toString)
                .containsExactly(f + ":1:1: the policy must be a JSON object, found an array");
        assertThatThrownBy(() -> PolicyFile.load(dir.resolve("missing.json"))).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void wrongTypesMissingKeysAndUnknownKeys() {
        String text = """
                {"version": 2, "zone": [],
                 "settings": {"dtlsTimeoutSeconds": "12", "checkExpiration": 1, "certificate": []},
                 "devices": [{"nme": "plc1", "zone": 5, "address": "10.0.0.1", "port": 2221.5}],
                 "conduits": {}}""";
        assertThat(problems(text)).containsExactly(
                "policy.json:1:1: missing required key 'zones'",
                "policy.json:1:13: version: unsupported version 2, expected 1",
                "policy.json:1:16: zone: unknown key 'zone', did you mean 'zones'?",
                "policy.json:2:37: settings.dtlsTimeoutSeconds: expected a whole number, found a string",
                "policy.json:2:62: settings.checkExpiration: expected true or false, found a number",
                "policy.json:2:80: settings.certificate: expected an object, found an array",
                "policy.json:3:14: devices[0]: missing required key 'name'",
                "policy.json:3:15: devices[0].nme: unknown key 'nme', did you mean 'name'?",
                "policy.json:3:38: devices[0].zone: expected a string, found a number",
                "policy.json:3:72: devices[0].port: expected a whole number, found a number",
                "policy.json:4:14: conduits: expected an array, found an object");
    }

    @Test
    void unknownZoneIsNamedAtTheZoneValue() {
        String text = """
                {"version": 1,
                 "zones": [{"name": "line1"}],
                 "devices": [
                   {"name": "plc1", "zone": "line1", "address": "10.0.1.10"},
                   {"name": "plc2", "zone": "line1", "address": "10.0.1.11"},
                   {"name": "plc3", "zone": "line1", "address": "10.0.1.12"},
                   {"name": "plc4", "zone": "line9", "address": "10.0.1.13"}]}""";
        assertThat(problems(text)).containsExactly(
                "policy.json:7:29: devices[3].zone: unknown zone 'line9', did you mean 'line1'?");
    }

    @Test
    void duplicateNamesAndAddresses() {
        String text = """
                {"version": 1,
                 "zones": [{"name": "a"}, {"name": "a"}],
                 "devices": [
                  {"name": "d1", "zone": "a", "address": "10.0.0.1"},
                  {"name": "d1", "zone": "a", "address": "10.0.0.2"},
                  {"name": "d3", "zone": "a", "address": "10.0.0.1", "port": 2221},
                  {"name": "d4", "zone": "a", "address": "10.0.0.1", "port": 2222},
                  {"name": "d5", "zone": "a", "address": "PLC.example"},
                  {"name": "d6", "zone": "a", "address": "plc.example"},
                  {"name": "d7", "zone": "a", "address": "fe80::1"},
                  {"name": "d8", "zone": "a", "address": "fe80:0::0:1"}]}""";
        assertThat(problems(text)).containsExactly(
                "policy.json:2:36: zones[1].name: duplicate zone name 'a' (first at 2:21)",
                "policy.json:5:12: devices[1].name: duplicate device name 'd1' (first at 4:12)",
                "policy.json:6:42: devices[2].address: address 10.0.0.1:2221 already used by device 'd1'",
                "policy.json:9:42: devices[5].address: address plc.example:2221 already used by device 'd5'",
                "policy.json:11:42: devices[7].address: address fe80:0::0:1:2221 already used by device 'd7'");
    }

    @Test
    void addressesNamesFingerprintsAndIdentity() {
        String text = """
                {"version": 1, "zones": [{"name": "z"}], "devices": [
                 {"name": "d1", "zone": "z", "address": "10.0.0.256", "port": 0},
                 {"name": "bad name", "zone": "z", "address": "010.0.0.1", "port": 65536},
                 {"name": "d3", "zone": "z", "address": "10.0.0.3", "fingerprint": "AB12",
                  "identity": {"vendorId": 65536, "majorRevision": -1, "serialNumber": "C0FFEE", "vendor": 1}},
                 {"name": "d4", "zone": "z", "address": "10.0.0.4", "dnsName": "-bad-",
                  "identity": {"serialNumber": 4294967296}},
                 {"name": "d5", "zone": "z", "address": "10.0.0.5", "identity": {"serialNumber": true},
                  "fingerprint": "gg:12:AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB12AB"}]}""";
        assertThat(problems(text)).containsExactly(
                "policy.json:2:41: devices[0].address: '10.0.0.256' is neither an IP address nor a host name",
                "policy.json:2:63: devices[0].port: port must be 1..65535, found 0",
                "policy.json:3:11: devices[1].name: device name 'bad name' must be 1..64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                "policy.json:3:47: devices[1].address: '010.0.0.1' is neither an IP address nor a host name",
                "policy.json:3:68: devices[1].port: port must be 1..65535, found 65536",
                "policy.json:4:68: devices[2].fingerprint: fingerprint must be a SHA-256: 64 hex digits, colons allowed (found 4 characters without colons)",
                "policy.json:5:28: devices[2].identity.vendorId: vendorId must be 0..65535, found 65536",
                "policy.json:5:52: devices[2].identity.majorRevision: majorRevision must be 0..255, found -1",
                "policy.json:5:72: devices[2].identity.serialNumber: serial number must be a number or a \"0x\" hex string of up to 8 digits, found 'C0FFEE'",
                "policy.json:5:82: devices[2].identity.vendor: unknown key 'vendor', did you mean 'vendorId'?",
                "policy.json:6:64: devices[3].dnsName: '-bad-' is not a DNS host name",
                "policy.json:7:32: devices[3].identity.serialNumber: serial number must be 0..4294967295, found 4294967296",
                "policy.json:8:82: devices[4].identity.serialNumber: expected a number or a \"0x\" hex string, found a boolean",
                "policy.json:9:18: devices[4].fingerprint: fingerprint must be a SHA-256: 64 hex digits, colons allowed (found 66 characters without colons)");
    }

    @Test
    void settingsRanges() {
        String text = """
                {"version": 1, "zones": [], "devices": [], "settings": {"dtlsTimeoutSeconds": 3601,
                 "certificate": {"country": "FRA", "validityDays": 0, "organization": "%s", "locality": "a\\nb"}}}"""
                .formatted("x".repeat(65));
        assertThat(problems(text)).containsExactly(
                "policy.json:1:79: settings.dtlsTimeoutSeconds: dtlsTimeoutSeconds must be 1..3600, found 3601",
                "policy.json:2:29: settings.certificate.country: country must be a two-letter code (ISO 3166), found 'FRA'",
                "policy.json:2:52: settings.certificate.validityDays: validityDays must be 1..36500, found 0",
                "policy.json:2:71: settings.certificate.organization: organization longer than 64 characters (65)",
                "policy.json:2:152: settings.certificate.locality: locality contains control characters");
        assertThat(problems("""
                {"version": 1, "zones": [], "devices": [], "settings": {"dtlsTimeoutSeconds": 0}}"""))
                .containsExactly("policy.json:1:79: settings.dtlsTimeoutSeconds: dtlsTimeoutSeconds must be 1..3600, found 0");
    }

    @Test
    void suitesMustBeCipSecuritySuitesThatFitTheAuthentication() {
        String text = """
                {"version": 1, "devices": [{"name": "d", "zone": "z", "address": "10.0.0.1"}],
                 "zones": [{"name": "z", "suites": ["TLS_ECDHE_PSK_WITH_NULL_SHA256", "TLS_AES_128_GCM_SHA256", "C02B", "0xc02b", 49195]},
                           {"name": "p", "authentication": "psk", "security": "secret", "suites": ["ECDHE-ECDSA-AES128-GCM-SHA256"]},
                           {"name": "q", "authentication": "PSK", "suites": []}]}""";
        assertThat(problems(text)).containsExactly(
                "policy.json:2:37: zones[0].suites[0]: TLS_ECDHE_PSK_WITH_NULL_SHA256 is a PSK suite, but this zone authenticates with certificates",
                "policy.json:2:71: zones[0].suites[1]: 'TLS_AES_128_GCM_SHA256' is not a CIP Security cipher suite",
                "policy.json:2:105: zones[0].suites[3]: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 is listed twice",
                "policy.json:2:115: zones[0].suites[4]: expected a suite name or hex id as a string, found a number",
                "policy.json:3:12: zones[1]: warning: zone 'p' has no devices",
                "policy.json:3:63: zones[1].security: security must be \"integrity\" or \"confidentiality\", found 'secret'",
                "policy.json:3:84: zones[1].suites[0]: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 needs certificates, but this zone authenticates with a PSK",
                "policy.json:4:12: zones[2]: warning: zone 'q' has no devices",
                "policy.json:4:44: zones[2].authentication: authentication must be \"certificate\" or \"psk\", found 'PSK'",
                "policy.json:4:61: zones[2].suites: an explicit suite list needs at least one suite (leave it out to use the security level)");
    }

    @Test
    void conduitEndpoints() {
        String text = """
                {"version": 1, "zones": [{"name": "z"}],
                 "devices": [{"name": "d", "zone": "z", "address": "10.0.0.1"}, {"name": "e", "zone": "z", "address": "10.0.0.2"}],
                 "conduits": [
                  {"name": "c1", "between": ["zone:z", "device:d"]},
                  {"name": "c2", "between": ["device:d", "zone:z"]},
                  {"name": "c3", "between": ["device:e", "device:e"]},
                  {"name": "c4", "between": ["zone:y", "device:x", "device:d"]},
                  {"name": "c5", "between": ["zone:zz", "devic:d"]},
                  {"name": "c6", "between": [1, "device:f"]},
                  {"name": "c1", "between": ["device:e", "device:d"], "trustedIps": ["10.0.0.9", "plc", "10.0.0.9"]},
                  {"between": ["device:e", "zone:z"], "hybrid": "yes"}]}""";
        assertThat(problems(text)).containsExactly(
                "policy.json:5:29: conduits[1].between: conduit 'c1' already connects device:d and zone:z",
                "policy.json:6:29: conduits[2].between: both endpoints are device:e",
                "policy.json:7:29: conduits[3].between: a conduit is between exactly 2 endpoints, found 3",
                "policy.json:8:30: conduits[4].between[0]: unknown zone 'zz', did you mean 'z'?",
                "policy.json:8:41: conduits[4].between[1]: an endpoint is \"zone:<name>\" or \"device:<name>\", found 'devic:d'",
                "policy.json:9:30: conduits[5].between[0]: expected a string \"zone:<name>\" or \"device:<name>\", found a number",
                "policy.json:9:33: conduits[5].between[1]: unknown device 'f', did you mean 'd'?",
                "policy.json:10:12: conduits[6].name: duplicate conduit name 'c1' (first at 4:12)",
                "policy.json:10:82: conduits[6].trustedIps[1]: 'plc' is not an IP address",
                "policy.json:10:89: conduits[6].trustedIps[2]: 10.0.0.9 is listed twice",
                "policy.json:11:3: conduits[7]: missing required key 'name'",
                "policy.json:11:49: conduits[7].hybrid: expected true or false, found a string");
    }

    @Test
    void zoneWithoutDevicesIsOnlyAWarning() {
        PolicyModel m = PolicyModel.parse("policy.json", """
                {"version": 1, "zones": [{"name": "a"}, {"name": "empty"}],
                 "devices": [{"name": "d", "zone": "a", "address": "10.0.0.1"}]}""");
        assertThat(m.validate()).extracting(Problem::toString)
                .containsExactly("policy.json:1:41: zones[1]: warning: zone 'empty' has no devices");
        assertThat(m.validate().get(0).severity()).isEqualTo(Problem.Severity.WARNING);
        assertThat(m.isValid()).isTrue();
    }

    @Test
    void dnsNameLongerThanACommonNameIsRefused() {
        String dns = "a".repeat(40) + "." + "b".repeat(30);
        assertThat(problems("""
                {"version": 1, "zones": [{"name": "z"}], "devices": [{"name": "d", "zone": "z", "address": "10.0.0.1", "dnsName": "%s"}]}"""
                .formatted(dns))).containsExactly("policy.json:1:115: devices[0].dnsName: DNS name longer than 64"
                + " characters: it becomes the certificate's common name, which X.520 limits to 64");
    }
}
