package dev.cipsec.scanner.tls;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.Await;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cpf.CipSecurityItem;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskEntry;
import dev.cipsec.wire.security.PskList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a tool writes into the EtherNet/IP Security Object and applies is what the device's TLS
 * listener accepts: each attribute's effect is shown on real handshakes of our scanner against our
 * adapter, commissioned over TLS with the device's default credentials pinned (trust on first use).
 */
class SecurityObjectsDriveTlsTest {
    static final int CIP = 0x5D;
    static final int EIP = 0x5E;
    static final int BEGIN = 0x4B;
    static final int KICK = 0x4C;
    static final int APPLY = 0x4D;
    static final int END = 0x4D;
    static final PskCredential PSK = PskCredential.of("cell-7", Bytes.fromHex("00112233445566778899aabbccddeeff"));

    @TempDir
    Path state;

    static CipDevice device(SecuritySettings s) throws IOException {
        return CipDevice.start(DeviceProfile.defaults().withSecurity(s).onEphemeralPorts());
    }

    static Target secure(CipDevice d) {
        return new Target("127.0.0.1", d.tlsAddress().getPort(), true);
    }

    static Target plain(CipDevice d) {
        return new Target("127.0.0.1", d.tcpAddress().getPort(), false);
    }

    /** A client that pins the device's default certificate and offers {@code suites}. */
    static ClientOptions pinned(CipDevice d, CipherSuite... suites) {
        return ClientOptions.defaults().withTls(pinnedPolicy(d, suites));
    }

    static TlsPolicy pinnedPolicy(CipDevice d, CipherSuite... suites) {
        X509Certificate pin = d.defaultIdentity().certificate();
        return TlsPolicy.builder().suites(suites)
                .peerVerifier(PeerVerifier.trusting(TrustStore.of(List.of(pin), List.of(), List.of()), false)).build();
    }

    static ClientOptions pskClient(CipherSuite... suites) {
        return ClientOptions.defaults().withTls(TlsPolicy.builder().suites(suites).psk(PSK).build());
    }

    static MessageRouterResponse call(CipClient c, int service, int classId, Bytes data) throws IOException {
        return c.send(new MessageRouterRequest(service, EPath.classInstance(classId, 1), data));
    }

    static MessageRouterResponse set(CipClient c, int attribute, Bytes value) throws IOException {
        return c.send(new MessageRouterRequest(0x10, EPath.classInstanceAttribute(EIP, 1, attribute), value));
    }

    static void ok(MessageRouterResponse r) {
        assertThat(r.generalStatus()).as("%s", r).isZero();
    }

    /** Begin on both objects, the sets, Apply_Config and End_Config, as a commissioning tool does. */
    static void commission(CipClient c, Bytes allowed, Bytes psks, ApplyConfigRequest apply) throws IOException {
        ok(call(c, BEGIN, CIP, Bytes.EMPTY));
        ok(call(c, BEGIN, EIP, Bytes.EMPTY));
        ok(set(c, 4, allowed));
        if (psks != null) {
            ok(set(c, 5, psks));
        }
        ok(call(c, APPLY, EIP, apply.toBytes()));
        ok(call(c, END, CIP, Bytes.EMPTY));
    }

    static Bytes suites(int... ids) {
        return CipherSuiteList.of(ids).toBytes();
    }

    static Bytes psk() {
        return PskList.of(new PskEntry(PSK.identity(), PSK.key())).toBytes();
    }

    @Test
    void commissioningOverTlsWithTheDefaultCredentialsChangesWhatTheListenerAccepts() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(TlsPolicy.builder().build()).withStateDirectory(state))) {
            try (CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256))) {
                CipSecurityItem before = c.listIdentity().security().orElseThrow();
                assertThat(before.cipSecurityState()).isZero();
                assertThat(before.eipSecurityState()).isZero();
                commission(c, suites(0xC02B, 0xC037), psk(), new ApplyConfigRequest(0, 0));
                CipSecurityItem after = c.listIdentity().security().orElseThrow();
                assertThat(after.cipSecurityState()).isEqualTo(2);
                assertThat(after.eipSecurityState()).isEqualTo(2);
                assertThat(after.securityProfilesConfigured()).hasValue(0x0002);
                // Apply_Config without bit 0: the session that configured the device goes on.
                assertThat(c.identity().productName()).isEqualTo("cipsec adapter");
            }
            assertThatThrownBy(() -> CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256)))
                    .isInstanceOf(IOException.class);
            try (CipClient gcm = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
                 CipClient psk = CipClient.connect(secure(d), pskClient(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256))) {
                assertThat(gcm.tlsSession().orElseThrow().suite()).isEqualTo(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
                assertThat(psk.tlsSession().orElseThrow().pskIdentity()).contains("cell-7");
            }
            // A PSK suite the device no longer allows.
            assertThatThrownBy(() -> CipClient.connect(secure(d), pskClient(CipherSuite.TLS_ECDHE_PSK_WITH_NULL_SHA256)))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void aConfiguredDeviceTakesConfigurationOnlyOverTls() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(TlsPolicy.builder().build()))) {
            try (CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
                commission(c, suites(0xC02B), null, new ApplyConfigRequest(0, 0));
            }
            try (CipClient p = CipClient.connect(plain(d), ClientOptions.defaults())) {
                assertThat(call(p, BEGIN, CIP, Bytes.EMPTY).generalStatus()).isEqualTo(0x0F);
                assertThat(call(p, BEGIN, EIP, Bytes.EMPTY).generalStatus()).isEqualTo(0x0F);
                assertThat(call(p, 0x05, EIP, Bytes.EMPTY).generalStatus()).isEqualTo(0x0F);
                assertThat(call(p, 0x05, CIP, Bytes.EMPTY).generalStatus()).isEqualTo(0x0F);
                // Identity Reset type 1 would undo the commissioning: refused over plain TCP too.
                assertThat(p.send(new MessageRouterRequest(0x05, EPath.classInstance(1, 1), Bytes.of((byte) 1))).generalStatus())
                        .isEqualTo(0x0F);
                // Reading stays open to everyone.
                assertThat(p.getAttributeSingle(EPath.classInstanceAttribute(EIP, 1, 1)).get(0)).isEqualTo(2);
            }
            try (CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
                ok(call(c, BEGIN, EIP, Bytes.EMPTY));
                ok(call(c, 0x4E, EIP, Bytes.EMPTY)); // Abort_Config
                assertThat(c.getAttributeSingle(EPath.classInstanceAttribute(EIP, 1, 1)).get(0)).isEqualTo(2);
            }
        }
    }

    @Test
    void verifyClientCertificateWithATrustedAuthorityRefusesAnonymousClients() throws Exception {
        TestPki pki = TestPki.create("drive");
        try (CipDevice d = device(SecuritySettings.tls(TlsPolicy.builder().build()))) {
            long caFile = d.security().files().create("Plant CA", 2, pem(pki.root()), true);
            try (CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
                ok(call(c, BEGIN, EIP, Bytes.EMPTY));
                ok(set(c, 7, EPathList.of(EPath.classInstance(0x37, caFile)).toBytes()));
                ok(set(c, 9, Bytes.of((byte) 1)));
                ok(call(c, APPLY, EIP, Bytes.EMPTY));
            }
            assertThatThrownBy(() -> CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)))
                    .isInstanceOf(IOException.class);
            Identity client = pki.issueClient(KeyType.EC_P256, "engineering-station");
            ClientOptions withCert = ClientOptions.defaults().withTls(pinnedPolicy(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
                    .toBuilder().identity(client).build());
            try (CipClient c = CipClient.connect(secure(d), withCert)) {
                assertThat(c.identity().productName()).isEqualTo("cipsec adapter");
            }
            // A client certificate from another CA is refused.
            Identity stranger = TestPki.create("other").issueClient(KeyType.EC_P256, "stranger");
            ClientOptions strangerOptions = ClientOptions.defaults().withTls(pinnedPolicy(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
                    .toBuilder().identity(stranger).build());
            assertThatThrownBy(() -> CipClient.connect(secure(d), strangerOptions)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void applyConfigRefusesEachInvalidConfigurationAndKeepsThePolicy() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(TlsPolicy.builder().build()));
             CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
            TlsPolicy before = d.tlsPolicy();
            ok(call(c, BEGIN, EIP, Bytes.EMPTY));
            ok(set(c, 4, suites(0xC037)));
            assertRefused(c, 0x0001); // only PSK suites, no PSK
            ok(set(c, 4, suites(0x003C)));
            assertRefused(c, 0x0003); // only RSA suites, the device key is EC
            ok(set(c, 4, suites()));
            assertRefused(c, 0x0004); // no suite
            ok(set(c, 4, suites(0xC02B)));
            ok(set(c, 6, EPathList.empty().toBytes()));
            assertRefused(c, 0x0002); // certificate suites, no certificate
            assertThat(d.tlsPolicy()).isSameAs(before);
            assertThat(c.getAttributeSingle(EPath.classInstanceAttribute(EIP, 1, 1)).get(0)).isEqualTo(1);
            ok(call(c, 0x4E, EIP, Bytes.EMPTY));
            assertThat(c.getAttributeSingle(EPath.classInstanceAttribute(EIP, 1, 4))).isEqualTo(before.suites().stream()
                    .map(CipherSuite::id).collect(java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(),
                            l -> CipherSuiteList.of(l.stream().mapToInt(Integer::intValue).toArray()).toBytes())));
        }
    }

    private static void assertRefused(CipClient c, int code) throws IOException {
        MessageRouterResponse r = call(c, APPLY, EIP, Bytes.EMPTY);
        assertThat(r.generalStatus()).as("%s", r).isEqualTo(0xD0);
        assertThat(r.additionalStatus()).containsExactly(code);
    }

    @Test
    void applyWithCloseExistingClosesTheSessionsThatWereOpenAfterTheDelay() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(TlsPolicy.builder().build()));
             CipClient bystander = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
             CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
            commission(c, suites(0xC02B, 0xC02C), null, new ApplyConfigRequest(ApplyConfigRequest.CLOSE_EXISTING, 200));
            Await.until(Duration.ofSeconds(5), () -> d.tlsTcpStats().active() == 0, "existing TLS sessions closed");
            assertThatThrownBy(bystander::identity).isInstanceOf(IOException.class);
            try (CipClient again = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384))) {
                assertThat(again.tlsSession().orElseThrow().suite()).isEqualTo(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
            }
        }
    }

    @Test
    void aRestartKeepsTheAppliedPolicyAndTheDefaultIdentity() throws Exception {
        String fingerprint;
        SecuritySettings settings = SecuritySettings.tls(TlsPolicy.builder().build()).withStateDirectory(state);
        try (CipDevice d = device(settings)) {
            fingerprint = CredentialFiles.sha256Fingerprint(d.defaultIdentity().certificate());
            try (CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
                commission(c, suites(0xC02B, 0xC037), psk(), new ApplyConfigRequest(0, 0));
            }
        }
        try (CipDevice d = device(settings)) {
            assertThat(CredentialFiles.sha256Fingerprint(d.defaultIdentity().certificate())).isEqualTo(fingerprint);
            assertThat(d.security().cip().state()).isEqualTo(2);
            assertThat(d.security().eip().state()).isEqualTo(2);
            assertThatThrownBy(() -> CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)))
                    .isInstanceOf(IOException.class);
            try (CipClient psk = CipClient.connect(secure(d), pskClient(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256))) {
                assertThat(psk.tlsSession().orElseThrow().pskIdentity()).contains("cell-7");
            }
        }
    }

    @Test
    void aConfigurationSessionLeftAloneTimesOutAndChangesNothing() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(TlsPolicy.builder().build()).withSessionTimeout(Duration.ofMillis(300)));
             CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
            TlsPolicy before = d.tlsPolicy();
            ok(call(c, BEGIN, CIP, Bytes.EMPTY));
            ok(call(c, BEGIN, EIP, Bytes.EMPTY));
            ok(set(c, 4, suites(0xC02C)));
            ok(call(c, KICK, EIP, Bytes.EMPTY));
            Await.until(Duration.ofSeconds(5), () -> d.security().cip().state() == 3, "0x5D incomplete configuration");
            Await.until(Duration.ofSeconds(5), () -> d.security().eip().state() == 0, "0x5E back to factory default");
            assertThat(d.tlsPolicy()).isSameAs(before);
            assertThat(call(c, APPLY, EIP, Bytes.EMPTY).generalStatus()).isEqualTo(0x0C);
            assertThat(c.listIdentity().security().orElseThrow().cipSecurityState()).isEqualTo(3);
        }
    }

    static MessageRouterResponse portAdmin(CipClient c, String hex) throws IOException {
        return c.send(new MessageRouterRequest(0x4C, EPath.classInstance(0xF5, 1), Bytes.fromHex(hex)));
    }

    @Test
    void setPortAdminStateClosesPlainTcpUntilATlsClientOpensItAgain() throws Exception {
        SecuritySettings settings = SecuritySettings.tls(TlsPolicy.builder().build()).withStateDirectory(state);
        int plainPort;
        try (CipDevice d = device(settings)) {
            plainPort = d.tcpAddress().getPort();
            try (CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
                commission(c, suites(0xC02B), null, new ApplyConfigRequest(0, 0));
                try (CipClient p = CipClient.connect(plain(d), ClientOptions.defaults())) {
                    // Configured: plain TCP may not close itself.
                    assertThat(portAdmin(p, "01" + "12af" + "06" + "00").generalStatus()).isEqualTo(0x0F);
                }
                assertThat(portAdmin(c, "01" + "ae08" + "11" + "00").generalStatus()).as("UDP 2222 is not configurable").isEqualTo(0x20);
                assertThat(portAdmin(c, "01" + "5000" + "06" + "00").generalStatus()).as("no such port").isEqualTo(0x20);
                assertThat(portAdmin(c, "02" + "12af" + "06" + "00").generalStatus()).as("count lies").isEqualTo(0x13);
                assertThat(portAdmin(c, "01" + "12af" + "06" + "02").generalStatus()).isEqualTo(0x20);
                assertThat(portAdmin(c, "01" + "12af" + "06" + "00").generalStatus()).isZero();
                Await.until(Duration.ofSeconds(5), () -> d.tcpAddress() == null, "plain TCP closed");
                CipSecurityItem item = c.listIdentity().security().orElseThrow();
                assertThat(item.isPortOpen(CipSecurityItem.PORT_TCP_44818)).isFalse();
                assertThat(c.getAttributeSingle(EPath.classInstanceAttribute(0xF5, 1, 14)).toHex())
                        .startsWith("04" + "0b" + Bytes.of("EtherNet/IP".getBytes()).toHex() + "12af" + "06" + "00" + "01");
            }
            assertThatThrownBy(() -> CipClient.connect(new Target("127.0.0.1", plainPort, false), ClientOptions.defaults()))
                    .isInstanceOf(IOException.class);
        }
        try (CipDevice d = device(settings)) {
            assertThat(d.tcpAddress()).as("still closed after a restart").isNull();
            try (CipClient c = CipClient.connect(secure(d), pinned(d, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256))) {
                assertThat(portAdmin(c, "01" + "12af" + "06" + "01").generalStatus()).isZero();
            }
            Await.until(Duration.ofSeconds(5), () -> d.tcpAddress() != null, "plain TCP open again");
            try (CipClient p = CipClient.connect(plain(d), ClientOptions.defaults())) {
                assertThat(p.identity().productName()).isEqualTo("cipsec adapter");
            }
        }
    }

    static Bytes pem(X509Certificate c) throws Exception {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded());
        return Bytes.of(("-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII));
    }
}
