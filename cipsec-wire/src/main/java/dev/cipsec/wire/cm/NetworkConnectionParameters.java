package dev.cipsec.wire.cm;

/**
 * O→T or T→O network connection parameters of a Forward_Open (reference §2.6). Forward_Open
 * carries them as a 16-bit word (size mask 0x01FF), Large_Forward_Open as a 32-bit word (size
 * mask 0xFFFF); the flag fields sit in the top bits of either word. Reserved bits are dropped on
 * decode and written as zero.
 *
 * @param connectionSize bytes per packet; for class 1 it counts the 2-byte sequence count and any
 *                       run/idle header
 * @param variable       variable (true) or fixed (false) size
 * @param priority       {@link #PRIORITY_LOW} … {@link #PRIORITY_URGENT}
 * @param connectionType {@link #NULL}, {@link #MULTICAST}, {@link #POINT_TO_POINT} (3 is reserved but kept)
 * @param redundantOwner redundant-owner flag
 */
public record NetworkConnectionParameters(int connectionSize, boolean variable, int priority, int connectionType,
                                          boolean redundantOwner) {
    public static final int NULL = 0;
    public static final int MULTICAST = 1;
    public static final int POINT_TO_POINT = 2;
    public static final int RESERVED_TYPE = 3;

    public static final int PRIORITY_LOW = 0;
    public static final int PRIORITY_HIGH = 1;
    public static final int PRIORITY_SCHEDULED = 2;
    public static final int PRIORITY_URGENT = 3;

    /** Largest connection size a Forward_Open (16-bit parameters) can carry. */
    public static final int MAX_SIZE_16 = 0x01FF;
    /** Largest connection size a Large_Forward_Open (32-bit parameters) can carry. */
    public static final int MAX_SIZE_32 = 0xFFFF;

    public NetworkConnectionParameters {
        if (connectionSize < 0 || connectionSize > MAX_SIZE_32) {
            throw new IllegalArgumentException("connection size must be 0..65535: " + connectionSize);
        }
        if (priority < 0 || priority > 3) {
            throw new IllegalArgumentException("priority must be 0..3: " + priority);
        }
        if (connectionType < 0 || connectionType > 3) {
            throw new IllegalArgumentException("connection type must be 0..3: " + connectionType);
        }
    }

    /** Fixed-size, non-redundant point-to-point parameters at scheduled priority, the usual I/O choice. */
    public static NetworkConnectionParameters pointToPoint(int connectionSize) {
        return new NetworkConnectionParameters(connectionSize, false, PRIORITY_SCHEDULED, POINT_TO_POINT, false);
    }

    /** Fixed-size multicast parameters at scheduled priority. */
    public static NetworkConnectionParameters multicast(int connectionSize) {
        return new NetworkConnectionParameters(connectionSize, false, PRIORITY_SCHEDULED, MULTICAST, false);
    }

    /** Whether this fits the 16-bit Forward_Open form. */
    public boolean fitsWord16() {
        return connectionSize <= MAX_SIZE_16;
    }

    private int flags() {
        return (redundantOwner ? 0x8000 : 0) | connectionType << 13 | priority << 10 | (variable ? 0x0200 : 0);
    }

    /** The Forward_Open form; a size above 511 does not fit and is an {@link IllegalArgumentException}. */
    public int toWord16() {
        if (!fitsWord16()) {
            throw new IllegalArgumentException("connection size " + connectionSize
                    + " needs Large_Forward_Open (16-bit parameters hold at most 511)");
        }
        return flags() | connectionSize;
    }

    public static NetworkConnectionParameters fromWord16(int word) {
        if (word < 0 || word > 0xFFFF) {
            throw new IllegalArgumentException("not a 16-bit word: " + word);
        }
        return new NetworkConnectionParameters(word & MAX_SIZE_16, (word & 0x0200) != 0, (word >>> 10) & 3,
                (word >>> 13) & 3, (word & 0x8000) != 0);
    }

    /** The Large_Forward_Open form: the 16-bit flag layout moved to the upper half, size in the lower. */
    public long toWord32() {
        return (long) flags() << 16 | connectionSize;
    }

    public static NetworkConnectionParameters fromWord32(long word) {
        if (word < 0 || word > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a 32-bit word: " + word);
        }
        int hi = (int) (word >>> 16);
        return new NetworkConnectionParameters((int) (word & MAX_SIZE_32), (hi & 0x0200) != 0, (hi >>> 10) & 3,
                (hi >>> 13) & 3, (hi & 0x8000) != 0);
    }
}
