package dev.cipsec.adapter.io;

/**
 * Application events of the I/O connections. Calls come from the device's I/O threads (the UDP
 * receive thread, the scheduler thread, a TCP handler for Forward_Open/Forward_Close): an
 * implementation must return quickly and not block; exceptions it throws are logged and ignored.
 */
public interface IoListener {
    /** Why a connection ended. */
    enum CloseReason { FORWARD_CLOSE, TIMEOUT, OWNER_CLOSED, DEVICE_CLOSED }

    default void opened(IoConnectionInfo connection) {
    }

    /** The connection is gone; {@code TIMEOUT} also means the O→T data stopped (loss of the originator). */
    default void closed(IoConnectionInfo connection, CloseReason reason) {
    }

    /** The O→T run/idle header changed (the first header received counts as a change). */
    default void runIdleChanged(IoConnectionInfo connection, boolean run) {
    }
}
