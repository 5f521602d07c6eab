package dev.cipsec.commission.policy;

import dev.cipsec.commission.policy.DeviceChange.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyDiffTest {
    @TempDir
    Path dir;

    private static final String BEFORE = """
            {"version": 1,
             "zones": [{"name": "line1", "trustedIps": ["10.0.1.50"]}, {"name": "pk", "authentication": "psk"}],
             "devices": [{"name": "plc1", "zone": "line1", "address": "10.0.1.10"},
                         {"name": "plc2", "zone": "line1", "address": "10.0.1.12"},
                         {"name": "old", "zone": "line1", "address": "10.0.1.13"},
                         {"name": "f", "zone": "pk", "address": "10.0.2.1"}],
             "conduits": [{"name": "hmi-line1", "between": ["zone:line1", "zone:pk"], "authentication": "psk",
                           "suites": ["C037"]}]}""";

    private static final String AFTER = """
            {"version": 1, "settings": {"dtlsTimeoutSeconds": 20},
             "zones": [{"name": "line1", "suites": ["C02B"]}, {"name": "pk", "authentication": "psk"}],
             "devices": [{"name": "plc1", "zone": "line1", "address": "10.0.1.11", "fingerprint": "%s"},
                         {"name": "plc2", "zone": "line1", "address": "10.0.1.12"},
                         {"name": "new", "zone": "line1", "address": "10.0.1.13"},
                         {"name": "f", "zone": "pk", "address": "10.0.2.1"}]}""".formatted("ab".repeat(32));

    @Test
    void namesEveryChangeInWords() throws Exception {
        PskSecrets secrets = PskSecrets.open(dir.resolve("s"));
        List<DevicePolicy> before = PolicyModel.parse("old.json", BEFORE).resolve(secrets);
        List<DevicePolicy> after = PolicyModel.parse("new.json", AFTER).resolve(secrets);
        List<DeviceChange> d = PolicyDiff.compare(before, after);
        assertThat(d).extracting(DeviceChange::device).containsExactly("plc1", "plc2", "new", "f", "old");
        assertThat(d).extracting(DeviceChange::kind).containsExactly(Kind.CHANGED, Kind.CHANGED, Kind.ADDED, Kind.CHANGED, Kind.REMOVED);
        assertThat(d.get(0).changes()).containsExactly(
                "address 10.0.1.10 -> 10.0.1.11",
                "expected fingerprint none -> " + "AB".repeat(32),
                "allowed suites: C02B,C02C,CCA9,C023,C024,C037 -> C02B",
                "PSK conduit:hmi-line1: removed",
                "certificate alternative names IP:10.0.1.10 -> IP:10.0.1.11",
                "DTLS timeout 12 s -> 20 s",
                "plain port: stays open -> closed",
                "trusted IPs 10.0.1.50 -> none");
        assertThat(d.get(2).changes()).isEmpty();
        assertThat(d.get(3).changes()).as("the conduit's C037 is also in the PSK zone's own suites")
                .containsExactly("PSK conduit:hmi-line1: removed", "DTLS timeout 12 s -> 20 s");
    }

    @Test
    void rotatedKeyAndUnchangedDevice() throws Exception {
        String text = """
                {"version": 1, "zones": [{"name": "z", "authentication": "psk"}, {"name": "c"}],
                 "devices": [{"name": "d", "zone": "z", "address": "10.0.0.1"}, {"name": "e", "zone": "c", "address": "10.0.0.2"}]}""";
        PskSecrets secrets = PskSecrets.open(dir.resolve("s"));
        PolicyModel m = PolicyModel.parse("p.json", text);
        List<DevicePolicy> before = m.resolve(secrets);
        secrets.rotate("zone:z");
        List<DeviceChange> d = PolicyDiff.compare(before, m.resolve(secrets));
        assertThat(d).containsExactly(new DeviceChange("d", Kind.CHANGED, List.of("PSK zone:z: key rotated")),
                new DeviceChange("e", Kind.UNCHANGED, List.of()));
        assertThat(PolicyDiff.compare(before, before)).extracting(DeviceChange::kind).containsOnly(Kind.UNCHANGED);
    }

    @Test
    void renamedDeviceIsRemovedAndAdded() throws Exception {
        PskSecrets secrets = PskSecrets.open(dir.resolve("s"));
        String a = "{\"version\": 1, \"zones\": [{\"name\": \"z\"}], \"devices\": [{\"name\": \"%s\", \"zone\": \"z\", \"address\": \"10.0.0.1\"}]}";
        List<DeviceChange> d = PolicyDiff.compare(PolicyModel.parse("a", a.formatted("x")).resolve(secrets),
                PolicyModel.parse("b", a.formatted("y")).resolve(secrets));
        assertThat(d).containsExactly(new DeviceChange("y", Kind.ADDED, List.of()), new DeviceChange("x", Kind.REMOVED, List.of()));
    }

    @Test
    void identityAuthenticationAndSubjectChanges() throws Exception {
        PskSecrets secrets = PskSecrets.open(dir.resolve("s"));
        List<DevicePolicy> before = PolicyModel.parse("a", """
                {"version": 1, "zones": [{"name": "z"}],
                 "devices": [{"name": "d", "zone": "z", "address": "10.0.0.1", "identity": {"vendorId": 1}}]}""").resolve(secrets);
        List<DevicePolicy> after = PolicyModel.parse("b", """
                {"version": 1, "settings": {"checkExpiration": true, "certificate": {"organization": "Acme", "validityDays": 90}},
                 "zones": [{"name": "z", "authentication": "psk"}],
                 "devices": [{"name": "d", "zone": "z", "address": "10.0.0.1", "port": 2222,
                              "identity": {"vendorId": 1, "productCode": 7, "serialNumber": "0xFF"}}]}""").resolve(secrets);
        assertThat(PolicyDiff.compare(before, after).get(0).changes()).containsExactly(
                "TLS port 2221 -> 2222",
                "expected identity (vendor 1) -> (vendor 1, product 7, serial 0x000000FF)",
                "authentication certificate -> PSK",
                "allowed suites: C02B,C02C,CCA9,C023,C024 -> D001,CCAC,C037",
                "PSK zone:z: added",
                "certificate subject CN=d -> CN=d, O=Acme",
                "certificate validity 825 days -> 90 days",
                "verify client certificate yes -> no",
                "check expiration no -> yes");
    }
}
