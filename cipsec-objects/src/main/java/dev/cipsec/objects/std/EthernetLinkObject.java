package dev.cipsec.objects.std;

import dev.cipsec.objects.Attribute;
import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.CipDataType;
import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.wire.buf.Bytes;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import static dev.cipsec.objects.CipDataTypes.DWORD;
import static dev.cipsec.objects.CipDataTypes.SHORT_STRING;
import static dev.cipsec.objects.CipDataTypes.UDINT;
import static dev.cipsec.objects.CipDataTypes.USINT;
import static dev.cipsec.objects.CipDataTypes.array;
import static dev.cipsec.objects.CipDataTypes.bytes;

/**
 * Ethernet Link object (class 0xF6, reference §3.6), instance 1: attributes 1–11. Counters come
 * from a supplier (all zeros when the platform cannot tell). Settable: 9 Admin State (1 enable,
 * 2 disable), kept as a value the adapter may act on. Get_Attributes_All carries 1–11 in order.
 */
public final class EthernetLinkObject {
    public static final int CLASS_ID = 0xF6;
    public static final int INTERFACE_COUNTERS = 11;
    public static final int MEDIA_COUNTERS = 12;

    /**
     * The link as the device sees it.
     *
     * @param speedMbps  interface speed in Mbit/s (attribute 1)
     * @param fullDuplex duplex (flags bit 1)
     * @param linkUp     link status (flags bit 0)
     * @param macAddress 6 bytes (attribute 3)
     * @param label      interface label (attribute 10, at most 64 characters)
     * @param type       interface type (attribute 7): 1 internal, 2 twisted pair, 3 optical
     */
    public record LinkConfig(long speedMbps, boolean fullDuplex, boolean linkUp, Bytes macAddress, String label, int type) {
        public LinkConfig {
            if (macAddress.length() != 6) {
                throw new IllegalArgumentException("MAC address must have 6 bytes");
            }
            Objects.requireNonNull(label, "label");
            if (label.length() > 64) {
                throw new IllegalArgumentException("label longer than 64 characters");
            }
            if (type < 0 || type > 0xFF) {
                throw new IllegalArgumentException("type must be a USINT: " + type);
            }
        }

        /** A 100 Mbit/s full-duplex twisted-pair link that is up. */
        public static LinkConfig of(Bytes mac, String label) {
            return new LinkConfig(100, true, true, mac, label, 2);
        }
    }

    /** Attribute 6: control bits (bit 0 auto-negotiate, bit 1 forced full duplex) and forced speed. */
    public record InterfaceControl(int controlBits, int forcedSpeed) {
        public static final CipDataType<InterfaceControl> TYPE = CipDataTypes.fixedStruct("Interface Control", 4,
                (c, w) -> w.u16(c.controlBits()).u16(c.forcedSpeed()),
                r -> new InterfaceControl(r.u16("control bits"), r.u16("forced interface speed")));
    }

    /** Attribute 11: capability bits and the speed/duplex pairs the interface supports. */
    public record Capability(long bits, List<SpeedDuplex> options) {
        public static final CipDataType<Capability> TYPE = CipDataTypes.struct("Interface Capability",
                c -> 4 + CipDataTypes.usintCountedList(SpeedDuplex.TYPE).encodedLength(c.options()),
                (c, w) -> {
                    w.u32(c.bits());
                    CipDataTypes.usintCountedList(SpeedDuplex.TYPE).encode(c.options(), w);
                },
                r -> new Capability(r.u32("capability bits"), CipDataTypes.usintCountedList(SpeedDuplex.TYPE).decode(r)));
    }

    /** One speed/duplex option: speed in Mbit/s, duplex 0 half / 1 full. */
    public record SpeedDuplex(int speed, int duplex) {
        public static final CipDataType<SpeedDuplex> TYPE = CipDataTypes.fixedStruct("Speed/Duplex", 3,
                (s, w) -> w.u16(s.speed()).u8(s.duplex()),
                r -> new SpeedDuplex(r.u16("speed"), r.u8("duplex")));
    }

    private final LinkConfig link;
    private final Supplier<List<Long>> interfaceCounters;
    private final Supplier<List<Long>> mediaCounters;
    private volatile int adminState = 1;
    private final CipClass<EthernetLinkObject> cipClass;

    public EthernetLinkObject(LinkConfig link) {
        this(link, zeros(INTERFACE_COUNTERS), zeros(MEDIA_COUNTERS));
    }

    /** Counter suppliers must return 11 and 12 values. */
    public EthernetLinkObject(LinkConfig link, Supplier<List<Long>> interfaceCounters, Supplier<List<Long>> mediaCounters) {
        this.link = Objects.requireNonNull(link, "link");
        this.interfaceCounters = Objects.requireNonNull(interfaceCounters, "interfaceCounters");
        this.mediaCounters = Objects.requireNonNull(mediaCounters, "mediaCounters");
        Capability capability = new Capability(0x0000_0002L /* auto-negotiate */,
                List.of(new SpeedDuplex((int) Math.min(0xFFFF, link.speedMbps()), link.fullDuplex() ? 1 : 0)));
        this.cipClass = CipClass.<EthernetLinkObject>builder(CLASS_ID, "Ethernet Link").revision(4)
                .attributes(
                        Attribute.get(1, "Interface Speed", UDINT, (EthernetLinkObject o) -> o.link.speedMbps()).inGetAll(),
                        Attribute.get(2, "Interface Flags", DWORD, EthernetLinkObject::flags).inGetAll(),
                        Attribute.get(3, "Physical Address", bytes(6), (EthernetLinkObject o) -> o.link.macAddress()).inGetAll(),
                        Attribute.get(4, "Interface Counters", array(UDINT, INTERFACE_COUNTERS),
                                (EthernetLinkObject o) -> o.interfaceCounters.get()).inGetAll(),
                        Attribute.get(5, "Media Counters", array(UDINT, MEDIA_COUNTERS),
                                (EthernetLinkObject o) -> o.mediaCounters.get()).inGetAll(),
                        Attribute.get(6, "Interface Control", InterfaceControl.TYPE,
                                (EthernetLinkObject o) -> new InterfaceControl(0x0001, 0)).inGetAll(),
                        Attribute.get(7, "Interface Type", USINT, (EthernetLinkObject o) -> o.link.type()).inGetAll(),
                        Attribute.get(8, "Interface State", USINT, (EthernetLinkObject o) -> o.link.linkUp() ? 1 : 2).inGetAll(),
                        Attribute.getSet(9, "Admin State", USINT, (EthernetLinkObject o) -> o.adminState,
                                (o, v, ctx) -> o.adminState = v).validIf(v -> v == 1 || v == 2).inGetAll(),
                        Attribute.get(10, "Interface Label", SHORT_STRING, (EthernetLinkObject o) -> o.link.label()).inGetAll(),
                        Attribute.get(11, "Interface Capability", Capability.TYPE, (EthernetLinkObject o) -> capability).inGetAll())
                .instance(1, this)
                .build();
    }

    private long flags() {
        long f = 0;
        if (link.linkUp()) {
            f |= 0x01;
            f |= 0x0C; // negotiation status 3: speed and duplex negotiated
        }
        if (link.fullDuplex()) {
            f |= 0x02;
        }
        return f;
    }

    public CipClass<EthernetLinkObject> cipClass() {
        return cipClass;
    }

    /** Attribute 9: 1 enabled, 2 disabled. */
    public int adminState() {
        return adminState;
    }

    private static Supplier<List<Long>> zeros(int n) {
        List<Long> z = java.util.Collections.nCopies(n, 0L);
        return () -> z;
    }
}
