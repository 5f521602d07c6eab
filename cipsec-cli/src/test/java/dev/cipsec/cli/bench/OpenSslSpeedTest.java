package dev.cipsec.cli.bench;

import dev.cipsec.transport.tls.CipherSuite;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The {@code openssl speed -mr} parser against output captured from OpenSSL 3.0.19, and the suite mapping. */
class OpenSslSpeedTest {
    /** {@code openssl speed -mr -evp aes-128-gcm -bytes 64 -seconds 1}, whole output. */
    private static final String GCM_64 = """
            +DT:AES-128-GCM:1:64
            +R:1675134:AES-128-GCM:1.000000
            +H:64
            +F:25:AES-128-GCM:107208576.00
            """;

    /** {@code openssl speed -mr -evp aes-128-cbc -hmac sha256 -bytes 64 -seconds 1}, with the lines around it. */
    private static final String CBC_HMAC_64 = """
            Doing hmac(sha256) for 1s on 64 size blocks: 985529 hmac(sha256)'s in 0.99s
            +DT:hmac(sha256):1:64
            +R:985529:hmac(sha256):0.990000
            +DT:AES-128-CBC:1:64
            +R:13444674:AES-128-CBC:0.990000
            version: 3.0.19
            built on: Tue Jan 27 12:00:00 2026 UTC
            options: bn(64,64)
            compiler: gcc -fPIC -pthread -m64 -Wa,--noexecstack -Wall
            CPUINFO: OPENSSL_ia32cap=0xfffa32034f8bffff:0x81cd19e67eb
            +H:64
            +F:9:hmac(sha256):63710965.66
            +F:25:AES-128-CBC:869150642.42
            """;

    private static final String CHACHA_16K = """
            +DT:ChaCha20-Poly1305:1:16384
            +R:86386:ChaCha20-Poly1305:0.940000
            +H:16384
            +F:25:ChaCha20-Poly1305:1505689600.00
            """;

    @Test
    void oneResultPerRunLineWithTheSizeItsAnnouncementNamed() {
        List<OpenSslSpeed.Result> r = OpenSslSpeed.parse(GCM_64);

        assertThat(r).containsExactly(new OpenSslSpeed.Result("AES-128-GCM", 64, 1_675_134, 1.0));
        assertThat(r.getFirst().nanosPerOp()).isCloseTo(1e9 / 1_675_134, within(1e-6));
    }

    @Test
    void cipherAndHmacInOneRunAreBothParsedAndTheSummaryLinesIgnored() {
        List<OpenSslSpeed.Result> r = OpenSslSpeed.parse(CBC_HMAC_64);

        assertThat(r).containsExactly(new OpenSslSpeed.Result("hmac(sha256)", 64, 985_529, 0.99),
                new OpenSslSpeed.Result("AES-128-CBC", 64, 13_444_674, 0.99));
    }

    @Test
    void bulkSizeAndTheAeadNameAsOpensslSpellsIt() {
        assertThat(OpenSslSpeed.parse(CHACHA_16K))
                .containsExactly(new OpenSslSpeed.Result("ChaCha20-Poly1305", 16_384, 86_386, 0.94));
    }

    @Test
    void anErrorOrAResultWithoutItsAnnouncementGivesNothing() {
        assertThat(OpenSslSpeed.parse("speed: Unknown algorithm aes-999-gcm\nerror in speed\n")).isEmpty();
        assertThat(OpenSslSpeed.parse("+R:1675134:AES-128-GCM:1.000000\n")).isEmpty();
    }

    @Test
    void everySuiteMapsToItsCipherAndMacDigest() {
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_RSA_WITH_NULL_SHA256).describe()).isEqualTo("hmac(sha256)");
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_ECDHE_ECDSA_WITH_NULL_SHA).describe()).isEqualTo("hmac(sha1)");
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_ECDHE_PSK_WITH_NULL_SHA256).describe()).isEqualTo("hmac(sha256)");
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256).describe())
                .isEqualTo("aes-128-cbc + hmac(sha256)");
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256).describe())
                .isEqualTo("aes-256-cbc + hmac(sha256)");
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384).describe())
                .isEqualTo("aes-256-cbc + hmac(sha384)");
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256).describe())
                .isEqualTo("aes-128-cbc + hmac(sha256)");
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).describe())
                .isEqualTo("aes-128-gcm");
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384).describe())
                .isEqualTo("aes-256-gcm");
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256).describe())
                .isEqualTo("chacha20-poly1305");
        // OpenSSL lacks the suite, not its cipher.
        assertThat(OpenSslSpeed.baselineFor(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).describe())
                .isEqualTo("aes-128-gcm");
    }

    @Test
    void commandNamesCipherHmacSizeAndTime() {
        assertThat(OpenSslSpeed.command(OpenSslSpeed.baselineFor(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256), 512, 1))
                .containsExactly("openssl", "speed", "-mr", "-evp", "aes-128-cbc", "-hmac", "sha256", "-bytes", "512",
                        "-seconds", "1");
    }
}
