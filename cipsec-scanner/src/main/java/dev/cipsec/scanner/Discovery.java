package dev.cipsec.scanner;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.encap.DecodedDatagram;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ListIdentity discovery over UDP: broadcast on a subnet, or unicast to a list of targets (a sweep
 * across subnets or VLANs where broadcast does not reach). Every reply is returned, odd ones with
 * their non-conformities listed.
 */
public final class Discovery {
    private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);
    /** Largest UDP payload we accept as a reply. */
    private static final int MAX_DATAGRAM = 1500 * 4;
    /** Refuse sweeps larger than a /20 by accident. */
    public static final int MAX_DESTINATIONS = 4096;

    private Discovery() {
    }

    /**
     * Sends ListIdentity to each destination and collects replies for {@code wait}.
     *
     * @param maxResponseDelayMillis the Max Response Delay the request asks for (targets wait a random
     *                               time up to it, so broadcasts do not storm; 0 lets targets use their
     *                               default, often 2000 ms; OpENer raises 1–499 to 500)
     */
    public static List<ListIdentityResult> listIdentity(List<InetSocketAddress> destinations, Duration wait,
                                                        int maxResponseDelayMillis) throws IOException {
        if (destinations.size() > MAX_DESTINATIONS) {
            throw new IllegalArgumentException("at most " + MAX_DESTINATIONS + " destinations per sweep");
        }
        if (maxResponseDelayMillis < 0 || maxResponseDelayMillis > 0xFFFF) {
            throw new IllegalArgumentException("max response delay must be 0..65535 ms");
        }
        Map<InetSocketAddress, ListIdentityResult> results = new LinkedHashMap<>();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(0))) {
            socket.setBroadcast(true);
            // The context's first two bytes are the Max Response Delay (reference §1.2); the rest tags our request.
            long context = (maxResponseDelayMillis & 0xFFFFL) | 0x6373_6970_6400_0000L;
            byte[] request = EncapsulationPacket.of(EncapsulationCommand.LIST_IDENTITY, 0, 0, context, Bytes.EMPTY)
                    .toBytes().toArray();
            for (InetSocketAddress d : destinations) {
                socket.send(new DatagramPacket(request, request.length, d));
            }
            byte[] buf = new byte[MAX_DATAGRAM];
            long deadline = System.nanoTime() + wait.toNanos();
            // A unicast sweep is over once every destination answered; a broadcast never is.
            boolean unicastOnly = destinations.stream().noneMatch(Discovery::mayBeBroadcast);
            while (!(unicastOnly && results.size() >= destinations.size())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
                try {
                    DecodedDatagram d = EncapsulationPacket.decodeDatagram(WireReader.of(buf, 0, p.getLength()));
                    if (d.packet().header().command() != EncapsulationCommand.LIST_IDENTITY) {
                        continue;
                    }
                    results.putIfAbsent(from, ListIdentityResult.from(from.getAddress().getHostAddress() + ":" + from.getPort(),
                            d.packet(), d.lengthFieldMismatch(), d.declaredLength()));
                } catch (WireFormatException e) {
                    LOG.debug("unreadable ListIdentity reply from {}: {}", from, e.getMessage());
                }
            }
        }
        return new ArrayList<>(results.values());
    }

    /** True for addresses that may reach several hosts: x.x.x.255, 255.255.255.255, multicast, wildcard. */
    static boolean mayBeBroadcast(InetSocketAddress d) {
        InetAddress a = d.getAddress();
        if (a == null || a.isMulticastAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        return b.length == 4 && (b[3] & 0xFF) == 0xFF;
    }

    /** Broadcast discovery on {@code broadcast} (e.g. 192.168.1.255 or 255.255.255.255). */
    public static List<ListIdentityResult> broadcast(InetAddress broadcast, int port, Duration wait) throws IOException {
        return listIdentity(List.of(new InetSocketAddress(broadcast, port)), wait, 500);
    }

    /**
     * Expands "10.0.0.5", "10.0.0.0/24" (hosts of the subnet) or "host:port" into destinations.
     */
    public static List<InetSocketAddress> expand(String spec, int defaultPort) throws IOException {
        String s = spec.strip();
        int port = defaultPort;
        int slash = s.indexOf('/');
        if (slash < 0) {
            Target t = Target.parse(s.contains(":") ? s : s + ":" + defaultPort);
            return List.of(new InetSocketAddress(InetAddress.getByName(t.host()), t.port()));
        }
        InetAddress base = InetAddress.getByName(s.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + spec + "'");
        }
        byte[] a = base.getAddress();
        if (a.length != 4 || prefix < 20 || prefix > 32) {
            throw new IllegalArgumentException("CIDR sweeps take IPv4 prefixes /20 to /32: '" + spec + "'");
        }
        long ip = ((a[0] & 0xFFL) << 24) | ((a[1] & 0xFFL) << 16) | ((a[2] & 0xFFL) << 8) | (a[3] & 0xFFL);
        long mask = prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
        long net = ip & mask;
        long size = 1L << (32 - prefix);
        List<InetSocketAddress> out = new ArrayList<>();
        long first = size > 2 ? net + 1 : net;
        long last = size > 2 ? net + size - 2 : net + size - 1;
        for (long h = first; h <= last; h++) {
            byte[] b = {(byte) (h >>> 24), (byte) (h >>> 16), (byte) (h >>> 8), (byte) h};
            out.add(new InetSocketAddress(InetAddress.getByAddress(b), port));
        }
        return out;
    }
}
