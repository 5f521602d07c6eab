package dev.cipsec.objects.std;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.CipInstance;
import dev.cipsec.objects.CipDataType;
import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.epath.EPath;

import java.util.List;
import java.util.Objects;

import static dev.cipsec.objects.CipDataTypes.BOOL;
import static dev.cipsec.objects.CipDataTypes.DWORD;
import static dev.cipsec.objects.CipDataTypes.EPATH_UINT_SIZED;
import static dev.cipsec.objects.CipDataTypes.PADDED_STRING;
import static dev.cipsec.objects.CipDataTypes.UINT;
import static dev.cipsec.objects.CipDataTypes.USINT;
import static dev.cipsec.objects.CipDataTypes.bytes;
import static dev.cipsec.objects.CipDataTypes.usintCountedList;

/**
 * TCP/IP Interface object (class 0xF5, reference §3.5), instance 1.
 *
 * <p>The host's operating system owns the IP configuration, so attributes 3, 5 and 6 are read-only
 * here and attribute 2 reports no CIP-configurable capability. Settable: 8 TTL (1–255),
 * 10 Select ACD, 13 Encapsulation Inactivity Timeout (0–3600 s, default 120; 0 disables).
 * Get_Attributes_All carries attributes 1–13 in order (7, 11 and 12 as zero placeholders, the
 * layout Wireshark decodes); 14 IANA Port Admin is not part of it.
 */
public final class TcpIpInterfaceObject {
    public static final int CLASS_ID = 0xF5;
    public static final int DEFAULT_ENCAPSULATION_TIMEOUT = 120;

    /** Attribute 9. */
    public record MulticastConfig(int allocControl, int numMcast, long startAddress) {
        public static final CipDataType<MulticastConfig> TYPE = CipDataTypes.fixedStruct("Multicast Configuration", 8,
                (m, w) -> w.u8(m.allocControl()).u8(0).u16(m.numMcast()).u32(m.startAddress()),
                r -> {
                    int alloc = r.u8("alloc control");
                    r.u8("reserved");
                    return new MulticastConfig(alloc, r.u16("num mcast"), r.u32("mcast start address"));
                });

        /**
         * The CIP default allocation: 32 addresses from 239.192.1.0 offset by the host part of
         * the address, so devices on one subnet do not collide.
         */
        public static MulticastConfig defaultFor(InterfaceConfig c) {
            long ip = InterfaceConfig.toUdint(c.ip());
            long mask = InterfaceConfig.toUdint(c.netmask());
            long hostId = (ip & ~mask) & 0xFFFF_FFFFL;
            long start = 0xEFC0_0100L + (((hostId - 1) & 0x3FF) * 32);
            return new MulticastConfig(0, 32, start & 0xFFFF_FFFFL);
        }
    }

    private final InterfaceConfig config;
    private final long status;
    private volatile List<IanaPort> ports;
    private final MulticastConfig multicast;
    private volatile int ttl = 1;
    private volatile boolean selectAcd;
    private volatile int encapsulationTimeout = DEFAULT_ENCAPSULATION_TIMEOUT;
    private final CipClass<TcpIpInterfaceObject> cipClass;

    /**
     * @param config the interface's current configuration
     * @param ports  attribute 14 entries
     */
    public TcpIpInterfaceObject(InterfaceConfig config, List<IanaPort> ports) {
        this.config = Objects.requireNonNull(config, "config");
        this.ports = List.copyOf(ports);
        this.status = 0x0000_0001L; // configuration obtained (from the host)
        this.multicast = MulticastConfig.defaultFor(config);
        EPath link = EPath.classInstance(EthernetLinkObject.CLASS_ID, 1);
        this.cipClass = CipClass.<TcpIpInterfaceObject>builder(CLASS_ID, "TCP/IP Interface").revision(4)
                .attributes(
                        Attribute.get(1, "Status", DWORD, (TcpIpInterfaceObject o) -> o.status).inGetAll(),
                        Attribute.get(2, "Configuration Capability", DWORD, (TcpIpInterfaceObject o) -> 0L).inGetAll(),
                        Attribute.get(3, "Configuration Control", DWORD, (TcpIpInterfaceObject o) -> 0L).inGetAll(),
                        Attribute.get(4, "Physical Link Object", EPATH_UINT_SIZED, (TcpIpInterfaceObject o) -> link).inGetAll(),
                        Attribute.get(5, "Interface Configuration", InterfaceConfig.ATTRIBUTE_5, (TcpIpInterfaceObject o) -> o.config).inGetAll(),
                        Attribute.get(6, "Host Name", PADDED_STRING, (TcpIpInterfaceObject o) -> o.config.hostName()).inGetAll(),
                        Attribute.<TcpIpInterfaceObject, Bytes>getAllFiller(7, "Safety Network Number", bytes(6), Bytes.of(new byte[6])),
                        Attribute.getSet(8, "TTL Value", USINT, (TcpIpInterfaceObject o) -> o.ttl,
                                (o, v, ctx) -> o.ttl = v).validIf(v -> v >= 1).inGetAll(),
                        Attribute.get(9, "Multicast Configuration", MulticastConfig.TYPE, (TcpIpInterfaceObject o) -> o.multicast).inGetAll(),
                        Attribute.getSet(10, "Select ACD", BOOL, (TcpIpInterfaceObject o) -> o.selectAcd,
                                (o, v, ctx) -> o.selectAcd = v).inGetAll(),
                        Attribute.get(11, "Last Conflict Detected", bytes(35), (TcpIpInterfaceObject o) -> Bytes.of(new byte[35])).inGetAll(),
                        Attribute.<TcpIpInterfaceObject, Boolean>getAllFiller(12, "EtherNet/IP Quick Connect", BOOL, false),
                        Attribute.getSet(13, "Encapsulation Inactivity Timeout", UINT, (TcpIpInterfaceObject o) -> o.encapsulationTimeout,
                                (o, v, ctx) -> o.encapsulationTimeout = v).validIf(v -> v <= 3600).inGetAll(),
                        Attribute.get(14, "IANA Port Admin", usintCountedList(IanaPort.TYPE), (TcpIpInterfaceObject o) -> o.ports))
                .instance(1, this)
                .build();
    }

    public CipClass<TcpIpInterfaceObject> cipClass() {
        return cipClass;
    }

    public InterfaceConfig config() {
        return config;
    }

    /** Seconds of encapsulation inactivity after which the transport closes a session; 0 = never. */
    public int encapsulationInactivityTimeout() {
        return encapsulationTimeout;
    }

    /** Sets attribute 13 as the device configures it at start-up (0..3600 s; 0 = never). */
    public void setEncapsulationInactivityTimeout(int seconds) {
        if (seconds < 0 || seconds > 3600) {
            throw new IllegalArgumentException("encapsulation inactivity timeout must be 0..3600 s: " + seconds);
        }
        encapsulationTimeout = seconds;
    }

    public int ttl() {
        return ttl;
    }

    public boolean selectAcd() {
        return selectAcd;
    }

    public List<IanaPort> ports() {
        return ports;
    }

    /** Replaces attribute 14 (Set_Port_Admin_State, factory reset), serialised with attribute reads. */
    public void setPorts(List<IanaPort> list) {
        List<IanaPort> copy = List.copyOf(list);
        CipInstance<TcpIpInterfaceObject> inst = cipClass.typedInstance(1);
        inst.lock().lock();
        try {
            ports = copy;
        } finally {
            inst.lock().unlock();
        }
    }
}
