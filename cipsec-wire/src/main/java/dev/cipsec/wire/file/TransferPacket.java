package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One packet of a file transfer, the same layout both ways: Download_Transfer (0x50) request data and
 * Upload_Transfer (0x4F) reply data. USINT transfer number, USINT packet type ({@link PacketType}), the
 * data, and on a {@link PacketType#LAST last} or {@link PacketType#FIRST_AND_LAST first-and-last}
 * packet a trailing UINT checksum of the whole file ({@link FileChecksum}). There is no length
 * field: the data is everything up to the end (minus the checksum), as in OpENerFileObject.
 * {@link #decode} therefore reads the whole service data; a checksum-carrying packet shorter than
 * the two checksum bytes is {@code TRUNCATED}.
 *
 * @param transferNumber 0..255, wrapping
 * @param packetType     any USINT; unknown types carry no checksum
 * @param data           the file bytes of this packet, at most the negotiated transfer size (empty for an abort)
 * @param checksum       present exactly when {@link PacketType#carriesChecksum} says so
 */
public record TransferPacket(int transferNumber, int packetType, Bytes data, OptionalInt checksum) {
    public TransferPacket {
        Checks.u8(transferNumber, "transfer number");
        Checks.u8(packetType, "packet type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(checksum, "checksum");
        if (checksum.isPresent() != PacketType.carriesChecksum(packetType)) {
            throw new IllegalArgumentException("a " + PacketType.describe(packetType) + " packet "
                    + (checksum.isPresent() ? "carries no" : "needs a") + " checksum");
        }
        checksum.ifPresent(c -> Checks.u16(c, "checksum"));
    }

    /** A packet without checksum (first, middle, abort). */
    public static TransferPacket of(int transferNumber, int packetType, Bytes data) {
        return new TransferPacket(transferNumber, packetType, data, OptionalInt.empty());
    }

    /** A last or first-and-last packet. */
    public static TransferPacket last(int transferNumber, int packetType, Bytes data, int checksum) {
        return new TransferPacket(transferNumber, packetType, data, OptionalInt.of(checksum));
    }

    public int encodedLength() {
        return 2 + data.length() + (checksum.isPresent() ? 2 : 0);
    }

    public void encode(WireWriter w) {
        w.u8(transferNumber).u8(packetType).bytes(data);
        checksum.ifPresent(w::u16);
    }

    public static TransferPacket decode(WireReader r) throws WireFormatException {
        int number = r.u8("transfer number");
        int type = r.u8("packet type");
        if (!PacketType.carriesChecksum(type)) {
            return new TransferPacket(number, type, r.rest(), OptionalInt.empty());
        }
        r.require(2, "transfer packet checksum");
        Bytes data = r.bytes(r.remaining() - 2, "transfer packet data");
        return new TransferPacket(number, type, data, OptionalInt.of(r.u16("checksum")));
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }
}
