package dev.cipsec.scanner.io;

/**
 * Connection events, delivered on one event thread of the {@link IoRuntime} (never on the
 * scheduler or receive thread), in order per connection.
 */
public interface IoListener {
    /** Nothing valid arrived T->O for the connection's timeout; the connection is closed already. */
    default void timedOut(IoConnection connection) {
    }

    /** The connection ended (after {@link #timedOut} or {@link IoConnection#close()}). */
    default void closed(IoConnection connection) {
    }

    IoListener NONE = new IoListener() {
    };
}
