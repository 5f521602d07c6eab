package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.transport.tls.cert.TrustStore;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throw-away PKI for tests: an EC P-256 root CA and an intermediate CA (pathLen 0) under it, issuing
 * server, client and custom leaves. Everything is generated in memory with Bouncy Castle's certificate
 * builders on JDK crypto; nothing is registered globally.
 *
 * <p>RSA key generation is slow, so RSA leaves draw from {@value #RSA_POOL} 2048-bit key pairs generated once
 * per JVM ({@link #rsaKeyPair(int)}); leaves issued with the same RSA pool index share a key. EC keys are fresh.
 *
 * <p>Files for openssl: {@link #writeTo(Path)} writes root.pem, intermediate.pem and ca-chain.pem;
 * {@link #writeIdentity(Path, String, Identity)} writes name.crt (chain PEM, leaf first) and name.key
 * (unencrypted PKCS#8 PEM); {@link #writeCertificate(Path, X509Certificate)} one certificate as PEM;
 * {@link #writeCrl(Path, X509CRL)} a CRL as PEM.
 */
public final class TestPki {
    /** How many distinct RSA key pairs the JVM-wide pool holds. */
    public static final int RSA_POOL = 3;

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xFFFF_FFFFL);
    private static final KeyPair[] RSA_KEYS = new KeyPair[RSA_POOL];

    private final Identity rootIdentity;
    private final Identity intermediateIdentity;

    private TestPki(Identity root, Identity intermediate) {
        this.rootIdentity = root;
        this.intermediateIdentity = intermediate;
    }

    /** A fresh root (EC P-256, "CN=cipsec test root") and intermediate (EC P-256, pathLen 0, "CN=cipsec test intermediate"). */
    public static TestPki create() {
        return create("cipsec test");
    }

    /** Like {@link #create()} with CA names starting with {@code namePrefix} (two PKIs with distinct names). */
    public static TestPki create(String namePrefix) {
        KeyPair rootKeys = newKeyPair(KeyType.EC_P256);
        X500Name rootName = new X500Name("CN=" + namePrefix + " root");
        Instant now = Instant.now();
        X509Certificate root = build(rootName, rootKeys.getPublic(), rootName, rootKeys.getPrivate(), null,
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)), true, null,
                KeyUsage.keyCertSign | KeyUsage.cRLSign, null, List.of(), List.of());
        Identity rootId = new Identity(rootKeys.getPrivate(), List.of(root));
        KeyPair interKeys = newKeyPair(KeyType.EC_P256);
        X509Certificate inter = build(new X500Name("CN=" + namePrefix + " intermediate"), interKeys.getPublic(),
                rootName, rootKeys.getPrivate(), root, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1825)),
                true, 0, KeyUsage.keyCertSign | KeyUsage.cRLSign, null, List.of(), List.of());
        return new TestPki(rootId, new Identity(interKeys.getPrivate(), List.of(inter)));
    }

    public X509Certificate root() {
        return rootIdentity.certificate();
    }

    public X509Certificate intermediate() {
        return intermediateIdentity.certificate();
    }

    /** The root's key with its certificate, to sign custom certificates and CRLs with. */
    public Identity rootIdentity() {
        return rootIdentity;
    }

    /** The intermediate's key with its chain (the intermediate only; the root is the anchor). */
    public Identity intermediateIdentity() {
        return intermediateIdentity;
    }

    /** A server leaf signed by the intermediate: EKU serverAuth, SAN DNS cn and localhost, IP 127.0.0.1; chain leaf+intermediate. */
    public Identity issueServer(KeyType type, String cn) {
        return issue(LeafSpec.of(type, cn).eku(KeyPurposeId.id_kp_serverAuth));
    }

    /** A client leaf like {@link #issueServer} with EKU clientAuth. */
    public Identity issueClient(KeyType type, String cn) {
        return issue(LeafSpec.of(type, cn).eku(KeyPurposeId.id_kp_clientAuth));
    }

    /**
     * A certificate as {@code spec} describes it. The chain is the new certificate followed by the signer's chain
     * without self-signed certificates (so the anchor is never sent, as in TLS).
     */
    public Identity issue(LeafSpec spec) {
        Identity signer = switch (spec.signer) {
            case ROOT -> rootIdentity;
            case INTERMEDIATE -> intermediateIdentity;
            case SELF -> null;
        };
        if (spec.issuer != null) {
            signer = spec.issuer;
        }
        return issueWith(spec, signer);
    }

    /** A self-signed end-entity certificate (EKU serverAuth and clientAuth), for pinning. */
    public static Identity selfSigned(KeyType type, String cn) {
        return issueWith(LeafSpec.of(type, cn).signer(Signer.SELF)
                .eku(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth), null);
    }

    /** A CRL by the intermediate listing {@code revoked}, valid from an hour ago for a week. */
    public X509CRL crl(X509Certificate... revoked) {
        Instant now = Instant.now();
        return crl(intermediateIdentity, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)), revoked);
    }

    /** A CRL named after {@code issuer}'s certificate subject and signed with its key. */
    public static X509CRL crl(Identity issuer, Instant thisUpdate, Instant nextUpdate, X509Certificate... revoked) {
        X509Certificate ic = issuer.certificate();
        X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(ic.getSubjectX500Principal().getEncoded()),
                Date.from(thisUpdate));
        b.setNextUpdate(Date.from(nextUpdate));
        for (X509Certificate r : revoked) {
            b.addCRLEntry(r.getSerialNumber(), Date.from(thisUpdate), CRLReason.keyCompromise);
        }
        try {
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(SERIALS.incrementAndGet())));
            b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ic));
            return new JcaX509CRLConverter().getCRL(b.build(signer(issuer.key())));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Anchors = the root; no issuers, no CRLs. */
    public TrustStore trustStore() {
        return TrustStore.of(List.of(root()), List.of(), List.of());
    }

    /** Writes root.pem, intermediate.pem and ca-chain.pem (intermediate then root) into {@code dir}. */
    public void writeTo(Path dir) {
        writeCertificate(dir.resolve("root.pem"), root());
        writeCertificate(dir.resolve("intermediate.pem"), intermediate());
        try {
            CredentialFiles.writePem(dir.resolve("ca-chain.pem"), List.of(intermediate(), root()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code dir/name.crt} (the chain, leaf first) and {@code dir/name.key} (PKCS#8 PEM); returns the .crt path. */
    public static Path writeIdentity(Path dir, String name, Identity id) {
        try {
            Files.createDirectories(dir);
            Path crt = dir.resolve(name + ".crt");
            CredentialFiles.writePem(crt, id.chain());
            CredentialFiles.writePem(dir.resolve(name + ".key"), id.key());
            return crt;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one certificate as PEM; returns {@code file}. */
    public static Path writeCertificate(Path file, X509Certificate c) {
        try {
            CredentialFiles.writePem(file, List.of(c));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a CRL as PEM ("X509 CRL"); returns {@code file}. */
    public static Path writeCrl(Path file, X509CRL crl) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(crl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh EC key pair, or for RSA the first pooled pair. */
    public static KeyPair newKeyPair(KeyType type) {
        try {
            return switch (type) {
                case RSA -> rsaKeyPair(0);
                case EC_P256, EC_P384 -> {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec(type == KeyType.EC_P256 ? "secp256r1" : "secp384r1"));
                    yield g.generateKeyPair();
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code index}-th (0..{@value #RSA_POOL}-1) 2048-bit RSA key pair of this JVM, generated on first use. */
    public static KeyPair rsaKeyPair(int index) {
        Objects.checkIndex(index, RSA_POOL);
        synchronized (RSA_KEYS) {
            if (RSA_KEYS[index] == null) {
                try {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(2048, new SecureRandom());
                    RSA_KEYS[index] = g.generateKeyPair();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
            return RSA_KEYS[index];
        }
    }

    /** Who signs a certificate issued by {@link #issue(LeafSpec)}. */
    public enum Signer { ROOT, INTERMEDIATE, SELF }

    /**
     * Everything about a certificate to issue. Defaults: intermediate signer, valid from an hour ago for a year,
     * basicConstraints cA=false, key usage digitalSignature (plus keyEncipherment for RSA; keyCertSign|cRLSign
     * for a CA), no EKU, SAN DNS cn and localhost plus IP 127.0.0.1 (none for a CA), a fresh key.
     */
    public static final class LeafSpec {
        private final KeyType type;
        private final String cn;
        private Signer signer = Signer.INTERMEDIATE;
        private Identity issuer;
        private KeyPair keyPair;
        private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(365));
        private Boolean ca = Boolean.FALSE;
        private Integer pathLen;
        private Integer keyUsage;
        private boolean keyUsageSet;
        private KeyPurposeId[] eku;
        private boolean san = true;
        private List<GeneralName> customSans;
        private final List<Object[]> extensions = new ArrayList<>();

        private LeafSpec(KeyType type, String cn) {
            this.type = Objects.requireNonNull(type);
            this.cn = Objects.requireNonNull(cn);
        }

        public static LeafSpec of(KeyType type, String cn) {
            return new LeafSpec(type, cn);
        }

        public LeafSpec signer(Signer s) {
            this.signer = Objects.requireNonNull(s);
            return this;
        }

        /** Signs with this identity's key and names its certificate's subject as issuer (overrides {@link #signer}). */
        public LeafSpec issuer(Identity id) {
            this.issuer = id;
            return this;
        }

        /** Certifies this key pair instead of a fresh one (its type must match the spec's). */
        public LeafSpec keyPair(KeyPair kp) {
            this.keyPair = kp;
            return this;
        }

        public LeafSpec validity(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        /** basicConstraints cA=true (critical), default key usage keyCertSign|cRLSign, no SAN. */
        public LeafSpec ca() {
            this.ca = Boolean.TRUE;
            this.san = false;
            return this;
        }

        public LeafSpec ca(int pathLenConstraint) {
            ca();
            this.pathLen = pathLenConstraint;
            return this;
        }

        /** Leaves basicConstraints out altogether (as v1-style and some device certificates do). */
        public LeafSpec noBasicConstraints() {
            this.ca = null;
            return this;
        }

        /** Key usage bits as {@link KeyUsage} constants or-ed together; null leaves the extension out. */
        public LeafSpec keyUsage(Integer bits) {
            this.keyUsage = bits;
            this.keyUsageSet = true;
            return this;
        }

        /** Extended key usage; no arguments leaves the extension out. */
        public LeafSpec eku(KeyPurposeId... purposes) {
            this.eku = purposes.length == 0 ? null : purposes.clone();
            return this;
        }

        /** Adds an arbitrary extension, e.g. an unknown critical one. */
        /** These subject alternative names instead of the default (cn, localhost, 127.0.0.1); none for no extension. */
        public LeafSpec subjectAltNames(GeneralName... names) {
            this.customSans = List.of(names);
            return this;
        }

        public LeafSpec extension(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
            extensions.add(new Object[] {oid, critical, value});
            return this;
        }
    }

    private static Identity issueWith(LeafSpec spec, Identity signer) {
        KeyPair kp = spec.keyPair != null ? spec.keyPair : newKeyPair(spec.type);
        X500Name subject = new X500Name("CN=" + spec.cn);
        int ku = spec.keyUsageSet ? (spec.keyUsage == null ? -1 : spec.keyUsage)
                : Boolean.TRUE.equals(spec.ca) ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : spec.type == KeyType.RSA ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature;
        List<GeneralName> sans = spec.customSans != null ? spec.customSans : spec.san
                ? List.of(new GeneralName(GeneralName.dNSName, spec.cn), new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"))
                : List.of();
        X509Certificate cert;
        List<X509Certificate> chain = new ArrayList<>();
        if (signer == null) {
            cert = build(subject, kp.getPublic(), subject, kp.getPrivate(), null, spec.notBefore, spec.notAfter, spec.ca,
                    spec.pathLen, ku, spec.eku, sans, spec.extensions);
            chain.add(cert);
        } else {
            X509Certificate ic = signer.certificate();
            cert = build(subject, kp.getPublic(), X500Name.getInstance(ic.getSubjectX500Principal().getEncoded()),
                    signer.key(), ic, spec.notBefore, spec.notAfter, spec.ca, spec.pathLen, ku, spec.eku, sans, spec.extensions);
            chain.add(cert);
            for (X509Certificate c : signer.chain()) {
                if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                    chain.add(c);
                }
            }
        }
        return new Identity(kp.getPrivate(), chain);
    }

    private static X509Certificate build(X500Name subject, PublicKey key, X500Name issuerName, PrivateKey signerKey,
                                         X509Certificate issuerCert, Instant notBefore, Instant notAfter, Boolean ca,
                                         Integer pathLen, int keyUsage, KeyPurposeId[] eku, List<GeneralName> sans,
                                         List<Object[]> extra) {
        try {
            BigInteger serial = BigInteger.valueOf(SERIALS.incrementAndGet()).shiftLeft(16)
                    .or(BigInteger.valueOf(new SecureRandom().nextInt(1 << 16)));
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, serial, Date.from(notBefore),
                    Date.from(notAfter), subject, key);
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            if (ca != null) {
                b.addExtension(Extension.basicConstraints, ca,
                        ca ? (pathLen == null ? new BasicConstraints(true) : new BasicConstraints(pathLen)) : new BasicConstraints(false));
            }
            if (keyUsage >= 0) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            }
            if (eku != null) {
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
            }
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
            if (issuerCert != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerCert));
            }
            for (Object[] e : extra) {
                b.addExtension((ASN1ObjectIdentifier) e[0], (Boolean) e[1], (ASN1Encodable) e[2]);
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(signer(signerKey)));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ContentSigner signer(PrivateKey key) {
        String alg = "RSA".equalsIgnoreCase(key.getAlgorithm()) ? "SHA256withRSA"
                : key instanceof java.security.interfaces.ECPrivateKey ec && ec.getParams().getCurve().getField().getFieldSize() > 256
                ? "SHA384withECDSA" : "SHA256withECDSA";
        try {
            return new JcaContentSignerBuilder(alg).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
