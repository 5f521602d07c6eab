package dev.cipsec.adapter;

import dev.cipsec.wire.cm.ConnectionTriad;

/**
 * One class 3 explicit messaging connection. The last reply is kept so that a retried request
 * (same sequence count) is answered again without being executed twice (reference §2.11).
 */
final class Class3Connection {
    private final long otConnectionId;
    private final long toConnectionId;
    private final ConnectionTriad triad;
    private final long sessionHandle;
    private final long timeoutNanos;
    private volatile long lastActivity;
    private int lastSequence = -1;
    private byte[] lastReply;

    Class3Connection(long otConnectionId, long toConnectionId, ConnectionTriad triad, long sessionHandle, long timeoutNanos) {
        this.otConnectionId = otConnectionId;
        this.toConnectionId = toConnectionId;
        this.triad = triad;
        this.sessionHandle = sessionHandle;
        this.timeoutNanos = timeoutNanos;
        this.lastActivity = System.nanoTime();
    }

    long otConnectionId() {
        return otConnectionId;
    }

    long toConnectionId() {
        return toConnectionId;
    }

    ConnectionTriad triad() {
        return triad;
    }

    long sessionHandle() {
        return sessionHandle;
    }

    void touch() {
        lastActivity = System.nanoTime();
    }

    boolean expired(long now) {
        return now - lastActivity > timeoutNanos;
    }

    /** The stored reply when {@code seq} repeats the last request, else null. */
    synchronized byte[] replayIfDuplicate(int seq) {
        return seq == lastSequence ? lastReply : null;
    }

    synchronized void remember(int seq, byte[] reply) {
        lastSequence = seq;
        lastReply = reply;
    }
}
