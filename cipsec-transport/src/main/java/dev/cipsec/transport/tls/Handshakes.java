package dev.cipsec.transport.tls;

import dev.cipsec.transport.StreamConnection;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** What the server and client sides share around a handshake: its deadline and its failure report. */
final class Handshakes {
    /**
     * One daemon thread closes the sockets of handshakes past their deadline. Bouncy Castle has no
     * overall handshake timeout on streams, and a per-read timeout alone lets a peer that trickles
     * one byte per read keep a handshake (and its slot) alive indefinitely.
     */
    private static final ScheduledThreadPoolExecutor DEADLINES;

    static {
        DEADLINES = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name("cipsec-tls-deadlines").unstarted(r));
        DEADLINES.setRemoveOnCancelPolicy(true);
    }

    private Handshakes() {
    }

    /** A deadline that closes {@code connection} unless cancelled first. */
    static final class Deadline {
        private final ScheduledFuture<?> future;
        private final AtomicBoolean fired = new AtomicBoolean();

        Deadline(StreamConnection connection, Duration timeout) {
            future = DEADLINES.schedule(() -> {
                fired.set(true);
                connection.close();
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        void cancel() {
            future.cancel(false);
        }

        boolean fired() {
            return fired.get();
        }
    }

    /** How long a failed handshake's connection is drained so the peer can read our alert. */
    static final Duration LINGER = Duration.ofMillis(500);

    /**
     * Closes after a failed handshake without losing the alert we sent: the peer is usually still
     * writing its flight, and closing a socket with unread input makes the kernel answer with a
     * reset, which the peer sees before (or instead of) the alert. So read and discard until the
     * peer closes, at most {@link #LINGER} and 64 KiB.
     */
    static void lingerAndClose(StreamConnection c) {
        try {
            c.setReadTimeout(LINGER);
            long end = System.nanoTime() + LINGER.toNanos();
            byte[] sink = new byte[4096];
            int total = 0;
            int n;
            while (total < 65536 && System.nanoTime() < end && (n = c.in().read(sink)) > 0) {
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            // Timed out or reset: nothing more to wait for.
        } finally {
            c.close();
        }
    }

    /**
     * The deadline fired, or the per-read timeout (set to the same duration, and started a little
     * later) beat it: an idle peer meets whichever the scheduler runs first, and both are the
     * handshake timeout. Bouncy Castle passes a read timeout through without an alert.
     */
    static boolean timedOut(IOException e, Deadline deadline) {
        if (deadline != null && deadline.fired()) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            // The second: Bouncy Castle's own DTLS handshake timeout.
            if (t instanceof java.net.SocketTimeoutException || t instanceof org.bouncycastle.tls.TlsTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Turns what Bouncy Castle threw into a report naming the alert (ours or the peer's) or the timeout.
     *
     * @param side     "TLS server", "DTLS client", ...
     * @param deadline null where Bouncy Castle keeps the deadline itself (DTLS)
     */
    static TlsHandshakeException failure(String side, Object peer, IOException e, Alerts alerts, Deadline deadline,
                                         Duration timeout) {
        if (timedOut(e, deadline)) {
            String protocol = side.substring(0, side.indexOf(' '));
            return TlsHandshakeException.timeout(protocol + " handshake with " + peer + " timed out after " + timeout.toMillis()
                    + " ms", e);
        }
        short a = alerts.alert();
        boolean fromPeer = alerts.fromPeer();
        if (e instanceof TlsFatalAlertReceived r) {
            a = r.getAlertDescription();
            fromPeer = true;
        } else if (e instanceof TlsFatalAlert f && a < 0) {
            a = f.getAlertDescription();
        }
        String what = a < 0 ? "no alert (" + e + ")"
                : (fromPeer ? "the peer sent " : "we sent ") + TlsHandshakeException.alertName(a)
                + (e.getMessage() != null && !fromPeer ? ": " + e.getMessage() : "");
        return new TlsHandshakeException(side + " handshake with " + peer + " failed: " + what, a, fromPeer, e);
    }

    /**
     * The connection's input for Bouncy Castle, which closes its streams when a handshake fails:
     * the socket must stay open so that {@link #lingerAndClose} can let the peer read our alert.
     * The connection's owner closes the socket.
     */
    static java.io.InputStream uncloseable(java.io.InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
                // The socket belongs to the connection.
            }
        };
    }

    /**
     * The connection's output for Bouncy Castle: flushed after every record (BC writes each with one
     * {@code write} call, and the connection's stream is buffered, so a flight would otherwise wait),
     * and not closed by BC, as for {@link #uncloseable}.
     */
    static OutputStream flushing(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void close() throws IOException {
                out.flush();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                out.flush();
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                out.flush();
            }
        };
    }
}
