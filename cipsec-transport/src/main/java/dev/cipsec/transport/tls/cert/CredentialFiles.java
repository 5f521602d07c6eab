package dev.cipsec.transport.tls.cert;

import dev.cipsec.wire.buf.Bytes;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads and writes credentials in the formats field engineers have: PEM, DER or PKCS#7 certificates, PEM
 * (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1) or DER PKCS#8 keys, and PKCS#12 key stores.
 *
 * <p>Every reader is bounded ({@value AtomicFiles#MAX_FILE_BYTES} bytes per file, checked before reading)
 * and throws only {@link IOException} for content it cannot use, whatever the bytes are. Writers are
 * atomic (temp file, fsync, rename). No provider is registered globally: Bouncy Castle is used as a
 * private instance where the JDK lacks an algorithm (PEM/PKCS#8 decryption).
 */
public final class CredentialFiles {
    /** Most certificates or CRLs taken from one file. */
    static final int MAX_OBJECTS_PER_FILE = 64;

    private static final byte[] PEM_BEGIN = "-----BEGIN ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_MATCH_PROBE = "cipsec key match probe".getBytes(StandardCharsets.US_ASCII);

    private CredentialFiles() {
    }

    /**
     * PEM (CERTIFICATE blocks in order, and PKCS7 blocks; other blocks ignored), DER (one certificate) or DER
     * PKCS#7 certs-only.
     */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        return readCertificates(file, AtomicFiles.readBounded(file));
    }

    static List<X509Certificate> readCertificates(Path file, byte[] data) throws IOException {
        try {
            return certificates(data);
        } catch (IOException e) {
            throw prefixed(file, e);
        }
    }

    /** PEM ("X509 CRL" and PKCS7 blocks), DER (one CRL) or DER PKCS#7 holding CRLs. */
    public static List<X509CRL> readCrls(Path file) throws IOException {
        byte[] data = AtomicFiles.readBounded(file);
        try {
            return crls(data);
        } catch (IOException e) {
            throw prefixed(file, e);
        }
    }

    /** {@link #readCertificates(Path)} on bytes already bounded by the caller. */
    static List<X509Certificate> certificates(byte[] data) throws IOException {
        try {
            List<X509Certificate> out = new ArrayList<>();
            if (isPem(data)) {
                for (Object o : pemObjects(data)) {
                    if (o instanceof X509CertificateHolder h) {
                        out.add(certificate(h.getEncoded()));
                    } else if (o instanceof ContentInfo ci) {
                        out.addAll(Pkcs7.certificates(ci));
                    }
                    requireAtMostObjects(out.size());
                }
                if (out.isEmpty()) {
                    throw new IOException("no CERTIFICATE or PKCS7 block with certificates in the PEM data");
                }
            } else {
                ContentInfo ci = Pkcs7.contentInfoOrNull(data);
                if (ci != null) {
                    out.addAll(Pkcs7.certificates(ci));
                    if (out.isEmpty()) {
                        throw new IOException("the PKCS#7 data holds no certificate");
                    }
                } else {
                    out.add(certificate(data));
                }
            }
            return List.copyOf(out);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("not a certificate: " + e.getMessage(), e);
        }
    }

    /** {@link #readCrls(Path)} on bytes already bounded by the caller. */
    static List<X509CRL> crls(byte[] data) throws IOException {
        try {
            List<X509CRL> out = new ArrayList<>();
            if (isPem(data)) {
                for (Object o : pemObjects(data)) {
                    if (o instanceof X509CRLHolder h) {
                        out.add(crl(h.getEncoded()));
                    } else if (o instanceof ContentInfo ci) {
                        out.addAll(Pkcs7.crls(ci));
                    }
                    requireAtMostObjects(out.size());
                }
                if (out.isEmpty()) {
                    throw new IOException("no X509 CRL or PKCS7 block with CRLs in the PEM data");
                }
            } else {
                ContentInfo ci = Pkcs7.contentInfoOrNull(data);
                if (ci != null) {
                    out.addAll(Pkcs7.crls(ci));
                    if (out.isEmpty()) {
                        throw new IOException("the PKCS#7 data holds no CRL");
                    }
                } else {
                    out.add(crl(data));
                }
            }
            return List.copyOf(out);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("not a CRL: " + e.getMessage(), e);
        }
    }

    private static void requireAtMostObjects(int n) throws IOException {
        if (n > MAX_OBJECTS_PER_FILE) {
            throw new IOException("more than " + MAX_OBJECTS_PER_FILE + " certificates or CRLs");
        }
    }

    /**
     * PEM: PKCS#8 "PRIVATE KEY", "ENCRYPTED PRIVATE KEY" (password), SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE
     * KEY" (also OpenSSL's legacy encrypted form); DER: PKCS#8, plain or encrypted. The first key in the file is used.
     */
    public static PrivateKey readPrivateKey(Path file, char[] passwordOrNull) throws IOException {
        byte[] data = AtomicFiles.readBounded(file);
        try {
            if (isPem(data)) {
                for (Object o : pemObjects(data)) {
                    PrivateKeyInfo info = keyInfo(o, passwordOrNull);
                    if (info != null) {
                        return toKey(info);
                    }
                }
                throw new IOException(file + ": no private key block in the PEM file");
            }
            ASN1Primitive der = ASN1Primitive.fromByteArray(data);
            ASN1Sequence seq = ASN1Sequence.getInstance(der);
            // PrivateKeyInfo starts with its version INTEGER, EncryptedPrivateKeyInfo with an AlgorithmIdentifier.
            Object parsed = seq.size() > 0 && seq.getObjectAt(0) instanceof ASN1Integer
                    ? PrivateKeyInfo.getInstance(seq)
                    : new PKCS8EncryptedPrivateKeyInfo(org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo.getInstance(seq));
            return toKey(keyInfo(parsed, passwordOrNull));
        } catch (IOException e) {
            throw prefixed(file, e);
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a private key: " + e.getMessage(), e);
        }
    }

    /**
     * A key and its chain from two files (the chain file may hold the leaf followed by its issuers; the first
     * certificate is the leaf). The key must match the leaf: checked by signing a probe and verifying it.
     */
    public static Identity readIdentity(Path certificateFile, Path keyFile, char[] passwordOrNull) throws IOException {
        List<X509Certificate> chain = readCertificates(certificateFile);
        PrivateKey key = readPrivateKey(keyFile, passwordOrNull);
        return identity(key, chain, keyFile + " with " + certificateFile);
    }

    /** PKCS#12: the key entry named {@code aliasOrNull}, or the only key entry when it is null. */
    public static Identity readPkcs12(Path file, char[] password, String aliasOrNull) throws IOException {
        byte[] data = AtomicFiles.readBounded(file);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(data), password);
            String alias = aliasOrNull;
            if (alias == null) {
                List<String> keys = new ArrayList<>();
                for (String a : Collections.list(ks.aliases())) {
                    if (ks.isKeyEntry(a)) {
                        keys.add(a);
                    }
                }
                if (keys.size() != 1) {
                    throw new IOException(file + ": " + keys.size() + " key entries " + keys + ": name the alias to use");
                }
                alias = keys.getFirst();
            } else if (!ks.isKeyEntry(alias)) {
                throw new IOException(file + ": no key entry named '" + alias + "' (entries: "
                        + Collections.list(ks.aliases()) + ")");
            }
            if (!(ks.getKey(alias, password) instanceof PrivateKey key)) {
                throw new IOException(file + ": entry '" + alias + "' is not a private key");
            }
            Certificate[] certs = ks.getCertificateChain(alias);
            if (certs == null || certs.length == 0) {
                throw new IOException(file + ": entry '" + alias + "' has no certificate chain");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : certs) {
                if (!(c instanceof X509Certificate x)) {
                    throw new IOException(file + ": entry '" + alias + "' holds a non-X.509 certificate");
                }
                chain.add(x);
            }
            return identity(key, chain, file + " entry '" + alias + "'");
        } catch (IOException e) {
            throw prefixed(file, e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(file + ": not a usable PKCS#12 key store: " + e.getMessage(), e);
        }
    }

    /** Writes the certificates as PEM, in order; atomic. */
    public static void writePem(Path file, List<X509Certificate> certs) throws IOException {
        AtomicFiles.write(file, pem(certs).toArray(), false);
    }

    /** The certificates as PEM "CERTIFICATE" blocks, in order. */
    public static Bytes pem(List<X509Certificate> certs) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            for (X509Certificate c : certs) {
                w.writeObject(c);
            }
        } catch (IOException e) {
            // A StringWriter does not fail; an encoding error of the certificate itself would surface here.
            throw new IllegalArgumentException("certificate cannot be encoded as PEM: " + e.getMessage(), e);
        }
        return Bytes.of(text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes the key as unencrypted PKCS#8 PEM ("PRIVATE KEY"); atomic, owner-only (0600) where POSIX allows. */
    public static void writePem(Path file, PrivateKey key) throws IOException {
        byte[] der = key.getEncoded();
        if (der == null || !"PKCS#8".equalsIgnoreCase(key.getFormat())) {
            throw new IOException("the key cannot be exported (format " + key.getFormat() + "): is it on a token?");
        }
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(new PemObject("PRIVATE KEY", der));
        } finally {
            Arrays.fill(der, (byte) 0);
        }
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.US_ASCII), true);
    }

    /** The SHA-256 of the DER encoding as upper-case hex pairs joined by colons, as {@code openssl x509 -fingerprint -sha256} prints it. */
    /**
     * The certificate's subject for people: RFC 2253 with the serialNumber and e-mail attributes named
     * (the JDK prints them as OIDs with hex values, which device certificates use a lot).
     */
    public static String subject(X509Certificate c) {
        return name(c.getSubjectX500Principal());
    }

    public static String issuer(X509Certificate c) {
        return name(c.getIssuerX500Principal());
    }

    /** RFC 2253 with the serial number and e-mail attributes named, not shown as OIDs with hex values. */
    private static String name(javax.security.auth.x500.X500Principal p) {
        return p.getName(javax.security.auth.x500.X500Principal.RFC2253,
                java.util.Map.of("2.5.4.5", "SERIALNUMBER", "1.2.840.113549.1.9.1", "EMAILADDRESS"));
    }

    public static String sha256Fingerprint(X509Certificate c) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    /**
     * Checks that {@code key} is the private half of the certificate's public key by signing a probe with it.
     * Works for keys on tokens too, where comparing key material is not possible.
     */
    static void requireKeyMatches(PrivateKey key, X509Certificate leaf) throws IOException {
        requireKeyMatches(key, leaf, null);
    }

    /**
     * As {@link #requireKeyMatches(PrivateKey, X509Certificate)}, signing with {@code signer} when the key lives on
     * a token whose provider is not registered (SunPKCS11 configured ad hoc); null for the registered providers.
     */
    public static void requireKeyMatches(PrivateKey key, X509Certificate leaf, java.security.Provider signer)
            throws IOException {
        String alg = switch (key.getAlgorithm().toUpperCase(java.util.Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            default -> throw new IOException("unsupported private key algorithm " + key.getAlgorithm());
        };
        boolean ok;
        try {
            Signature s = signer == null ? Signature.getInstance(alg) : Signature.getInstance(alg, signer);
            s.initSign(key);
            s.update(KEY_MATCH_PROBE);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(leaf.getPublicKey());
            v.update(KEY_MATCH_PROBE);
            ok = v.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            throw new IOException("the private key does not match the certificate " + leaf.getSubjectX500Principal().getName()
                    + " (sha256 " + sha256Fingerprint(leaf) + ")");
        }
    }

    private static Identity identity(PrivateKey key, List<X509Certificate> chain, String where) throws IOException {
        requireKeyMatches(key, chain.getFirst());
        try {
            return new Identity(key, chain);
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKeyInfo keyInfo(Object o, char[] password) throws IOException {
        try {
            if (o instanceof PrivateKeyInfo info) {
                return info;
            }
            if (o instanceof PEMKeyPair pair) {
                return pair.getPrivateKeyInfo();
            }
            if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                requirePassword(password);
                return enc.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                        .setProvider(bc()).build(password));
            }
            if (o instanceof PEMEncryptedKeyPair enc) {
                requirePassword(password);
                return enc.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(bc()).build(password))
                        .getPrivateKeyInfo();
            }
            return null;
        } catch (PKCSException | OperatorCreationException e) {
            throw new IOException("cannot decrypt the private key (wrong password?): " + e.getMessage(), e);
        }
    }

    private static void requirePassword(char[] password) throws IOException {
        if (password == null) {
            throw new IOException("the private key is encrypted: a password is needed");
        }
    }

    private static PrivateKey toKey(PrivateKeyInfo info) throws IOException {
        // JDK key factories: keys behave like any JDK key in Signature/KeyManager and JcaTlsCrypto.
        return new JcaPEMKeyConverter().getPrivateKey(info);
    }

    private static List<Object> pemObjects(byte[] data) throws IOException {
        List<Object> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.US_ASCII))) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (out.size() == MAX_OBJECTS_PER_FILE) {
                    throw new IOException("more than " + MAX_OBJECTS_PER_FILE + " PEM blocks");
                }
                out.add(o);
            }
        }
        return out;
    }

    private static boolean isPem(byte[] data) {
        // PEM may follow explanatory text (openssl writes "Bag Attributes" lines); DER starts with a SEQUENCE tag.
        return data.length > 0 && data[0] != 0x30 && indexOf(data, PEM_BEGIN) >= 0;
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static X509Certificate certificate(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    static X509CRL crl(byte[] der) throws GeneralSecurityException {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    private static IOException prefixed(Path file, IOException e) {
        String msg = e.getMessage();
        return msg != null && msg.startsWith(file.toString()) ? e : new IOException(file + ": " + msg, e);
    }

    private static Provider bc() {
        return BcHolder.PROVIDER;
    }

    /** Created on first use: constructing the provider costs tens of milliseconds. */
    private static final class BcHolder {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }
}
