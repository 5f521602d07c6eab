package dev.cipsec.objects.std;

import dev.cipsec.objects.CipDataType;
import dev.cipsec.objects.CipDataTypes;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The IP configuration the TCP/IP Interface object reports (attributes 5 and 6). Addresses are
 * IPv4; 0.0.0.0 means "none".
 *
 * @param ip       interface address
 * @param netmask  network mask
 * @param gateway  default gateway
 * @param nameServer1 primary name server
 * @param nameServer2 secondary name server
 * @param domainName  default domain name (at most 48 characters)
 * @param hostName    host name (at most 64 characters)
 */
public record InterfaceConfig(Inet4Address ip, Inet4Address netmask, Inet4Address gateway, Inet4Address nameServer1,
                              Inet4Address nameServer2, String domainName, String hostName) {

    public InterfaceConfig {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(netmask, "netmask");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(nameServer1, "nameServer1");
        Objects.requireNonNull(nameServer2, "nameServer2");
        Objects.requireNonNull(domainName, "domainName");
        Objects.requireNonNull(hostName, "hostName");
        if (domainName.length() > 48) {
            throw new IllegalArgumentException("domain name longer than 48 characters");
        }
        if (hostName.length() > 64) {
            throw new IllegalArgumentException("host name longer than 64 characters");
        }
    }

    /** Parses dotted-quad strings ("" or null for 0.0.0.0). */
    public static InterfaceConfig of(String ip, String netmask, String gateway, String ns1, String ns2, String domain,
                                     String hostName) {
        return new InterfaceConfig(v4(ip), v4(netmask), v4(gateway), v4(ns1), v4(ns2), domain, hostName);
    }

    /** The address as CIP carries it: a UDINT whose value is the address, so little-endian on the wire. */
    public static long toUdint(Inet4Address a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    }

    public static Inet4Address fromUdint(long v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static Inet4Address v4(String dotted) {
        if (dotted == null || dotted.isEmpty()) {
            return fromUdint(0);
        }
        String[] p = dotted.split("\\.");
        if (p.length != 4) {
            throw new IllegalArgumentException("not a dotted IPv4 address: " + dotted);
        }
        long v = 0;
        for (String s : p) {
            int octet = Integer.parseInt(s);
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("not a dotted IPv4 address: " + dotted);
            }
            v = v << 8 | octet;
        }
        return fromUdint(v);
    }

    /** Attribute 5 encoding: five UDINT addresses and the padded domain name STRING. */
    public static final CipDataType<InterfaceConfig> ATTRIBUTE_5 = CipDataTypes.struct("Interface Configuration",
            c -> 20 + CipDataTypes.PADDED_STRING.encodedLength(c.domainName()),
            (c, w) -> {
                w.u32(toUdint(c.ip())).u32(toUdint(c.netmask())).u32(toUdint(c.gateway()))
                        .u32(toUdint(c.nameServer1())).u32(toUdint(c.nameServer2()));
                CipDataTypes.PADDED_STRING.encode(c.domainName(), w);
            },
            r -> new InterfaceConfig(fromUdint(r.u32("IP address")), fromUdint(r.u32("network mask")),
                    fromUdint(r.u32("gateway")), fromUdint(r.u32("name server")), fromUdint(r.u32("name server 2")),
                    CipDataTypes.PADDED_STRING.decode(r), ""));
}
