package dev.cipsec.wire.io;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;

import java.util.Objects;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;
import static dev.cipsec.wire.buf.WireFormatException.Reason.LENGTH_MISMATCH;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TOO_MUCH_DATA;
import static dev.cipsec.wire.buf.WireFormatException.Reason.TRUNCATED;

/**
 * A reusable, allocation-free reader of I/O datagrams for the per-packet path: {@code wrap} checks
 * the frame exactly as {@link IoFrame#decode} does (same checks, same reasons) and the getters read
 * from the wrapped array. Not a wire record and not thread-safe: one view per receive loop. The array must
 * not change while the view is in use. After a failed {@code wrap} the view holds no frame.
 *
 * <p>A receive loop that does not know the class before it has looked up the connection wraps
 * with {@code class1 = false} (data = the whole data item), finds the connection by
 * {@link #connectionId()}, and wraps again with {@code true} if it is class 1; both are a few
 * bounds checks.
 */
public final class IoFrameView {
    private byte[] buf;
    private boolean valid;
    private long connectionId;
    private long encapSequence;
    private int cipSequence;
    private int dataOffset;
    private int dataLength;

    /** Wraps a class 1 frame, the common case. */
    public void wrap(byte[] buf, int off, int len) throws WireFormatException {
        wrap(buf, off, len, true);
    }

    /** Wraps the datagram {@code buf[off, off+len)}; on failure the view is left empty. */
    public void wrap(byte[] buf, int off, int len, boolean class1) throws WireFormatException {
        Objects.checkFromIndexSize(off, len, buf.length);
        valid = false;
        this.buf = null;
        if (len < IoFrame.HEADER_LENGTH) {
            throw new WireFormatException(TRUNCATED, "I/O frame of " + len + " bytes is shorter than its 18-byte header");
        }
        int count = u16(buf, off);
        if (count != IoFrame.ITEM_COUNT) {
            throw new WireFormatException(INVALID_VALUE, "I/O frame has " + count + " CPF items, expected 2");
        }
        if (u16(buf, off + 2) != IoFrame.SEQUENCED_ADDRESS_ITEM) {
            throw new WireFormatException(INVALID_VALUE,
                    String.format("I/O address item 0x%04X, expected 0x8002", u16(buf, off + 2)));
        }
        if (u16(buf, off + 4) != 8) {
            throw new WireFormatException(LENGTH_MISMATCH, "sequenced address item length " + u16(buf, off + 4) + ", expected 8");
        }
        if (u16(buf, off + 14) != IoFrame.CONNECTED_DATA_ITEM) {
            throw new WireFormatException(INVALID_VALUE,
                    String.format("I/O data item 0x%04X, expected 0x00B1", u16(buf, off + 14)));
        }
        int itemLen = u16(buf, off + 16);
        int room = len - IoFrame.HEADER_LENGTH;
        if (itemLen > room) {
            throw new WireFormatException(LENGTH_MISMATCH,
                    "connected data item length " + itemLen + " exceeds the " + room + " bytes remaining");
        }
        if (class1 && itemLen < 2) {
            throw new WireFormatException(LENGTH_MISMATCH, "class 1 data item of " + itemLen + " bytes has no sequence count");
        }
        if (itemLen < room) {
            throw new WireFormatException(TOO_MUCH_DATA, "I/O frame: " + (room - itemLen) + " unexpected trailing bytes");
        }
        int item = off + IoFrame.HEADER_LENGTH;
        if (class1) {
            cipSequence = u16(buf, item);
            dataOffset = item + 2;
            dataLength = itemLen - 2;
        } else {
            cipSequence = IoFrame.NO_SEQUENCE;
            dataOffset = item;
            dataLength = itemLen;
        }
        connectionId = u32(buf, off + 6);
        encapSequence = u32(buf, off + 10);
        this.buf = buf;
        valid = true;
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int p) {
        return ((b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (long) (b[p + 3] & 0xFF) << 24);
    }

    private void check() {
        if (!valid) {
            throw new IllegalStateException("no frame wrapped");
        }
    }

    public boolean isValid() {
        return valid;
    }

    public long connectionId() {
        check();
        return connectionId;
    }

    public long encapSequence() {
        check();
        return encapSequence;
    }

    /** The class 1 sequence count, or -1 when wrapped as class 0. */
    public int cipSequence() {
        check();
        return cipSequence;
    }

    /** Absolute offset in the wrapped array of the data after any sequence count. */
    public int dataOffset() {
        check();
        return dataOffset;
    }

    public int dataLength() {
        check();
        return dataLength;
    }

    /** The wrapped array, for reading {@code dataLength()} bytes at {@code dataOffset()}. */
    public byte[] buffer() {
        check();
        return buf;
    }

    /** A copy as a record, for slow paths and tests (allocates). */
    public IoFrame toFrame() {
        check();
        return new IoFrame(connectionId, encapSequence, cipSequence, Bytes.copyOf(buf, dataOffset, dataLength));
    }
}
