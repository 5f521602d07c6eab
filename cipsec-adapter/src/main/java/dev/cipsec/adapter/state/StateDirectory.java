package dev.cipsec.adapter.state;

import dev.cipsec.wire.buf.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A directory of named files committed all-or-nothing; a kill at any instant leaves the previous or the new set.
 *
 * <h2>Layout</h2>
 * <pre>
 *   lock           held with {@link FileChannel#tryLock()} while open: one process per directory
 *   manifest       the commit pointer: generation number, then name, size, secret flag and SHA-256 per file, sealed
 *                  by a SHA-256 of the lines above it
 *   gen-&lt;N&gt;/       the files of generation N, the one the manifest names
 *   manifest.tmp   a manifest being written (leftover of an interrupted commit)
 *   gen-&lt;M&gt;/       any M the manifest does not name: a generation being written or being removed (leftover)
 * </pre>
 *
 * <h2>Why a kill between any two system calls is safe</h2>
 * A commit of generation N+1 writes and fsyncs every file into the new directory {@code gen-<N+1>}, fsyncs that
 * directory and the state directory, writes and fsyncs {@code manifest.tmp}, and then renames it over
 * {@code manifest}. That rename is the only step that changes what {@link #load()} returns, and rename(2) replaces
 * the name atomically: a reader sees the old manifest or the new one, never a mix. Before the rename the old manifest
 * still names {@code gen-<N>}, which nothing has touched; after it the new manifest names a directory whose
 * contents were already durable. The old directory is removed only after the state directory's fsync made the rename
 * itself durable, so a power loss that forgets the rename still finds {@code gen-<N>} intact. {@link #open} removes
 * everything the manifest does not name (a half-written {@code gen-<N+1>}, a {@code manifest.tmp}, a half-removed
 * {@code gen-<N>}); that clean-up only deletes unreferenced names, so a kill during recovery is harmless too and the
 * next open simply finishes it. The manifest's SHA-256 per file turns any later corruption or tampering into an
 * {@link IOException} naming the file instead of a silent half-load.
 *
 * <p>One open instance per directory: another process is refused by the lock, a second open in this process by a
 * registry of open directories. The methods are synchronized.
 */
public final class StateDirectory implements AutoCloseable {
    /** Most files in one generation. */
    public static final int MAX_FILES = 64;
    /** Largest file, in bytes. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(StateDirectory.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1,64}");
    private static final String LOCK = "lock";
    private static final String MANIFEST = "manifest";
    private static final String MANIFEST_TMP = "manifest.tmp";
    private static final String GEN_PREFIX = "gen-";
    private static final String MAGIC = "cipsec-state-manifest 1";
    // MAX_FILES lines of "file <64-char name> <7-digit size> secret <64 hex>" plus header and seal fit well below this.
    private static final int MAX_MANIFEST_BYTES = 16 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    /** Real paths of the directories open in this JVM. */
    private static final Set<Path> OPEN_HERE = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path key;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final boolean posix;
    private Manifest current;
    private boolean closed;

    private StateDirectory(Path dir, Path key, FileChannel lockChannel, FileLock lock, boolean posix, Manifest current) {
        this.dir = dir;
        this.key = key;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.posix = posix;
        this.current = current;
    }

    /**
     * Opens {@code dir}, creating it when missing, takes its lock and removes the leftovers of an interrupted commit.
     *
     * @throws IOException when another process (or another open instance in this one) holds the directory, or the
     *                     manifest is unreadable (nothing is removed then: without a manifest we cannot tell what
     *                     is a leftover)
     */
    public static StateDirectory open(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (!Files.isDirectory(abs)) {
            Files.createDirectories(abs);
            if (abs.getParent() != null) {
                syncDirectory(abs.getParent());
            }
        }
        // POSIX drops all of a process's locks on a file when it closes any descriptor of it, so a second open in
        // this JVM must be refused before it touches the lock file, not by tryLock.
        Path key = abs.toRealPath();
        if (!OPEN_HERE.add(key)) {
            throw new IOException(abs + ": state directory is in use (already open in this process)");
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(abs.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new IOException(abs + ": state directory is in use by another process");
            }
            Manifest m = readManifest(abs);
            removeLeftovers(abs, m.generation());
            boolean posix = Files.getFileAttributeView(abs, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS) != null;
            return new StateDirectory(abs, key, ch, lock, posix, m);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            OPEN_HERE.remove(key);
            throw e;
        }
    }

    /**
     * The committed files, each verified against the manifest's size and SHA-256 (empty before the first commit).
     *
     * @throws IOException naming the file when one is missing, unexpected, oversized or does not match the manifest
     */
    public synchronized Map<String, Bytes> load() throws IOException {
        ensureOpen();
        Manifest m = current;
        if (m.generation() == 0) {
            return Map.of();
        }
        Path gen = dir.resolve(genName(m.generation()));
        Set<String> present = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(gen)) {
            for (Path p : entries) {
                present.add(p.getFileName().toString());
                if (present.size() > MAX_FILES) {
                    throw new IOException(gen + ": more than " + MAX_FILES + " files");
                }
            }
        } catch (NoSuchFileException e) {
            throw new IOException(gen + ": generation " + m.generation() + " named by the manifest is missing", e);
        }
        present.removeAll(m.entries().keySet());
        if (!present.isEmpty()) {
            throw new IOException(gen.resolve(present.iterator().next()) + ": not in the manifest (tampered with?)");
        }
        SortedMap<String, Bytes> files = new TreeMap<>();
        for (Entry e : m.entries().values()) {
            Path file = gen.resolve(e.name());
            byte[] data = readBounded(file, e.size());
            if (data.length != e.size() || !MessageDigest.isEqual(sha256(data), e.sha256())) {
                throw new IOException(file + ": content does not match the manifest (tampered with or lost by the disk)");
            }
            files.put(e.name(), Bytes.of(data));
        }
        return Collections.unmodifiableSortedMap(files);
    }

    /** The committed generation: 0 before the first commit, then 1, 2, ... */
    public synchronized long generation() {
        return current.generation();
    }

    /** Names of the committed files that were written owner-only. */
    public synchronized Set<String> secrets() {
        Set<String> s = new TreeSet<>();
        current.entries().values().stream().filter(Entry::secret).forEach(e -> s.add(e.name()));
        return Collections.unmodifiableSet(s);
    }

    /**
     * Replaces the committed set with {@code files} as generation {@link #generation()} + 1; names in {@code secret}
     * are created {@code rw-------} where POSIX permissions exist.
     *
     * <p>An {@link IOException} before the commit point leaves the previous generation committed; one after it (the
     * final directory fsync) leaves the new one visible though perhaps not yet durable. {@link #generation()} tells
     * which is current either way.
     *
     * @throws IllegalArgumentException for a bad name, more than {@link #MAX_FILES} files, a file over
     *                                  {@link #MAX_FILE_BYTES}, or a secret name that is not among the files
     */
    public synchronized void commit(Map<String, Bytes> files, Set<String> secret) throws IOException {
        ensureOpen();
        validate(files, secret);
        long next = current.generation() + 1;
        removeLeftovers(dir, current.generation());
        Path gen = dir.resolve(genName(next));
        Manifest m;
        try {
            Files.createDirectory(gen);
            SortedMap<String, Entry> entries = new TreeMap<>();
            for (Map.Entry<String, Bytes> f : new TreeMap<>(files).entrySet()) {
                byte[] data = f.getValue().toArray();
                boolean isSecret = secret.contains(f.getKey());
                writeDurably(gen.resolve(f.getKey()), data, isSecret);
                entries.put(f.getKey(), new Entry(f.getKey(), data.length, isSecret, sha256(data)));
            }
            syncDirectory(gen);
            syncDirectory(dir);
            m = new Manifest(next, entries);
            writeDurably(dir.resolve(MANIFEST_TMP), m.encode(), false);
        } catch (IOException | RuntimeException e) {
            removeQuietly(dir.resolve(MANIFEST_TMP));
            removeQuietly(gen);
            throw e;
        }
        try {
            Files.move(dir.resolve(MANIFEST_TMP), dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            removeQuietly(dir.resolve(MANIFEST_TMP));
            removeQuietly(gen);
            throw new IOException(dir + ": cannot rename the manifest atomically", e);
        } catch (IOException | RuntimeException e) {
            removeQuietly(dir.resolve(MANIFEST_TMP));
            removeQuietly(gen);
            throw e;
        }
        long previous = current.generation();
        current = m;
        syncDirectory(dir);
        if (previous > 0) {
            // A failure here only leaves a leftover that the next commit or open removes; the commit stands.
            removeQuietly(dir.resolve(genName(previous)));
        }
    }

    /** The directory (absolute). */
    public Path path() {
        return dir;
    }

    /** Releases the lock; the committed state stays on disk. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("releasing the lock of {} failed", dir, e);
        } finally {
            try {
                lockChannel.close();
            } catch (IOException e) {
                LOG.debug("closing the lock of {} failed", dir, e);
            }
            OPEN_HERE.remove(key);
        }
    }

    /** Whether {@code name} is acceptable as a file name in a generation. */
    public static boolean validName(String name) {
        return NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(dir + ": state directory is closed");
        }
    }

    private static void validate(Map<String, Bytes> files, Set<String> secret) {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(secret, "secret");
        if (files.size() > MAX_FILES) {
            throw new IllegalArgumentException(files.size() + " files, more than the " + MAX_FILES + " allowed");
        }
        for (Map.Entry<String, Bytes> f : files.entrySet()) {
            if (!validName(f.getKey())) {
                throw new IllegalArgumentException("bad state file name: \"" + f.getKey() + "\"");
            }
            if (f.getValue().length() > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(f.getKey() + ": " + f.getValue().length() + " bytes, more than the "
                        + MAX_FILE_BYTES + " allowed");
            }
        }
        for (String s : secret) {
            if (!files.containsKey(s)) {
                throw new IllegalArgumentException("secret \"" + s + "\" is not among the files");
            }
        }
    }

    private void writeDurably(Path file, byte[] data, boolean secret) throws IOException {
        FileAttribute<?>[] attrs = secret && posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (FileChannel ch = FileChannel.open(file, options, attrs)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    /** Removes every generation but {@code keep} and any unrenamed manifest; other names are not ours and stay. */
    private static void removeLeftovers(Path dir, long keep) throws IOException {
        String kept = genName(keep);
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.equals(MANIFEST_TMP) || (name.startsWith(GEN_PREFIX) && !name.equals(kept))) {
                    leftovers.add(p);
                }
            }
        }
        for (Path p : leftovers) {
            LOG.info("removing {} left over by an interrupted commit", p);
            removeRecursively(p);
        }
        if (!leftovers.isEmpty()) {
            syncDirectory(dir);
        }
    }

    private static void removeRecursively(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void removeQuietly(Path p) {
        try {
            removeRecursively(p);
        } catch (IOException e) {
            LOG.warn("could not remove {}; the next commit or open removes it", p, e);
        }
    }

    private static String genName(long generation) {
        return GEN_PREFIX + generation;
    }

    private static void syncDirectory(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (UnsupportedOperationException e) {
            // Windows cannot open a directory; its renames are atomic without it.
        } catch (IOException e) {
            if (System.getProperty("os.name", "").startsWith("Windows")) {
                return;
            }
            throw e;
        }
    }

    /** Reads at most {@code expected} bytes + 1 (and never more than the limit) so a grown file is noticed. */
    private static byte[] readBounded(Path file, long expected) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + ": missing or not a regular file");
        }
        int cap = (int) Math.min(expected + 1, MAX_FILE_BYTES + 1L);
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(cap);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static Manifest readManifest(Path dir) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return new Manifest(0, new TreeMap<>());
        }
        byte[] data = readBounded(file, MAX_MANIFEST_BYTES);
        if (data.length > MAX_MANIFEST_BYTES) {
            throw new IOException(file + ": more than " + MAX_MANIFEST_BYTES + " bytes");
        }
        return Manifest.decode(file, data);
    }

    private record Entry(String name, long size, boolean secret, byte[] sha256) {
    }

    /**
     * Text, one record a line:
     * <pre>
     *   cipsec-state-manifest 1
     *   generation &lt;N&gt;
     *   file &lt;name&gt; &lt;size&gt; secret|public &lt;sha256 hex&gt;     (sorted by name)
     *   seal &lt;sha256 hex of every byte above this line&gt;
     * </pre>
     */
    private record Manifest(long generation, SortedMap<String, Entry> entries) {

        byte[] encode() {
            StringBuilder sb = new StringBuilder(MAGIC).append('\n');
            sb.append("generation ").append(generation).append('\n');
            for (Entry e : entries.values()) {
                sb.append("file ").append(e.name()).append(' ').append(e.size()).append(' ')
                        .append(e.secret() ? "secret" : "public").append(' ').append(HEX.formatHex(e.sha256())).append('\n');
            }
            byte[] body = sb.toString().getBytes(StandardCharsets.US_ASCII);
            sb.append("seal ").append(HEX.formatHex(sha256(body))).append('\n');
            return sb.toString().getBytes(StandardCharsets.US_ASCII);
        }

        static Manifest decode(Path file, byte[] data) throws IOException {
            String text = new String(data, StandardCharsets.US_ASCII);
            int sealAt = text.lastIndexOf("\nseal ");
            if (sealAt < 0 || !text.endsWith("\n")) {
                throw bad(file, "no seal line (truncated?)");
            }
            byte[] body = text.substring(0, sealAt + 1).getBytes(StandardCharsets.US_ASCII);
            String seal = text.substring(sealAt + "\nseal ".length(), text.length() - 1);
            if (!MessageDigest.isEqual(HEX.formatHex(sha256(body)).getBytes(StandardCharsets.US_ASCII),
                    seal.getBytes(StandardCharsets.US_ASCII))) {
                throw bad(file, "seal does not match its content (tampered with or lost by the disk)");
            }
            String[] lines = text.substring(0, sealAt).split("\n", -1);
            if (lines.length < 2 || !lines[0].equals(MAGIC)) {
                throw bad(file, "not a state manifest");
            }
            long generation = parseNumber(file, lines[1], "generation ", Long.MAX_VALUE);
            if (generation < 1) {
                throw bad(file, "generation must be at least 1");
            }
            if (lines.length - 2 > MAX_FILES) {
                throw bad(file, "more than " + MAX_FILES + " files");
            }
            SortedMap<String, Entry> entries = new TreeMap<>();
            for (int i = 2; i < lines.length; i++) {
                String[] f = lines[i].split(" ", -1);
                if (f.length != 5 || !f[0].equals("file") || !validName(f[1])
                        || !(f[3].equals("secret") || f[3].equals("public")) || !f[4].matches("[0-9a-f]{64}")) {
                    throw bad(file, "line " + (i + 1) + ": malformed file entry");
                }
                long size = parseNumber(file, "size " + f[2], "size ", MAX_FILE_BYTES);
                if (entries.put(f[1], new Entry(f[1], size, f[3].equals("secret"), HEX.parseHex(f[4]))) != null) {
                    throw bad(file, "line " + (i + 1) + ": " + f[1] + " listed twice");
                }
            }
            return new Manifest(generation, entries);
        }

        private static long parseNumber(Path file, String text, String prefix, long max) throws IOException {
            if (!text.startsWith(prefix) || !text.substring(prefix.length()).matches("[0-9]{1,19}")) {
                throw bad(file, "malformed \"" + prefix.strip() + "\" value: " + text);
            }
            try {
                long v = Long.parseLong(text.substring(prefix.length()));
                if (v > max) {
                    throw bad(file, text + " exceeds " + max);
                }
                return v;
            } catch (NumberFormatException e) {
                throw bad(file, "number out of range: " + text);
            }
        }

        private static IOException bad(Path file, String why) {
            return new IOException(file + ": " + why);
        }
    }
}
