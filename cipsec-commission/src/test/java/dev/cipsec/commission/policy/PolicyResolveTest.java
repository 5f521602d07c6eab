package dev.cipsec.commission.policy;

import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.cert.CsrSubject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyResolveTest {
    @TempDir
    Path dir;

    private List<DevicePolicy> example() throws Exception {
        PolicyModel m = PolicyFile.load(Path.of("../docs/examples/policy.json"));
        return m.resolve(PskSecrets.open(dir.resolve("policy.json.secrets")));
    }

    private static List<DevicePolicy> resolve(String text, PskSecrets secrets) throws Exception {
        return PolicyModel.parse("p.json", text).resolve(secrets);
    }

    private static List<String> pskNames(DevicePolicy p) {
        return p.psks().stream().map(PskCredential::identityText).toList();
    }

    @Test
    void certificateDeviceInAZoneWithAPskConduit() throws Exception {
        DevicePolicy plc1 = example().get(0);
        assertThat(plc1.name()).isEqualTo("plc1");
        assertThat(plc1.zone()).isEqualTo("line1");
        assertThat(plc1.host()).isEqualTo("10.0.1.10");
        assertThat(plc1.tlsPort()).isEqualTo(2221);
        assertThat(plc1.expected()).isEqualTo(new ExpectedIdentity(1, 14, 55, 3, 0xC0FFEEL));
        assertThat(plc1.expectFingerprint()).isEqualTo("3A7F09C2551BE04D8C219F6AB307E45812CD90AF663B7105D8E24C19A05FB73E");
        assertThat(plc1.authentication()).isEqualTo(Authentication.CERTIFICATE);
        // Its zone's encrypting ECDSA suites, the conduit's two explicit PSK suites: AEAD, CBC, then NULL.
        assertThat(plc1.allowedSuites()).containsExactly(0xC02B, 0xC02C, 0xCCA9, 0xC023, 0xC024, 0xC037, 0xC03A);
        assertThat(pskNames(plc1)).containsExactly("conduit:hmi-line1");
        assertThat(plc1.psks().get(0).usage()).isEqualTo(PskCredential.Usage.ANY);
        assertThat(plc1.psks().get(0).key().length()).isEqualTo(32);
        assertThat(plc1.subject()).isEqualTo(new CsrSubject("plc1.line1", "Acme", "Plant 3", "Lyon", "ARA", "FR", "", "",
                List.of("IP:10.0.1.10", "DNS:plc1.line1")));
        assertThat(plc1.validityDays()).isEqualTo(825);
        assertThat(plc1.verifyClientCertificate()).isTrue();
        assertThat(plc1.sendCertificateChain()).isTrue();
        assertThat(plc1.checkExpiration()).isFalse();
        assertThat(plc1.dtlsTimeoutSeconds()).isEqualTo(12);
        assertThat(plc1.trustedIps()).containsExactly("10.0.1.50");
        assertThat(plc1.closePlainPort()).isFalse();
    }

    @Test
    void deviceWithoutDnsNameIsNamedByItsName() throws Exception {
        DevicePolicy drive = example().get(1);
        assertThat(drive.subject().commonName()).isEqualTo("drive1");
        assertThat(drive.subject().subjectAltNames()).containsExactly("IP:10.0.1.11");
        assertThat(drive.expected()).isEqualTo(new ExpectedIdentity(1, 2, 90, null, null));
        assertThat(drive.expectFingerprint()).isEmpty();
    }

    @Test
    void pskOnlyDeviceGetsOnePskPerRelationship() throws Exception {
        DevicePolicy filler = example().get(2);
        assertThat(filler.authentication()).isEqualTo(Authentication.PSK);
        assertThat(filler.verifyClientCertificate()).isFalse();
        assertThat(pskNames(filler)).containsExactly("zone:packaging", "conduit:hmi-packaging");
        // Integrity zone: PSK AEAD, CBC, then the PSK NULL suite.
        assertThat(filler.allowedSuites()).containsExactly(0xD001, 0xCCAC, 0xC037, 0xC03A);
        assertThat(filler.expected()).isEqualTo(new ExpectedIdentity(283, null, null, null, 305419896L));
        assertThat(filler.closePlainPort()).as("hybrid conduit").isFalse();
        assertThat(filler.trustedIps()).isEmpty();
    }

    @Test
    void deviceNamedByTwoConduitsSharesTheirKeysWithTheOtherEnds() throws Exception {
        List<DevicePolicy> all = example();
        DevicePolicy plc1 = all.get(0);
        DevicePolicy filler = all.get(2);
        DevicePolicy hmi = all.get(3);
        assertThat(hmi.authentication()).isEqualTo(Authentication.CERTIFICATE);
        assertThat(pskNames(hmi)).containsExactly("conduit:hmi-line1", "conduit:hmi-packaging");
        assertThat(hmi.allowedSuites()).containsExactly(0xC02B, 0xC02C, 0xCCA9, 0xD001, 0xCCAC, 0xC023, 0xC024, 0xC037, 0xC03A);
        assertThat(hmi.psks().get(0)).isEqualTo(plc1.psks().get(0));
        assertThat(hmi.psks().get(1)).isEqualTo(filler.psks().get(1));
        assertThat(hmi.subject().subjectAltNames()).containsExactly("IP:10.0.9.5", "DNS:hmi1.plant3");
    }

    @Test
    void keysAreStableAcrossResolutions() throws Exception {
        List<DevicePolicy> first = example();
        List<DevicePolicy> second = example();
        assertThat(second).isEqualTo(first);
        assertThat(second.get(2).configHash()).isEqualTo(first.get(2).configHash());
        assertThat(PskSecrets.open(dir.resolve("policy.json.secrets")).names())
                .containsExactly("conduit:hmi-line1", "zone:packaging", "conduit:hmi-packaging");
    }

    @Test
    void plainPortClosesWithoutTrustedIpsOrHybridAndLevelsPickSuites() throws Exception {
        List<DevicePolicy> p = resolve("""
                {"version": 1, "settings": {"checkExpiration": true, "dtlsTimeoutSeconds": 30,
                   "certificate": {"validityDays": 365, "country": "fr", "includeDnsName": true}},
                 "zones": [{"name": "a", "security": "integrity"}, {"name": "b", "suites": ["TLS_RSA_WITH_AES_128_CBC_SHA256", "0xC02C"]}],
                 "devices": [{"name": "d1", "zone": "a", "address": "plc.example", "port": 3000},
                             {"name": "d2", "zone": "b", "address": "fe80::1"}]}""", PskSecrets.open(dir.resolve("s")));
        DevicePolicy d1 = p.get(0);
        assertThat(d1.allowedSuites()).containsExactly(0xC02B, 0xC02C, 0xCCA9, 0xC023, 0xC024, 0xC006);
        assertThat(d1.closePlainPort()).isTrue();
        assertThat(d1.psks()).isEmpty();
        assertThat(d1.tlsPort()).isEqualTo(3000);
        assertThat(d1.checkExpiration()).isTrue();
        assertThat(d1.dtlsTimeoutSeconds()).isEqualTo(30);
        assertThat(d1.validityDays()).isEqualTo(365);
        assertThat(d1.subject().country()).isEqualTo("FR");
        // A host name is no IP SAN, and without a dnsName there is no DNS SAN either.
        assertThat(d1.subject().subjectAltNames()).isEmpty();
        assertThat(p.get(1).allowedSuites()).as("RSA only when listed").containsExactly(0xC02C, 0x003C);
        assertThat(p.get(1).subject().subjectAltNames()).containsExactly("IP:fe80::1");
        assertThat(Files.exists(dir.resolve("s"))).as("no PSK, no secrets file").isFalse();
    }

    @Test
    void policyWithErrorsDoesNotResolve() {
        PolicyModel m = PolicyModel.parse("p.json", "{\"version\": 1, \"zones\": [], \"devices\": [{}]}");
        assertThatThrownBy(() -> m.resolve(PskSecrets.open(dir.resolve("s"))))
                .isInstanceOfSatisfying(PolicyException.class, e -> {
                    assertThat(e.problems()).hasSize(3);
                    assertThat(e.getMessage()).isEqualTo("3 errors in the policy, first: p.json:1:41: devices[0]: missing required key 'name'");
                });
    }

    @Test
    void previewGeneratesNothingOnDisk() throws Exception {
        PolicyModel m = PolicyFile.load(Path.of("../docs/examples/policy.json"));
        PskSecrets preview = PskSecrets.preview(dir.resolve("policy.json.secrets"));
        List<DevicePolicy> a = m.resolve(preview);
        assertThat(m.resolve(preview)).as("stable within one preview").isEqualTo(a);
        assertThat(Files.exists(dir.resolve("policy.json.secrets"))).isFalse();
        assertThat(preview.contains("zone:packaging")).isFalse();
    }
}
