package dev.cipsec.cli.bench;

import dev.cipsec.transport.tls.CipTlsClient;
import dev.cipsec.transport.tls.CipTlsServer;
import dev.cipsec.transport.tls.TlsPolicy;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsServerProtocol;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * What Bouncy Castle's record layer costs us per record: a client and a server connected in memory
 * (no sockets, no threads once the handshake is done) under one suite; the client protects records
 * of one size in batches and the server takes them back. Only the protecting side is timed (writing
 * the application data and taking the record out), which is what {@code openssl speed} measures for
 * OpenSSL (see {@link OpenSslSpeed}); the server's side checks that every record came through.
 *
 * <p>TLS: Bouncy Castle's non-blocking {@code TlsClientProtocol}/{@code TlsServerProtocol}:
 * {@code writeApplicationData} → {@code readOutput}, then {@code offerInput} on the other side →
 * {@code readInput}. DTLS: {@code DTLSTransport.send} into an in-memory datagram link whose limit
 * allows 16 KiB records, then {@code receive} on the other end.
 */
final class RecordCost implements AutoCloseable {
    private static final InetSocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
    private static final int MAX_RECORD = 16_384;
    /** Room for a 16 KiB record and any suite's expansion (IV, MAC or tag, padding, header). */
    private static final int LINK_LIMIT = MAX_RECORD + 2048;
    /** Records per timed batch: a few hundred KiB of output at most. */
    private static final int BATCH_BYTES = 256 * 1024;
    /** The protecting thread's CPU time; wall time where the JVM cannot tell a thread's CPU time. */
    private static final LongSupplier CPU = cpuClock();

    private final Side side;

    private static LongSupplier cpuClock() {
        java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
        if (t.isCurrentThreadCpuTimeSupported() && t.isThreadCpuTimeEnabled()) {
            return t::getCurrentThreadCpuTime;
        }
        return System::nanoTime;
    }

    private RecordCost(Side side) {
        this.side = side;
    }

    /** A connected in-memory pair under the two policies, TLS or DTLS. */
    static RecordCost connect(boolean datagram, TlsPolicy client, TlsPolicy server) throws IOException {
        return new RecordCost(datagram ? DtlsSide.connect(client, server) : TlsSide.connect(client, server));
    }

    /**
     * Protects {@code size}-byte records for {@code warmup}, then in batches for {@code duration}, and
     * returns the median batch's nanoseconds per record, in CPU time of the protecting thread (as
     * {@code openssl speed} divides by its CPU time): another process taking the core, or a
     * collection on another thread, does not count, and a batch a compilation slowed does not move
     * the median.
     */
    double nanosPerRecord(int size, Duration warmup, Duration duration) throws IOException {
        byte[] data = new byte[size];
        int batch = Math.max(8, Math.min(1024, BATCH_BYTES / size));
        run(data, batch, warmup.toNanos(), null);
        List<Double> perRecord = new ArrayList<>();
        run(data, batch, duration.toNanos(), perRecord);
        Collections.sort(perRecord);
        return perRecord.get(perRecord.size() / 2);
    }

    /** Batches until {@code wall} nanoseconds have passed, each batch's ns per record into {@code into}. */
    private void run(byte[] data, int batch, long wall, List<Double> into) throws IOException {
        long end = System.nanoTime() + wall;
        do {
            long nanos = side.protect(data, batch);
            side.unprotect(data.length, batch);
            if (into != null) {
                into.add((double) nanos / batch);
            }
        } while (System.nanoTime() < end || (into != null && into.size() < 3));
    }

    @Override
    public void close() {
        side.close();
    }

    /** One protocol's pair. */
    private interface Side {
        /** Protects {@code n} records of {@code data}; returns the CPU time it took this thread. */
        long protect(byte[] data, int n) throws IOException;

        /** Takes the {@code n} records back on the other end, checking they all arrive. */
        void unprotect(int size, int n) throws IOException;

        void close();
    }

    private static final class TlsSide implements Side {
        private final TlsClientProtocol client = new TlsClientProtocol();
        private final TlsServerProtocol server = new TlsServerProtocol();
        private byte[] wire = new byte[BATCH_BYTES * 2];
        private int wireLength;
        private final byte[] plain = new byte[MAX_RECORD];

        static TlsSide connect(TlsPolicy clientPolicy, TlsPolicy serverPolicy) throws IOException {
            TlsSide s = new TlsSide();
            s.client.connect(CipTlsClient.forStreams(clientPolicy, "bench-memory", "127.0.0.1"));
            s.server.accept(CipTlsServer.forStreams(serverPolicy, PEER));
            for (int round = 0; s.client.isHandshaking() || s.server.isHandshaking(); round++) {
                if (round > 50) {
                    throw new IOException("in-memory TLS handshake did not complete");
                }
                s.pump(s.client, s.server::offerInput);
                s.pump(s.server, s.client::offerInput);
            }
            return s;
        }

        private interface Offer {
            void offer(byte[] buf, int off, int len) throws IOException;
        }

        private void pump(org.bouncycastle.tls.TlsProtocol from, Offer to) throws IOException {
            int n = from.getAvailableOutputBytes();
            if (n > 0) {
                byte[] b = new byte[n];
                from.readOutput(b, 0, n);
                to.offer(b, 0, n);
            }
        }

        @Override
        public long protect(byte[] data, int n) throws IOException {
            wireLength = 0;
            long t0 = CPU.getAsLong();
            for (int i = 0; i < n; i++) {
                client.writeApplicationData(data, 0, data.length);
                int out = client.getAvailableOutputBytes();
                if (wireLength + out > wire.length) {
                    wire = Arrays.copyOf(wire, Math.max(wire.length * 2, wireLength + out));
                }
                wireLength += client.readOutput(wire, wireLength, out);
            }
            return CPU.getAsLong() - t0;
        }

        @Override
        public void unprotect(int size, int n) throws IOException {
            server.offerInput(wire, 0, wireLength);
            long got = 0;
            int avail;
            while ((avail = server.getAvailableInputBytes()) > 0) {
                got += server.readInput(plain, 0, Math.min(avail, plain.length));
            }
            if (got != (long) size * n) {
                throw new IOException("in-memory TLS: " + got + " bytes came through, expected " + (long) size * n);
            }
        }

        @Override
        public void close() {
            try {
                client.close();
                server.close();
            } catch (IOException e) {
                // In memory: nothing to release.
            }
        }
    }

    private static final class DtlsSide implements Side {
        private final DTLSTransport client;
        private final DTLSTransport server;
        private final byte[] plain = new byte[LINK_LIMIT];

        private DtlsSide(DTLSTransport client, DTLSTransport server) {
            this.client = client;
            this.server = server;
        }

        static DtlsSide connect(TlsPolicy clientPolicy, TlsPolicy serverPolicy) throws IOException {
            // Bounded well above a batch: the client writes a whole batch before the server reads.
            BlockingQueue<byte[]> toServer = new ArrayBlockingQueue<>(4096);
            BlockingQueue<byte[]> toClient = new ArrayBlockingQueue<>(4096);
            ExecutorService serverThread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon(true)
                    .name("bench-dtls-memory").unstarted(r));
            try {
                Future<DTLSTransport> server = serverThread.submit(() -> new DTLSServerProtocol()
                        .accept(CipTlsServer.forDatagrams(serverPolicy, PEER), new Link(toServer, toClient)));
                DTLSTransport client = new DTLSClientProtocol().connect(
                        CipTlsClient.forDatagrams(clientPolicy, "bench-memory", "127.0.0.1"), new Link(toClient, toServer));
                return new DtlsSide(client, server.get(BenchCredentials.HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                throw new IOException("in-memory DTLS handshake failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("in-memory DTLS handshake timed out", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            } finally {
                serverThread.shutdownNow();
            }
        }

        @Override
        public long protect(byte[] data, int n) throws IOException {
            long t0 = CPU.getAsLong();
            for (int i = 0; i < n; i++) {
                client.send(data, 0, data.length);
            }
            return CPU.getAsLong() - t0;
        }

        @Override
        public void unprotect(int size, int n) throws IOException {
            for (int i = 0; i < n; i++) {
                int got = server.receive(plain, 0, plain.length, 1000);
                if (got != size) {
                    throw new IOException("in-memory DTLS: record " + i + " of " + n + " gave " + got + " bytes, expected "
                            + size);
                }
            }
        }

        @Override
        public void close() {
            try {
                client.close();
                server.close();
            } catch (IOException e) {
                // In memory: nothing to release beyond the queues.
            }
        }
    }

    /** One end of an in-memory datagram link. */
    private record Link(BlockingQueue<byte[]> in, BlockingQueue<byte[]> out) implements DatagramTransport {
        @Override
        public int getReceiveLimit() {
            return LINK_LIMIT;
        }

        @Override
        public int getSendLimit() {
            return LINK_LIMIT;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            try {
                byte[] d = in.poll(waitMillis, TimeUnit.MILLISECONDS);
                if (d == null) {
                    return -1;
                }
                int n = Math.min(len, d.length);
                System.arraycopy(d, 0, buf, off, n);
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            if (!out.offer(Arrays.copyOfRange(buf, off, off + len))) {
                throw new IOException("in-memory DTLS link full");
            }
        }

        @Override
        public void close() {
        }
    }
}
