package dev.cipsec.wire.cm;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;

/**
 * A refused Forward_Open, Large_Forward_Open or Forward_Close (reference §2.8).
 *
 * <p>The reply data is always the triad, the remaining path size and a reserved byte (10 bytes).
 * Everything else travels in the Message Router header's additional status words, which this
 * record keeps verbatim in {@code additionalStatus}; the first word is the extended status
 * ({@link ExtendedStatus}). Two extended statuses append more words, as Wireshark decodes them:
 * <ul>
 *   <li>0x0126/0x0127/0x0128 (invalid configuration / O→T / T→O size): word 1 is the size the
 *       target would accept ({@link #correctSize()}, built with {@link #invalidSize});</li>
 *   <li>0x0112 (RPI not acceptable): word 1 holds the O→T RPI type (low byte) and T→O RPI type
 *       (high byte), words 2–3 the acceptable O→T RPI and words 4–5 the acceptable T→O RPI, each a
 *       little-endian UDINT split into two words ({@link #rpiRejection()}, built with
 *       {@link #rpiNotAcceptable}).</li>
 * </ul>
 *
 * @param remainingPathSize words of the connection path the target did not process (0..255)
 * @param generalStatus     non-zero general status, usually 0x01 (connection failure)
 */
public record ForwardOpenFailure(ConnectionTriad triad, int remainingPathSize, int generalStatus,
                                 List<Integer> additionalStatus) {
    /** Bytes of reply data. */
    public static final int ENCODED_LENGTH = 10;

    /** RPI type values in an RPI-not-acceptable rejection. */
    public static final int RPI_ACCEPTABLE = 0;
    public static final int RPI_UNSPECIFIED = 1;
    public static final int RPI_MINIMUM = 2;
    public static final int RPI_MAXIMUM = 3;
    public static final int RPI_REQUIRED = 4;

    public ForwardOpenFailure {
        Objects.requireNonNull(triad, "triad");
        Checks.u8(remainingPathSize, "remainingPathSize");
        Checks.u8(generalStatus, "generalStatus");
        if (generalStatus == GeneralStatus.SUCCESS) {
            throw new IllegalArgumentException("a failure needs a non-zero general status");
        }
        additionalStatus = List.copyOf(Objects.requireNonNull(additionalStatus, "additionalStatus"));
        if (additionalStatus.size() > 0xFF) {
            throw new IllegalArgumentException("at most 255 additional status words");
        }
        for (int s : additionalStatus) {
            Checks.u16(s, "additional status word");
        }
    }

    /** The acceptable RPIs a target names with extended status 0x0112. */
    public record RpiRejection(int otType, int toType, long otRpiMicros, long toRpiMicros) {
        public RpiRejection {
            Checks.u8(otType, "otType");
            Checks.u8(toType, "toType");
            Checks.u32(otRpiMicros, "otRpiMicros");
            Checks.u32(toRpiMicros, "toRpiMicros");
        }
    }

    /** General status 0x01 with one extended status word. */
    public static ForwardOpenFailure of(ConnectionTriad triad, int remainingPathSize, int extendedStatus) {
        return new ForwardOpenFailure(triad, remainingPathSize, GeneralStatus.CONNECTION_FAILURE, List.of(extendedStatus));
    }

    /** 0x0126/0x0127/0x0128 followed by the size the target would accept. */
    public static ForwardOpenFailure invalidSize(ConnectionTriad triad, int remainingPathSize, int extendedStatus,
                                                 int correctSize) {
        if (extendedStatus < ExtendedStatus.INVALID_CONFIGURATION_SIZE || extendedStatus > ExtendedStatus.INVALID_TO_SIZE) {
            throw new IllegalArgumentException(String.format("0x%04X is not a size status", extendedStatus));
        }
        return new ForwardOpenFailure(triad, remainingPathSize, GeneralStatus.CONNECTION_FAILURE,
                List.of(extendedStatus, correctSize));
    }

    /** 0x0112 followed by the RPI types and acceptable RPIs. */
    public static ForwardOpenFailure rpiNotAcceptable(ConnectionTriad triad, int remainingPathSize, RpiRejection rpi) {
        return new ForwardOpenFailure(triad, remainingPathSize, GeneralStatus.CONNECTION_FAILURE, List.of(
                ExtendedStatus.RPI_NOT_ACCEPTABLE, rpi.toType() << 8 | rpi.otType(),
                (int) (rpi.otRpiMicros() & 0xFFFF), (int) (rpi.otRpiMicros() >>> 16),
                (int) (rpi.toRpiMicros() & 0xFFFF), (int) (rpi.toRpiMicros() >>> 16)));
    }

    /** The first additional status word, or -1 when the target sent none. */
    public int extendedStatus() {
        return additionalStatus.isEmpty() ? -1 : additionalStatus.get(0);
    }

    /** For 0x0126–0x0128 with a second word: the size the target would accept. */
    public OptionalInt correctSize() {
        int ext = extendedStatus();
        if (generalStatus == GeneralStatus.CONNECTION_FAILURE && additionalStatus.size() >= 2
                && ext >= ExtendedStatus.INVALID_CONFIGURATION_SIZE && ext <= ExtendedStatus.INVALID_TO_SIZE) {
            return OptionalInt.of(additionalStatus.get(1));
        }
        return OptionalInt.empty();
    }

    /** For 0x0112 with all six words: the RPIs the target would accept. */
    public Optional<RpiRejection> rpiRejection() {
        if (generalStatus != GeneralStatus.CONNECTION_FAILURE || extendedStatus() != ExtendedStatus.RPI_NOT_ACCEPTABLE
                || additionalStatus.size() < 6) {
            return Optional.empty();
        }
        List<Integer> a = additionalStatus;
        return Optional.of(new RpiRejection(a.get(1) & 0xFF, a.get(1) >>> 8,
                (long) a.get(3) << 16 | a.get(2), (long) a.get(5) << 16 | a.get(4)));
    }

    public int encodedLength() {
        return ENCODED_LENGTH;
    }

    /** Writes the reply data (triad, remaining path size, reserved). */
    public void encode(WireWriter w) {
        triad.encode(w);
        w.u8(remainingPathSize).u8(0);
    }

    /** The whole reply to {@code service} (0x54, 0x5B or 0x4E). */
    public MessageRouterResponse toResponse(int service) {
        WireWriter w = WireWriter.ofSize(ENCODED_LENGTH);
        encode(w);
        return new MessageRouterResponse(service, generalStatus, additionalStatus, Bytes.of(w.array()));
    }

    /**
     * Decodes reply data filling {@code r}, given the status fields of the Message Router header
     * it came with; the reserved byte is ignored.
     */
    public static ForwardOpenFailure decode(WireReader r, int generalStatus, List<Integer> additionalStatus)
            throws WireFormatException {
        if (generalStatus == GeneralStatus.SUCCESS) {
            throw new WireFormatException(INVALID_VALUE, "success status on a failure reply");
        }
        ConnectionTriad triad = ConnectionTriad.decode(r);
        int remaining = r.u8("remaining path size");
        r.u8("reserved");
        r.expectEnd("Forward_Open failure reply");
        return new ForwardOpenFailure(triad, remaining, generalStatus, new ArrayList<>(additionalStatus));
    }

    public static ForwardOpenFailure fromResponse(MessageRouterResponse rsp) throws WireFormatException {
        return decode(WireReader.of(rsp.data().toArray()), rsp.generalStatus(), rsp.additionalStatus());
    }
}
