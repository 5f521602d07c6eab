package dev.cipsec.transport.tls.cert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Trust anchors, intermediate issuers and CRLs: an immutable snapshot, in memory or read from a directory.
 *
 * <p>Directory form (the shape of Eclipse Milo's PKI directory):
 * <ul>
 *   <li>{@code trusted/}: anchors, and pinned end-entity certificates ("trusted identities");</li>
 *   <li>{@code issuers/}: intermediates and CAs that help build paths but are not anchors;</li>
 *   <li>{@code rejected/}: peer certificates we refused, as {@code <SHA-256 hex>.der}, kept (at most
 *       {@value #MAX_REJECTED}, oldest dropped) for an operator to {@link #approve approve};</li>
 *   <li>{@code crls/}: CRLs, PEM or DER.</li>
 * </ul>
 * Certificates are read as PEM or DER. Unparseable files are skipped with a WARN; an unreadable directory
 * or one with more than {@value #MAX_FILES_PER_DIRECTORY} entries fails the open (fail closed). Files whose
 * names start with '.' are ignored (our own temp files). Every file is bounded in size.
 */
public final class TrustStore {
    private static final Logger log = LoggerFactory.getLogger(TrustStore.class);

    /** Most peer certificates kept in rejected/. */
    public static final int MAX_REJECTED = 128;
    /** Most entries read from one sub-directory. */
    public static final int MAX_FILES_PER_DIRECTORY = 1000;

    static final String TRUSTED = "trusted";
    static final String ISSUERS = "issuers";
    static final String REJECTED = "rejected";
    static final String CRLS = "crls";
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-F]{64}");

    private static final TrustStore EMPTY = new TrustStore(null, List.of(), List.of(), List.of());

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

    /** Reads the store in {@code dir}, creating it and its sub-directories when missing. */
    public static TrustStore open(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        for (String sub : List.of(TRUSTED, ISSUERS, REJECTED, CRLS)) {
            Files.createDirectories(dir.resolve(sub));
        }
        List<X509Certificate> anchors = new ArrayList<>();
        for (Path f : files(dir.resolve(TRUSTED))) {
            anchors.addAll(certificatesOrSkip(f));
        }
        List<X509Certificate> issuers = new ArrayList<>();
        for (Path f : files(dir.resolve(ISSUERS))) {
            issuers.addAll(certificatesOrSkip(f));
        }
        List<X509CRL> crls = new ArrayList<>();
        for (Path f : files(dir.resolve(CRLS))) {
            try {
                crls.addAll(CredentialFiles.readCrls(f));
            } catch (IOException e) {
                log.warn("skipping unreadable CRL file: {}", e.getMessage());
            }
        }
        log.debug("trust store {}: {} trusted, {} issuers, {} CRLs", dir, anchors.size(), issuers.size(), crls.size());
        return new TrustStore(dir, anchors, issuers, crls);
    }

    /** An in-memory store; {@link #reject} is a no-op on it. */
    public static TrustStore of(List<X509Certificate> anchors, List<X509Certificate> issuers, List<X509CRL> crls) {
        return new TrustStore(null, anchors, issuers, crls);
    }

    /** A store that trusts nothing. */
    public static TrustStore empty() {
        return EMPTY;
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
     * Keeps a refused peer certificate in rejected/ as {@code <SHA-256 hex>.der} so an operator can approve it;
     * at most {@value #MAX_REJECTED} files, the oldest dropped. No-op for the in-memory form. Never throws: a
     * failure here must not change the outcome of the handshake, so it is logged.
     */
    public void reject(X509Certificate peer) {
        if (dir == null || peer == null) {
            return;
        }
        try {
            Path rejectedDir = dir.resolve(REJECTED);
            Path target = rejectedDir.resolve(fileName(CredentialFiles.sha256Fingerprint(peer)));
            if (Files.exists(target)) {
                // Seen again: refresh its age so a certificate that keeps coming is not the one pruned.
                Files.setLastModifiedTime(target, FileTime.fromMillis(System.currentTimeMillis()));
            } else {
                AtomicFiles.write(target, peer.getEncoded(), false);
            }
            prune(rejectedDir, target);
        } catch (IOException | CertificateEncodingException | RuntimeException e) {
            log.warn("could not keep rejected certificate {} in {}: {}",
                    peer.getSubjectX500Principal().getName(), dir.resolve(REJECTED), e.toString());
        }
    }

    /** The certificates in rejected/ (empty for the in-memory form); unreadable files are skipped. */
    public List<X509Certificate> rejected() throws IOException {
        if (dir == null) {
            return List.of();
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Path f : files(dir.resolve(REJECTED))) {
            out.addAll(certificatesOrSkip(f));
        }
        return List.copyOf(out);
    }

    /**
     * Moves rejected/&lt;fingerprint&gt;.der to trusted/. This snapshot does not change: the certificate is trusted
     * in the snapshot {@link #reload()} returns.
     *
     * @param sha256Fingerprint as {@link CredentialFiles#sha256Fingerprint} prints it, with or without colons, any case
     */
    public void approve(String sha256Fingerprint) throws IOException {
        if (dir == null) {
            throw new IOException("an in-memory trust store has no rejected certificates to approve");
        }
        String hex = sha256Fingerprint.replace(":", "").trim().toUpperCase(Locale.ROOT);
        if (!FINGERPRINT.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a SHA-256 fingerprint: " + sha256Fingerprint);
        }
        Path from = dir.resolve(REJECTED).resolve(hex + ".der");
        if (!Files.isRegularFile(from)) {
            throw new NoSuchFileException(from.toString(), null, "no rejected certificate with that fingerprint");
        }
        Path to = dir.resolve(TRUSTED).resolve(hex + ".der");
        AtomicFiles.moveAtomically(from, to);
        AtomicFiles.syncDirectory(to.getParent());
        AtomicFiles.syncDirectory(from.getParent());
        log.info("approved certificate {} into {}", hex, to.getParent());
    }

    /** A fresh snapshot of the directory (the same store for the in-memory form). */
    public TrustStore reload() throws IOException {
        return dir == null ? this : open(dir);
    }

    /** The file name a certificate with this fingerprint gets in rejected/ and on approval in trusted/. */
    static String fileName(String fingerprint) {
        return fingerprint.replace(":", "") + ".der";
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
