package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.TestPki;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustStoreTest {
    private static final TestPki PKI = TestPki.create();

    @TempDir
    Path dir;

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void openCreatesTheSubDirectories() throws Exception {
        Path pki = dir.resolve("pki");
        TrustStore store = TrustStore.open(pki);
        assertThat(names(pki)).containsExactly("issuers", "rejected", "trusted");
        assertThat(names(pki.resolve("trusted"))).containsExactly("certs", "crls");
        assertThat(names(pki.resolve("issuers"))).containsExactly("certs", "crls");
        assertThat(names(pki.resolve("rejected"))).containsExactly("certs");
        assertThat(store.anchors()).isEmpty();
        assertThat(store.issuers()).isEmpty();
        assertThat(store.crls()).isEmpty();
        assertThat(store.rejected()).isEmpty();
    }

    @Test
    void readsTheFlatLayoutPemAndDerAndSkipsGarbage() throws Exception {
        // The layout before */certs: files directly in trusted/ and issuers/, CRLs in crls/.
        Files.createDirectories(dir.resolve("trusted"));
        Files.createDirectories(dir.resolve("issuers"));
        Files.createDirectories(dir.resolve("crls"));
        Identity pinned = TestPki.selfSigned(KeyType.EC_P256, "pinned");
        TestPki.writeCertificate(dir.resolve("trusted/root.pem"), PKI.root());
        Files.write(dir.resolve("trusted/pinned.der"), pinned.certificate().getEncoded());
        Files.writeString(dir.resolve("trusted/readme.txt"), "not a certificate");
        Files.write(dir.resolve("trusted/empty.crt"), new byte[0]);
        Files.createDirectory(dir.resolve("trusted/subdir"));
        Files.write(dir.resolve("trusted/.hidden.tmp"), PKI.intermediate().getEncoded());
        Files.write(dir.resolve("issuers/intermediate.der"), PKI.intermediate().getEncoded());
        Files.writeString(dir.resolve("issuers/junk.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Identity revoked = PKI.issueServer(KeyType.EC_P256, "revoked");
        Files.write(dir.resolve("crls/intermediate.crl"), PKI.crl(revoked.certificate()).getEncoded());
        StringWriter pemCrl = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pemCrl)) {
            w.writeObject(PKI.crl());
        }
        Files.writeString(dir.resolve("crls/empty.pem"), pemCrl.toString());
        Files.writeString(dir.resolve("crls/bad.crl"), "garbage");

        TrustStore store = TrustStore.open(dir);
        assertThat(store.anchors()).containsExactlyInAnyOrder(PKI.root(), pinned.certificate());
        assertThat(store.issuers()).containsExactly(PKI.intermediate());
        assertThat(store.crls()).hasSize(2);

        CertificateVerifier v = new CertificateVerifier(store);
        VerifyOptions opts = VerifyOptions.of(Purpose.SERVER, true);
        Identity server = PKI.issueServer(KeyType.EC_P256, "good");
        assertThat(v.verify(List.of(server.certificate()), opts)).hasSize(3);
        assertThatThrownBy(() -> v.verify(revoked.chain(), opts))
                .isInstanceOf(CertificateRejectedException.class).hasMessageStartingWith("REVOKED");
        assertThat(v.verify(pinned.chain(), opts)).containsExactly(pinned.certificate());
    }

    @Test
    void aMissingOrUnreadableDirectoryFailsTheOpen() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> TrustStore.open(file)).isInstanceOf(IOException.class);
    }

    @Test
    void tooManyFilesInADirectoryFailsTheOpen() throws Exception {
        TrustStore.open(dir);
        for (int i = 0; i <= TrustStore.MAX_FILES_PER_DIRECTORY; i++) {
            Files.createFile(dir.resolve("issuers/f" + i));
        }
        assertThatThrownBy(() -> TrustStore.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("more than 1000");
    }

    @Test
    void rejectWritesDerNamedByFingerprintAndApproveMovesItToTrusted() throws Exception {
        TrustStore store = TrustStore.open(dir);
        Identity peer = TestPki.selfSigned(KeyType.EC_P256, "unknown device");
        CertificateVerifier v = new CertificateVerifier(store);
        VerifyOptions opts = VerifyOptions.of(Purpose.CLIENT, false);
        CertificateRejectedException e = org.junit.jupiter.api.Assertions.assertThrows(
                CertificateRejectedException.class, () -> v.verify(peer.chain(), opts));
        store.reject(e.certificate());

        String fp = CredentialFiles.sha256Fingerprint(peer.certificate());
        String file = fp.replace(":", "") + ".der";
        assertThat(names(dir.resolve("rejected/certs"))).containsExactly(file);
        assertThat(Files.readAllBytes(dir.resolve("rejected/certs").resolve(file))).isEqualTo(peer.certificate().getEncoded());
        assertThat(store.rejected()).containsExactly(peer.certificate());
        store.reject(peer.certificate());
        assertThat(names(dir.resolve("rejected/certs"))).containsExactly(file);

        store.approve(fp.toLowerCase(java.util.Locale.ROOT));
        assertThat(names(dir.resolve("rejected/certs"))).isEmpty();
        assertThat(names(dir.resolve("trusted/certs"))).containsExactly(file);
        // The snapshot is immutable; the reloaded one trusts the peer.
        assertThat(store.anchors()).isEmpty();
        TrustStore reloaded = store.reload();
        assertThat(reloaded.anchors()).containsExactly(peer.certificate());
        assertThat(new CertificateVerifier(reloaded).verify(peer.chain(), opts)).containsExactly(peer.certificate());
    }

    @Test
    void approveRefusesUnknownAndMalformedFingerprints() throws Exception {
        TrustStore store = TrustStore.open(dir);
        String absent = CredentialFiles.sha256Fingerprint(PKI.root());
        assertThatThrownBy(() -> store.approve(absent)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.approve("../trusted/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.approve("AB:CD")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrustStore.empty().approve(absent)).isInstanceOf(IOException.class);
    }

    @Test
    void rejectedKeepsAtMost128DroppingTheOldest() throws Exception {
        TrustStore store = TrustStore.open(dir);
        Path rejected = dir.resolve("rejected/certs");
        List<X509Certificate> certs = new ArrayList<>();
        for (int i = 0; i < TrustStore.MAX_REJECTED; i++) {
            X509Certificate c = PKI.issueServer(KeyType.EC_P256, "peer " + i).certificate();
            certs.add(c);
            store.reject(c);
            // Explicit ages so "oldest" does not depend on the file system's timestamp resolution.
            Files.setLastModifiedTime(rejected.resolve(TrustStore.fileName(CredentialFiles.sha256Fingerprint(c))),
                    FileTime.fromMillis(1_000_000L + i * 1000L));
        }
        assertThat(names(rejected)).hasSize(128);

        X509Certificate newest = PKI.issueServer(KeyType.EC_P256, "peer 128").certificate();
        store.reject(newest);
        assertThat(names(rejected)).hasSize(128)
                .doesNotContain(TrustStore.fileName(CredentialFiles.sha256Fingerprint(certs.getFirst())))
                .contains(TrustStore.fileName(CredentialFiles.sha256Fingerprint(certs.get(1))),
                        TrustStore.fileName(CredentialFiles.sha256Fingerprint(newest)));
    }

    @Test
    void rejectNeverThrowsAndIsANoOpInMemory() throws Exception {
        TrustStore memory = TrustStore.of(List.of(PKI.root()), List.of(), List.of());
        memory.reject(PKI.intermediate());
        assertThat(memory.rejected()).isEmpty();
        assertThat(memory.reload()).isSameAs(memory);

        TrustStore store = TrustStore.open(dir);
        Files.delete(dir.resolve("rejected/certs"));
        Files.writeString(dir.resolve("rejected/certs"), "a file where the directory should be");
        store.reject(PKI.intermediate());
        store.reject((X509Certificate) null);
        assertThat(Files.readString(dir.resolve("rejected/certs"))).isEqualTo("a file where the directory should be");
    }

    @Test
    void writesLeaveNoTemporaryFilesBehind() throws Exception {
        TrustStore store = TrustStore.open(dir);
        store.reject(PKI.intermediate());
        CredentialFiles.writePem(dir.resolve("trusted/root.pem"), List.of(PKI.root()));
        CredentialFiles.writePem(dir.resolve("trusted/root.pem"), List.of(PKI.root(), PKI.intermediate()));
        store.accept(CredentialFiles.sha256Fingerprint(PKI.intermediate()).substring(0, 11));
        store.add(TestPki.writeCertificate(dir.resolve("root-copy.pem"), PKI.root()), TrustStore.Folder.ISSUERS);
        assertThat(names(dir.resolve("rejected/certs"))).isEmpty();
        assertThat(names(dir.resolve("issuers/certs"))).allMatch(n -> n.matches("[0-9A-F]{64}\\.der"));
        assertThat(names(dir.resolve("trusted/certs"))).allMatch(n -> n.matches("[0-9A-F]{64}\\.der"));
        assertThat(names(dir.resolve("trusted"))).containsExactly("certs", "crls", "root.pem");
        assertThat(CredentialFiles.readCertificates(dir.resolve("trusted/root.pem"))).hasSize(2);
    }
}
