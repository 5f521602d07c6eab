package dev.cipsec.scanner.io;

/**
 * Counters of one I/O connection since it opened.
 *
 * @param sent             O->T datagrams sent
 * @param sendErrors       O->T datagrams the socket refused
 * @param received         T->O datagrams accepted (newer encapsulation sequence)
 * @param delivered        accepted datagrams with new data (class 1: a new sequence count)
 * @param droppedStale     T->O datagrams whose encapsulation sequence was not newer (old or duplicate)
 * @param droppedWrongPeer T->O datagrams with our connection id from another address
 * @param droppedSize      T->O datagrams whose data length is not the connection's T->O size
 * @param lost             encapsulation sequence numbers skipped between accepted T->O datagrams (lost on
 *                         the way, or dropped here)
 * @param latePackets      O->T datagrams sent more than a tenth of the RPI after their deadline
 * @param missedDeadlines  O->T deadlines skipped because the producer ran too late to meet them
 * @param maxLatenessNanos largest O->T lateness against its deadline
 */
public record IoStats(long sent, long sendErrors, long received, long delivered, long droppedStale,
                      long droppedWrongPeer, long droppedSize, long lost, long latePackets, long missedDeadlines,
                      long maxLatenessNanos) {

    /** All drops together. */
    public long dropped() {
        return droppedStale + droppedWrongPeer + droppedSize;
    }
}
