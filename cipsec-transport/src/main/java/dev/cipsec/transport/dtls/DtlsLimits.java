package dev.cipsec.transport.dtls;

import java.time.Duration;
import java.util.Objects;

/**
 * What one DTLS listener admits, so that a flooding peer cannot exhaust it or delay other peers.
 *
 * @param maxSessions           sessions at once, handshaking ones included; a verified ClientHello beyond is dropped
 * @param maxHandshakesInFlight handshakes at once; a verified ClientHello beyond is dropped (the client retransmits)
 * @param maxQueuedPerPeer      datagrams waiting for one session's thread; more are dropped
 * @param idleTimeout           a session that received nothing for this long is closed (the EtherNet/IP
 *                              Security Object's DTLS timeout, attribute 15, default 12 s)
 */
public record DtlsLimits(int maxSessions, int maxHandshakesInFlight, int maxQueuedPerPeer, Duration idleTimeout) {
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(12);

    public DtlsLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxSessions < 1 || maxSessions > 100_000) {
            throw new IllegalArgumentException("max sessions must be 1..100000: " + maxSessions);
        }
        if (maxHandshakesInFlight < 1 || maxHandshakesInFlight > 10_000) {
            throw new IllegalArgumentException("max handshakes in flight must be 1..10000: " + maxHandshakesInFlight);
        }
        if (maxQueuedPerPeer < 1 || maxQueuedPerPeer > 65_536) {
            throw new IllegalArgumentException("max queued datagrams per peer must be 1..65536: " + maxQueuedPerPeer);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.compareTo(Duration.ofHours(18)) > 0) {
            // 0x5E attribute 15 is a UINT of seconds: at most about 18 hours.
            throw new IllegalArgumentException("idle timeout must be in (0, 18 h]: " + idleTimeout);
        }
    }

    /** 256 sessions, 16 handshakes in flight, 64 queued datagrams per peer, 12 s idle timeout. */
    public static DtlsLimits defaults() {
        return new DtlsLimits(256, 16, 64, DEFAULT_IDLE_TIMEOUT);
    }

    public DtlsLimits withMaxSessions(int n) {
        return new DtlsLimits(n, maxHandshakesInFlight, maxQueuedPerPeer, idleTimeout);
    }

    public DtlsLimits withMaxHandshakesInFlight(int n) {
        return new DtlsLimits(maxSessions, n, maxQueuedPerPeer, idleTimeout);
    }

    public DtlsLimits withMaxQueuedPerPeer(int n) {
        return new DtlsLimits(maxSessions, maxHandshakesInFlight, n, idleTimeout);
    }

    public DtlsLimits withIdleTimeout(Duration d) {
        return new DtlsLimits(maxSessions, maxHandshakesInFlight, maxQueuedPerPeer, d);
    }
}
