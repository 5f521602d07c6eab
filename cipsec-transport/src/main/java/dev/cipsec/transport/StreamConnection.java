package dev.cipsec.transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A connected, ordered byte stream to one peer: plain TCP today, TLS over TCP later. Callers speak
 * through {@link #in()} and {@link #out()} only, so a TLS implementation can wrap a plain connection
 * (handshake over its streams, then expose the application-data streams) without its users
 * changing.
 *
 * <p>Threading: one thread reads and one thread writes; {@link #close()} may be called from any
 * thread and unblocks a reader or writer blocked on the stream.
 */
public interface StreamConnection extends Closeable {

    /** The stream of bytes from the peer. A read blocked longer than the read timeout throws
     *  {@link java.net.SocketTimeoutException}; the connection stays usable afterwards. */
    InputStream in();

    /** The stream of bytes to the peer. Buffered: nothing is guaranteed to leave until the
     *  caller flushes. */
    OutputStream out();

    /** The remote end of the connection. */
    InetSocketAddress peer();

    /** The local end of the connection. */
    InetSocketAddress local();

    /** Whether the bytes are protected on the wire (TLS); {@code false} for plain TCP. */
    boolean secure();

    /**
     * Bounds each single blocking read of {@link #in()} (SO_TIMEOUT semantics); {@link Duration#ZERO}
     * means wait forever. Used for idle timeouts. Note that it applies per read, not per message: see
     * {@link FrameReader} for a whole-frame deadline.
     *
     * @throws IOException if the underlying socket refuses the option (e.g. it is closed)
     */
    void setReadTimeout(Duration timeout) throws IOException;

    /** Whether {@link #close()} has been called (by anyone). */
    boolean isClosed();

    /**
     * Closes the connection and releases its socket. Idempotent and callable from any thread.
     * Does not flush: output the caller has not flushed is discarded. Never throws; a failure to
     * close cleanly is not actionable by the caller.
     */
    @Override
    void close();
}
