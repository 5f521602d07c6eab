package dev.cipsec.scanner.tls;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.IdentityInfo;
import dev.cipsec.scanner.ListIdentityResult;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsHandshakeException;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cpf.CipSecurityItem;
import dev.cipsec.wire.epath.EPath;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our scanner and our adapter over TLS on the adapter's 2221 listener: sessions, explicit messaging, discovery. */
class SecureExplicitMessagingTest {
    static final PskCredential PSK = PskCredential.of("line-3", Bytes.fromHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0"));
    static final TlsPolicy POLICY = TlsPolicy.builder().psk(PSK)
            .suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256)
            .build();

    static CipDevice device(SecuritySettings security) throws IOException {
        return CipDevice.start(DeviceProfile.defaults().withSecurity(security).onEphemeralPorts());
    }

    static Target secure(CipDevice d) {
        return new Target("127.0.0.1", d.tlsAddress().getPort(), true);
    }

    @Test
    void registerSessionAndGetAttributeSingleOverTls() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(POLICY));
             CipClient c = CipClient.connect(secure(d), ClientOptions.defaults().withTls(POLICY))) {
            assertThat(c.sessionHandle()).isNotZero();
            assertThat(c.tlsSession()).hasValueSatisfying(info -> {
                assertThat(info.suite()).isEqualTo(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
                assertThat(info.pskIdentity()).contains("line-3");
            });
            IdentityInfo id = c.identity();
            assertThat(id.productName()).isEqualTo("cipsec adapter");
            Bytes name = c.getAttributeSingle(EPath.parse("1/1/7"));
            assertThat(name.length()).isEqualTo(1 + "cipsec adapter".length());
            assertThat(d.tls().stats().snapshot().completed()).isEqualTo(1);
        }
    }

    @Test
    void plainAndSecureTargetsFromOneClientConfiguration() throws Exception {
        ClientOptions options = ClientOptions.defaults().withTls(POLICY);
        try (CipDevice d = device(SecuritySettings.tls(POLICY));
             CipClient plain = CipClient.connect(new Target("127.0.0.1", d.tcpAddress().getPort(), false), options);
             CipClient tls = CipClient.connect(secure(d), options)) {
            assertThat(plain.tlsSession()).isEmpty();
            assertThat(tls.tlsSession()).isPresent();
            assertThat(plain.identity().serialNumber()).isEqualTo(tls.identity().serialNumber());
        }
    }

    @Test
    void listIdentityCarriesTheSecurityItemWithThePortsReallyOpen() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(POLICY));
             CipClient c = CipClient.connect(secure(d), ClientOptions.defaults().withTls(POLICY))) {
            ListIdentityResult li = c.listIdentity();
            assertThat(li.conforming()).as("%s", li.nonConformities()).isTrue();
            CipSecurityItem s = li.security().orElseThrow();
            assertThat(s.securityProfiles()).isEqualTo(0x0002);
            // Factory default until a tool configures it (SecurityObjectsDriveTlsTest).
            assertThat(s.cipSecurityState()).isZero();
            assertThat(s.eipSecurityState()).isZero();
            assertThat(s.isPortOpen(CipSecurityItem.PORT_TCP_2221)).isTrue();
            assertThat(s.isPortOpen(CipSecurityItem.PORT_TCP_44818)).isTrue();
            assertThat(s.isPortOpen(CipSecurityItem.PORT_UDP_2222)).isTrue();
            assertThat(s.isPortOpen(CipSecurityItem.PORT_UDP_2221)).as("DTLS is on by default").isTrue();
        }
        try (CipDevice d = device(SecuritySettings.tls(POLICY).withDtlsPort(SecuritySettings.NO_DTLS));
             CipClient c = CipClient.connect(secure(d), ClientOptions.defaults().withTls(POLICY))) {
            assertThat(c.listIdentity().security().orElseThrow().isPortOpen(CipSecurityItem.PORT_UDP_2221)).isFalse();
        }
    }

    @Test
    void aSecureOnlyDeviceHasNoPlainTcpListenerAndSaysSo() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(POLICY).withPlainTcp(false));
             CipClient c = CipClient.connect(secure(d), ClientOptions.defaults().withTls(POLICY))) {
            assertThat(d.tcpAddress()).isNull();
            CipSecurityItem s = c.listIdentity().security().orElseThrow();
            assertThat(s.isPortOpen(CipSecurityItem.PORT_TCP_44818)).isFalse();
            assertThat(s.isPortOpen(CipSecurityItem.PORT_TCP_2221)).isTrue();
        }
    }

    @Test
    void aPlainDeviceSendsNoSecurityItem() throws Exception {
        try (CipDevice d = device(SecuritySettings.none());
             CipClient c = CipClient.connect(new Target("127.0.0.1", d.tcpAddress().getPort(), false),
                     ClientOptions.defaults())) {
            assertThat(d.tlsAddress()).isNull();
            assertThat(c.listIdentity().cipSecurityCapable()).isFalse();
        }
    }

    @Test
    void aSecureTargetWithoutCredentialsIsRefusedBeforeConnecting() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(POLICY))) {
            assertThatThrownBy(() -> CipClient.connect(secure(d), ClientOptions.defaults()))
                    .isInstanceOf(IOException.class).hasMessageContaining("withTls");
        }
    }

    @Test
    void plainEncapsulationOnTheTlsPortGetsNoAnswerButAnAlert() throws Exception {
        try (CipDevice d = device(SecuritySettings.tls(POLICY));
             CipClient plainOnTls = CipClient.open(new Target("127.0.0.1", d.tlsAddress().getPort(), false),
                     ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(3)))) {
            // RegisterSession bytes are not a TLS record: the server answers with an alert and closes.
            assertThatThrownBy(plainOnTls::registerSession).isInstanceOf(IOException.class);
            dev.cipsec.transport.Await.until(Duration.ofSeconds(10),
                    () -> d.tls().stats().snapshot().failedTotal() == 1, "the failed handshake counted");
        }
    }

    @Test
    void aWrongPskNeverReachesTheEncapsulationLayer() throws Exception {
        TlsPolicy wrong = TlsPolicy.builder().psk(PskCredential.of("line-3", Bytes.fromHex("00000000000000000000000000000000")))
                .suites(POLICY.suites()).build();
        try (CipDevice d = device(SecuritySettings.tls(POLICY))) {
            assertThatThrownBy(() -> CipClient.connect(secure(d), ClientOptions.defaults().withTls(wrong)))
                    .isInstanceOf(TlsHandshakeException.class);
            assertThat(d.sessionCount()).isZero();
        }
    }
}
