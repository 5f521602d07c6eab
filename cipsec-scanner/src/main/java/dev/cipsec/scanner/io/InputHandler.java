package dev.cipsec.scanner.io;

/**
 * Receives new T->O data on the runtime's receive thread. {@code buf[off, off+len)} is valid only
 * during the call (it is the receive buffer): copy what must outlive it. Keep it short and
 * non-blocking; the next datagram waits for it. Called only for data that is new: a class 1 packet
 * that repeats the last sequence count is not delivered again.
 */
@FunctionalInterface
public interface InputHandler {
    void onInput(byte[] buf, int off, int len);
}
