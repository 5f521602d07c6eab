package dev.cipsec.adapter;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters per device, by outcome and by reason of rejection; read with {@link #snapshot()}.
 * LongAdders keep the hot path free of contended locks.
 */
public final class AdapterStats {
    final LongAdder framesIn = new LongAdder();
    final LongAdder sessionsRegistered = new LongAdder();
    final LongAdder sessionsRejectedFull = new LongAdder();
    final LongAdder unsupportedCommands = new LongAdder();
    final LongAdder invalidSessionHandles = new LongAdder();
    final LongAdder invalidLengths = new LongAdder();
    final LongAdder unsupportedVersions = new LongAdder();
    final LongAdder oversizeFrames = new LongAdder();
    final LongAdder idleTimeouts = new LongAdder();
    final LongAdder frameTimeouts = new LongAdder();
    final LongAdder pendingBytesRejections = new LongAdder();
    final LongAdder malformedRequests = new LongAdder();
    final LongAdder unconnectedRequests = new LongAdder();
    final LongAdder connectedRequests = new LongAdder();
    final LongAdder connectedDuplicates = new LongAdder();
    final LongAdder connectedUnknown = new LongAdder();
    final LongAdder udpRequests = new LongAdder();
    final LongAdder udpDropped = new LongAdder();

    /** A consistent-enough copy of the counters for display. */
    public record Snapshot(long framesIn, long sessionsRegistered, long sessionsRejectedFull, long unsupportedCommands,
                           long invalidSessionHandles, long invalidLengths, long unsupportedVersions, long oversizeFrames,
                           long idleTimeouts, long frameTimeouts, long pendingBytesRejections, long malformedRequests,
                           long unconnectedRequests, long connectedRequests, long connectedDuplicates,
                           long connectedUnknown, long udpRequests, long udpDropped) {
    }

    public Snapshot snapshot() {
        return new Snapshot(framesIn.sum(), sessionsRegistered.sum(), sessionsRejectedFull.sum(), unsupportedCommands.sum(),
                invalidSessionHandles.sum(), invalidLengths.sum(), unsupportedVersions.sum(), oversizeFrames.sum(),
                idleTimeouts.sum(), frameTimeouts.sum(), pendingBytesRejections.sum(), malformedRequests.sum(),
                unconnectedRequests.sum(), connectedRequests.sum(), connectedDuplicates.sum(), connectedUnknown.sum(),
                udpRequests.sum(), udpDropped.sum());
    }
}
