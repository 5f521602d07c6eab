package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.OpenSslCommand;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.cert.TrustStore.Entry;
import dev.cipsec.transport.tls.cert.TrustStore.Folder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The operator's side of a trust directory: list, accept, reject, remove, add, add-crl, in both layouts. */
class TrustStoreOperationsTest {
    private static final TestPki PKI = TestPki.create();
    private static final VerifyOptions SERVER = VerifyOptions.of(Purpose.SERVER, true);

    @TempDir
    Path dir;

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String fp(X509Certificate c) {
        return CredentialFiles.sha256Fingerprint(c);
    }

    private static String hex(X509Certificate c) {
        return fp(c).replace(":", "");
    }

    private Path pem(String name, X509Certificate... certs) throws IOException {
        Path f = dir.resolve(name);
        CredentialFiles.writePem(f, List.of(certs));
        return f;
    }

    @Test
    void entriesListEveryFolderOfBothLayoutsWithSubjectIssuerFingerprintValidityAndKind() throws Exception {
        Path pki = dir.resolve("pki");
        TrustStore store = TrustStore.open(pki);
        Identity pinned = TestPki.selfSigned(KeyType.EC_P256, "pinned device");
        Identity stranger = TestPki.selfSigned(KeyType.EC_P256, "stranger");
        store.add(pem("root.pem", PKI.root()), Folder.TRUSTED);
        store.add(pem("intermediate.pem", PKI.intermediate()), Folder.ISSUERS);
        // A flat-layout bundle next to certs/ still counts, one entry per certificate.
        CredentialFiles.writePem(pki.resolve("trusted/legacy.pem"), List.of(pinned.certificate()));
        store.reject(stranger.certificate());

        List<Entry> entries = store.entries();
        assertThat(entries).extracting(Entry::folder)
                .containsExactly(Folder.TRUSTED, Folder.TRUSTED, Folder.ISSUERS, Folder.REJECTED);
        Entry legacy = entries.get(0);
        assertThat(legacy.file()).isEqualTo(pki.resolve("trusted/legacy.pem"));
        assertThat(legacy.subject()).isEqualTo("CN=pinned device");
        assertThat(legacy.ca()).isFalse();
        Entry root = entries.get(1);
        assertThat(root.file()).isEqualTo(pki.resolve("trusted/certs/" + hex(PKI.root()) + ".der"));
        assertThat(root.subject()).isEqualTo("CN=cipsec test root");
        assertThat(root.issuer()).isEqualTo("CN=cipsec test root");
        assertThat(root.fingerprint()).isEqualTo(fp(PKI.root()));
        assertThat(root.fingerprintHex()).isEqualTo(hex(PKI.root()));
        assertThat(root.notBefore()).isEqualTo(PKI.root().getNotBefore().toInstant());
        assertThat(root.notAfter()).isEqualTo(PKI.root().getNotAfter().toInstant());
        assertThat(root.ca()).isTrue();
        Entry issuer = entries.get(2);
        assertThat(issuer.issuer()).isEqualTo("CN=cipsec test root");
        assertThat(issuer.ca()).isTrue();
        assertThat(entries.get(3).certificate()).isEqualTo(stranger.certificate());
        assertThat(entries.get(3).file().getParent()).isEqualTo(pki.resolve("rejected/certs"));
    }

    @Test
    void anIssuerInIssuersBuildsAChainToAnAnchorInTrusted() throws Exception {
        TrustStore store = TrustStore.open(dir);
        store.add(pem("root.pem", PKI.root()), Folder.TRUSTED);
        Identity server = PKI.issueServer(KeyType.EC_P256, "line 3 adapter");
        // The peer sends only its leaf: the intermediate must come from issuers/.
        assertThatThrownBy(() -> new CertificateVerifier(store.reload()).verify(List.of(server.certificate()), SERVER))
                .isInstanceOf(CertificateRejectedException.class).hasMessageStartingWith("UNTRUSTED");
        store.add(pem("intermediate.der.pem", PKI.intermediate()), Folder.ISSUERS);
        TrustStore reloaded = store.reload();
        assertThat(reloaded.issuers()).containsExactly(PKI.intermediate());
        assertThat(new CertificateVerifier(reloaded).verify(List.of(server.certificate()), SERVER))
                .containsExactly(server.certificate(), PKI.intermediate(), PKI.root());
        // An issuer is not an anchor by itself.
        TrustStore onlyIssuer = TrustStore.open(dir.resolve("other"));
        onlyIssuer.add(pem("i.pem", PKI.intermediate()), Folder.ISSUERS);
        assertThatThrownBy(() -> new CertificateVerifier(onlyIssuer.reload()).verify(List.of(server.certificate()), SERVER))
                .isInstanceOf(CertificateRejectedException.class).hasMessageStartingWith("UNTRUSTED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"colons-lower", "plain-upper", "prefix-8", "prefix-colons-mixed"})
    void acceptTakesTheFingerprintWithOrWithoutColonsInAnyCaseOrAUniquePrefix(String form) throws Exception {
        TrustStore store = TrustStore.open(dir);
        Identity peer = TestPki.selfSigned(KeyType.EC_P256, "device " + form);
        store.reject(peer.certificate());
        String text = switch (form) {
            case "colons-lower" -> fp(peer.certificate()).toLowerCase(Locale.ROOT);
            case "plain-upper" -> hex(peer.certificate());
            case "prefix-8" -> hex(peer.certificate()).substring(0, 8).toLowerCase(Locale.ROOT);
            default -> " " + fp(peer.certificate()).substring(0, 14).toLowerCase(Locale.ROOT) + " ";
        };
        Entry accepted = store.accept(text);
        assertThat(accepted.folder()).isEqualTo(Folder.TRUSTED);
        assertThat(accepted.certificate()).isEqualTo(peer.certificate());
        assertThat(names(dir.resolve("rejected/certs"))).isEmpty();
        assertThat(names(dir.resolve("trusted/certs"))).containsExactly(hex(peer.certificate()) + ".der");
        assertThat(new CertificateVerifier(store.reload()).verify(peer.chain(), SERVER)).containsExactly(peer.certificate());
    }

    @Test
    void fingerprintsThatAreNoHexOrTooShortAreRefusedBeforeAnyFileIsTouched() throws Exception {
        TrustStore store = TrustStore.open(dir);
        store.reject(PKI.root());
        for (String bad : List.of("1234567", "../trusted/x", "", "AB:CD:EF:0", "G".repeat(64), "0".repeat(65))) {
            assertThatThrownBy(() -> store.accept(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least 8 hex digits");
        }
        assertThat(store.rejected()).containsExactly(PKI.root());
    }

    @Test
    void anUnknownFingerprintIsNoSuchFileNamingWhereItLooked() throws Exception {
        TrustStore store = TrustStore.open(dir);
        store.add(pem("root.pem", PKI.root()), Folder.TRUSTED);
        // The root is trusted, not rejected: accept looks in rejected/ only.
        assertThatThrownBy(() -> store.accept(fp(PKI.root())))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("no certificate in rejected/ matches");
        assertThatThrownBy(() -> store.reject("00000000"))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("trusted/ or issuers/");
        assertThatThrownBy(() -> store.remove("ffffffff")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void anAmbiguousPrefixIsAClearErrorNamingTheCandidates() {
        String a = "ABCDEF01" + "1".repeat(56);
        String b = "ABCDEF01" + "2".repeat(56);
        assertThatThrownBy(() -> TrustStore.uniqueMatch("ABCDEF01", List.of(a, b, "99".repeat(32)), "rejected/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fingerprint prefix ABCDEF01 is ambiguous in rejected/: it matches ABCDEF0111111111... "
                        + "ABCDEF0122222222...; give more digits");
        assertThat(TrustStore.uniqueMatch("ABCDEF011", List.of(a, b), "x")).contains(a);
        assertThat(TrustStore.uniqueMatch("ABCDEF01", List.of(a, a), "x")).contains(a);
        assertThat(TrustStore.uniqueMatch("00000000", List.of(a, b), "x")).isEmpty();
    }

    @Test
    void rejectMovesATrustedOrIssuerCertificateToRejectedSoAMistakeCanBeUndone() throws Exception {
        TrustStore store = TrustStore.open(dir);
        store.add(pem("root.pem", PKI.root()), Folder.TRUSTED);
        store.add(pem("intermediate.pem", PKI.intermediate()), Folder.ISSUERS);
        Identity server = PKI.issueServer(KeyType.EC_P256, "adapter");
        assertThat(new CertificateVerifier(store.reload()).verify(server.chain(), SERVER)).hasSize(3);

        Entry rejected = store.reject(hex(PKI.root()).substring(0, 12));
        assertThat(rejected.folder()).isEqualTo(Folder.REJECTED);
        assertThat(rejected.file()).isEqualTo(dir.resolve("rejected/certs/" + hex(PKI.root()) + ".der"));
        assertThat(names(dir.resolve("trusted/certs"))).isEmpty();
        assertThat(store.reload().anchors()).isEmpty();
        assertThatThrownBy(() -> new CertificateVerifier(store.reload()).verify(server.chain(), SERVER))
                .isInstanceOf(CertificateRejectedException.class);

        store.reject(fp(PKI.intermediate()));
        assertThat(store.reload().issuers()).isEmpty();
        assertThat(store.rejected()).containsExactlyInAnyOrder(PKI.root(), PKI.intermediate());

        store.accept(fp(PKI.root()));
        assertThat(new CertificateVerifier(store.reload()).verify(server.chain(), SERVER)).hasSize(3);
    }

    @Test
    void operationsOnTheFlatLayoutMoveTheCertificateIntoTheCertsFolders() throws Exception {
        Identity old = TestPki.selfSigned(KeyType.EC_P256, "refused under the old layout");
        Identity pinned = TestPki.selfSigned(KeyType.EC_P256, "pinned");
        Files.createDirectories(dir.resolve("rejected"));
        Files.createDirectories(dir.resolve("trusted"));
        Files.write(dir.resolve("rejected/" + hex(old.certificate()) + ".der"), old.certificate().getEncoded());
        CredentialFiles.writePem(dir.resolve("trusted/bundle.pem"), List.of(PKI.root(), pinned.certificate()));
        TrustStore store = TrustStore.open(dir);
        assertThat(store.rejected()).containsExactly(old.certificate());
        assertThat(store.anchors()).containsExactly(PKI.root(), pinned.certificate());

        store.accept(hex(old.certificate()));
        assertThat(names(dir.resolve("rejected"))).containsExactly("certs");
        assertThat(names(dir.resolve("trusted/certs"))).containsExactly(hex(old.certificate()) + ".der");

        // Taking one certificate out of a bundle rewrites the bundle with the others.
        store.reject(fp(pinned.certificate()));
        assertThat(CredentialFiles.readCertificates(dir.resolve("trusted/bundle.pem"))).containsExactly(PKI.root());
        assertThat(names(dir.resolve("rejected/certs"))).containsExactly(hex(pinned.certificate()) + ".der");

        // A rejected peer seen again under the old layout is refreshed there, not duplicated.
        Files.write(dir.resolve("rejected/" + hex(PKI.intermediate()) + ".der"), PKI.intermediate().getEncoded());
        store.reject(PKI.intermediate());
        assertThat(store.rejected()).containsOnlyOnce(PKI.intermediate());
    }

    @Test
    void removeDeletesEveryCopyAndKeepsTheRestOfABundle() throws Exception {
        Identity device = TestPki.selfSigned(KeyType.EC_P256, "device");
        TrustStore store = TrustStore.open(dir);
        // The same certificate twice in one bundle is one removal, not an error on the second.
        CredentialFiles.writePem(dir.resolve("trusted/bundle.pem"), List.of(device.certificate(), PKI.root(), device.certificate()));
        store.reject(device.certificate());

        List<Entry> removed = store.remove(fp(device.certificate()).toLowerCase(Locale.ROOT));
        assertThat(removed).extracting(Entry::folder).containsExactly(Folder.TRUSTED, Folder.TRUSTED, Folder.REJECTED);
        assertThat(store.entries()).extracting(Entry::certificate).containsExactly(PKI.root());
        assertThat(names(dir.resolve("rejected/certs"))).isEmpty();

        store.remove(hex(PKI.root()));
        assertThat(names(dir.resolve("trusted"))).containsExactly("certs", "crls");
        assertThat(store.entries()).isEmpty();
    }

    @Test
    void addImportsPemAndDerAsDerNamedByFingerprintAndClearsTheRejectedCopy() throws Exception {
        TrustStore store = TrustStore.open(dir);
        Identity device = TestPki.selfSigned(KeyType.EC_P256, "device");
        store.reject(device.certificate());
        Path der = Files.write(dir.resolve("intermediate.cer"), PKI.intermediate().getEncoded());

        List<Entry> trusted = store.add(pem("two.pem", PKI.root(), device.certificate()), Folder.TRUSTED);
        List<Entry> issuers = store.add(der, Folder.ISSUERS);
        assertThat(trusted).extracting(Entry::certificate).containsExactly(PKI.root(), device.certificate());
        assertThat(issuers).singleElement().extracting(Entry::folder).isEqualTo(Folder.ISSUERS);
        assertThat(names(dir.resolve("trusted/certs")))
                .containsExactlyInAnyOrder(hex(PKI.root()) + ".der", hex(device.certificate()) + ".der");
        assertThat(Files.readAllBytes(dir.resolve("issuers/certs/" + hex(PKI.intermediate()) + ".der")))
                .isEqualTo(PKI.intermediate().getEncoded());
        assertThat(names(dir.resolve("rejected/certs"))).isEmpty();
        // Adding again is idempotent.
        store.add(der, Folder.ISSUERS);
        assertThat(names(dir.resolve("issuers/certs"))).hasSize(1);
    }

    @Test
    void addRefusesEndEntitiesAsIssuersTheRejectedFolderAndFilesWithoutCertificates() throws Exception {
        TrustStore store = TrustStore.open(dir);
        Path leaf = pem("leaf.pem", PKI.issueServer(KeyType.EC_P256, "leaf").certificate());
        assertThatThrownBy(() -> store.add(leaf, Folder.ISSUERS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CN=leaf is not a CA certificate");
        assertThatThrownBy(() -> store.add(leaf, Folder.REJECTED)).isInstanceOf(IllegalArgumentException.class);
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
        assertThatThrownBy(() -> store.add(junk, Folder.TRUSTED)).isInstanceOf(IOException.class).hasMessageContaining("junk.pem");
        assertThatThrownBy(() -> store.add(dir.resolve("absent.pem"), Folder.TRUSTED)).isInstanceOf(IOException.class);
        assertThat(store.entries()).isEmpty();
    }

    @Test
    void addCrlFilesEachCrlNextToItsIssuerReplacesOlderOnesAndRevocationApplies() throws Exception {
        TrustStore store = TrustStore.open(dir);
        store.add(pem("root.pem", PKI.root()), Folder.TRUSTED);
        store.add(pem("intermediate.pem", PKI.intermediate()), Folder.ISSUERS);
        Identity revoked = PKI.issueServer(KeyType.EC_P256, "revoked");
        Instant now = Instant.now();

        Path byIntermediate = TestPki.writeCrl(dir.resolve("intermediate.crl.pem"),
                TestPki.crl(PKI.intermediateIdentity(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)), revoked.certificate()));
        Path byRoot = Files.write(dir.resolve("root.crl"),
                TestPki.crl(PKI.rootIdentity(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7))).getEncoded());
        List<TrustStore.CrlEntry> added = store.addCrl(byIntermediate);
        store.addCrl(byRoot);
        assertThat(added).singleElement().satisfies(c -> {
            assertThat(c.file()).isEqualTo(dir.resolve("issuers/crls/" + hex(PKI.intermediate()) + ".crl"));
            assertThat(c.issuer()).isEqualTo("CN=cipsec test intermediate");
            assertThat(c.revokedCount()).isEqualTo(1);
            assertThat(c.nextUpdate()).isPresent();
        });
        assertThat(names(dir.resolve("trusted/crls"))).containsExactly(hex(PKI.root()) + ".crl");
        assertThat(store.crlEntries()).hasSize(2);
        assertThatThrownBy(() -> new CertificateVerifier(store.reload()).verify(revoked.chain(), SERVER))
                .isInstanceOf(CertificateRejectedException.class).hasMessageStartingWith("REVOKED");

        Path older = TestPki.writeCrl(dir.resolve("older.pem"),
                TestPki.crl(PKI.intermediateIdentity(), now.minus(Duration.ofDays(2)), now.plus(Duration.ofDays(7))));
        assertThatThrownBy(() -> store.addCrl(older)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("before the one in place");
        Path newer = TestPki.writeCrl(dir.resolve("newer.pem"),
                TestPki.crl(PKI.intermediateIdentity(), now, now.plus(Duration.ofDays(7))));
        store.addCrl(newer);
        assertThat(store.crlEntries()).hasSize(2).allSatisfy(c -> assertThat(c.revokedCount()).isZero());
    }

    @Test
    void addCrlRefusesACrlNoCaInTheDirectorySigned() throws Exception {
        TrustStore store = TrustStore.open(dir);
        store.add(pem("root.pem", PKI.root()), Folder.TRUSTED);
        Path foreign = TestPki.writeCrl(dir.resolve("foreign.pem"), TestPki.create("foreign").crl());
        assertThatThrownBy(() -> store.addCrl(foreign)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no CA in trusted/ or issuers/ signed the CRL of CN=foreign intermediate");
        // Same name, other key: the signature decides, not the name.
        TestPki twin = TestPki.create();
        store.add(pem("intermediate.pem", PKI.intermediate()), Folder.ISSUERS);
        Path forged = TestPki.writeCrl(dir.resolve("forged.pem"), twin.crl());
        assertThatThrownBy(() -> store.addCrl(forged)).isInstanceOf(IllegalArgumentException.class);
        // A file with a good CRL and a foreign one imports neither.
        String both = Files.readString(TestPki.writeCrl(dir.resolve("good.pem"), PKI.crl())) + Files.readString(foreign);
        Path mixed = Files.writeString(dir.resolve("mixed.pem"), both);
        assertThatThrownBy(() -> store.addCrl(mixed)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.crlEntries()).isEmpty();
    }

    @Test
    void anUnreadableFolderFailsClosedAndTheInMemoryFormHasNothingToManage() throws Exception {
        TrustStore store = TrustStore.open(dir);
        Files.delete(dir.resolve("issuers/certs"));
        Files.writeString(dir.resolve("issuers/certs"), "a file where the directory should be");
        assertThatThrownBy(() -> TrustStore.open(dir)).isInstanceOf(IOException.class);
        assertThatThrownBy(store::entries).isInstanceOf(IOException.class);

        TrustStore memory = TrustStore.of(List.of(PKI.root()), List.of(), List.of());
        assertThat(memory.directory()).isEmpty();
        assertThatThrownBy(memory::entries).isInstanceOf(IOException.class).hasMessageContaining("in-memory");
        assertThatThrownBy(() -> memory.accept(fp(PKI.root()))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> memory.add(pem("r.pem", PKI.root()), Folder.TRUSTED)).isInstanceOf(IOException.class);
    }

    @Test
    void opensslReadsTheStoredDerAndPrintsTheFingerprintItIsNamedBy() throws Exception {
        OpenSslCommand openssl = OpenSslCommand.in(dir);
        TrustStore store = TrustStore.open(dir.resolve("pki"));
        Entry root = store.add(pem("root.pem", PKI.root()), Folder.TRUSTED).getFirst();
        String out = openssl.ok("x509", "-inform", "DER", "-in", root.file().toString(), "-noout", "-fingerprint", "-sha256", "-subject");
        assertThat(out).contains("=" + root.fingerprint()).contains("CN = cipsec test root");
        assertThat(root.file().getFileName().toString()).isEqualTo(root.fingerprintHex() + ".der");

        store.add(pem("intermediate.pem", PKI.intermediate()), Folder.ISSUERS);
        TrustStore.CrlEntry crl = store.addCrl(TestPki.writeCrl(dir.resolve("i.crl.pem"), PKI.crl())).getFirst();
        String crlOut = openssl.ok("crl", "-inform", "DER", "-in", crl.file().toString(), "-noout", "-issuer");
        assertThat(crlOut).contains("CN = cipsec test intermediate");
    }
}
