package dev.cipsec.transport.tls.cert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.cert.CRLException;
import java.security.cert.X509CRLEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Trust anchors, intermediate issuers and CRLs: an immutable snapshot, in memory or read from a directory,
 * plus the operations an operator runs on that directory ({@code cipsec trust}).
 *
 * <p>Directory form (the shape of Eclipse Milo's PKI directory):
 * <ul>
 *   <li>{@code trusted/certs/}: anchors, and pinned end-entity certificates ("trusted identities");</li>
 *   <li>{@code issuers/certs/}: intermediates and CAs that help build paths but are not anchors;</li>
 *   <li>{@code trusted/crls/}, {@code issuers/crls/}: CRLs of the CAs in the same folder;</li>
 *   <li>{@code rejected/certs/}: peer certificates we refused, kept (at most {@value #MAX_REJECTED}, oldest
 *       dropped) for an operator to {@link #accept accept}.</li>
 * </ul>
 * The earlier flat form ({@code trusted/}, {@code issuers/}, {@code rejected/} holding the files themselves,
 * and {@code crls/}) is still read, so existing directories keep working: files directly in a folder count as
 * that folder's certificates, and {@code crls/} as CRLs. Nothing is moved behind the operator's back; every
 * write goes to the {@code certs/} and {@code crls/} sub-folders, and a certificate taken out of a flat file by
 * {@link #accept} or {@link #reject(String)} is written there.
 *
 * <p>Certificates are read as PEM or DER and written as DER named by their SHA-256 fingerprint
 * ({@code <64 hex>.der}). Unparseable files are skipped with a WARN; an unreadable directory or one with more
 * than {@value #MAX_FILES_PER_DIRECTORY} entries fails the open (fail closed). Files whose names start with
 * '.' are ignored (our own temp files). Every file is bounded in size and every change is a temp file plus
 * atomic rename ({@link AtomicFiles}). A snapshot never changes: changes show in the one {@link #reload()}
 * returns.
 */
public final class TrustStore {
    private static final Logger log = LoggerFactory.getLogger(TrustStore.class);

    /** Most peer certificates kept in rejected/. */
    public static final int MAX_REJECTED = 128;
    /** Most entries read from one sub-directory. */
    public static final int MAX_FILES_PER_DIRECTORY = 1000;
    /** Fewest hex digits of a fingerprint prefix that selects a certificate. */
    public static final int MIN_FINGERPRINT_PREFIX = 8;

    static final String TRUSTED = "trusted";
    static final String ISSUERS = "issuers";
    static final String REJECTED = "rejected";
    static final String CERTS = "certs";
    static final String CRLS = "crls";
    private static final Pattern FINGERPRINT_PREFIX = Pattern.compile("[0-9A-F]{" + MIN_FINGERPRINT_PREFIX + ",64}");

    private static final TrustStore EMPTY = new TrustStore(null, List.of(), List.of(), List.of());

    /** The three certificate folders of a trust directory. */
    public enum Folder {
        /** Trust anchors and pinned peer certificates. */
        TRUSTED(TrustStore.TRUSTED),
        /** CAs that complete a path to an anchor without being trusted themselves. */
        ISSUERS(TrustStore.ISSUERS),
        /** Peer certificates that were refused, waiting for a decision. */
        REJECTED(TrustStore.REJECTED);

        private final String dirName;

        Folder(String dirName) {
            this.dirName = dirName;
        }

        /** The folder's name in the directory ({@code trusted}, {@code issuers}, {@code rejected}). */
        public String dirName() {
            return dirName;
        }
    }

    /**
     * One certificate in a trust directory.
     *
     * @param file the file holding it (a PEM file may hold several certificates, each its own entry)
     */
    public record Entry(Folder folder, Path file, X509Certificate certificate) {
        public Entry {
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(certificate, "certificate");
        }

        public String subject() {
            return CredentialFiles.subject(certificate);
        }

        public String issuer() {
            return CredentialFiles.issuer(certificate);
        }

        /** SHA-256 as upper-case hex pairs joined by colons, as {@code openssl x509 -fingerprint -sha256} prints it. */
        public String fingerprint() {
            return CredentialFiles.sha256Fingerprint(certificate);
        }

        /** {@link #fingerprint()} without colons: the name the certificate's file gets. */
        public String fingerprintHex() {
            return fingerprint().replace(":", "");
        }

        public Instant notBefore() {
            return certificate.getNotBefore().toInstant();
        }

        public Instant notAfter() {
            return certificate.getNotAfter().toInstant();
        }

        /** Whether it is a CA certificate (basic constraints cA); otherwise an end entity. */
        public boolean ca() {
            return certificate.getBasicConstraints() >= 0;
        }
    }

    /** One CRL in a trust directory. */
    public record CrlEntry(Path file, X509CRL crl) {
        public CrlEntry {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(crl, "crl");
        }

        public String issuer() {
            return crl.getIssuerX500Principal().getName();
        }

        public Instant thisUpdate() {
            return crl.getThisUpdate().toInstant();
        }

        /** Empty when the CRL names no next update. */
        public Optional<Instant> nextUpdate() {
            return Optional.ofNullable(crl.getNextUpdate()).map(java.util.Date::toInstant);
        }

        public int revokedCount() {
            Set<? extends X509CRLEntry> revoked = crl.getRevokedCertificates();
            return revoked == null ? 0 : revoked.size();
        }
    }

    private final Path dir;
    private final List<X509Certificate> anchors;
    private final List<X509Certificate> issuers;
    private final List<X509CRL> crls;

    private TrustStore(Path dir, List<X509Certificate> anchors, List<X509Certificate> issuers, List<X509CRL> crls) {
        this.dir = dir;
        this.anchors = List.copyOf(anchors);
        this.issuers = List.copyOf(issuers);
        this.crls = List.copyOf(crls);
    }

    /**
     * Reads the store in {@code dir}, creating it and its {@code certs/} and {@code crls/} sub-directories when
     * missing; files of the flat form are read too.
     */
    public static TrustStore open(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        for (Folder f : Folder.values()) {
            Files.createDirectories(dir.resolve(f.dirName()).resolve(CERTS));
        }
        Files.createDirectories(dir.resolve(TRUSTED).resolve(CRLS));
        Files.createDirectories(dir.resolve(ISSUERS).resolve(CRLS));
        List<X509Certificate> anchors = new ArrayList<>();
        for (Path f : certificateFiles(dir, Folder.TRUSTED)) {
            anchors.addAll(certificatesOrSkip(f));
        }
        List<X509Certificate> issuers = new ArrayList<>();
        for (Path f : certificateFiles(dir, Folder.ISSUERS)) {
            issuers.addAll(certificatesOrSkip(f));
        }
        List<X509CRL> crls = new ArrayList<>();
        for (Path f : crlFiles(dir)) {
            try {
                crls.addAll(CredentialFiles.readCrls(f));
            } catch (IOException e) {
                log.warn("skipping unreadable CRL file: {}", e.getMessage());
            }
        }
        log.debug("trust store {}: {} trusted, {} issuers, {} CRLs", dir, anchors.size(), issuers.size(), crls.size());
        return new TrustStore(dir, anchors, issuers, crls);
    }

    /** An in-memory store; {@link #reject(X509Certificate)} is a no-op on it. */
    public static TrustStore of(List<X509Certificate> anchors, List<X509Certificate> issuers, List<X509CRL> crls) {
        return new TrustStore(null, anchors, issuers, crls);
    }

    /** A store that trusts nothing. */
    public static TrustStore empty() {
        return EMPTY;
    }

    /** The directory this store was read from; empty for the in-memory form. */
    public Optional<Path> directory() {
        return Optional.ofNullable(dir);
    }

    /** Trust anchors and pinned end-entity certificates. */
    public List<X509Certificate> anchors() {
        return anchors;
    }

    /** Certificates that may complete a path but are not trusted by themselves. */
    public List<X509Certificate> issuers() {
        return issuers;
    }

    public List<X509CRL> crls() {
        return crls;
    }

    /**
     * Keeps a refused peer certificate in rejected/certs/ as {@code <SHA-256 hex>.der} so an operator can accept
     * it; at most {@value #MAX_REJECTED} files, the oldest dropped. No-op for the in-memory form. Never throws: a
     * failure here must not change the outcome of the handshake, so it is logged.
     */
    public void reject(X509Certificate peer) {
        if (dir == null || peer == null) {
            return;
        }
        try {
            String name = fileName(CredentialFiles.sha256Fingerprint(peer));
            Path legacy = dir.resolve(REJECTED).resolve(name);
            Path target = dir.resolve(REJECTED).resolve(CERTS).resolve(name);
            Path existing = Files.exists(target) ? target : Files.exists(legacy) ? legacy : null;
            if (existing != null) {
                // Seen again: refresh its age so a certificate that keeps coming is not the one pruned.
                Files.setLastModifiedTime(existing, FileTime.fromMillis(System.currentTimeMillis()));
            } else {
                AtomicFiles.write(target, peer.getEncoded(), false);
            }
            prune(target.getParent(), target);
        } catch (IOException | CertificateEncodingException | RuntimeException e) {
            log.warn("could not keep rejected certificate {} in {}: {}",
                    CredentialFiles.subject(peer), dir.resolve(REJECTED), e.toString());
        }
    }

    /** The certificates in rejected/ (empty for the in-memory form); unreadable files are skipped. */
    public List<X509Certificate> rejected() throws IOException {
        if (dir == null) {
            return List.of();
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Path f : certificateFiles(dir, Folder.REJECTED)) {
            out.addAll(certificatesOrSkip(f));
        }
        return List.copyOf(out);
    }

    /**
     * Every certificate in the directory as it is now (not as this snapshot read it), by folder (trusted,
     * issuers, rejected) then file name; unreadable files are skipped with a WARN.
     *
     * @throws IOException when a folder cannot be read, or for the in-memory form
     */
    public List<Entry> entries() throws IOException {
        Path d = requireDirectory();
        List<Entry> out = new ArrayList<>();
        for (Folder folder : Folder.values()) {
            for (Path f : certificateFiles(d, folder)) {
                for (X509Certificate c : certificatesOrSkip(f)) {
                    out.add(new Entry(folder, f, c));
                }
            }
        }
        return List.copyOf(out);
    }

    /** Every CRL in the directory as it is now; unreadable files are skipped with a WARN. */
    public List<CrlEntry> crlEntries() throws IOException {
        Path d = requireDirectory();
        List<CrlEntry> out = new ArrayList<>();
        for (Path f : crlFiles(d)) {
            try {
                for (X509CRL crl : CredentialFiles.readCrls(f)) {
                    out.add(new CrlEntry(f, crl));
                }
            } catch (IOException e) {
                log.warn("skipping unreadable CRL file: {}", e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /**
     * Moves a certificate from rejected/ to trusted/certs/: the peer is trusted from the next {@link #reload()}.
     *
     * @param fingerprint SHA-256, with or without colons, any case, or a unique prefix of at least
     *                    {@value #MIN_FINGERPRINT_PREFIX} hex digits
     * @return the certificate's new entry in trusted/
     * @throws NoSuchFileException      when no rejected certificate matches
     * @throws IllegalArgumentException when the text is no fingerprint or the prefix matches several certificates
     */
    public Entry accept(String fingerprint) throws IOException {
        return move(fingerprint, EnumSet.of(Folder.REJECTED), Folder.TRUSTED);
    }

    /** {@link #accept} under its earlier name. */
    public void approve(String sha256Fingerprint) throws IOException {
        accept(sha256Fingerprint);
    }

    /**
     * Moves a certificate from trusted/ or issuers/ to rejected/certs/, to undo an {@link #accept} or an
     * {@link #add}; the refused certificate can be accepted again from there.
     *
     * @param fingerprint as for {@link #accept}
     * @return the certificate's new entry in rejected/
     */
    public Entry reject(String fingerprint) throws IOException {
        Entry moved = move(fingerprint, EnumSet.of(Folder.TRUSTED, Folder.ISSUERS), Folder.REJECTED);
        prune(moved.file().getParent(), moved.file());
        return moved;
    }

    /**
     * Deletes a certificate from every folder holding it (a PEM file holding others too is rewritten without it).
     *
     * @param fingerprint as for {@link #accept}
     * @return the entries removed
     */
    public List<Entry> remove(String fingerprint) throws IOException {
        List<Entry> matching = matching(fingerprint, EnumSet.allOf(Folder.class));
        Set<Path> done = new HashSet<>();
        for (Entry e : matching) {
            if (done.add(e.file())) {
                takeOut(e);
            }
        }
        log.info("removed certificate {} from {}", matching.getFirst().fingerprintHex(), dir);
        return matching;
    }

    /**
     * Imports the certificates of a PEM or DER file into trusted/ or issuers/, each stored as DER named by its
     * fingerprint; a copy waiting in rejected/ is removed, since the operator has decided. Certificates for
     * issuers/ must be CA certificates, which is all a path can use them for.
     *
     * @return the new entries
     */
    public List<Entry> add(Path certFile, Folder folder) throws IOException {
        Path d = requireDirectory();
        Objects.requireNonNull(folder, "folder");
        if (folder == Folder.REJECTED) {
            throw new IllegalArgumentException("certificates are added to trusted/ or issuers/; rejected/ is filled by refused peers");
        }
        List<X509Certificate> certs = CredentialFiles.readCertificates(certFile);
        if (folder == Folder.ISSUERS) {
            for (X509Certificate c : certs) {
                if (c.getBasicConstraints() < 0) {
                    throw new IllegalArgumentException(certFile + ": " + CredentialFiles.subject(c)
                            + " is not a CA certificate, so it cannot be an issuer; add it to trusted/ to pin it");
                }
            }
        }
        Path certsDir = d.resolve(folder.dirName()).resolve(CERTS);
        requireRoomFor(certsDir, certs.size());
        List<Entry> added = new ArrayList<>();
        for (X509Certificate c : certs) {
            Path target = certsDir.resolve(fileName(CredentialFiles.sha256Fingerprint(c)));
            AtomicFiles.write(target, encoded(c), false);
            added.add(new Entry(folder, target, c));
        }
        Set<String> fingerprints = new HashSet<>();
        added.forEach(e -> fingerprints.add(e.fingerprintHex()));
        Set<Path> done = new HashSet<>();
        for (Entry e : entries()) {
            if (e.folder() == Folder.REJECTED && fingerprints.contains(e.fingerprintHex()) && done.add(e.file())) {
                takeOut(e);
            }
        }
        log.info("added {} certificate(s) from {} to {}", added.size(), certFile, certsDir);
        return List.copyOf(added);
    }

    /**
     * Imports the CRLs of a PEM or DER file, each into the crls/ folder next to its issuer (trusted/crls/ or
     * issuers/crls/), named by the issuer's fingerprint so a newer CRL replaces the older one. A CRL is refused
     * when no CA in the directory signed it (it could never be checked) or when it is older than the one in place.
     *
     * @return the new entries
     */
    public List<CrlEntry> addCrl(Path crlFile) throws IOException {
        Path d = requireDirectory();
        List<X509CRL> imported = CredentialFiles.readCrls(crlFile);
        List<Entry> cas = entries().stream().filter(e -> e.folder() != Folder.REJECTED && e.ca()).toList();
        // Every CRL of the file is checked before the first is written: a refused one leaves the directory as it was.
        List<CrlEntry> added = new ArrayList<>();
        for (X509CRL crl : imported) {
            Entry issuer = cas.stream().filter(e -> signed(crl, e.certificate())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(crlFile + ": no CA in trusted/ or issuers/ signed the CRL of "
                            + crl.getIssuerX500Principal().getName() + ": add its CA first"));
            Path target = d.resolve(issuer.folder().dirName()).resolve(CRLS).resolve(issuer.fingerprintHex() + ".crl");
            if (Files.exists(target)) {
                for (X509CRL current : CredentialFiles.readCrls(target)) {
                    if (current.getThisUpdate().after(crl.getThisUpdate())) {
                        throw new IllegalArgumentException(crlFile + ": the CRL of " + crl.getIssuerX500Principal().getName()
                                + " was issued " + crl.getThisUpdate().toInstant() + ", before the one in place ("
                                + current.getThisUpdate().toInstant() + ")");
                    }
                }
            }
            added.add(new CrlEntry(target, crl));
        }
        for (CrlEntry c : added) {
            try {
                AtomicFiles.write(c.file(), c.crl().getEncoded(), false);
            } catch (CRLException e) {
                throw new IOException(crlFile + ": CRL cannot be encoded: " + e.getMessage(), e);
            }
        }
        log.info("added {} CRL(s) from {}", added.size(), crlFile);
        return List.copyOf(added);
    }

    /** A fresh snapshot of the directory (the same store for the in-memory form). */
    public TrustStore reload() throws IOException {
        return dir == null ? this : open(dir);
    }

    /** The file name a certificate with this fingerprint gets in a folder's certs/. */
    static String fileName(String fingerprint) {
        return fingerprint.replace(":", "") + ".der";
    }

    /**
     * Upper-case hex without colons, checked: only hex digits, between {@value #MIN_FINGERPRINT_PREFIX} and 64 of them.
     * Nothing the caller typed reaches a file name unchecked.
     */
    static String normalizeFingerprint(String text) {
        Objects.requireNonNull(text, "fingerprint");
        String hex = text.strip().replace(":", "").toUpperCase(Locale.ROOT);
        if (!FINGERPRINT_PREFIX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a SHA-256 fingerprint (64 hex digits, colons optional) or a prefix of at least "
                    + MIN_FINGERPRINT_PREFIX + " hex digits: " + (text.length() > 100 ? text.substring(0, 100) + "..." : text));
        }
        return hex;
    }

    /** The entries in {@code folders} of the one certificate the fingerprint (or prefix) names. */
    private List<Entry> matching(String fingerprint, Set<Folder> folders) throws IOException {
        Path d = requireDirectory();
        String prefix = normalizeFingerprint(fingerprint);
        List<Entry> inFolders = entries().stream().filter(e -> folders.contains(e.folder())).toList();
        String where = String.join(" or ", folders.stream().map(f -> f.dirName() + "/").toList());
        String hex = uniqueMatch(prefix, inFolders.stream().map(Entry::fingerprintHex).toList(), where)
                .orElseThrow(() -> new NoSuchFileException(d.toString(), null,
                        "no certificate in " + where + " matches fingerprint " + prefix));
        return inFolders.stream().filter(e -> e.fingerprintHex().equals(hex)).toList();
    }

    /**
     * The one fingerprint starting with {@code prefix}; empty when none does.
     *
     * @throws IllegalArgumentException when several do, naming them so the operator can pick
     */
    static Optional<String> uniqueMatch(String prefix, Collection<String> fingerprints, String where) {
        Set<String> found = new TreeSet<>();
        for (String fp : fingerprints) {
            if (fp.startsWith(prefix)) {
                found.add(fp);
            }
        }
        if (found.size() > 1) {
            StringBuilder sb = new StringBuilder("fingerprint prefix " + prefix + " is ambiguous in " + where + ": it matches");
            found.forEach(fp -> sb.append(' ').append(fp, 0, Math.min(fp.length(), 16)).append("..."));
            throw new IllegalArgumentException(sb.append("; give more digits").toString());
        }
        return found.stream().findFirst();
    }

    /**
     * Writes the certificate to {@code to}/certs/ and then takes it out of the files it was in: the commit point is
     * one atomic rename when it sits alone in a DER file (the usual case, files we wrote), otherwise a crash
     * between the two steps leaves it in both folders, never in none.
     */
    private Entry move(String fingerprint, Set<Folder> from, Folder to) throws IOException {
        List<Entry> sources = matching(fingerprint, from);
        X509Certificate cert = sources.getFirst().certificate();
        Path certsDir = dir.resolve(to.dirName()).resolve(CERTS);
        Path target = certsDir.resolve(fileName(sources.getFirst().fingerprint()));
        Entry moved = new Entry(to, target, cert);
        boolean written = false;
        Set<Path> done = new HashSet<>();
        for (Entry e : sources) {
            if (!done.add(e.file())) {
                continue;
            }
            if (!written && aloneAsDer(e)) {
                AtomicFiles.moveAtomically(e.file(), target);
                AtomicFiles.syncDirectory(certsDir);
                AtomicFiles.syncDirectory(e.file().getParent());
                written = true;
                continue;
            }
            if (!written) {
                AtomicFiles.write(target, encoded(cert), false);
                written = true;
            }
            takeOut(e);
        }
        log.info("moved certificate {} ({}) to {}", moved.fingerprintHex(), moved.subject(), certsDir);
        return moved;
    }

    /** Whether the entry's file is exactly the certificate's DER encoding, so the file itself can be renamed. */
    private static boolean aloneAsDer(Entry e) throws IOException {
        return Arrays.equals(AtomicFiles.readBounded(e.file()), encoded(e.certificate()));
    }

    /** Removes the entry's certificate from its file: the file goes when nothing else is in it, else it is rewritten as PEM. */
    private static void takeOut(Entry e) throws IOException {
        List<X509Certificate> rest = new ArrayList<>();
        for (X509Certificate c : CredentialFiles.readCertificates(e.file())) {
            if (!c.equals(e.certificate())) {
                rest.add(c);
            }
        }
        if (rest.isEmpty()) {
            Files.deleteIfExists(e.file());
            AtomicFiles.syncDirectory(e.file().getParent());
        } else {
            CredentialFiles.writePem(e.file(), rest);
        }
    }

    private static boolean signed(X509CRL crl, X509Certificate ca) {
        if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            return false;
        }
        try {
            crl.verify(ca.getPublicKey());
            return true;
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] encoded(X509Certificate c) throws IOException {
        try {
            return c.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IOException("certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    private Path requireDirectory() throws IOException {
        if (dir == null) {
            throw new IOException("an in-memory trust store has no directory");
        }
        return dir;
    }

    private static void requireRoomFor(Path sub, int more) throws IOException {
        int now = files(sub).size();
        if (now + more > MAX_FILES_PER_DIRECTORY) {
            throw new IOException(sub + ": " + now + " files; adding " + more + " would pass the " + MAX_FILES_PER_DIRECTORY + " read");
        }
    }

    /** A folder's certificate files: the flat form's (directly in the folder) and then those in certs/. */
    private static List<Path> certificateFiles(Path dir, Folder folder) throws IOException {
        Path top = dir.resolve(folder.dirName());
        List<Path> out = new ArrayList<>(files(top));
        Path certs = top.resolve(CERTS);
        if (Files.exists(certs, LinkOption.NOFOLLOW_LINKS)) {
            // Something there that is not a readable directory fails the read: fail closed.
            out.addAll(files(certs));
        }
        return out;
    }

    /** CRL files: trusted/crls/, issuers/crls/ and the flat form's crls/ when present. */
    private static List<Path> crlFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path sub : List.of(dir.resolve(TRUSTED).resolve(CRLS), dir.resolve(ISSUERS).resolve(CRLS), dir.resolve(CRLS))) {
            if (Files.exists(sub, LinkOption.NOFOLLOW_LINKS)) {
                out.addAll(files(sub));
            }
        }
        return out;
    }

    private static void prune(Path rejectedDir, Path keep) throws IOException {
        List<Path> all = files(rejectedDir);
        if (all.size() <= MAX_REJECTED) {
            return;
        }
        List<Path> byAge = new ArrayList<>(all);
        byAge.sort(Comparator.comparing(TrustStore::modified).thenComparing(Path::toString));
        int excess = all.size() - MAX_REJECTED;
        for (Path p : byAge) {
            if (excess == 0) {
                break;
            }
            if (!p.equals(keep)) {
                Files.deleteIfExists(p);
                excess--;
            }
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static List<X509Certificate> certificatesOrSkip(Path f) {
        try {
            return CredentialFiles.readCertificates(f);
        } catch (IOException e) {
            log.warn("skipping unreadable certificate file: {}", e.getMessage());
            return List.of();
        }
    }

    /** Regular, non-hidden files of a directory, sorted by name; fails above the per-directory bound. */
    private static List<Path> files(Path sub) throws IOException {
        List<Path> out = new ArrayList<>();
        int entries = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(sub)) {
            for (Path p : ds) {
                if (++entries > MAX_FILES_PER_DIRECTORY) {
                    throw new IOException(sub + ": more than " + MAX_FILES_PER_DIRECTORY + " entries");
                }
                if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparing(Path::toString));
        return out;
    }
}
