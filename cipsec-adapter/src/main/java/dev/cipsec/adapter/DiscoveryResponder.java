package dev.cipsec.adapter;

import dev.cipsec.transport.udp.DatagramHandler;
import dev.cipsec.transport.udp.UdpEndpoint;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers ListIdentity and ListServices on UDP 44818, unicast or broadcast. ListIdentity replies
 * wait a random time up to the request's Max Response Delay (reference §1.2) so that a broadcast
 * does not make every device answer at once. Anything else arriving on UDP is dropped without a
 * reply: answering unauthenticated datagrams would make us a reflector.
 */
final class DiscoveryResponder implements DatagramHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryResponder.class);
    /** What OpENer and the spec use when the request asks for 0: up to 2 s. */
    static final int DEFAULT_MAX_DELAY_MS = 2000;
    static final int MIN_MAX_DELAY_MS = 500;

    private final DeviceRuntime device;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile UdpEndpoint endpoint;

    DiscoveryResponder(DeviceRuntime device) {
        this.device = device;
    }

    void attach(UdpEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void datagram(byte[] buf, int len, InetSocketAddress from) {
        try {
            handle(buf, len, from);
        } finally {
            // Counted once handled, so that a reader who sees N requests also sees their drops.
            device.stats().udpRequests.increment();
        }
    }

    private void handle(byte[] buf, int len, InetSocketAddress from) {
        EncapsulationHeader h;
        try {
            h = EncapsulationPacket.decode(WireReader.of(buf, 0, len)).header();
        } catch (WireFormatException e) {
            device.stats().udpDropped.increment();
            return;
        }
        if (h.options() != 0 || h.status() != 0) {
            device.stats().udpDropped.increment();
            return;
        }
        switch (h.command()) {
            case EncapsulationCommand.LIST_IDENTITY -> scheduleListIdentity(h, from);
            case EncapsulationCommand.LIST_SERVICES -> send(h, device.listServicesData(), from);
            default -> device.stats().udpDropped.increment();
        }
    }

    static int effectiveDelayMillis(int requested) {
        if (requested == 0) {
            return DEFAULT_MAX_DELAY_MS;
        }
        return Math.max(requested, MIN_MAX_DELAY_MS);
    }

    private void scheduleListIdentity(EncapsulationHeader h, InetSocketAddress from) {
        if (pending.incrementAndGet() > device.limits().maxPendingUdpReplies()) {
            pending.decrementAndGet();
            device.stats().udpDropped.increment();
            return;
        }
        int delay = ThreadLocalRandom.current().nextInt(effectiveDelayMillis(h.maxResponseDelayMillis()) + 1);
        try {
            device.scheduler().schedule(() -> {
                try {
                    send(h, device.listIdentityData(null), from);
                } finally {
                    pending.decrementAndGet();
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            // Scheduler shut down: the device is closing.
            pending.decrementAndGet();
        }
    }

    private void send(EncapsulationHeader request, Bytes data, InetSocketAddress to) {
        UdpEndpoint ep = endpoint;
        if (ep == null) {
            return;
        }
        byte[] out = EncapsulationPacket.of(request.command(), 0, EncapsulationStatus.SUCCESS, request.senderContext(), data)
                .toBytes().toArray();
        try {
            ep.send(out, 0, out.length, to);
        } catch (IOException e) {
            LOG.debug("UDP reply to {} failed: {}", to, e.toString());
        }
    }
}
