package dev.cipsec.transport.dtls;

import java.time.Duration;
import java.util.Objects;

/**
 * What one DTLS listener admits, so that a flooding peer cannot exhaust it or delay other peers.
 *
 * @param maxSessions           sessions at once, handshaking ones included; a verified ClientHello beyond is dropped
 * @param maxHandshakesInFlight handshakes at once; a verified ClientHello beyond is dropped (the client retransmits)
 * @param maxQueuedPerPeer      datagrams waiting for a handshaking session's thread; more are dropped (an
 *                              established session's records are decrypted as they arrive, never queued)
 * @param maxQueuedBytesPerPeer bytes of those datagrams; a datagram that would exceed it is dropped: memory per
 *                              listener stays under handshakes in flight x this
 * @param idleTimeout           a session that received nothing for this long is closed (the EtherNet/IP
 *                              Security Object's DTLS timeout, attribute 15, default 12 s)
 */
public record DtlsLimits(int maxSessions, int maxHandshakesInFlight, int maxQueuedPerPeer, int maxQueuedBytesPerPeer,
                         Duration idleTimeout) {
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
        if (maxQueuedBytesPerPeer < DtlsServerPort.MAX_PAYLOAD + DtlsServerPort.RECORD_OVERHEAD
                || maxQueuedBytesPerPeer > 64 << 20) {
            // At least one largest record must fit, or such a peer could never be served.
            throw new IllegalArgumentException("max queued bytes per peer must be "
                    + (DtlsServerPort.MAX_PAYLOAD + DtlsServerPort.RECORD_OVERHEAD) + ".." + (64 << 20) + ": " + maxQueuedBytesPerPeer);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.compareTo(Duration.ofHours(18)) > 0) {
            // 0x5E attribute 15 is a UINT of seconds: at most about 18 hours.
            throw new IllegalArgumentException("idle timeout must be in (0, 18 h]: " + idleTimeout);
        }
    }

    /**
     * 256 sessions, 16 handshakes in flight, 4096 queued datagrams and 256 KiB per peer, 12 s idle
     * timeout. 256 KiB hold about 2,900 class 1 packets of 32 B: 45 ms of 64 connections at RPI 1 ms
     * bundled in one session, which a 64 KiB queue could not ride out on a busy two-core machine
     * (measured: 0.5 % of O->T dropped). At worst all sessions together queue 64 MiB, and only
     * authenticated peers have more than the 16 handshakes' 4 MiB; a small device lowers both.
     */
    public static DtlsLimits defaults() {
        return new DtlsLimits(256, 16, 4096, 256 << 10, DEFAULT_IDLE_TIMEOUT);
    }

    public DtlsLimits withMaxSessions(int n) {
        return new DtlsLimits(n, maxHandshakesInFlight, maxQueuedPerPeer, maxQueuedBytesPerPeer, idleTimeout);
    }

    public DtlsLimits withMaxHandshakesInFlight(int n) {
        return new DtlsLimits(maxSessions, n, maxQueuedPerPeer, maxQueuedBytesPerPeer, idleTimeout);
    }

    public DtlsLimits withMaxQueuedPerPeer(int n) {
        return new DtlsLimits(maxSessions, maxHandshakesInFlight, n, maxQueuedBytesPerPeer, idleTimeout);
    }

    public DtlsLimits withMaxQueuedBytesPerPeer(int n) {
        return new DtlsLimits(maxSessions, maxHandshakesInFlight, maxQueuedPerPeer, n, idleTimeout);
    }

    public DtlsLimits withIdleTimeout(Duration d) {
        return new DtlsLimits(maxSessions, maxHandshakesInFlight, maxQueuedPerPeer, maxQueuedBytesPerPeer, d);
    }
}
