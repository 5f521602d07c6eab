package dev.cipsec.wire.buf;

import java.util.Objects;

/**
 * The one checked exception every decoder throws. The {@link Reason} tells the layer above which
 * encapsulation or CIP status to answer with, or whether the stream has lost framing.
 *
 * <p>No stack trace is captured: malformed input is data, not a programming error, and a peer
 * flooding us with bad frames must not make us pay for stack walks.
 */
public final class WireFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a decode failed; each maps to the status the reference (§1.4, §2.2) names. */
    public enum Reason {
        /** Fewer bytes than a field or a declared length needs. */
        TRUNCATED(0x0065, 0x13),
        /** Bytes left over after a structure that must end here. */
        TOO_MUCH_DATA(0x0065, 0x15),
        /** A length field disagrees with what surrounds it (e.g. an item longer than its packet). */
        LENGTH_MISMATCH(0x0065, 0x13),
        /** A count times its element size exceeds what remains, or exceeds a configured limit. */
        COUNT_TOO_LARGE(0x0065, 0x13),
        /** A field holds a value the format does not allow. */
        INVALID_VALUE(0x0003, 0x20),
        /** Unknown or unsupported encapsulation command. */
        UNSUPPORTED_COMMAND(0x0001, 0x08),
        /** Unknown or malformed EPATH segment. */
        PATH_SEGMENT_ERROR(0x0003, 0x04),
        /** Path size does not match its segments. */
        PATH_SIZE_INVALID(0x0003, 0x26),
        /** A configured limit (frame size, item count, segment count) was exceeded. */
        LIMIT_EXCEEDED(0x0065, 0x11);

        private final int encapsulationStatus;
        private final int generalStatus;

        Reason(int encapsulationStatus, int generalStatus) {
            this.encapsulationStatus = encapsulationStatus;
            this.generalStatus = generalStatus;
        }

        /** Encapsulation status (reference §1.4) to answer with when this happens at that layer. */
        public int encapsulationStatus() {
            return encapsulationStatus;
        }

        /** CIP general status (reference §2.2) to answer with when this happens inside a CIP request. */
        public int generalStatus() {
            return generalStatus;
        }
    }

    private final Reason reason;

    public WireFormatException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "WireFormatException[" + reason + "]: " + getMessage();
    }
}
