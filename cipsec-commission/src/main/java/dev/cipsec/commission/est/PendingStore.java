package dev.cipsec.commission.est;

import dev.cipsec.commission.json.JsonException;
import dev.cipsec.commission.json.JsonNode;
import dev.cipsec.commission.json.JsonReader;
import dev.cipsec.commission.json.JsonWriter;
import dev.cipsec.transport.tls.cert.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Enrolment requests waiting for (or carrying) an operator's decision: {@code <state>/pending/<id>.json}, one
 * file per request, each replaced atomically, so the server and {@code cipsec est-server approve} can work on
 * the same directory. The number of files is bounded: a flood of unknown devices cannot fill the disk.
 */
public final class PendingStore {
    /** Requests kept when no other bound is given. */
    public static final int DEFAULT_MAX_REQUESTS = 256;

    private final Path dir;
    private final int maxRequests;

    private PendingStore(Path dir, int maxRequests) {
        this.dir = dir;
        this.maxRequests = maxRequests;
    }

    /** The store under {@code stateDir/pending} (created). */
    public static PendingStore open(Path stateDir, int maxRequests) throws IOException {
        if (maxRequests < 1 || maxRequests > 100_000) {
            throw new IllegalArgumentException("pending requests bound must be 1..100000: " + maxRequests);
        }
        Path dir = stateDir.resolve("pending");
        Files.createDirectories(dir);
        return new PendingStore(dir, maxRequests);
    }

    /** The store of an existing state directory, for the operator's commands: a mistyped path is an error. */
    public static PendingStore existing(Path stateDir) throws IOException {
        Path dir = stateDir.resolve("pending");
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not an EST server state directory (no pending/)");
        }
        return new PendingStore(dir, DEFAULT_MAX_REQUESTS);
    }

    /** Every request, oldest first; files that do not parse are skipped rather than stopping the listing. */
    public synchronized List<PendingRequest> list() throws IOException {
        List<PendingRequest> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - ".json".length());
                if (PendingRequest.ID.matcher(id).matches()) {
                    read(f).ifPresent(out::add);
                }
            }
        }
        out.sort(Comparator.comparing(PendingRequest::created).thenComparing(PendingRequest::id));
        return out;
    }

    /** The request with this id, if any. */
    public synchronized Optional<PendingRequest> get(String id) throws IOException {
        if (!PendingRequest.ID.matcher(id).matches()) {
            return Optional.empty();
        }
        return read(file(id));
    }

    /**
     * Records a new request; an existing one with the same id is returned unchanged (a retry keeps the
     * operator's decision).
     *
     * @throws PendingFullException when the bound is reached
     */
    synchronized PendingRequest submit(PendingRequest request) throws IOException, PendingFullException {
        Optional<PendingRequest> existing = get(request.id());
        if (existing.isPresent()) {
            return existing.get();
        }
        if (count() >= maxRequests) {
            throw new PendingFullException(maxRequests);
        }
        write(request);
        return request;
    }

    /**
     * Approves a request; its next enrolment attempt gets a certificate.
     *
     * @param device the policy device whose subject the certificate gets, or empty to let the CSR's common name
     *               pick the entry
     * @throws IllegalArgumentException for an unknown id or a request already denied
     */
    public synchronized PendingRequest approve(String id, String device) throws IOException {
        PendingRequest r = require(id);
        if (r.status() == PendingRequest.Status.DENIED) {
            throw new IllegalArgumentException("request " + id + " was denied; remove it and let the device ask again");
        }
        PendingRequest approved = r.with(PendingRequest.Status.APPROVED, device);
        write(approved);
        return approved;
    }

    /** Denies a request: the device's next attempts with it are refused (403). */
    public synchronized PendingRequest deny(String id) throws IOException {
        PendingRequest denied = require(id).with(PendingRequest.Status.DENIED, "");
        write(denied);
        return denied;
    }

    /** Forgets a request (after its certificate was issued, or to let a denied device start over). */
    public synchronized boolean remove(String id) throws IOException {
        return PendingRequest.ID.matcher(id).matches() && Files.deleteIfExists(file(id));
    }

    private PendingRequest require(String id) throws IOException {
        return get(id).orElseThrow(() -> new IllegalArgumentException("no request " + id + " in " + dir));
    }

    private int count() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path ignored : files) {
                n++;
            }
        }
        return n;
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }

    private void write(PendingRequest r) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("status", r.status().word());
        m.put("created", r.created().toString());
        m.put("peer", r.peer());
        m.put("clientSubject", r.clientSubject());
        m.put("clientIssuer", r.clientIssuer());
        m.put("clientFingerprint", r.clientFingerprint());
        m.put("user", r.user());
        m.put("csrSubject", r.csrSubject());
        m.put("csrKeyFingerprint", r.csrKeyFingerprint());
        m.put("device", r.device());
        AtomicFiles.write(file(r.id()), JsonWriter.write(m).getBytes(StandardCharsets.UTF_8), false);
    }

    private static Optional<PendingRequest> read(Path f) throws IOException {
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        byte[] data;
        try {
            data = AtomicFiles.readBounded(f);
        } catch (NoSuchFileException e) {
            // Removed between the two calls: an enrolment just completed.
            return Optional.empty();
        }
        try {
            if (!(JsonReader.parse(data) instanceof JsonNode.JsonObject o)) {
                return Optional.empty();
            }
            return Optional.of(new PendingRequest(text(o, "id"), PendingRequest.Status.of(text(o, "status")),
                    Instant.parse(text(o, "created")), text(o, "peer"), text(o, "clientSubject"),
                    text(o, "clientIssuer"), text(o, "clientFingerprint"), text(o, "user"), text(o, "csrSubject"),
                    text(o, "csrKeyFingerprint"), text(o, "device")));
        } catch (JsonException | IllegalArgumentException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode.JsonObject o, String key) {
        return o.get(key).filter(JsonNode.JsonString.class::isInstance)
                .map(n -> ((JsonNode.JsonString) n).value())
                .orElseThrow(() -> new IllegalArgumentException("missing " + key));
    }

    /** The bound on held requests is reached. */
    static final class PendingFullException extends Exception {
        private static final long serialVersionUID = 1L;

        PendingFullException(int max) {
            super(max + " enrolment requests are already held; decide on some first");
        }
    }

    @Override
    public String toString() {
        return "PendingStore[" + dir + "]";
    }
}
