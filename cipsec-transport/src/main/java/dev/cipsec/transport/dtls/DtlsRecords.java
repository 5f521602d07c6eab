package dev.cipsec.transport.dtls;

/** Just enough of the DTLS 1.x record layer (RFC 6347 §4.1) to route a datagram before any state exists. */
final class DtlsRecords {
    static final int HEADER = 13;
    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;
    private static final int CLIENT_HELLO = 1;

    private DtlsRecords() {
    }

    /**
     * Whether the datagram starts with a whole epoch-0 handshake record of a DTLS version that holds
     * the start of a ClientHello: the only thing a peer without a session may send.
     */
    static boolean isClientHello(byte[] buf, int off, int len) {
        if (len < HEADER + 1) {
            return false;
        }
        int type = buf[off] & 0xFF;
        int major = buf[off + 1] & 0xFF;
        int epoch = ((buf[off + 3] & 0xFF) << 8) | (buf[off + 4] & 0xFF);
        int length = ((buf[off + 11] & 0xFF) << 8) | (buf[off + 12] & 0xFF);
        return type == HANDSHAKE && major == 0xFE && epoch == 0 && length >= 1 && length <= len - HEADER
                && (buf[off + HEADER] & 0xFF) == CLIENT_HELLO;
    }

    /** Content type of the datagram's first record, or -1 when too short for a header. */
    static int firstType(byte[] buf, int off, int len) {
        return len < HEADER ? -1 : buf[off] & 0xFF;
    }
}
