package dev.cipsec.commission.ca;

import dev.cipsec.transport.tls.cert.AtomicFiles;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The plant certificate authority: a directory holding the CA certificate and key, and a database of what
 * it issued in the format of {@code openssl ca}, so openssl (and the people who know it) can read it.
 *
 * <h2>Directory</h2>
 * <pre>
 *   ca.pem             CA certificate (written last by {@link #init}: its presence means "a CA lives here")
 *   ca.p12             key + certificate, PKCS#12 (PBEWithHmacSHA256AndAES_256), owner-only
 *   token.properties   instead of ca.p12: SunPKCS11 config file and key alias; the key never leaves the token
 *   index.txt          openssl ca database (see {@link CaIndex})
 *   serial             next serial, hex; crlnumber: next CRL number, hex
 *   crl.pem            the last CRL; issued/SERIAL.pem: every certificate issued
 *   .lock              held (FileChannel.tryLock) while a PlantCa is open
 * </pre>
 *
 * <h2>Crash safety</h2>
 * Every file is replaced atomically ({@link AtomicFiles}); a sequence of writes is ordered so that a kill
 * between any two leaves a usable state: the serial file moves past a serial before a certificate with it
 * exists (a serial is never reused), the certificate file is written before the index line naming it, the
 * CRL number moves on before the CRL carrying it is written. The worst a crash leaves is a skipped serial or
 * CRL number, or an {@code issued/} file no index line names (never shown as issued).
 *
 * <h2>Certificates</h2>
 * The CA: self-signed, basicConstraints cA=true pathLen 0 and keyUsage keyCertSign+cRLSign (both critical),
 * subjectKeyIdentifier. Device certificates: basicConstraints cA=false and keyUsage digitalSignature (plus
 * keyEncipherment for RSA keys), both critical; extendedKeyUsage serverAuth+clientAuth (a device is TLS
 * server and client); subject and authority key identifiers; subjectAltName from the request. Serials are
 * 16 random bytes, positive, unique in the index. Signatures SHA-256 (SHA-384 for a P-384 CA).
 *
 * <p>Thread-safe (operations run one at a time, so a deployment may issue from several threads); the lock
 * keeps other processes and other PlantCa instances out.
 */
public final class PlantCa implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlantCa.class);

    static final String CA_PEM = "ca.pem";
    static final String CA_P12 = "ca.p12";
    static final String TOKEN_PROPERTIES = "token.properties";
    static final String INDEX = "index.txt";
    static final String SERIAL = "serial";
    static final String CRL_NUMBER = "crlnumber";
    static final String CRL_PEM = "crl.pem";
    static final String ISSUED = "issued";
    static final String LOCK = ".lock";

    /** Largest CSR accepted: a CSR is a few hundred bytes; anything this big is not one. */
    public static final int MAX_CSR_BYTES = 64 * 1024;
    /** Longest device certificate validity accepted. */
    public static final int MAX_VALIDITY_DAYS = 36_500;
    /** Issued certificates start this much before "now", for devices whose clock lags a little. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final String KEY_ALIAS = "cipsec-ca";
    private static final String PBE_ALGORITHM = "PBEWithHmacSHA256AndAES_256";
    private static final int PBE_ITERATIONS = 10_000;
    /** Token attributes for the key generated on a PKCS#11 token: kept on it, never readable off it. */
    private static final String TOKEN_KEY_ATTRIBUTES = """

            attributes(generate, CKO_PRIVATE_KEY, *) = {
              CKA_TOKEN = true
              CKA_PRIVATE = true
              CKA_SENSITIVE = true
              CKA_EXTRACTABLE = false
            }
            """;

    /** Writes one state file; the tests inject failures here to check the write order. */
    @FunctionalInterface
    interface StateWriter {
        void write(Path file, byte[] data, boolean secret) throws IOException;
    }

    private final Path dir;
    private final FileChannel lockChannel;
    private final X509Certificate caCertificate;
    private final PrivateKey caKey;
    private final Provider tokenProvider;
    private final String signatureAlgorithm;
    private final StateWriter writer;
    private final SecureRandom random;
    private final Clock clock;
    private boolean closed;

    private PlantCa(Path dir, FileChannel lockChannel, X509Certificate caCertificate, PrivateKey caKey,
                    Provider tokenProvider, StateWriter writer, SecureRandom random, Clock clock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.caCertificate = caCertificate;
        this.caKey = caKey;
        this.tokenProvider = tokenProvider;
        this.signatureAlgorithm = signatureAlgorithm(caCertificate.getPublicKey());
        this.writer = writer;
        this.random = random;
        this.clock = clock;
    }

    /**
     * Creates a CA in {@code dir} (created if missing): a new key (in {@code ca.p12}, or generated on the token
     * for {@link CaKeyAccess.Pkcs11}) and its self-signed certificate. Fails when {@code dir} already holds one.
     * The returned CA is open and holds the directory's lock.
     */
    public static PlantCa init(Path dir, CaInit options) throws IOException {
        return init(dir, options, AtomicFiles::write, new SecureRandom(), Clock.systemUTC());
    }

    static PlantCa init(Path dir, CaInit options, StateWriter writer, SecureRandom random, Clock clock) throws IOException {
        Objects.requireNonNull(options, "options");
        Files.createDirectories(dir);
        FileChannel lock = lock(dir);
        try {
            if (Files.exists(dir.resolve(CA_PEM))) {
                throw new IOException(dir + " already holds a CA (" + CA_PEM + " exists)");
            }
            Provider token = options.access() instanceof CaKeyAccess.Pkcs11 p11 ? tokenProvider(p11, true) : null;
            KeyStore tokenStore = token == null ? null : loginToken(token, ((CaKeyAccess.Pkcs11) options.access()).pin());
            KeyPair keys = generateKeyPair(options.algorithm(), token, random);
            Instant now = clock.instant();
            X500Name name = x500Name(options.subject());
            X509Certificate cert = selfSigned(name, keys, options, now, token, random);
            if (token != null) {
                CaKeyAccess.Pkcs11 p11 = (CaKeyAccess.Pkcs11) options.access();
                String alias = KEY_ALIAS + "-" + HexFormat.of().formatHex(cert.getSerialNumber().toByteArray(), 0, 4);
                try {
                    // The key stays a token object: storing it only attaches the alias and certificate to it.
                    tokenStore.setKeyEntry(alias, keys.getPrivate(), null, new Certificate[] {cert});
                } catch (GeneralSecurityException e) {
                    throw new IOException("cannot label the CA key on the token: " + e.getMessage(), e);
                }
                Properties props = new Properties();
                props.setProperty("sunpkcs11.config", p11.sunPkcs11Config().toAbsolutePath().toString());
                props.setProperty("key.alias", alias);
                StringWriter text = new StringWriter();
                props.store(text, "cipsec plant CA: the key is on a PKCS#11 token");
                writer.write(dir.resolve(TOKEN_PROPERTIES), text.toString().getBytes(StandardCharsets.ISO_8859_1), false);
            } else {
                writer.write(dir.resolve(CA_P12), pkcs12(keys.getPrivate(), cert,
                        ((CaKeyAccess.Pkcs12) options.access()).password(), random), true);
            }
            Files.createDirectories(dir.resolve(ISSUED));
            writer.write(dir.resolve(SERIAL), (CaIndex.hex(randomSerial(random)) + "\n").getBytes(StandardCharsets.US_ASCII), false);
            writer.write(dir.resolve(CRL_NUMBER), "01\n".getBytes(StandardCharsets.US_ASCII), false);
            writer.write(dir.resolve(INDEX), new byte[0], false);
            writer.write(dir.resolve(CA_PEM), CredentialFiles.pem(List.of(cert)).toArray(), false);
            LOG.info("plant CA created in {}: {} ({}, key {})", dir, CredentialFiles.subject(cert), options.algorithm(),
                    token != null ? "on PKCS#11 token" : "in " + CA_P12);
            return new PlantCa(dir, lock, cert, keys.getPrivate(), token, writer, random, clock);
        } catch (IOException | RuntimeException e) {
            release(lock);
            throw e;
        }
    }

    /** Opens the CA in {@code dir}, unlocking its key; refused while another PlantCa (any process) has it open. */
    public static PlantCa open(Path dir, CaKeyAccess access) throws IOException {
        return open(dir, access, AtomicFiles::write, new SecureRandom(), Clock.systemUTC());
    }

    static PlantCa open(Path dir, CaKeyAccess access, StateWriter writer, SecureRandom random, Clock clock) throws IOException {
        Objects.requireNonNull(access, "access");
        if (!Files.isRegularFile(dir.resolve(CA_PEM))) {
            throw new IOException(dir + " holds no CA (" + CA_PEM + " missing): run ca init first");
        }
        FileChannel lock = lock(dir);
        try {
            X509Certificate cert = CredentialFiles.readCertificates(dir.resolve(CA_PEM)).getFirst();
            PrivateKey key;
            Provider token = null;
            switch (access) {
                case CaKeyAccess.Pkcs12 p12 -> {
                    if (!Files.exists(dir.resolve(CA_P12))) {
                        throw new IOException(dir + ": no " + CA_P12 + " (is the key on a PKCS#11 token? give the PIN)");
                    }
                    Identity id = CredentialFiles.readPkcs12(dir.resolve(CA_P12), p12.password(), null);
                    if (!id.certificate().equals(cert)) {
                        throw new IOException(dir + ": " + CA_P12 + " holds another certificate than " + CA_PEM);
                    }
                    key = id.key();
                }
                case CaKeyAccess.Pkcs11 p11 -> {
                    Properties props = tokenProperties(dir);
                    Path config = p11.sunPkcs11Config() != null ? p11.sunPkcs11Config()
                            : Path.of(props.getProperty("sunpkcs11.config", ""));
                    token = tokenProvider(new CaKeyAccess.Pkcs11(config, p11.pin()), false);
                    KeyStore ks = loginToken(token, p11.pin());
                    String alias = props.getProperty("key.alias", "");
                    try {
                        if (!(ks.getKey(alias, null) instanceof PrivateKey k)) {
                            throw new IOException("the token has no private key '" + alias + "' (wrong token or slot?)");
                        }
                        key = k;
                    } catch (GeneralSecurityException e) {
                        throw new IOException("cannot reach the CA key '" + alias + "' on the token: " + e.getMessage(), e);
                    }
                }
            }
            requireKeyMatches(key, cert, token);
            return new PlantCa(dir, lock, cert, key, token, writer, random, clock);
        } catch (IOException | RuntimeException e) {
            release(lock);
            throw e;
        }
    }

    /** The PKCS#11 configuration file recorded at init, or null when the key is in {@code ca.p12}. */
    public static Path tokenConfig(Path dir) throws IOException {
        if (!Files.exists(dir.resolve(TOKEN_PROPERTIES))) {
            return null;
        }
        return Path.of(tokenProperties(dir).getProperty("sunpkcs11.config", ""));
    }

    /**
     * The database of the CA in {@code dir}, read without the key or the lock (every file is replaced
     * atomically, so a reader sees one state or the next).
     */
    public static List<IssuedCertificate> list(Path dir) throws IOException {
        List<IssuedCertificate> out = new ArrayList<>();
        for (CaIndex.Entry e : CaIndex.parse(AtomicFiles.readBounded(dir.resolve(INDEX)))) {
            Path file = issuedFile(dir, e.serial());
            Instant notBefore = null;
            String fingerprint = "";
            if (Files.exists(file)) {
                X509Certificate c = CredentialFiles.readCertificates(file).getFirst();
                notBefore = c.getNotBefore().toInstant();
                fingerprint = CredentialFiles.sha256Fingerprint(c);
            }
            out.add(new IssuedCertificate(e.serial(), e.subject(), notBefore, e.expiry(), fingerprint, e.status(),
                    e.revoked(), e.revoked() == null ? -1 : e.reason()));
        }
        return List.copyOf(out);
    }

    /**
     * The subject and subject alternative names a CSR asks for (CN, O, OU, L, ST, C, e-mail, serialNumber; DNS,
     * IP, URI and e-mail names), for issuing without a policy. The CSR's signature is not checked here.
     */
    public static CsrSubject requestedSubject(byte[] csrPemOrDer) throws CaException {
        PKCS10CertificationRequest csr = parseCsr(csrPemOrDer);
        X500Name s = csr.getSubject();
        List<String> sans = new ArrayList<>();
        Extensions ext = csr.getRequestedExtensions();
        GeneralNames names = ext == null ? null : GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
        if (names != null) {
            for (GeneralName n : names.getNames()) {
                sans.add(sanText(n));
            }
        }
        try {
            return new CsrSubject(attr(s, BCStyle.CN), attr(s, BCStyle.O), attr(s, BCStyle.OU), attr(s, BCStyle.L),
                    attr(s, BCStyle.ST), attr(s, BCStyle.C), attr(s, BCStyle.EmailAddress), attr(s, BCStyle.SERIALNUMBER), sans);
        } catch (IllegalArgumentException e) {
            throw new CaException("the CSR's subject cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * The RFC 5280 reason code for openssl's reason name (case-insensitive): unspecified, keyCompromise,
     * CACompromise, affiliationChanged, superseded, cessationOfOperation.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static int reasonCode(String name) {
        int code = CaIndex.reasonCode(name.strip());
        if (code < 0) {
            throw new IllegalArgumentException("unknown revocation reason '" + name + "': unspecified, keyCompromise,"
                    + " CACompromise, affiliationChanged, superseded or cessationOfOperation");
        }
        return code;
    }

    /** openssl's name for a reason code (the number itself for codes it has no name for). */
    public static String reasonName(int code) {
        return CaIndex.reasonName(code);
    }

    /** The CA certificate. */
    public X509Certificate certificate() {
        return caCertificate;
    }

    public Path directory() {
        return dir;
    }

    /** Whether the CA key lives on a PKCS#11 token. */
    public boolean keyOnToken() {
        return tokenProvider != null;
    }

    /**
     * Issues a device certificate for the key in the CSR. The CSR's self-signature must verify and its key be
     * RSA (2048 bits or more) or EC P-256/P-384; the subject and subject alternative names given here replace
     * the CSR's (the policy decides what a device is called, not the device).
     *
     * @throws CaException for a CSR that does not parse or verify, an unusable key, a subject without a common
     *                     name, or a validity outside 1..36500 days or past the CA's own expiry
     */
    public synchronized X509Certificate issue(byte[] csrPemOrDer, CsrSubject subject, int validityDays) throws IOException, CaException {
        requireOpen();
        Objects.requireNonNull(subject, "subject");
        PKCS10CertificationRequest csr = parseCsr(csrPemOrDer);
        PublicKey deviceKey;
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw new CaException("the CSR's signature does not verify: it was altered or not made with its key");
            }
            deviceKey = new JcaPKCS10CertificationRequest(csr).getPublicKey();
        } catch (OperatorCreationException | PKCSException | GeneralSecurityException | IllegalArgumentException e) {
            throw new CaException("the CSR's signature cannot be checked: " + e.getMessage(), e);
        }
        KeyType keyType;
        try {
            keyType = KeyType.of(deviceKey);
        } catch (IllegalArgumentException e) {
            throw new CaException("the CSR's key cannot serve CIP Security: " + e.getMessage(), e);
        }
        if (subject.commonName().isEmpty()) {
            throw new CaException("a device certificate needs a common name");
        }
        if (validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
            throw new CaException("validity must be 1.." + MAX_VALIDITY_DAYS + " days: " + validityDays);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = now.plus(Duration.ofDays(validityDays));
        if (notAfter.isAfter(caCertificate.getNotAfter().toInstant())) {
            throw new CaException("a validity of " + validityDays + " days ends after the CA certificate ("
                    + caCertificate.getNotAfter().toInstant() + ")");
        }
        List<CaIndex.Entry> index = readIndex();
        BigInteger serial = takeSerial(index);
        X500Name name = x500Name(subject);
        X509Certificate cert;
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCertificate, serial,
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), name, deviceKey);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(keyType.isEc() ? KeyUsage.digitalSignature
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(deviceKey));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCertificate));
            if (!subject.subjectAltNames().isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(subject.generalNames().toArray(GeneralName[]::new)));
            }
            cert = new JcaX509CertificateConverter().getCertificate(b.build(signer()));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot sign the certificate: " + e.getMessage(), e);
        }
        // The certificate file first: an index line never names a file that is not there.
        writer.write(issuedFile(dir, serial), CredentialFiles.pem(List.of(cert)).toArray(), false);
        List<CaIndex.Entry> updated = new ArrayList<>(index);
        updated.add(new CaIndex.Entry(IssuedCertificate.Status.VALID, notAfter,
                null, -1, serial, CaIndex.oneLine(name)));
        writer.write(dir.resolve(INDEX), CaIndex.format(updated), false);
        LOG.info("issued {} serial {} valid until {}", CaIndex.oneLine(name), CaIndex.hex(serial), notAfter);
        return cert;
    }

    /**
     * Marks the certificate revoked in the database; the next {@link #crl} lists it.
     *
     * @param crlReason RFC 5280 reason code 0..5 (unspecified, keyCompromise, cACompromise, affiliationChanged,
     *                  superseded, cessationOfOperation): the reasons openssl's database records
     * @throws CaException for an unknown serial, a certificate already revoked or another reason code
     */
    public synchronized void revoke(BigInteger serial, int crlReason) throws IOException, CaException {
        requireOpen();
        Objects.requireNonNull(serial, "serial");
        if (!CaIndex.knownReason(crlReason)) {
            throw new CaException("reason code " + crlReason + " cannot be recorded: 0..5 (unspecified, keyCompromise,"
                    + " CACompromise, affiliationChanged, superseded, cessationOfOperation)");
        }
        List<CaIndex.Entry> index = new ArrayList<>(readIndex());
        for (int i = 0; i < index.size(); i++) {
            CaIndex.Entry e = index.get(i);
            if (e.serial().equals(serial)) {
                if (e.status() == IssuedCertificate.Status.REVOKED) {
                    throw new CaException("serial " + CaIndex.hex(serial) + " (" + e.subject() + ") is already revoked since "
                            + e.revoked());
                }
                index.set(i, e.revoke(clock.instant().truncatedTo(ChronoUnit.SECONDS), crlReason));
                writer.write(dir.resolve(INDEX), CaIndex.format(index), false);
                LOG.info("revoked serial {} ({}), reason {}", CaIndex.hex(serial), e.subject(), CaIndex.reasonName(crlReason));
                return;
            }
        }
        throw new CaException("serial " + CaIndex.hex(serial) + " was not issued by this CA");
    }

    /** The CRL the last {@link #crl} published ({@code crl.pem}), if any: what the EST server hands to devices. */
    public synchronized Optional<X509CRL> lastCrl() throws IOException {
        requireOpen();
        Path file = dir.resolve(CRL_PEM);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        List<X509CRL> crls = CredentialFiles.readCrls(file);
        return crls.isEmpty() ? Optional.empty() : Optional.of(crls.get(0));
    }

    /**
     * A new CRL of every revoked certificate, valid from now until {@code now + nextUpdate}, with the next CRL
     * number and the CA's key identifier; also written to {@code crl.pem}.
     */
    public synchronized X509CRL crl(Duration nextUpdate) throws IOException {
        requireOpen();
        if (nextUpdate.isNegative() || nextUpdate.isZero() || nextUpdate.compareTo(Duration.ofDays(3650)) > 0) {
            throw new IllegalArgumentException("next update must be after now and within 3650 days: " + nextUpdate);
        }
        List<CaIndex.Entry> index = readIndex();
        BigInteger number = readHex(dir.resolve(CRL_NUMBER));
        // The number moves on first: a crash after this skips a number, never issues two CRLs with one.
        writer.write(dir.resolve(CRL_NUMBER), (CaIndex.hex(number.add(BigInteger.ONE)) + "\n").getBytes(StandardCharsets.US_ASCII), false);
        Instant now = clock.instant();
        X509CRL crl;
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded()),
                    Date.from(now));
            b.setNextUpdate(Date.from(now.plus(nextUpdate)));
            for (CaIndex.Entry e : index) {
                if (e.status() == IssuedCertificate.Status.REVOKED) {
                    // RFC 5280 §5.3.1: unspecified is left out rather than written (BC omits reason 0).
                    b.addCRLEntry(e.serial(), Date.from(e.revoked()), e.reason());
                }
            }
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCertificate));
            crl = new JcaX509CRLConverter().getCRL(b.build(signer()));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot sign the CRL: " + e.getMessage(), e);
        }
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(crl);
        }
        writer.write(dir.resolve(CRL_PEM), text.toString().getBytes(StandardCharsets.US_ASCII), false);
        LOG.info("CRL number {} with {} revoked, next update {}", number, crl.getRevokedCertificates() == null ? 0
                : crl.getRevokedCertificates().size(), now.plus(nextUpdate));
        return crl;
    }

    /** Every certificate this CA issued, in issue order. */
    public synchronized List<IssuedCertificate> list() throws IOException {
        requireOpen();
        return list(dir);
    }

    /** Releases the directory's lock (and logs out of the token). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (tokenProvider instanceof AuthProvider auth) {
            try {
                auth.logout();
            } catch (javax.security.auth.login.LoginException e) {
                LOG.debug("token logout failed: {}", e.getMessage());
            }
        }
        release(lockChannel);
    }

    @Override
    public String toString() {
        return "PlantCa[" + dir + ", " + CredentialFiles.subject(caCertificate) + (keyOnToken() ? ", key on token" : "") + "]";
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the CA in " + dir + " is closed");
        }
    }

    private List<CaIndex.Entry> readIndex() throws IOException {
        return CaIndex.parse(AtomicFiles.readBounded(dir.resolve(INDEX)));
    }

    /**
     * The serial from the serial file unless the index or {@code issued/} already has it (then a fresh random
     * one); the file moves on to the next serial before the certificate exists.
     */
    private BigInteger takeSerial(List<CaIndex.Entry> index) throws IOException {
        Set<BigInteger> used = new HashSet<>();
        for (CaIndex.Entry e : index) {
            used.add(e.serial());
        }
        BigInteger serial;
        try {
            serial = readHex(dir.resolve(SERIAL));
        } catch (IOException e) {
            LOG.warn("{}; drawing a fresh serial", e.getMessage());
            serial = BigInteger.ZERO;
        }
        while (serial.signum() <= 0 || serial.bitLength() > 159 || used.contains(serial)
                || Files.exists(issuedFile(dir, serial))) {
            serial = randomSerial(random);
        }
        BigInteger next;
        do {
            next = randomSerial(random);
        } while (next.equals(serial) || used.contains(next));
        writer.write(dir.resolve(SERIAL), (CaIndex.hex(next) + "\n").getBytes(StandardCharsets.US_ASCII), false);
        return serial;
    }

    private ContentSigner signer() throws OperatorCreationException {
        JcaContentSignerBuilder b = new JcaContentSignerBuilder(signatureAlgorithm).setSecureRandom(random);
        if (tokenProvider != null) {
            b.setProvider(tokenProvider);
        }
        return b.build(caKey);
    }

    private static X509Certificate selfSigned(X500Name name, KeyPair keys, CaInit options, Instant now, Provider token,
                                              SecureRandom random) throws IOException {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, randomSerial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(Duration.ofDays(options.validityDays()))), name,
                    keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            JcaContentSignerBuilder sb = new JcaContentSignerBuilder(options.algorithm().signatureAlgorithm()).setSecureRandom(random);
            if (token != null) {
                sb.setProvider(token);
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(sb.build(keys.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make the CA certificate: " + e.getMessage(), e);
        }
    }

    private static KeyPair generateKeyPair(KeyAlgorithm algorithm, Provider token, SecureRandom random) throws IOException {
        try {
            KeyPairGenerator g = token == null ? KeyPairGenerator.getInstance(algorithm.keyAlgorithm())
                    : KeyPairGenerator.getInstance(algorithm.keyAlgorithm(), token);
            // A token draws on its own random generator; ours would only be mixed in, if at all.
            if (token == null) {
                g.initialize(algorithm.parameters(), random);
            } else {
                g.initialize(algorithm.parameters());
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate a " + algorithm.cliName() + " key" + (token != null ? " on the token" : "")
                    + ": " + e.getMessage(), e);
        }
    }

    private static byte[] pkcs12(PrivateKey key, X509Certificate cert, char[] password, SecureRandom random) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            // Set explicitly so a java.security override of the default cannot weaken the key's protection.
            ks.setEntry(KEY_ALIAS, new KeyStore.PrivateKeyEntry(key, new Certificate[] {cert}),
                    new KeyStore.PasswordProtection(password, PBE_ALGORITHM,
                            new javax.crypto.spec.PBEParameterSpec(salt, PBE_ITERATIONS)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the CA key store: " + e.getMessage(), e);
        }
    }

    /** A SunPKCS11 provider for the config; at init with attributes that keep the generated key on the token. */
    private static Provider tokenProvider(CaKeyAccess.Pkcs11 access, boolean forGeneration) throws IOException {
        Path config = access.sunPkcs11Config();
        if (config == null || !Files.isRegularFile(config)) {
            throw new IOException("SunPKCS11 configuration file not found: " + config);
        }
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new IOException("this JDK has no SunPKCS11 provider");
        }
        try {
            if (!forGeneration) {
                return base.configure(config.toAbsolutePath().toString());
            }
            String text = new String(AtomicFiles.readBounded(config), StandardCharsets.UTF_8);
            return base.configure("--" + text + TOKEN_KEY_ATTRIBUTES);
        } catch (java.security.InvalidParameterException | java.security.ProviderException e) {
            throw new IOException("cannot configure SunPKCS11 from " + config + ": " + rootMessage(e), e);
        }
    }

    private static KeyStore loginToken(Provider token, char[] pin) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS11", token);
            ks.load(null, pin);
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            // The PIN itself is never part of the message.
            throw new IOException("cannot log in to the PKCS#11 token (wrong PIN?): " + rootMessage(e), e);
        }
    }

    private static Properties tokenProperties(Path dir) throws IOException {
        Path file = dir.resolve(TOKEN_PROPERTIES);
        if (!Files.exists(file)) {
            throw new IOException(dir + ": no " + TOKEN_PROPERTIES + " (the key is in " + CA_P12 + ": give the password)");
        }
        Properties props = new Properties();
        props.load(new StringReader(new String(AtomicFiles.readBounded(file), StandardCharsets.ISO_8859_1)));
        return props;
    }

    private static void requireKeyMatches(PrivateKey key, X509Certificate cert, Provider token) throws IOException {
        try {
            CredentialFiles.requireKeyMatches(key, cert, token);
        } catch (IOException e) {
            throw new IOException("the CA key does not match " + CA_PEM + " (" + CredentialFiles.subject(cert) + ")", e);
        }
    }

    private static String signatureAlgorithm(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            return ec.getParams().getCurve().getField().getFieldSize() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        return "SHA256withRSA";
    }

    private static FileChannel lock(Path dir) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock l = ch.tryLock();
            if (l == null) {
                throw new IOException("the CA in " + dir + " is in use by another process");
            }
            return ch;
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new IOException("the CA in " + dir + " is already open in this process");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static void release(FileChannel lock) {
        try {
            lock.close();
        } catch (IOException e) {
            LOG.debug("closing the CA lock failed: {}", e.getMessage());
        }
    }

    private static Path issuedFile(Path dir, BigInteger serial) {
        return dir.resolve(ISSUED).resolve(CaIndex.hex(serial) + ".pem");
    }

    private static BigInteger readHex(Path file) throws IOException {
        String text = new String(AtomicFiles.readBounded(file), StandardCharsets.US_ASCII).strip();
        if (!text.matches("[0-9A-Fa-f]{1,40}")) {
            throw new IOException(file + ": not a hex number");
        }
        return new BigInteger(text, 16);
    }

    /** 16 random bytes, positive and non-zero (RFC 5280 §4.1.2.2: at most 20 octets). */
    static BigInteger randomSerial(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        b[0] = (byte) ((b[0] & 0x7F) | 0x40);
        return new BigInteger(b);
    }

    /** X.500 order, most general first, as openssl and most CAs write it. */
    static X500Name x500Name(CsrSubject s) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        add(b, BCStyle.C, s.country().toUpperCase(Locale.ROOT));
        add(b, BCStyle.ST, s.stateOrProvince());
        add(b, BCStyle.L, s.locality());
        add(b, BCStyle.O, s.organization());
        add(b, BCStyle.OU, s.organizationalUnit());
        add(b, BCStyle.CN, s.commonName());
        add(b, BCStyle.SERIALNUMBER, s.serialNumber());
        add(b, BCStyle.EmailAddress, s.email());
        return b.build();
    }

    private static void add(X500NameBuilder b, ASN1ObjectIdentifier type, String value) {
        if (!value.isEmpty()) {
            b.addRDN(type, value);
        }
    }

    private static PKCS10CertificationRequest parseCsr(byte[] data) throws CaException {
        Objects.requireNonNull(data, "csr");
        if (data.length > MAX_CSR_BYTES) {
            throw new CaException("CSR of " + data.length + " bytes: at most " + MAX_CSR_BYTES);
        }
        try {
            if (data.length > 0 && data[0] != 0x30) {
                try (PEMParser p = new PEMParser(new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.US_ASCII))) {
                    for (Object o = p.readObject(); o != null; o = p.readObject()) {
                        if (o instanceof PKCS10CertificationRequest r) {
                            return r;
                        }
                    }
                }
                throw new CaException("no CERTIFICATE REQUEST block in the PEM data");
            }
            return new PKCS10CertificationRequest(data);
        } catch (IOException | RuntimeException e) {
            throw new CaException("not a PKCS#10 certificate request: " + e.getMessage(), e);
        }
    }

    private static String attr(X500Name name, ASN1ObjectIdentifier type) {
        RDN[] rdns = name.getRDNs(type);
        if (rdns.length == 0) {
            return "";
        }
        return rdns[0].getFirst().getValue() instanceof ASN1String s ? s.getString() : rdns[0].getFirst().getValue().toString();
    }

    private static String sanText(GeneralName n) throws CaException {
        return switch (n.getTagNo()) {
            case GeneralName.dNSName -> "DNS:" + ((ASN1String) n.getName()).getString();
            case GeneralName.uniformResourceIdentifier -> "URI:" + ((ASN1String) n.getName()).getString();
            case GeneralName.rfc822Name -> "email:" + ((ASN1String) n.getName()).getString();
            case GeneralName.iPAddress -> {
                try {
                    yield "IP:" + InetAddress.getByAddress(DEROctetString.getInstance(n.getName()).getOctets()).getHostAddress();
                } catch (java.net.UnknownHostException e) {
                    throw new CaException("the CSR has an IP address of a bad length", e);
                }
            }
            default -> throw new CaException("the CSR asks for a subject alternative name of type " + n.getTagNo()
                    + " (only DNS, IP, URI and e-mail are issued)");
        };
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    }
}
