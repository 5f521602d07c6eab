package dev.cipsec.commission.deploy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The append-only record of what the tool did to one device: one line per step, written and forced to disk
 * <em>before</em> the tool goes on, so that a deployment killed at any moment can be resumed without redoing a
 * step the device kept or skipping one it lost.
 *
 * <p>Line format: {@code <instant> TAB <event> (TAB <key>=<value>)*}, UTF-8, values without tabs or line breaks.
 * A last line without its line break is a write the kill cut short and is ignored. Text, not JSON, so that an
 * operator can read it with {@code cat} and a torn line never hides the lines before it.
 */
public final class DeviceJournal {
    /** Longest journal read back; a device's journal grows by a few lines per deployment. */
    static final long MAX_BYTES = 4L << 20;
    /** Past this size, opening compacts the journal to its last completed deployment and what followed it. */
    static final long COMPACT_BYTES = 256L << 10;

    /** One step as recorded. */
    public record Entry(Instant time, String event, Map<String, String> fields) {
        public Entry {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        public String field(String key) {
            return fields.getOrDefault(key, "");
        }
    }

    private final Path file;
    private final List<Entry> entries;

    private DeviceJournal(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /** Reads the journal at {@code file} (none yet: empty). */
    public static DeviceJournal open(Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IOException(file + ": journal larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new DeviceJournal(file, entries);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int start = 0;
        int lineNo = 1;
        List<String> lines = new ArrayList<>();
        for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            String line = text.substring(start, nl);
            entries.add(parse(file, lineNo++, line));
            lines.add(line);
            start = nl + 1;
        }
        if (bytes.length > COMPACT_BYTES) {
            compact(file, entries, lines);
        }
        return new DeviceJournal(file, entries);
    }

    /**
     * Keeps the last "done" line and everything after it: resuming and differential deployment read nothing
     * older. Atomic, so a kill during compaction leaves the old journal or the new one.
     */
    private static void compact(Path file, List<Entry> entries, List<String> lines) throws IOException {
        int from = -1;
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).event().equals(Events.DONE)) {
                from = i;
                break;
            }
        }
        if (from <= 0) {
            return;
        }
        StringBuilder b = new StringBuilder();
        for (String line : lines.subList(from, lines.size())) {
            b.append(line).append('\n');
        }
        dev.cipsec.transport.tls.cert.AtomicFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8), false);
        List<Entry> kept = new ArrayList<>(entries.subList(from, entries.size()));
        entries.clear();
        entries.addAll(kept);
    }

    private static Entry parse(Path file, int lineNo, String line) throws IOException {
        String[] parts = line.split("\t", -1);
        if (parts.length < 2) {
            throw new IOException(file + ":" + lineNo + ": not a journal line");
        }
        Instant time;
        try {
            time = Instant.parse(parts[0]);
        } catch (RuntimeException e) {
            throw new IOException(file + ":" + lineNo + ": bad time '" + parts[0] + "'");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 2; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IOException(file + ":" + lineNo + ": bad field '" + parts[i] + "'");
            }
            fields.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return new Entry(time, parts[1], fields);
    }

    public Path file() {
        return file;
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /**
     * Appends one step and forces it to disk before returning. {@code keyValues} alternate key and value;
     * values are made single-line.
     */
    public Entry append(String event, String... keyValues) throws IOException {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must pair up");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            fields.put(keyValues[i], clean(keyValues[i + 1]));
        }
        Entry e = new Entry(Instant.now(), clean(event), fields);
        StringBuilder b = new StringBuilder().append(e.time()).append('\t').append(e.event());
        fields.forEach((k, v) -> b.append('\t').append(k).append('=').append(v));
        b.append('\n');
        Files.createDirectories(file.getParent());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        entries.add(e);
        return e;
    }

    private static String clean(String s) {
        return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    /** The last entry named {@code event}, if any. */
    public Optional<Entry> last(String event) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).event().equals(event)) {
                return Optional.of(entries.get(i));
            }
        }
        return Optional.empty();
    }

    /** Entries since the last {@code start} (the current or interrupted run on this device). */
    public List<Entry> currentRun() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).event().equals(Events.START)) {
                return Collections.unmodifiableList(entries.subList(i, entries.size()));
            }
        }
        return List.of();
    }

    /** The config hash of the last completed deployment, if any. */
    public Optional<String> deployedHash() {
        return last(Events.DONE).map(e -> e.field("hash"));
    }
}
