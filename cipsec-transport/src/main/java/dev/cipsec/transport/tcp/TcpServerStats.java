package dev.cipsec.transport.tcp;

/**
 * A snapshot of a {@link TcpServer}'s counters since it started.
 *
 * @param accepted                connections admitted and handed to the handler
 * @param rejectedTotalLimit      connections closed at once because the total limit was reached
 * @param rejectedPerAddressLimit connections closed at once because their address was at its limit
 * @param active                  connections whose handler is running now
 * @param handlerFailures         handlers that ended with an exception
 */
public record TcpServerStats(long accepted, long rejectedTotalLimit, long rejectedPerAddressLimit,
                             int active, long handlerFailures) {
    public long rejected() {
        return rejectedTotalLimit + rejectedPerAddressLimit;
    }
}
