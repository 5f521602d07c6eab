package dev.cipsec.transport.tls;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Handshake counters of one TLS listener: completed, resumed, and failed by alert or reason. */
public final class TlsStats {
    private final LongAdder completed = new LongAdder();
    private final LongAdder resumed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder refusedBusy = new LongAdder();
    /** Keys are alert names ("bad_certificate") or "none"; at most one per alert, so bounded. */
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();

    void completed(boolean wasResumed) {
        completed.increment();
        if (wasResumed) {
            resumed.increment();
        }
    }

    void failed(TlsHandshakeException e) {
        if (e.timedOut()) {
            timedOut.increment();
        } else {
            failed.computeIfAbsent((e.alertFromPeer() ? "received " : "sent ") + e.alertName(), k -> new LongAdder())
                    .increment();
        }
    }

    void refusedBusy() {
        refusedBusy.increment();
    }

    /** A consistent-enough copy for display. */
    public Snapshot snapshot() {
        Map<String, Long> f = new TreeMap<>();
        failed.forEach((k, v) -> f.put(k, v.sum()));
        return new Snapshot(completed.sum(), resumed.sum(), timedOut.sum(), refusedBusy.sum(), Map.copyOf(f));
    }

    /**
     * @param completed   handshakes that completed (resumed ones included)
     * @param resumed     abbreviated handshakes
     * @param timedOut    handshakes abandoned at the deadline
     * @param refusedBusy connections closed because too many handshakes were in flight
     * @param failed      failures by "sent ALERT" / "received ALERT"
     */
    public record Snapshot(long completed, long resumed, long timedOut, long refusedBusy, Map<String, Long> failed) {
        public long failedTotal() {
            return failed.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
