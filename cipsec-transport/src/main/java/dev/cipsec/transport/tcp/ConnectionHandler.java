package dev.cipsec.transport.tcp;

import dev.cipsec.transport.StreamConnection;

import java.io.IOException;

/**
 * Serves one accepted connection on its own virtual thread, blocking freely. The server closes
 * the connection when this returns or throws, without flushing: flush what must reach the peer.
 * The MDC key {@code peer} is set on that thread.
 *
 * <p>A secure listener is a decorator: a handler that runs the TLS handshake over the plain
 * connection's streams and then calls the inner handler with the secure connection. The handshake
 * thus runs on the connection's own thread, never on the accept loop.
 */
@FunctionalInterface
public interface ConnectionHandler {
    /**
     * Exceptions are logged at DEBUG with the peer and counted; they never affect the server or
     * other connections.
     */
    void handle(StreamConnection connection) throws IOException;
}
