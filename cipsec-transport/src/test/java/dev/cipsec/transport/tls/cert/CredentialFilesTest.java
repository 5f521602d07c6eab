package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.TestPki;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CredentialFilesTest {
    private static final TestPki PKI = TestPki.create();
    private static final char[] PASSWORD = "s3cret".toCharArray();

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    // ---- certificates ----

    @Test
    void pemChainIsReadInOrderAndDerSingleCertificate() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "chain");
        Path chain = dir.resolve("chain.pem");
        CredentialFiles.writePem(chain, List.of(server.certificate(), PKI.intermediate(), PKI.root()));
        assertThat(CredentialFiles.readCertificates(chain))
                .containsExactly(server.certificate(), PKI.intermediate(), PKI.root());

        Path der = Files.write(dir.resolve("leaf.der"), server.certificate().getEncoded());
        assertThat(CredentialFiles.readCertificates(der)).containsExactly(server.certificate());
    }

    @Test
    void pemWithExplanatoryTextAndOtherBlocksKeepsOnlyCertificates() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "mixed");
        Path mixed = write("mixed.pem", "Bag Attributes\n    friendlyName: x\n" + pem(server.certificate())
                + pem(server.key()) + "subject=CN=whatever\n" + pem(PKI.intermediate()));
        assertThat(CredentialFiles.readCertificates(mixed)).containsExactly(server.certificate(), PKI.intermediate());
    }

    @Test
    void pemWithoutCertificateIsAnIOException() throws Exception {
        Path keyOnly = write("key.pem", pem(PKI.issueServer(KeyType.EC_P256, "k").key()));
        assertThatThrownBy(() -> CredentialFiles.readCertificates(keyOnly))
                .isInstanceOf(IOException.class).hasMessageContaining("no CERTIFICATE");
    }

    @Test
    void fingerprintIsUpperCaseColonSeparatedSha256() throws Exception {
        X509Certificate root = PKI.root();
        String fp = CredentialFiles.sha256Fingerprint(root);
        assertThat(fp).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(root.getEncoded());
        assertThat(fp.replace(":", "")).isEqualTo(java.util.HexFormat.of().withUpperCase().formatHex(digest));
    }

    // ---- private keys, every format ----

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void pkcs8PemWrittenByUsIsReadBackOwnerOnly(KeyType type) throws Exception {
        Identity id = PKI.issueServer(type, "p8-" + type);
        Path key = dir.resolve("key.pem");
        CredentialFiles.writePem(key, id.key());
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(CredentialFiles.readPrivateKey(key, null)).isEqualTo(id.key());
        if (Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            assertThat(Files.getPosixFilePermissions(key))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("key.pem");
    }

    @Test
    void encryptedPkcs8PemNeedsTheRightPassword() throws Exception {
        Identity id = PKI.issueServer(KeyType.EC_P384, "enc");
        JceOpenSSLPKCS8EncryptorBuilder enc = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword(PASSWORD);
        Path key = write("enc.pem", pem(new JcaPKCS8Generator(id.key(), enc.build())));
        assertThat(Files.readString(key)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");

        assertThat(CredentialFiles.readPrivateKey(key, PASSWORD)).isEqualTo(id.key());
        assertThatThrownBy(() -> CredentialFiles.readPrivateKey(key, null))
                .isInstanceOf(IOException.class).hasMessageContaining("password is needed");
        assertThatThrownBy(() -> CredentialFiles.readPrivateKey(key, "wrong".toCharArray()))
                .isInstanceOf(IOException.class).hasMessageContaining("wrong password");
    }

    @Test
    void sec1EcPrivateKeyIsRead() throws Exception {
        Identity id = PKI.issueServer(KeyType.EC_P256, "sec1");
        // SEC1 as openssl writes it: the curve named inside ECPrivateKey (the JDK's PKCS#8 names it only outside).
        PrivateKeyInfo p8 = PrivateKeyInfo.getInstance(id.key().getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(p8.parsePrivateKey());
        ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), p8.getPrivateKeyAlgorithm().getParameters());
        Path key = write("ec.pem", pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded())));
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        PrivateKey read = CredentialFiles.readPrivateKey(key, null);
        CredentialFiles.requireKeyMatches(read, id.certificate());
    }

    @Test
    void pkcs1RsaPrivateKeyIsRead() throws Exception {
        Identity id = PKI.issueServer(KeyType.RSA, "pkcs1");
        Path key = write("rsa.pem", pem(id.key()));
        assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        PrivateKey read = CredentialFiles.readPrivateKey(key, null);
        assertThat(read.getAlgorithm()).isEqualTo("RSA");
        CredentialFiles.requireKeyMatches(read, id.certificate());
    }

    @Test
    void derPkcs8PlainAndEncryptedAreRead() throws Exception {
        Identity id = PKI.issueServer(KeyType.EC_P256, "der");
        Path der = Files.write(dir.resolve("key.der"), id.key().getEncoded());
        assertThat(CredentialFiles.readPrivateKey(der, null)).isEqualTo(id.key());

        JceOpenSSLPKCS8EncryptorBuilder enc = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_128_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword(PASSWORD);
        byte[] encDer = new JcaPKCS8Generator(id.key(), enc.build()).generate().getContent();
        Path encFile = Files.write(dir.resolve("key-enc.der"), encDer);
        assertThat(CredentialFiles.readPrivateKey(encFile, PASSWORD)).isEqualTo(id.key());
    }

    @Test
    void keyPemWithoutKeyIsAnIOException() throws Exception {
        Path certOnly = dir.resolve("cert.pem");
        CredentialFiles.writePem(certOnly, List.of(PKI.root()));
        assertThatThrownBy(() -> CredentialFiles.readPrivateKey(certOnly, null))
                .isInstanceOf(IOException.class).hasMessageContaining("no private key");
    }

    // ---- identities ----

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void identityFromCertificateAndKeyFiles(KeyType type) throws Exception {
        Identity id = PKI.issueClient(type, "id-" + type);
        Path crt = TestPki.writeIdentity(dir, "client", id);
        Identity read = CredentialFiles.readIdentity(crt, dir.resolve("client.key"), null);
        assertThat(read.chain()).containsExactlyElementsOf(id.chain());
        assertThat(read.key()).isEqualTo(id.key());
        assertThat(read.keyType()).isEqualTo(type);
    }

    @Test
    void keyThatDoesNotMatchTheCertificateIsRefused() throws Exception {
        Identity a = PKI.issueServer(KeyType.EC_P256, "a");
        Identity b = PKI.issueServer(KeyType.EC_P256, "b");
        Path crt = dir.resolve("a.crt");
        CredentialFiles.writePem(crt, a.chain());
        Path key = dir.resolve("b.key");
        CredentialFiles.writePem(key, b.key());
        assertThatThrownBy(() -> CredentialFiles.readIdentity(crt, key, null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not match the certificate CN=a")
                .hasMessageContaining(CredentialFiles.sha256Fingerprint(a.certificate()));

        // Same algorithm and size, different RSA key.
        Identity rsa = PKI.issue(TestPki.LeafSpec.of(KeyType.RSA, "rsa").keyPair(TestPki.rsaKeyPair(0)));
        Path rsaCrt = dir.resolve("rsa.crt");
        CredentialFiles.writePem(rsaCrt, rsa.chain());
        Path otherRsa = dir.resolve("rsa-other.key");
        CredentialFiles.writePem(otherRsa, TestPki.rsaKeyPair(1).getPrivate());
        assertThatThrownBy(() -> CredentialFiles.readIdentity(rsaCrt, otherRsa, null))
                .isInstanceOf(IOException.class).hasMessageContaining("does not match");
        // Different algorithm.
        assertThatThrownBy(() -> CredentialFiles.readIdentity(crt, otherRsa, null))
                .isInstanceOf(IOException.class).hasMessageContaining("does not match");
    }

    // ---- PKCS#12 ----

    private Path pkcs12(String name, Object... aliasAndIdentity) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < aliasAndIdentity.length; i += 2) {
            Identity id = (Identity) aliasAndIdentity[i + 1];
            ks.setKeyEntry((String) aliasAndIdentity[i], id.key(), PASSWORD, id.chain().toArray(Certificate[]::new));
        }
        ks.setCertificateEntry("anchor", PKI.root());
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD);
        }
        return file;
    }

    @Test
    void pkcs12WithOneKeyEntryNeedsNoAlias() throws Exception {
        Identity id = PKI.issueServer(KeyType.EC_P256, "p12");
        Path file = pkcs12("one.p12", "device", id);
        Identity read = CredentialFiles.readPkcs12(file, PASSWORD, null);
        // The JDK completes the stored chain from the other certificates in the file (here the root).
        assertThat(read.chain()).containsExactly(id.certificate(), PKI.intermediate(), PKI.root());
        assertThat(read.key()).isEqualTo(id.key());
        assertThat(CredentialFiles.readPkcs12(file, PASSWORD, "device").certificate()).isEqualTo(id.certificate());
    }

    @Test
    void pkcs12WithSeveralKeysNeedsTheAlias() throws Exception {
        Identity ec = PKI.issueServer(KeyType.EC_P256, "ec");
        Identity rsa = PKI.issueServer(KeyType.RSA, "rsa");
        Path file = pkcs12("two.p12", "ec", ec, "rsa", rsa);
        assertThat(CredentialFiles.readPkcs12(file, PASSWORD, "rsa").keyType()).isEqualTo(KeyType.RSA);
        assertThat(CredentialFiles.readPkcs12(file, PASSWORD, "ec").certificate()).isEqualTo(ec.certificate());
        assertThatThrownBy(() -> CredentialFiles.readPkcs12(file, PASSWORD, null))
                .isInstanceOf(IOException.class).hasMessageContaining("2 key entries");
        assertThatThrownBy(() -> CredentialFiles.readPkcs12(file, PASSWORD, "nope"))
                .isInstanceOf(IOException.class).hasMessageContaining("no key entry named 'nope'");
        assertThatThrownBy(() -> CredentialFiles.readPkcs12(file, PASSWORD, "anchor"))
                .isInstanceOf(IOException.class).hasMessageContaining("no key entry named 'anchor'");
    }

    @Test
    void pkcs12WithTheWrongPasswordIsAnIOException() throws Exception {
        Path file = pkcs12("pw.p12", "device", PKI.issueServer(KeyType.EC_P256, "pw"));
        assertThatThrownBy(() -> CredentialFiles.readPkcs12(file, "wrong".toCharArray(), null))
                .isInstanceOf(IOException.class);
    }

    // ---- bounds and garbage ----

    @Test
    void oversizeFilesAreRefusedBeforeBeingRead() throws Exception {
        Path big = dir.resolve("big.pem");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(AtomicFiles.MAX_FILE_BYTES + 1L);   // sparse: nothing is actually written
        }
        assertThatThrownBy(() -> CredentialFiles.readCertificates(big))
                .isInstanceOf(IOException.class).hasMessageContaining("more than the 1048576 allowed");
        assertThatThrownBy(() -> CredentialFiles.readPrivateKey(big, null)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CredentialFiles.readPkcs12(big, PASSWORD, null)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CredentialFiles.readCrls(big)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CredentialFiles.readCertificates(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void tooManyPemBlocksAreRefused() throws Exception {
        String block = pem(PKI.root());
        Path many = write("many.pem", block.repeat(CredentialFiles.MAX_OBJECTS_PER_FILE + 1));
        assertThatThrownBy(() -> CredentialFiles.readCertificates(many))
                .isInstanceOf(IOException.class).hasMessageContaining("more than 64 PEM blocks");
    }

    @Test
    void garbageAndTruncatedFilesAreIOExceptions() throws Exception {
        Identity id = PKI.issueServer(KeyType.RSA, "trunc");
        String certPem = pem(id.certificate());
        String keyPem = pem(id.key());
        List<byte[]> inputs = List.of(
                new byte[0],
                "hello".getBytes(StandardCharsets.US_ASCII),
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII),
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII),
                "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n".getBytes(StandardCharsets.US_ASCII),
                "-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n".getBytes(StandardCharsets.US_ASCII),
                "-----BEGIN CERTIFICATE-----\nMIIB".getBytes(StandardCharsets.US_ASCII),
                certPem.substring(0, certPem.length() / 2).getBytes(StandardCharsets.US_ASCII),
                keyPem.substring(0, keyPem.length() / 2).getBytes(StandardCharsets.US_ASCII),
                java.util.Arrays.copyOf(id.certificate().getEncoded(), 100),
                java.util.Arrays.copyOf(id.key().getEncoded(), 100),
                new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x02, 0x01},
                new byte[] {0x30, 0x03, 0x02, 0x01, 0x00});
        int i = 0;
        for (byte[] input : inputs) {
            GarbageInputs.assertOnlyIOExceptions(Files.write(dir.resolve("g" + i++), input));
        }
    }
}
