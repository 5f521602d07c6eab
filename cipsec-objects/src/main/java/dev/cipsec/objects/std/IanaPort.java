package dev.cipsec.objects.std;

import dev.cipsec.objects.CipDataType;
import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.wire.buf.WireFormatException;

import java.util.List;
import java.util.Objects;

/**
 * One entry of TCP/IP Interface attribute 14, IANA Port Admin (reference §3.5).
 *
 * @param name       port name (SHORT_STRING)
 * @param port       port number
 * @param protocol   {@link #TCP} or {@link #UDP}
 * @param open       admin state (true = open)
 * @param capability bit 0 configurable, bit 1 change needs restart
 */
public record IanaPort(String name, int port, int protocol, boolean open, int capability) {
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int CONFIGURABLE = 0x01;
    public static final int RESET_REQUIRED = 0x02;

    public IanaPort {
        Objects.requireNonNull(name, "name");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be a UINT: " + port);
        }
        if (protocol != TCP && protocol != UDP) {
            throw new IllegalArgumentException("protocol must be 6 or 17: " + protocol);
        }
        if (capability < 0 || capability > 0xFF) {
            throw new IllegalArgumentException("capability must be a BYTE: " + capability);
        }
    }

    public static final CipDataType<IanaPort> TYPE = CipDataTypes.struct("IANA Port",
            p -> CipDataTypes.SHORT_STRING.encodedLength(p.name()) + 5,
            (p, w) -> {
                CipDataTypes.SHORT_STRING.encode(p.name(), w);
                w.u16(p.port()).u8(p.protocol()).u8(p.open() ? 1 : 0).u8(p.capability());
            },
            r -> {
                String name = CipDataTypes.SHORT_STRING.decode(r);
                int port = r.u16("port");
                int protocol = r.u8("protocol");
                if (protocol != TCP && protocol != UDP) {
                    throw new WireFormatException(WireFormatException.Reason.INVALID_VALUE, "protocol " + protocol);
                }
                return new IanaPort(name, port, protocol, CipDataTypes.BOOL.decode(r), r.u8("capability"));
            });

    /** The plain EtherNet/IP ports, open and not configurable. */
    public static List<IanaPort> plainDefaults() {
        return List.of(new IanaPort("EtherNet/IP", 44818, TCP, true, 0),
                new IanaPort("EtherNet/IP", 44818, UDP, true, 0),
                new IanaPort("EtherNet/IP IO", 2222, UDP, true, 0));
    }
}
