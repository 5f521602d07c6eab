package dev.cipsec.transport.io;

/**
 * A snapshot of a {@link DatagramPort}'s counters since it opened.
 *
 * @param received         datagrams handed to the receiver
 * @param droppedOversize  datagrams dropped for exceeding the maximum datagram size
 * @param receiverFailures receiver calls that threw (a bug in the receiver; the port carries on)
 * @param receiveErrors    receive calls that failed while the port was open
 * @param sent             datagrams sent
 * @param sendErrors       sends that failed
 * @param receivePauses    sleeps of the receive thread under dense traffic ({@link ReceiveCoalescing}); 0 for a
 *                         port whose datagrams a shared thread receives
 */
public record DatagramPortStats(long received, long droppedOversize, long receiverFailures, long receiveErrors,
                                long sent, long sendErrors, long receivePauses) {
}
