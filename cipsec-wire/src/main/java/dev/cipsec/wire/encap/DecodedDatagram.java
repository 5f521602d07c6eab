package dev.cipsec.wire.encap;

import java.util.Objects;

/**
 * What {@link EncapsulationPacket#decodeDatagram} found in one UDP datagram.
 *
 * @param packet              the message, its header length corrected to the datagram's data size
 * @param lengthFieldMismatch whether the peer's length field disagreed with the datagram (non-conforming peer)
 * @param declaredLength      the length field as the peer sent it
 */
public record DecodedDatagram(EncapsulationPacket packet, boolean lengthFieldMismatch, int declaredLength) {

    public DecodedDatagram {
        Objects.requireNonNull(packet, "packet");
        EncapsulationHeader.checkU16(declaredLength, "declared length");
        if (lengthFieldMismatch == (declaredLength == packet.header().length())) {
            throw new IllegalArgumentException("lengthFieldMismatch must say whether " + declaredLength
                    + " differs from " + packet.header().length());
        }
    }

    /** Bytes the length field is short by (negative when it claims more than the datagram holds). */
    public int lengthFieldShortBy() {
        return packet.data().length() - declaredLength;
    }
}
