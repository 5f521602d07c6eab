package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.Objects;

/**
 * ListServices reply item (reference §1.8): version UINT, capability flags UINT, service name in
 * 16 NUL-padded bytes. Only type 0x0100 ("Communications") is decoded as this record; other
 * service types stay {@link UnknownItem}s. The name is read up to its first NUL.
 */
public record ListServicesItem(int typeId, int version, int capabilityFlags, String name) implements CpfItem {
    public static final int COMMUNICATIONS = 0x0100;
    public static final int CAP_CIP_TCP = 0x0020;
    public static final int CAP_CIP_UDP_CLASS01 = 0x0100;
    public static final int NAME_SIZE = 16;
    public static final int DATA_SIZE = 4 + NAME_SIZE;

    public ListServicesItem {
        if (typeId < 0 || typeId > 0xFFFF || version < 0 || version > 0xFFFF || capabilityFlags < 0
                || capabilityFlags > 0xFFFF) {
            throw new IllegalArgumentException("type, version and flags must be UINTs");
        }
        Objects.requireNonNull(name, "name");
        if (name.length() > NAME_SIZE) {
            throw new IllegalArgumentException("service name longer than 16 bytes: " + name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0 || c > 0xFF) {
                throw new IllegalArgumentException("service name must be Latin-1 without NUL: " + name);
            }
        }
    }

    /** The Communications service as an adapter announces it. */
    public static ListServicesItem communications(int capabilityFlags) {
        return new ListServicesItem(COMMUNICATIONS, 1, capabilityFlags, "Communications");
    }

    public boolean supports(int capability) {
        return (capabilityFlags & capability) == capability;
    }

    @Override
    public int dataLength() {
        return DATA_SIZE;
    }

    @Override
    public void encodeData(WireWriter w) {
        w.u16(version).u16(capabilityFlags).ascii(name).zeros(NAME_SIZE - name.length());
    }

    static ListServicesItem decodeData(int typeId, WireReader d) throws WireFormatException {
        int version = d.u16("ListServices version");
        int flags = d.u16("capability flags");
        String padded = d.ascii(NAME_SIZE, "service name");
        int nul = padded.indexOf('\0');
        return new ListServicesItem(typeId, version, flags, nul < 0 ? padded : padded.substring(0, nul));
    }

    @Override
    public String toString() {
        return String.format("ListServicesItem[0x%04X v%d flags=0x%04X '%s']", typeId, version, capabilityFlags, name);
    }
}
