package dev.cipsec.cli.bench;

import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Throw-away credentials for one bench run, the same for our servers and for {@code openssl
 * s_server}: a self-signed RSA 2048 certificate (RSA suites), a self-signed EC P-256 one
 * (ECDHE-ECDSA suites) and a random PSK, in memory and as PEM files in a temporary directory that
 * {@link #close()} deletes.
 */
final class BenchCredentials implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Far beyond a loopback handshake; a failed one is counted, not waited for. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    final Identity rsa;
    final Identity ec;
    final PskCredential psk;
    final Path dir;

    private BenchCredentials(Identity rsa, Identity ec, PskCredential psk, Path dir) {
        this.rsa = rsa;
        this.ec = ec;
        this.psk = psk;
        this.dir = dir;
    }

    static BenchCredentials create() throws IOException {
        Identity rsa = selfSigned("RSA", 2048, "SHA256withRSA");
        Identity ec = selfSigned("EC", 256, "SHA256withECDSA");
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        PskCredential psk = PskCredential.of("cipsec-bench", Bytes.of(key));
        Path dir = Files.createTempDirectory("cipsec-bench-");
        CredentialFiles.writePem(dir.resolve("rsa-cert.pem"), rsa.chain());
        CredentialFiles.writePem(dir.resolve("rsa-key.pem"), rsa.key());
        CredentialFiles.writePem(dir.resolve("ec-cert.pem"), ec.chain());
        CredentialFiles.writePem(dir.resolve("ec-key.pem"), ec.key());
        return new BenchCredentials(rsa, ec, psk, dir);
    }

    /**
     * {@code s_server} arguments serving every suite with these credentials: the RSA certificate,
     * the EC one as its second ({@code -dcert}), the PSK, and every cipher including the NULL ones,
     * which need security level 0.
     */
    List<String> opensslServerArgs() {
        return new ArrayList<>(List.of("-cert", dir.resolve("rsa-cert.pem").toString(), "-key",
                dir.resolve("rsa-key.pem").toString(), "-dcert", dir.resolve("ec-cert.pem").toString(), "-dkey",
                dir.resolve("ec-key.pem").toString(), "-psk_identity", psk.identityText(), "-psk", psk.key().toHex(),
                "-cipher", "ALL:eNULL:@SECLEVEL=0"));
    }

    /** Our server's policy for one suite: that suite only, with the credentials it needs. */
    TlsPolicy serverPolicy(CipherSuite suite) {
        TlsPolicy.Builder b = TlsPolicy.builder().suites(suite).handshakeTimeout(HANDSHAKE_TIMEOUT);
        return switch (suite.keyExchange()) {
            case RSA -> b.identity(rsa).build();
            case ECDHE_ECDSA -> b.identity(ec).build();
            case ECDHE_PSK -> b.psk(psk).build();
        };
    }

    /**
     * The client's policy for one suite, trusting both certificates.
     *
     * @param sessionCache resumable sessions kept (0: every handshake is a full one)
     */
    TlsPolicy clientPolicy(CipherSuite suite, int sessionCache) {
        TlsPolicy.Builder b = TlsPolicy.builder().suites(suite).handshakeTimeout(HANDSHAKE_TIMEOUT)
                .sessionCacheSize(sessionCache)
                .peerVerifier(PeerVerifier.trusting(TrustStore.of(List.of(rsa.certificate(), ec.certificate()), List.of(),
                        List.of()), false));
        if (suite.keyExchange() == CipherSuite.KeyExchange.ECDHE_PSK) {
            b.psk(psk);
        }
        return b.build();
    }

    private static Identity selfSigned(String algorithm, int size, String signature) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("EC")) {
                g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            } else {
                g.initialize(size, RANDOM);
            }
            KeyPair kp = g.generateKeyPair();
            X500Name name = new X500Name("CN=cipsec-bench-" + algorithm.toLowerCase(java.util.Locale.ROOT));
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, RANDOM).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, kp.getPublic());
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(kp.getPrivate())));
            return new Identity(kp.getPrivate(), List.of(cert));
        } catch (java.security.GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot make the bench's " + algorithm + " certificate: " + e, e);
        }
    }

    @Override
    public void close() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
