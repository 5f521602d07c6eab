package dev.cipsec.objects;

/**
 * Limits of one {@link MessageRouter}.
 *
 * @param maxResponseSize     largest encoded Message Router response in bytes, reply header
 *                            included; a larger reply is answered 0x11 reply data too large.
 *                            Default 504, the unconnected (UCMM) message size of CIP, leaving 500
 *                            bytes of data.
 * @param maxEmbeddedRequests most requests one Multiple_Service_Packet may carry (default 32);
 *                            more is answered 0x02 resource unavailable
 */
public record RouterLimits(int maxResponseSize, int maxEmbeddedRequests) {
    public static final RouterLimits DEFAULT = new RouterLimits(504, 32);

    public RouterLimits {
        if (maxResponseSize < 4 || maxResponseSize > 0xFFFF) {
            throw new IllegalArgumentException("maxResponseSize must be 4..65535: " + maxResponseSize);
        }
        if (maxEmbeddedRequests < 1 || maxEmbeddedRequests > 0xFFFF) {
            throw new IllegalArgumentException("maxEmbeddedRequests must be 1..65535: " + maxEmbeddedRequests);
        }
    }

    public RouterLimits withMaxResponseSize(int size) {
        return new RouterLimits(size, maxEmbeddedRequests);
    }

    public RouterLimits withMaxEmbeddedRequests(int n) {
        return new RouterLimits(maxResponseSize, n);
    }
}
