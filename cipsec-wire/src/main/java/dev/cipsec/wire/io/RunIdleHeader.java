package dev.cipsec.wire.io;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

/**
 * The 32-bit run/idle header at the start of class 0/1 data when the connection uses the 32-bit
 * header format (reference §2.10): bit 0 run (1) / idle (0), bit 1 COO (claim output ownership),
 * bits 2–3 ROO (ready for ownership). The other bits are reserved and kept.
 *
 * @param value the header's 32 bits as read (little-endian on the wire)
 */
public record RunIdleHeader(int value) {
    public static final int LENGTH = 4;
    public static final int RUN_BIT = 0x1;
    public static final int COO_BIT = 0x2;
    public static final int ROO_MASK = 0xC;

    public static final RunIdleHeader RUN = new RunIdleHeader(RUN_BIT);
    public static final RunIdleHeader IDLE = new RunIdleHeader(0);

    public static RunIdleHeader of(boolean run, boolean coo, int roo) {
        if (roo < 0 || roo > 3) {
            throw new IllegalArgumentException("ROO must be 0..3: " + roo);
        }
        return new RunIdleHeader((run ? RUN_BIT : 0) | (coo ? COO_BIT : 0) | roo << 2);
    }

    public boolean run() {
        return isRun(value);
    }

    public boolean coo() {
        return (value & COO_BIT) != 0;
    }

    public int roo() {
        return (value & ROO_MASK) >>> 2;
    }

    /** Whether a raw header says run; for the per-packet path. */
    public static boolean isRun(int header) {
        return (header & RUN_BIT) != 0;
    }

    /** Reads the raw header at {@code off} (e.g. {@link IoFrameView#dataOffset()}); the caller checks length >= 4. */
    public static int read(byte[] buf, int off) {
        Objects.checkFromIndexSize(off, LENGTH, buf.length);
        return (buf[off] & 0xFF) | (buf[off + 1] & 0xFF) << 8 | (buf[off + 2] & 0xFF) << 16 | (buf[off + 3] & 0xFF) << 24;
    }

    /** Writes a raw header at {@code off}; returns the offset after it. */
    public static int write(byte[] dst, int off, int header) {
        Objects.checkFromIndexSize(off, LENGTH, dst.length);
        dst[off] = (byte) header;
        dst[off + 1] = (byte) (header >>> 8);
        dst[off + 2] = (byte) (header >>> 16);
        dst[off + 3] = (byte) (header >>> 24);
        return off + LENGTH;
    }

    public void encode(WireWriter w) {
        w.u32(value & 0xFFFF_FFFFL);
    }

    /** Reads the header from the start of I/O data, e.g. {@code WireReader.of(frame.data().toArray())}. */
    public static RunIdleHeader decode(WireReader r) throws WireFormatException {
        return new RunIdleHeader(r.i32("run/idle header"));
    }

    @Override
    public String toString() {
        return String.format("RunIdleHeader[%s%s roo=%d (0x%08X)]", run() ? "run" : "idle", coo() ? " coo" : "", roo(), value);
    }
}
