package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;
import java.util.OptionalInt;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;

/**
 * CIP Security Information item (0x0086) of a ListIdentity reply (reference §1.7). Two editions
 * exist and are told apart by the item length: 5 bytes (older editions, Wireshark, digitalpetri)
 * and 7 bytes (adds Security Profiles Configured; OpENer's CIP Security build).
 *
 * <p>Other lengths: fewer than 5 bytes cannot hold the fields every edition has and fail with
 * {@code TRUNCATED}. A length of 6 or more than 7 is defined by no edition we know; such an item is
 * kept as an {@link UnknownItem} of type 0x0086 so that nothing is lost and it re-encodes
 * byte-identical, and {@link #decodeKnownFields} reads its known prefix for callers (a discovery
 * report) that want to show it anyway.
 *
 * @param securityProfiles            WORD, bits as CIP Security Object attribute 2 (§4.3)
 * @param cipSecurityState            USINT, CIP Security Object state (§4.2)
 * @param eipSecurityState            USINT, EtherNet/IP Security Object state (§5.2)
 * @param ianaPortState               BYTE, the {@code PORT_*} flags; 1 = open
 * @param securityProfilesConfigured  WORD of the 7-byte edition; empty for the 5-byte edition
 */
public record CipSecurityItem(int securityProfiles, int cipSecurityState, int eipSecurityState, int ianaPortState,
                              OptionalInt securityProfilesConfigured) implements CpfItem {

    public static final int TYPE_ID = 0x0086;
    public static final int SHORT_SIZE = 5;
    public static final int LONG_SIZE = 7;

    public static final int PORT_TCP_44818 = 0x01;
    public static final int PORT_UDP_44818 = 0x02;
    public static final int PORT_UDP_2222 = 0x04;
    public static final int PORT_TCP_2221 = 0x08;
    public static final int PORT_UDP_2221 = 0x10;

    public CipSecurityItem {
        checkU16(securityProfiles, "security profiles");
        checkU8(cipSecurityState, "CIP Security state");
        checkU8(eipSecurityState, "EtherNet/IP Security state");
        checkU8(ianaPortState, "IANA port state");
        Objects.requireNonNull(securityProfilesConfigured, "securityProfilesConfigured");
        if (securityProfilesConfigured.isPresent()) {
            checkU16(securityProfilesConfigured.getAsInt(), "security profiles configured");
        }
    }

    /** Whether the CPF decoder reads an 0x0086 item of this length as this type (see the class comment). */
    static boolean isDecodedLength(int length) {
        return length < SHORT_SIZE || length == SHORT_SIZE || length == LONG_SIZE;
    }

    public boolean isPortOpen(int portFlag) {
        return (ianaPortState & portFlag) != 0;
    }

    @Override
    public int typeId() {
        return TYPE_ID;
    }

    @Override
    public int dataLength() {
        return securityProfilesConfigured.isPresent() ? LONG_SIZE : SHORT_SIZE;
    }

    @Override
    public void encodeData(WireWriter w) {
        w.u16(securityProfiles).u8(cipSecurityState).u8(eipSecurityState).u8(ianaPortState);
        securityProfilesConfigured.ifPresent(w::u16);
    }

    static CipSecurityItem decodeData(WireReader d) throws WireFormatException {
        d.require(SHORT_SIZE, "CIP Security item");
        int profiles = d.u16("security profiles");
        int cipState = d.u8("CIP Security state");
        int eipState = d.u8("EtherNet/IP Security state");
        int ports = d.u8("IANA port state");
        OptionalInt configured = d.hasRemaining() ? OptionalInt.of(d.u16("security profiles configured")) : OptionalInt.empty();
        return new CipSecurityItem(profiles, cipState, eipState, ports, configured);
    }

    /**
     * The fields this class knows, read from an 0x0086 item that the CPF decoder kept as an
     * {@link UnknownItem} because of its odd length: the first 5 bytes, plus the configured
     * profiles when at least 7 bytes are present. Bytes beyond are ignored.
     */
    public static CipSecurityItem decodeKnownFields(UnknownItem item) throws WireFormatException {
        if (item.typeId() != TYPE_ID) {
            throw new WireFormatException(INVALID_VALUE, String.format("item 0x%04X is not a CIP Security item", item.typeId()));
        }
        WireReader d = WireReader.of(item.data().toArray());
        int known = d.remaining() >= LONG_SIZE ? LONG_SIZE : Math.min(d.remaining(), SHORT_SIZE);
        return decodeData(d.sub(known, "CIP Security item"));
    }

    private static void checkU8(int v, String what) {
        if (v < 0 || v > 0xFF) {
            throw new IllegalArgumentException(what + " must be a USINT: " + v);
        }
    }

    private static void checkU16(int v, String what) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be a UINT: " + v);
        }
    }

    @Override
    public String toString() {
        return String.format("CipSecurityItem[profiles=0x%04X cipState=%d eipState=%d ports=0x%02X%s]", securityProfiles,
                cipSecurityState, eipSecurityState, ianaPortState, securityProfilesConfigured.isPresent()
                        ? String.format(" configured=0x%04X", securityProfilesConfigured.getAsInt()) : "");
    }
}
