package dev.cipsec.transport.dtls;

import dev.cipsec.transport.tls.TlsHandshakeException;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one DTLS listener: handshakes by outcome, cookies sent, sessions closed and datagrams dropped by reason. */
public final class DtlsStats {
    /** Why a datagram from the network was dropped before reaching the receiver. */
    public enum Drop {
        /** A ClientHello without a valid cookie: answered with a HelloVerifyRequest, no state kept. */
        NO_COOKIE,
        /** The peer's session queue was full. */
        QUEUE_FULL,
        /** A verified ClientHello while the session limit was reached. */
        TOO_MANY_SESSIONS,
        /** A verified ClientHello while the handshake limit was reached. */
        HANDSHAKES_BUSY,
        /** From a peer without a session, and not a ClientHello record. */
        GARBAGE,
        /** An application record of a session that did not decrypt or authenticate (or was a replay). */
        DECRYPT_FAILURE
    }

    private final LongAdder completed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder cookiesSent = new LongAdder();
    private final LongAdder replaced = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final LongAdder[] drops = new LongAdder[Drop.values().length];
    /** Keys are "sent ALERT" / "received ALERT"; one per alert, so bounded. */
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();

    DtlsStats() {
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
    }

    void completed() {
        completed.increment();
    }

    void failed(TlsHandshakeException e) {
        if (e.timedOut()) {
            timedOut.increment();
        } else {
            failed.computeIfAbsent((e.alertFromPeer() ? "received " : "sent ") + e.alertName(), k -> new LongAdder())
                    .increment();
        }
    }

    void cookieSent() {
        cookiesSent.increment();
    }

    void replaced() {
        replaced.increment();
    }

    void idleClosed() {
        idleClosed.increment();
    }

    void drop(Drop reason) {
        drops[reason.ordinal()].increment();
    }

    public Snapshot snapshot() {
        Map<String, Long> f = new TreeMap<>();
        failed.forEach((k, v) -> f.put(k, v.sum()));
        Map<Drop, Long> d = new EnumMap<>(Drop.class);
        for (Drop r : Drop.values()) {
            d.put(r, drops[r.ordinal()].sum());
        }
        return new Snapshot(completed.sum(), timedOut.sum(), Map.copyOf(f), cookiesSent.sum(), replaced.sum(),
                idleClosed.sum(), Collections.unmodifiableMap(d));
    }

    /**
     * @param completed   handshakes that completed
     * @param timedOut    handshakes abandoned at the handshake timeout
     * @param failed      other failed handshakes by "sent ALERT" / "received ALERT"
     * @param cookiesSent HelloVerifyRequests sent
     * @param replaced    sessions replaced by a new handshake from the same address (RFC 6347 §4.2.8)
     * @param idleClosed  sessions closed by the idle timeout
     * @param drops       datagrams dropped, by reason (every reason present)
     */
    public record Snapshot(long completed, long timedOut, Map<String, Long> failed, long cookiesSent, long replaced,
                           long idleClosed, Map<Drop, Long> drops) {
        public long drops(Drop reason) {
            return drops.get(reason);
        }

        public long failedTotal() {
            return failed.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
