package dev.cipsec.cli.bench;

import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsConnector;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsStreamConnection;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.testkit.PeerTools;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code openssl s_server}'s ACCEPT line, as OpenSSL 3.0.19 prints it, and a server started from it. */
class OpenSslServerTest {
    @Test
    void acceptLineGivesThePortAndOtherLinesNothing() {
        assertThat(OpenSslServer.parseAcceptPort("ACCEPT 127.0.0.1:38269")).contains(38269);
        assertThat(OpenSslServer.parseAcceptPort("ACCEPT [::1]:4433")).contains(4433);
        assertThat(OpenSslServer.parseAcceptPort("ACCEPT localhost:51887")).contains(51887);
        assertThat(OpenSslServer.parseAcceptPort("Using default temp DH parameters")).isEmpty();
        assertThat(OpenSslServer.parseAcceptPort("ACCEPT 127.0.0.1:0")).isEmpty();
        assertThat(OpenSslServer.parseAcceptPort("ACCEPT 127.0.0.1:70000")).isEmpty();
        assertThat(OpenSslServer.parseAcceptPort("-----BEGIN SSL SESSION PARAMETERS-----")).isEmpty();
    }

    @Test
    void theParsedPortIsTheOneServingTls() throws Exception {
        PeerTools.require("openssl");
        PskCredential psk = PskCredential.of("bench-test", Bytes.fromHex("000102030405060708090a0b0c0d0e0f"));
        CipherSuite suite = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256;
        try (OpenSslServer s = OpenSslServer.start(false, List.of("-nocert", "-psk_identity", "bench-test", "-psk",
                psk.key().toHex(), "-cipher", suite.opensslName().orElseThrow()))) {
            TlsConnector c = new TlsConnector(TlsPolicy.builder().psk(psk).suites(suite).build());
            try (TlsStreamConnection conn = c.connect(s.address(), Duration.ofSeconds(5))) {
                assertThat(conn.info().suite()).isEqualTo(suite);
            }
        }
    }

    @Test
    void ciphersKnowsTheNullSuitesAtLevelZeroButNotD001() throws Exception {
        PeerTools.require("openssl");
        List<String> known = OpenSslServer.ciphers("ALL:eNULL:@SECLEVEL=0");

        assertThat(known).contains("ECDHE-ECDSA-NULL-SHA", "NULL-SHA256", "ECDHE-PSK-NULL-SHA256",
                "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-PSK-CHACHA20-POLY1305");
        assertThat(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256.opensslName()).isEmpty();
    }
}
