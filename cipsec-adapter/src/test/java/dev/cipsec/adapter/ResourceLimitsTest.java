package dev.cipsec.adapter;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.transport.tcp.TcpServerStats;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RegisterSessionData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static dev.cipsec.adapter.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

/** What a peer can make the device hold is bounded (AdapterLimits), and the bounds are enforced on the wire. */
class ResourceLimitsTest {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);

    @Test
    void oversizeFrameClosesTheConnectionWithoutReadingTheBody() throws IOException {
        try (CipDevice device = TestDevices.start(AdapterLimits.defaults().withMaxFrameSize(1024));
             RawClient c = RawClient.connect(device.tcpAddress())) {
            byte[] header = EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA, 0, 0, 0, Bytes.EMPTY).toBytes().toArray();
            header[2] = (byte) (60000 & 0xFF);
            header[3] = (byte) (60000 >>> 8);
            c.send(header);
            c.send(new byte[1000]);
            // Closed while 59000 announced bytes are still missing: the device did not wait for the body.
            c.assertClosedWithin(CLOSE_WAIT);
            assertThat(keepSending(c.socket().getOutputStream(), 60000)).as("writes fail once the device has reset").isTrue();
            assertThat(device.stats().oversizeFrames()).isEqualTo(1);
            assertThat(device.stats().framesIn()).isZero();
        }
    }

    /**
     * Keeps writing until a write fails (the device's socket is gone and answered with a reset),
     * true, or until far more than any socket buffer holds went through, false. Writes return as
     * long as they fit the local send buffer (several MB on loopback), so a reset the kernel has not
     * processed yet cannot be seen from a fixed number of writes: the loop runs on its own thread
     * and the caller waits for it with a deadline, so a peer that stopped reading cannot hang the test.
     */
    private static boolean keepSending(OutputStream out, int unused) {
        java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<Boolean> failed = writer.submit(() -> {
                byte[] chunk = new byte[4096];
                try {
                    for (long sent = 0; sent < (256L << 20); sent += chunk.length) {
                        out.write(chunk);
                        out.flush();
                    }
                    return false;
                } catch (IOException expected) {
                    return true;
                }
            });
            return failed.get(CLOSE_WAIT.toSeconds() * 3, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e);
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void frameAtTheLimitIsStillServed() throws IOException {
        try (CipDevice device = TestDevices.start(AdapterLimits.defaults().withMaxFrameSize(1024));
             RawClient c = RawClient.connect(device.tcpAddress())) {
            EncapsulationPacket nop = c.packet(EncapsulationCommand.NOP, 0, Bytes.of(new byte[1024 - 24]));
            c.send(nop);
            c.assertUsable();
            assertThat(device.stats().oversizeFrames()).isZero();
        }
    }

    @Test
    void silentConnectionIsClosedByTheIdleTimeout() throws IOException {
        AdapterLimits limits = AdapterLimits.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5));
        try (CipDevice device = TestDevices.start(limits); RawClient c = RawClient.connect(device.tcpAddress())) {
            long t0 = System.nanoTime();
            c.assertClosedWithin(Duration.ofSeconds(4));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("closed after about the 1 s idle timeout").isBetween(800L, 4000L);
            Await.until(CLOSE_WAIT, () -> device.stats().idleTimeouts() == 1, "idle timeout counted");
            assertThat(device.stats().frameTimeouts()).isZero();
        }
    }

    @Test
    void subSecondIdleTimeoutIsNotTurnedIntoNoTimeout() throws IOException {
        AdapterLimits limits = AdapterLimits.defaults().withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5));
        try (CipDevice device = TestDevices.start(limits); RawClient c = RawClient.connect(device.tcpAddress())) {
            c.assertClosedWithin(Duration.ofSeconds(3));
            Await.until(CLOSE_WAIT, () -> device.stats().idleTimeouts() == 1, "idle timeout counted");
        }
    }

    @Test
    void tricklingPeerIsClosedByTheFrameTimeoutThoughItNeverIdles() throws IOException {
        AdapterLimits limits = AdapterLimits.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        try (CipDevice device = TestDevices.start(limits); RawClient c = RawClient.connect(device.tcpAddress())) {
            byte[] frame = EncapsulationPacket.of(EncapsulationCommand.LIST_SERVICES, 0, 0, 0, Bytes.EMPTY).toBytes().toArray();
            OutputStream out = c.socket().getOutputStream();
            int[] next = {0};
            long t0 = System.nanoTime();
            ScheduledFuture<?> trickle = pacer.scheduleAtFixedRate(() -> {
                try {
                    out.write(frame[next[0]++ % frame.length]);
                    out.flush();
                } catch (IOException e) {
                    throw new IllegalStateException("peer gone", e);
                }
            }, 0, 300, TimeUnit.MILLISECONDS);
            c.assertClosedWithin(Duration.ofSeconds(5));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            trickle.cancel(false);
            assertThat(ms).as("closed by the 1 s frame deadline, well before 24 bytes at 300 ms each").isBetween(900L, 5000L);
            Await.until(CLOSE_WAIT, () -> device.stats().frameTimeouts() == 1, "frame timeout counted");
            assertThat(device.stats().idleTimeouts()).as("the peer never idled 1 s").isZero();
            assertThat(device.stats().framesIn()).isZero();
        } finally {
            pacer.shutdownNow();
        }
    }

    @Test
    void registerSessionBeyondTheLimitGetsStatus2AndEarlierSessionsKeepWorking() throws IOException {
        List<RawClient> clients = new ArrayList<>();
        try (CipDevice device = TestDevices.start(AdapterLimits.defaults().withMaxSessions(4))) {
            try {
                for (int i = 0; i < 4; i++) {
                    RawClient c = RawClient.connect(device.tcpAddress());
                    clients.add(c);
                    c.registerSession();
                }
                List<RawClient> refused = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    RawClient c = RawClient.connect(device.tcpAddress());
                    clients.add(c);
                    refused.add(c);
                    EncapsulationPacket p = c.packet(EncapsulationCommand.REGISTER_SESSION, 0, RegisterSessionData.DEFAULT.toBytes());
                    c.send(p);
                    assertThat(hex(c.readFrame())).isEqualTo(hex(EncapsulationPacket.of(EncapsulationCommand.REGISTER_SESSION, 0,
                            EncapsulationStatus.INSUFFICIENT_MEMORY, p.header().senderContext(),
                            RegisterSessionData.DEFAULT.toBytes()).toBytes().toArray()));
                }
                assertThat(device.sessionCount()).isEqualTo(4);
                assertThat(device.stats().sessionsRejectedFull()).isEqualTo(3);
                for (RawClient c : clients.subList(0, 4)) {
                    c.assertUsable();
                }

                RawClient first = clients.get(0);
                first.send(first.packet(EncapsulationCommand.UNREGISTER_SESSION, first.session(), Bytes.EMPTY));
                first.assertClosedWithin(CLOSE_WAIT);
                Await.until(CLOSE_WAIT, () -> device.sessionCount() == 3, "session slot freed");

                // A refused connection stayed open and may try again.
                RawClient retry = refused.get(0);
                retry.registerSession();
                retry.assertUsable();
                assertThat(device.sessionCount()).isEqualTo(4);
            } finally {
                for (RawClient c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void tcpConnectionLimitsRejectExtraConnectionsWhileOlderOnesWork() throws IOException {
        InetAddress second = InetAddress.getByName("127.0.0.2");
        InetAddress third = InetAddress.getByName("127.0.0.3");
        try (CipDevice device = TestDevices.start(AdapterLimits.defaults().withTcpConnections(3, 2));
             RawClient a1 = RawClient.connect(device.tcpAddress());
             RawClient a2 = RawClient.connect(device.tcpAddress())) {
            a1.registerSession();
            a2.registerSession();
            try (RawClient a3 = RawClient.connect(device.tcpAddress())) {
                a3.assertClosedWithin(CLOSE_WAIT);
            }
            try (RawClient b1 = RawClient.connect(device.tcpAddress(), second)) {
                b1.registerSession();
                try (RawClient c1 = RawClient.connect(device.tcpAddress(), third)) {
                    c1.assertClosedWithin(CLOSE_WAIT);
                }
                a1.assertUsable();
                a2.assertUsable();
                b1.assertUsable();
            }
            TcpServerStats stats = device.tcpStats();
            assertThat(stats.rejectedPerAddressLimit()).isEqualTo(1);
            assertThat(stats.rejectedTotalLimit()).isEqualTo(1);
            // b1's slot is free again once its handler has seen the close.
            Await.until(CLOSE_WAIT, () -> device.tcpStats().active() == 2, "closed connection released");
            try (RawClient c2 = RawClient.connect(device.tcpAddress(), third)) {
                c2.assertUsable();
            }
        }
    }
}
