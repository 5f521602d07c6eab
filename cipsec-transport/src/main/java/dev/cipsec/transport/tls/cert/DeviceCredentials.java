package dev.cipsec.transport.tls.cert;

import dev.cipsec.wire.buf.Bytes;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import javax.crypto.SecretKey;
import javax.crypto.spec.PBEParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Default and commissioned credentials of a device (reference §6.4, §6.6): the factory identity, CSRs for
 * Create_CSR, parsing what a commissioning tool downloads into File Object instances, and the PKCS#12 form
 * the device state is kept in.
 *
 * <h2>Default identity</h2>
 * An EC P-256 key and a self-signed X.509 v3 certificate (SHA256withECDSA). Valid from a day before "now" (a
 * peer whose clock lags a little still accepts it) until 9999-12-31T23:59:59Z, RFC 5280 §4.1.2.5's value for
 * "no well-defined expiration date": devices often have no battery-backed clock (§6.4) and a factory identity
 * must never expire in the field. The certificate is an end entity that peers pin:
 * <ul>
 *   <li>basicConstraints cA=false (critical): strict TLS clients refuse a CA certificate as a server leaf
 *       (Mozilla's "CA cert used as end-entity"), and pinning needs no CA;</li>
 *   <li>keyUsage digitalSignature only (critical): RFC 5280 §4.2.1.9 forbids keyCertSign without cA=true.
 *       Being self-signed needs no keyCertSign: a pinned certificate is trusted by its bytes, not by its
 *       signature (OpenSSL 3 and our {@link CertificateVerifier} accept it pinned; see the tests);</li>
 *   <li>extendedKeyUsage serverAuth and clientAuth: the device is a TLS server to scanners and a client when
 *       it originates connections;</li>
 *   <li>subjectKeyIdentifier (RFC 7093 method 1 on the SubjectPublicKeyInfo, as {@code JcaX509ExtensionUtils}
 *       computes it); no authorityKeyIdentifier, which RFC 5280 lets self-signed certificates omit;</li>
 *   <li>no subject alternative name: the device's address is not known at the factory and changes with
 *       DHCP; a commissioned certificate carries the names.</li>
 * </ul>
 *
 * <h2>PKCS#12</h2>
 * The JDK's PKCS12 key store. Private keys and secrets are protected with PBEWithHmacSHA256AndAES_256 (PBES2,
 * 10 000 iterations, fresh 16-byte salt per entry) set explicitly, so a {@code java.security} override of the
 * default does not weaken them; certificates and the MAC follow the JDK defaults (AES-256 / HmacPBESHA256 since
 * JDK 12). Secrets are stored as {@link KeyStore.SecretKeyEntry} with algorithm {@value #SECRET_ALGORITHM}: the
 * JDK's PKCS12 refuses "GENERIC" and "RAW" ("Key protection algorithm not found") and keeps any registered
 * secret-key algorithm name with the bytes unchanged (any length from 1 byte); OpenSSL 3.0 lists such entries
 * as "Secret bag" and reads the file ({@code openssl pkcs12 -info}). Aliases must be lower case because the
 * JDK's PKCS12 lower-cases them on store. An empty secret cannot be stored ({@code SecretKeySpec} refuses an
 * empty key).
 *
 * <p>Every parser is bounded ({@value #MAX_INPUT_BYTES} bytes, refused before parsing) and throws only
 * {@link IOException} for input it cannot use.
 */
public final class DeviceCredentials {
    /** Largest certificate, CRL or PKCS#12 input accepted. */
    public static final int MAX_INPUT_BYTES = AtomicFiles.MAX_FILE_BYTES;
    /** Most entries (identities plus secrets) read from or written to one PKCS#12. */
    public static final int MAX_PKCS12_ENTRIES = 256;
    /** The end of the default certificate's validity: RFC 5280 §4.1.2.5's "no well-defined expiration date". */
    public static final Instant NO_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    static final String SECRET_ALGORITHM = "HmacSHA256";
    private static final String PBE_ALGORITHM = "PBEWithHmacSHA256AndAES_256";
    private static final int PBE_ITERATIONS = 10_000;
    private static final Duration BACKDATE = Duration.ofDays(1);

    /** Subject attributes in Create_CSR order, for taking device defaults from the current certificate. */
    private static final ASN1ObjectIdentifier[] CSR_FIELDS = {BCStyle.CN, BCStyle.O, BCStyle.OU, BCStyle.L, BCStyle.ST,
            BCStyle.C, BCStyle.EmailAddress, BCStyle.SERIALNUMBER};

    private DeviceCredentials() {
    }

    /** EC P-256 key pair + self-signed X.509 v3 certificate (SHA256withECDSA) for the device's default identity. */
    public static Identity generateDefault(String commonName, String serialNumber, SecureRandom random) {
        return generateDefault(commonName, serialNumber, random, Instant.now());
    }

    /**
     * {@link #generateDefault(String, String, SecureRandom)} with the time the certificate's validity starts
     * from ({@code now} minus one day).
     *
     * @param serialNumber the subject's serialNumber attribute (PrintableString, at most 64); empty leaves it out
     * @throws IllegalArgumentException when the common name is empty or a field breaks {@link CsrSubject}'s rules
     */
    public static Identity generateDefault(String commonName, String serialNumber, SecureRandom random, Instant now) {
        Objects.requireNonNull(random, "random");
        CsrSubject fields = new CsrSubject(commonName, "", "", "", "", "", "", serialNumber, List.of());
        if (commonName.isEmpty()) {
            throw new IllegalArgumentException("the default identity needs a common name");
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair kp = g.generateKeyPair();
            X500Name name = subject(fields, null);
            byte[] serial = new byte[16];
            random.nextBytes(serial);
            // Positive and non-zero, at most 20 octets (RFC 5280 §4.1.2.2).
            serial[0] = (byte) ((serial[0] & 0x7F) | 0x40);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(serial),
                    Date.from(now.minus(BACKDATE)), Date.from(NO_EXPIRY), name, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(kp.getPrivate(), random)));
            return new Identity(kp.getPrivate(), List.of(cert));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("the JDK cannot make an EC P-256 certificate: " + e.getMessage(), e);
        }
    }

    /**
     * A PKCS#10 CSR (PEM "CERTIFICATE REQUEST", US-ASCII bytes) for the device's own public key, signed with its
     * key (SHA256withECDSA for P-256, SHA384withECDSA for P-384, SHA256withRSA for RSA).
     *
     * <p>Subject: the fields of {@code subject} in X.500 order C, ST, L, O, OU, CN, serialNumber, emailAddress
     * (UTF8String, C and serialNumber PrintableString, e-mail IA5String). An empty field is the device default:
     * the same attribute of the device's current certificate when it has one, else left out. Subject
     * alternative names go into an extensionRequest attribute (PKCS#9), none when the list is empty; the CA
     * decides key usage and validity.
     *
     * @throws IOException when the device key cannot sign (e.g. a token refuses)
     */
    public static byte[] createCsrPem(Identity device, CsrSubject subject) throws IOException {
        Objects.requireNonNull(subject, "subject");
        X500Name name = subject(subject, device.certificate());
        try {
            JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(name,
                    device.certificate().getPublicKey());
            List<GeneralName> sans = subject.generalNames();
            if (!sans.isEmpty()) {
                ExtensionsGenerator ext = new ExtensionsGenerator();
                ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            }
            PKCS10CertificationRequest csr = b.build(signer(device.key(), null));
            StringWriter text = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(text)) {
                w.writeObject(csr);
            }
            return text.toString().getBytes(StandardCharsets.US_ASCII);
        } catch (OperatorCreationException | RuntimeException e) {
            throw new IOException("cannot sign the CSR with the device key: " + e.getMessage(), e);
        }
    }

    /**
     * Certificates from PEM (one or more CERTIFICATE blocks in order, or PKCS7 blocks), DER (one certificate), or
     * PKCS#7 certs-only (PEM or DER; leaf first when they form one chain). Input over {@value #MAX_INPUT_BYTES}
     * bytes is refused before parsing; at most 64 certificates.
     *
     * @throws IOException naming the problem, for any input that is not what it should be
     */
    public static List<X509Certificate> parseCertificates(Bytes data) throws IOException {
        return CredentialFiles.certificates(bounded(data, "certificate"));
    }

    /** CRLs from PEM ("X509 CRL" or PKCS7 blocks), DER (one CRL) or DER PKCS#7; bounded like {@link #parseCertificates}. */
    public static List<X509CRL> parseCrls(Bytes data) throws IOException {
        return CredentialFiles.crls(bounded(data, "CRL"));
    }

    /** Whether cert's public key is the key pair of {@code key} (sign and verify a probe, which works for token keys too). */
    public static boolean matches(X509Certificate cert, PrivateKey key) {
        try {
            CredentialFiles.requireKeyMatches(key, cert);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * PKCS#12 bytes holding {@code identities} (alias → private key entry with the chain) and {@code secrets}
     * (alias → secret key entry), every entry protected with {@code password}; see the class comment for the
     * algorithms.
     *
     * @throws IllegalArgumentException for an alias that is empty, not lower case, or in both maps; an empty
     *                                  secret; more than {@value #MAX_PKCS12_ENTRIES} entries
     * @throws IOException              when a key cannot be exported (e.g. it lives on a token)
     */
    public static Bytes writePkcs12(Map<String, Identity> identities, Map<String, Bytes> secrets, char[] password)
            throws IOException {
        Objects.requireNonNull(password, "password");
        if (identities.size() + secrets.size() > MAX_PKCS12_ENTRIES) {
            throw new IllegalArgumentException((identities.size() + secrets.size()) + " entries, at most " + MAX_PKCS12_ENTRIES);
        }
        for (String alias : identities.keySet()) {
            requireAlias(alias);
            if (secrets.containsKey(alias)) {
                throw new IllegalArgumentException("alias '" + alias + "' names both an identity and a secret");
            }
        }
        secrets.forEach((alias, value) -> {
            requireAlias(alias);
            if (value.isEmpty()) {
                throw new IllegalArgumentException("secret '" + alias + "' is empty");
            }
        });
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            SecureRandom random = new SecureRandom();
            for (Map.Entry<String, Identity> e : identities.entrySet()) {
                Identity id = e.getValue();
                ks.setEntry(e.getKey(), new KeyStore.PrivateKeyEntry(id.key(), id.chain().toArray(Certificate[]::new)),
                        protection(password, random));
            }
            for (Map.Entry<String, Bytes> e : secrets.entrySet()) {
                byte[] raw = e.getValue().toArray();
                try {
                    ks.setEntry(e.getKey(), new KeyStore.SecretKeyEntry(new SecretKeySpec(raw, SECRET_ALGORITHM)),
                            protection(password, random));
                } finally {
                    Arrays.fill(raw, (byte) 0);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, password);
            return Bytes.of(out.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the PKCS#12 (is a key on a token?): " + e.getMessage(), e);
        }
    }

    /**
     * The identities (private key entries whose key matches their leaf) and secrets (secret key entries) of a
     * PKCS#12. Trusted-certificate entries are not credentials and are skipped. Input over
     * {@value #MAX_INPUT_BYTES} bytes is refused before parsing.
     *
     * @throws IOException for a wrong password, a damaged file, more than {@value #MAX_PKCS12_ENTRIES} entries, a
     *                     key without a chain, a key of an unsupported type or one that does not match its certificate
     */
    public static Pkcs12Contents readPkcs12(Bytes p12, char[] password) throws IOException {
        Objects.requireNonNull(password, "password");
        byte[] data = bounded(p12, "PKCS#12");
        KeyStore ks;
        try {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(data), password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IOException("PKCS#12 integrity check failed: wrong password or damaged file", e);
            }
            throw new IOException("not a usable PKCS#12: " + e.getMessage(), e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("not a usable PKCS#12: " + e.getMessage(), e);
        }
        try {
            List<String> aliases = Collections.list(ks.aliases());
            if (aliases.size() > MAX_PKCS12_ENTRIES) {
                throw new IOException("PKCS#12 holds " + aliases.size() + " entries, at most " + MAX_PKCS12_ENTRIES);
            }
            Map<String, Identity> identities = new LinkedHashMap<>();
            Map<String, Bytes> secrets = new LinkedHashMap<>();
            KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(password);
            for (String alias : aliases) {
                if (!ks.isKeyEntry(alias)) {
                    continue;
                }
                KeyStore.Entry entry = ks.getEntry(alias, protection);
                if (entry instanceof KeyStore.PrivateKeyEntry pk) {
                    identities.put(alias, identity(alias, pk));
                } else if (entry instanceof KeyStore.SecretKeyEntry sk) {
                    secrets.put(alias, secret(alias, sk.getSecretKey()));
                }
            }
            return new Pkcs12Contents(identities, secrets);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("PKCS#12 entry cannot be read (wrong password?): " + e.getMessage(), e);
        }
    }

    /** What {@link #readPkcs12} found; maps keep the file's order and are unmodifiable. */
    public record Pkcs12Contents(Map<String, Identity> identities, Map<String, Bytes> secrets) {
        public Pkcs12Contents {
            identities = Collections.unmodifiableMap(new LinkedHashMap<>(identities));
            secrets = Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
        }

        /** Names the aliases only: secrets and keys never reach a log. */
        @Override
        public String toString() {
            return "Pkcs12Contents[identities=" + identities.keySet() + ", secrets=" + secrets.keySet() + "]";
        }
    }

    private static Identity identity(String alias, KeyStore.PrivateKeyEntry pk) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : pk.getCertificateChain()) {
            if (!(c instanceof X509Certificate x)) {
                throw new IOException("PKCS#12 entry '" + alias + "' holds a non-X.509 certificate");
            }
            chain.add(x);
        }
        if (chain.isEmpty()) {
            throw new IOException("PKCS#12 entry '" + alias + "' has no certificate chain");
        }
        try {
            CredentialFiles.requireKeyMatches(pk.getPrivateKey(), chain.getFirst());
            return new Identity(pk.getPrivateKey(), chain);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("PKCS#12 entry '" + alias + "': " + e.getMessage(), e);
        }
    }

    private static Bytes secret(String alias, SecretKey key) throws IOException {
        byte[] raw = key.getEncoded();
        if (raw == null) {
            throw new IOException("PKCS#12 secret '" + alias + "' cannot be exported");
        }
        try {
            return Bytes.of(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static KeyStore.PasswordProtection protection(char[] password, SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return new KeyStore.PasswordProtection(password, PBE_ALGORITHM, new PBEParameterSpec(salt, PBE_ITERATIONS));
    }

    private static void requireAlias(String alias) {
        if (alias == null || alias.isEmpty() || !alias.equals(alias.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("PKCS#12 alias must be non-empty lower case (the JDK lower-cases aliases): '"
                    + alias + "'");
        }
    }

    private static byte[] bounded(Bytes data, String what) throws IOException {
        Objects.requireNonNull(data, "data");
        if (data.length() > MAX_INPUT_BYTES) {
            throw new IOException(what + " data of " + data.length() + " bytes, more than the " + MAX_INPUT_BYTES + " allowed");
        }
        if (data.isEmpty()) {
            throw new IOException(what + " data is empty");
        }
        return data.toArray();
    }

    /** The subject from {@code fields}; an empty field takes the same attribute of {@code defaults} when given. */
    private static X500Name subject(CsrSubject fields, X509Certificate defaults) {
        String[] values = {fields.commonName(), fields.organization(), fields.organizationalUnit(), fields.locality(),
                fields.stateOrProvince(), fields.country().toUpperCase(Locale.ROOT), fields.email(), fields.serialNumber()};
        X500Name current = defaults == null ? null : X500Name.getInstance(defaults.getSubjectX500Principal().getEncoded());
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        // X.500 order, most general first, as openssl and most CAs write it.
        for (int i : new int[] {5, 4, 3, 1, 2, 0, 7, 6}) {
            if (!values[i].isEmpty()) {
                b.addRDN(CSR_FIELDS[i], values[i]);
            } else if (current != null && current.getRDNs(CSR_FIELDS[i]).length > 0) {
                // The certificate's own encoding of the value, unchanged.
                b.addRDN(CSR_FIELDS[i], current.getRDNs(CSR_FIELDS[i])[0].getFirst().getValue());
            }
        }
        return b.build();
    }

    private static ContentSigner signer(PrivateKey key, SecureRandom randomOrNull) throws OperatorCreationException {
        String alg = "RSA".equalsIgnoreCase(key.getAlgorithm()) ? "SHA256withRSA"
                : key instanceof ECPrivateKey ec && ec.getParams().getCurve().getField().getFieldSize() > 256
                ? "SHA384withECDSA" : "SHA256withECDSA";
        JcaContentSignerBuilder b = new JcaContentSignerBuilder(alg);
        if (randomOrNull != null) {
            b.setSecureRandom(randomOrNull);
        }
        return b.build(key);
    }
}
