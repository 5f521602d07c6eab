package dev.cipsec.adapter;

import dev.cipsec.adapter.io.IoStats;
import dev.cipsec.transport.dtls.DtlsStats;

import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The counters of a device's DTLS listener (UDP 2221) at one moment.
 *
 * @param dtls               handshakes by outcome, cookies sent, drops by reason
 * @param sessions           live DTLS sessions
 * @param handshakesInFlight handshakes under way
 * @param ucmmRequests       UCMM requests (item 0x8003) received
 * @param ucmmRepeated       repeated transaction ids answered from the reply cache or dropped while served
 * @param ucmmBusy           UCMM requests dropped because too many were being served
 * @param ucmmMalformed      datagrams inside a session that were not a CPF packet
 * @param io                 class 0/1 I/O over DTLS
 */
public record DtlsListenerStats(DtlsStats.Snapshot dtls, int sessions, int handshakesInFlight, long ucmmRequests,
                                long ucmmRepeated, long ucmmBusy, long ucmmMalformed, IoStats io) {

    /** One line for a console: what an operator looks at first, then every non-zero drop reason. */
    public String summary() {
        String drops = dtls.drops().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + " " + e.getValue())
                .collect(Collectors.joining(", "));
        String failed = dtls.failed().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        String ioDrops = io.dropped().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT,
                "dtls: sessions %d, handshakes ok %d failed %d%s timed out %d in flight %d, cookies sent %d, replaced %d, "
                        + "idle closed %d, drops [%s]; ucmm %d (repeated %d, busy %d, malformed %d); "
                        + "io in %d accepted %d out %d timeouts %d, drops [%s]",
                sessions, dtls.completed(), dtls.failedTotal(), failed.isEmpty() ? "" : " (" + failed + ")",
                dtls.timedOut(), handshakesInFlight, dtls.cookiesSent(), dtls.replaced(), dtls.idleClosed(), drops,
                ucmmRequests, ucmmRepeated, ucmmBusy, ucmmMalformed, io.received(), io.accepted(), io.produced(),
                io.timeouts(), ioDrops);
    }
}
