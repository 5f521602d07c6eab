package dev.cipsec.wire.epath;

/** One EPATH segment (reference §2.3). Each knows its padded encoding. */
public sealed interface Segment
        permits LogicalSegment, ElectronicKeySegment, PortSegment, SymbolicSegment, DataSegment, NetworkSegment {

    /** Bytes this segment occupies in a padded EPATH (always even). */
    int encodedLength();

    void encode(dev.cipsec.wire.buf.WireWriter w);
}
