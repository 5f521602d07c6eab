package dev.cipsec.adapter.io;

import java.util.Map;

/**
 * Counters of the I/O runtime since start.
 *
 * @param received datagrams handed to the I/O receive path
 * @param accepted datagrams that passed every check and refreshed their connection's watchdog
 * @param dropped  datagrams dropped, by reason (every reason present, zero included)
 * @param produced T→O datagrams sent
 * @param sendErrors T→O sends that failed (e.g. no route to a multicast group)
 * @param timeouts connections closed by the O→T watchdog
 */
public record IoStats(long received, long accepted, Map<DropReason, Long> dropped, long produced, long sendErrors,
                      long timeouts) {

    /** Why a received datagram was dropped. */
    public enum DropReason {
        /** Not an I/O frame: wrong item count or types, lying lengths, a class 1 item without sequence count. */
        MALFORMED,
        /** No open connection has this O→T connection id. */
        UNKNOWN_CONNECTION,
        /** The connection exists but the datagram did not come from its originator's address. */
        WRONG_PEER,
        /** The data is shorter or longer than the connection's O→T size. */
        WRONG_SIZE,
        /** The encapsulation sequence number is not newer than the last accepted one (stale or duplicate). */
        STALE_SEQUENCE
    }

    public IoStats {
        dropped = Map.copyOf(dropped);
    }

    public long dropped(DropReason reason) {
        return dropped.getOrDefault(reason, 0L);
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }
}
