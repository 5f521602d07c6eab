package dev.cipsec.transport.dtls;

/**
 * The datagram an established session's receiving thread hands to Bouncy Castle's record layer,
 * as the session's {@code DatagramTransport}: Bouncy Castle gets it once, then {@link Drained}.
 * Used by one thread at a time (the one calling {@code DTLSTransport.receive}).
 */
final class HandOver {
    private byte[] datagram;
    private int length;

    /** Hands {@code datagram[0, length)} over; the array must not change until {@link #clear}. */
    void hand(byte[] datagram, int length) {
        this.datagram = datagram;
        this.length = length;
    }

    /**
     * The record buffer Bouncy Castle should allocate, which it does on every receive call: the
     * size of the datagram handed over last (any record it still holds is part of it), or
     * {@code fallback} before the first. The port's limit would be 16 KiB zeroed per 90-byte packet.
     */
    int receiveLimit(int fallback) {
        return length > 0 ? length : fallback;
    }

    /** Copies the datagram into {@code buf} once; after that {@link Drained} until the next {@link #hand}. */
    int take(byte[] buf, int off, int len) throws Drained {
        byte[] d = datagram;
        if (d == null) {
            throw Drained.INSTANCE;
        }
        datagram = null;
        int n = Math.min(len, length);
        System.arraycopy(d, 0, buf, off, n);
        return n;
    }

    /** Forgets the datagram (its array may be reused); the receive limit stays its size. */
    void clear() {
        datagram = null;
    }

    /** Back to the state before the first datagram. */
    void reset() {
        datagram = null;
        length = 0;
    }
}
