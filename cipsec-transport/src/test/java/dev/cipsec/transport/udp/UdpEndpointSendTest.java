package dev.cipsec.transport.udp;

import dev.cipsec.transport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The per-packet send path: no allocation, and a pending interrupt neither fails nor closes it. */
class UdpEndpointSendTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final List<UdpEndpoint> endpoints = new ArrayList<>();

    @AfterEach
    void closeAll() {
        endpoints.forEach(UdpEndpoint::close);
    }

    private UdpEndpoint open(DatagramHandler handler) throws Exception {
        UdpEndpoint e = UdpEndpoint.open(LOOPBACK_ANY_PORT, 1500, handler);
        endpoints.add(e);
        return e;
    }

    @Test
    void sendAllocatesNothing() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        UdpEndpoint sink = open((buf, len, from) -> { });
        UdpEndpoint sender = open((buf, len, from) -> { });
        InetSocketAddress to = sink.localAddress();
        byte[] frame = new byte[50];
        for (int i = 0; i < 20_000; i++) {
            sender.send(frame, 0, frame.length, to);
        }
        long id = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 10_000; i++) {
            frame[0] = (byte) i;
            sender.send(frame, 0, frame.length, to);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        // DatagramSocket.send allocated 40 B per datagram (400,000 B here); slack for one-off JVM work.
        assertThat(allocated).as("bytes allocated by 10,000 sends").isLessThan(4_096);
    }

    @Test
    void anInterruptedCallerSendsAndKeepsItsInterruptAndTheEndpointOpen() throws Exception {
        AtomicLong received = new AtomicLong();
        UdpEndpoint sink = open((buf, len, from) -> received.incrementAndGet());
        UdpEndpoint sender = open((buf, len, from) -> { });
        Thread.currentThread().interrupt();
        try {
            sender.send(new byte[] {1, 2, 3}, 0, 3, sink.localAddress());
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        sender.send(new byte[] {4}, 0, 1, sink.localAddress());
        Await.until(WAIT, () -> received.get() == 2, "both datagrams");
        assertThat(sender.stats().sent()).isEqualTo(2);
    }
}
