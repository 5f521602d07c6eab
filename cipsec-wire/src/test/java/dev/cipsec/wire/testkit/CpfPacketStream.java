package dev.cipsec.wire.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Bare CPF packets read back to back from a byte stream, such as the stdout of
 * {@code openssl s_client} or {@code s_server -quiet}, which write the payloads of the records
 * they receive without any framing: each packet is cut by its own lengths (item count, then per
 * item type, length and data). A virtual thread reads the stream into a queue, so callers wait
 * with a deadline.
 */
public final class CpfPacketStream implements AutoCloseable {
    /** Far more items than any packet here has; a larger count means the stream lost its framing. */
    private static final int MAX_ITEMS = 16;

    private final LinkedBlockingQueue<byte[]> packets = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile IOException failure;

    private CpfPacketStream(InputStream in) {
        reader = Thread.ofVirtual().name("cpf-stream").start(() -> {
            DataInputStream d = new DataInputStream(in);
            try {
                byte[] p;
                while ((p = read(d)) != null) {
                    packets.add(p);
                }
            } catch (IOException e) {
                failure = e;
            }
        });
    }

    public static CpfPacketStream of(InputStream in) {
        return new CpfPacketStream(in);
    }

    /**
     * One CPF packet, or null at the end of the stream before its first byte.
     *
     * @throws IOException when the stream ends inside a packet or its item count is implausible
     */
    public static byte[] read(InputStream in) throws IOException {
        DataInputStream d = in instanceof DataInputStream x ? x : new DataInputStream(in);
        int lo = d.read();
        if (lo < 0) {
            return null;
        }
        int count = lo | d.readUnsignedByte() << 8;
        if (count > MAX_ITEMS) {
            throw new IOException("CPF item count " + count + ": the stream is not a sequence of CPF packets");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(lo);
        out.write(count >>> 8);
        byte[] header = new byte[4];
        for (int i = 0; i < count; i++) {
            d.readFully(header);
            int length = (header[2] & 0xFF) | (header[3] & 0xFF) << 8;
            byte[] data = new byte[length];
            d.readFully(data);
            out.write(header);
            out.write(data);
        }
        return out.toByteArray();
    }

    /** The next packet accepted by {@code wanted}, skipping others, or an AssertionError after {@code timeout}. */
    public byte[] next(Predicate<byte[]> wanted, Duration timeout, String what) {
        long end = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = end - System.nanoTime();
                byte[] p = left > 0 ? packets.poll(left, TimeUnit.NANOSECONDS) : null;
                if (p == null) {
                    IOException e = failure;
                    throw new AssertionError("no " + what + " within " + timeout
                            + (e == null ? "" : " (stream failed: " + e.getMessage() + ")"));
                }
                if (wanted.test(p)) {
                    return p;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** Ends with the stream: the process owning it must be destroyed first. */
    @Override
    public void close() {
        reader.interrupt();
    }
}
