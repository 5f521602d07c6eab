package dev.cipsec.transport.udp;

/**
 * A snapshot of a {@link UdpEndpoint}'s counters since it opened.
 *
 * @param received         datagrams handed to the handler
 * @param droppedOversize  datagrams dropped for exceeding the maximum datagram size
 * @param handlerFailures  handler calls that threw
 * @param receiveErrors    receive calls that failed while the endpoint was open
 * @param sent             datagrams sent
 */
public record UdpStats(long received, long droppedOversize, long handlerFailures,
                       long receiveErrors, long sent) {
}
