package dev.cipsec.transport.tls;

import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.AbstractTlsSecret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An NSS key log ({@code SSLKEYLOGFILE} format): one {@code CLIENT_RANDOM <client random>
 * <master secret>} line per TLS 1.2 handshake, which Wireshark and tshark use to decrypt the
 * capture ({@code -o tls.keylog_file:FILE}). Anyone holding the file can read the traffic it
 * covers: it is opt-in per endpoint, created owner-only, and meant for debugging.
 */
public final class KeyLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyLog.class);
    private static final HexFormat HEX = HexFormat.of();

    private final Path file;
    private final Writer out;
    private boolean closed;

    private KeyLog(Path file, Writer out) {
        this.file = file;
        this.out = out;
    }

    /** Opens {@code file} for appending, creating it readable by the owner only where the file system allows. */
    public static KeyLog open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
        }
        Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
        LOG.warn("TLS key log enabled: {} lets anyone who reads it decrypt the traffic", file);
        return new KeyLog(file, w);
    }

    public Path file() {
        return file;
    }

    /** Appends one line and flushes, so a capture can be decrypted while the process runs. */
    synchronized void write(byte[] clientRandom, TlsSecret masterSecret) {
        if (closed) {
            return;
        }
        byte[] secret = SecretBytes.copy(masterSecret);
        try {
            out.write("CLIENT_RANDOM " + HEX.formatHex(clientRandom) + " " + HEX.formatHex(secret) + "\n");
            out.flush();
        } catch (IOException e) {
            LOG.warn("key log {}: write failed: {}", file, e.toString());
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                LOG.debug("key log {}: close failed: {}", file, e.toString());
            }
        }
    }

    /**
     * Copies a live secret's bytes without destroying it: {@link TlsSecret#extract()} would, and
     * the session still needs it. {@code copyData} is protected static in the base class, reachable
     * from a subclass that is never instantiated.
     */
    private abstract static class SecretBytes extends AbstractTlsSecret {
        private SecretBytes() {
            super(null);
        }

        static byte[] copy(TlsSecret secret) {
            return copyData((AbstractTlsSecret) secret);
        }
    }
}
