package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.CertificateRejectedException;
import dev.cipsec.transport.tls.cert.Identity;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCertificate;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Vector;

/** Bouncy Castle plumbing shared by the server and client glue. */
final class TlsSupport {
    /** ECDHE groups in order of preference; see {@link CipTlsServer#getSupportedGroups()}. */
    static final int[] GROUPS = {org.bouncycastle.tls.NamedGroup.secp256r1, org.bouncycastle.tls.NamedGroup.secp384r1,
            org.bouncycastle.tls.NamedGroup.x25519};

    private static final Object LOCK = new Object();
    private static volatile JcaTlsCrypto crypto;

    private TlsSupport() {
    }

    /**
     * The one crypto for every endpoint: JDK providers first, so AES/GCM/SHA run on the JDK's
     * intrinsics, and Bouncy Castle appended (never inserted first), so RSA-PSS, which OpenSSL
     * prefers, still verifies (java-stack.md, C2). SecureRandom: the platform's default
     * (NativePRNG on Linux, seeded by the kernel).
     */
    static JcaTlsCrypto crypto() {
        JcaTlsCrypto c = crypto;
        if (c == null) {
            synchronized (LOCK) {
                c = crypto;
                if (c == null) {
                    Providers.bouncyCastleAppended();
                    c = new Crypto(new EphemeralEcOnBc(), new SecureRandom(), new SecureRandom());
                    crypto = c;
                }
            }
        }
        return c;
    }

    /**
     * JcaTlsCrypto's constructor is protected; this is the only way to give it our helper. AES-GCM
     * records go through {@link JdkGcmCipher} (see there why); every other cipher is Bouncy Castle's.
     */
    private static final class Crypto extends JcaTlsCrypto {
        Crypto(org.bouncycastle.jcajce.util.JcaJceHelper helper, SecureRandom keys, SecureRandom nonces) {
            super(helper, keys, nonces);
        }

        @Override
        protected org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl createAEADCipher(String cipherName, String algorithm,
                int keySize, boolean isEncrypting) throws java.security.GeneralSecurityException {
            if (JdkGcmCipher.CIPHER.equals(cipherName) && "AES".equals(algorithm)) {
                return new JdkGcmCipher(getHelper().createCipher(cipherName), algorithm, keySize, isEncrypting);
            }
            return super.createAEADCipher(cipherName, algorithm, keySize, isEncrypting);
        }
    }

    /**
     * The JDK's providers for everything (AES-GCM, SHA, HMAC and signatures run on its intrinsics,
     * and a signature with a PKCS#11 key still finds SunPKCS11 by delayed provider selection),
     * except the ephemeral ECDH of every handshake: key pair generation and agreement go to
     * Bouncy Castle, whose P-256 took 0.2 ms + 0.4 ms here against SunEC's 0.3 ms + 1.3 ms (SunEC's
     * P-256 arithmetic uses intrinsics only on CPUs with AVX-512 IFMA). Those keys live for one
     * handshake and never touch a token.
     */
    private static final class EphemeralEcOnBc extends org.bouncycastle.jcajce.util.DefaultJcaJceHelper {
        private final java.security.Provider bc = new BouncyCastleProvider();

        @Override
        public javax.crypto.KeyAgreement createKeyAgreement(String algorithm) throws java.security.NoSuchAlgorithmException {
            return algorithm.startsWith("ECDH") ? javax.crypto.KeyAgreement.getInstance(algorithm, bc)
                    : super.createKeyAgreement(algorithm);
        }

        @Override
        public java.security.KeyPairGenerator createKeyPairGenerator(String algorithm)
                throws java.security.NoSuchAlgorithmException {
            return algorithm.equals("EC") ? java.security.KeyPairGenerator.getInstance(algorithm, bc)
                    : super.createKeyPairGenerator(algorithm);
        }
    }

    static Certificate certificate(List<X509Certificate> chain) {
        TlsCertificate[] certs = new TlsCertificate[chain.size()];
        for (int i = 0; i < certs.length; i++) {
            certs[i] = new JcaTlsCertificate(crypto(), chain.get(i));
        }
        return new Certificate(certs);
    }

    /** The peer's chain as X.509 certificates; a certificate that does not parse fails the handshake. */
    static List<X509Certificate> x509Chain(Certificate certificate) throws IOException {
        List<X509Certificate> out = new ArrayList<>(certificate.getLength());
        for (TlsCertificate c : certificate.getCertificateList()) {
            out.add(JcaTlsCertificate.convert(crypto(), c).getX509Certificate());
        }
        return out;
    }

    /** What an identity presents: the leaf only, or the whole chain. */
    static Certificate presented(Identity id, boolean sendChain) {
        return certificate(sendChain ? id.chain() : List.of(id.certificate()));
    }

    /**
     * A signer for {@code id}, signing with the first algorithm of {@code peerSigAlgs} (the peer's
     * signature_algorithms, or null for TLS 1.2's defaults) that fits its key.
     */
    static TlsCredentialedSigner signer(TlsContext context, Identity id, boolean sendChain,
                                        Vector<?> peerSigAlgs) throws IOException {
        short sig = id.keyType().isEc() ? SignatureAlgorithm.ecdsa : SignatureAlgorithm.rsa;
        SignatureAndHashAlgorithm alg = TlsUtils.chooseSignatureAndHashAlgorithm(context, peerSigAlgs, sig);
        return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto(), id.key(),
                presented(id, sendChain), alg);
    }

    /**
     * After a handshake: writes the key log line (when the policy has a key log) and reports what was
     * negotiated. {@code verifiedChain} is the peer chain checked during this handshake; a resumed
     * session checked none, and its chain comes from the session.
     */
    static TlsSessionInfo completed(org.bouncycastle.tls.TlsContext context, TlsPolicy policy,
                                    List<X509Certificate> verifiedChain) throws IOException {
        org.bouncycastle.tls.SecurityParameters sp = context.getSecurityParametersConnection();
        policy.keyLog().ifPresent(k -> k.write(sp.getClientRandom(), sp.getMasterSecret()));
        List<X509Certificate> chain = verifiedChain;
        if (sp.isResumedSession() && sp.getPeerCertificate() != null && !sp.getPeerCertificate().isEmpty()) {
            chain = x509Chain(sp.getPeerCertificate());
        }
        byte[] psk = sp.getPSKIdentity();
        return new TlsSessionInfo(versionName(sp.getNegotiatedVersion()), suite(sp.getCipherSuite()), sp.isResumedSession(),
                chain, psk == null ? java.util.Optional.empty() : java.util.Optional.of(printable(psk)),
                sp.isExtendedMasterSecret(), sp.isEncryptThenMAC(), sp.isSecureRenegotiation());
    }

    /** "TLSv1.2", as OpenSSL and Wireshark write it (Bouncy Castle says "TLS 1.2"). */
    static String versionName(org.bouncycastle.tls.ProtocolVersion v) {
        return v.getName().replace("TLS ", "TLSv").replace("DTLS ", "DTLSv");
    }

    static CipherSuite suite(int id) throws TlsFatalAlert {
        return CipherSuite.byId(id).orElseThrow(() -> new TlsFatalAlert(AlertDescription.internal_error,
                "negotiated a suite outside CIP Security: " + id));
    }

    /** A PSK identity as text when it is printable ASCII, else hex. */
    static String printable(byte[] identity) {
        String s = new String(identity, java.nio.charset.StandardCharsets.UTF_8);
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7F) ? s : java.util.HexFormat.of().formatHex(identity);
    }

    /** A fatal alert carrying why, for a certificate we refuse. */
    static TlsFatalAlert refused(java.security.cert.CertificateException e) {
        return new TlsFatalAlert(certificateAlert(e), e.getMessage(), e);
    }

    /**
     * The alert a tester expects for each failed check: expired, revoked, unknown CA, or
     * bad/unsupported certificate. The check is read from the exception's enum when it has one.
     */
    static short certificateAlert(java.security.cert.CertificateException e) {
        if (!(e instanceof CertificateRejectedException r)) {
            return AlertDescription.bad_certificate;
        }
        return switch (r.check()) {
            case EXPIRY -> AlertDescription.certificate_expired;
            case REVOKED -> AlertDescription.certificate_revoked;
            case UNTRUSTED -> AlertDescription.unknown_ca;
            case KEY_USAGE, EXTENDED_KEY_USAGE -> AlertDescription.unsupported_certificate;
            case REVOCATION_UNKNOWN -> AlertDescription.certificate_unknown;
            case CHAIN, SIGNATURE, BASIC_CONSTRAINTS, MALFORMED, SUBJECT_ALT_NAME -> AlertDescription.bad_certificate;
        };
    }
}
