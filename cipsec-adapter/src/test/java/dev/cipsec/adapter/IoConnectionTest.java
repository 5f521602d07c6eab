package dev.cipsec.adapter;

import dev.cipsec.adapter.io.ApplicationType;
import dev.cipsec.adapter.io.IoConnectionInfo;
import dev.cipsec.adapter.io.IoListener;
import dev.cipsec.adapter.io.IoStats;
import dev.cipsec.objects.std.ConnectionManagerObject;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cpf.SockaddrItem;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.io.SequenceCounters;
import dev.cipsec.wire.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Class 1 connections end to end: raw Forward_Open over TCP, raw datagrams over loopback UDP. */
class IoConnectionTest {
    private CipDevice device;
    private IoPeer peer;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        device = TestDevices.startOpenerLike();
        device.addIoListener(new IoListener() {
            @Override
            public void opened(IoConnectionInfo c) {
                events.add("opened " + c.type());
            }

            @Override
            public void closed(IoConnectionInfo c, CloseReason reason) {
                events.add("closed " + c.type() + " " + reason);
            }

            @Override
            public void runIdleChanged(IoConnectionInfo c, boolean run) {
                events.add(run ? "run" : "idle");
            }
        });
        peer = IoPeer.open(device);
    }

    @AfterEach
    void stop() throws Exception {
        peer.close();
        device.close();
    }

    private String nextEvent() throws InterruptedException {
        String e = events.poll(IoPeer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(e).as("an I/O event within %s", IoPeer.WAIT).isNotNull();
        return e;
    }

    private static byte[] pattern(int seed) {
        byte[] b = new byte[32];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed + 7 * i);
        }
        return b;
    }

    @Test
    void exclusiveOwnerProducesTheInputAssemblyAndConsumesTheOutputAssembly() throws Exception {
        ForwardOpenRequest fo = IoPeer.exclusiveOwner(1, 10_000);
        IoPeer.Reply reply = peer.forwardOpen(fo);
        ForwardOpenResponse ok = reply.ok();
        assertThat(ok.toConnectionId()).isEqualTo(fo.toConnectionId());
        assertThat(ok.otConnectionId()).isNotZero();
        assertThat(ok.otApiMicros()).isEqualTo(10_000);
        assertThat(ok.toApiMicros()).isEqualTo(10_000);
        assertThat(reply.items()).containsExactly(new SockaddrItem(SockaddrItem.O_TO_T, SockaddrItem.AF_INET,
                device.ioAddress().getPort(), 0, Bytes.of(new byte[8])));
        assertThat(nextEvent()).isEqualTo("opened EXCLUSIVE_OWNER");
        assertThat(device.ioConnectionCount()).isEqualTo(1);
        assertThat(device.assembly(150).ownedByConnection()).isTrue();

        IoFrame first = peer.receive();
        IoFrame second = peer.receive();
        assertThat(first.connectionId()).isEqualTo(fo.toConnectionId());
        assertThat(first.data().length()).isEqualTo(32);
        assertThat(SequenceCounters.isNewer32(second.encapSequence(), first.encapSequence())).isTrue();
        assertThat(second.cipSequence()).as("unchanged data keeps its sequence count").isEqualTo(first.cipSequence());

        // O->T data reaches the output assembly; the sample application mirrors it into input 100.
        byte[] out = pattern(1);
        peer.sendOt(ok.otConnectionId(), 1, 1, true, out);
        assertThat(nextEvent()).isEqualTo("run");
        IoFrame echoed = awaitData(out);
        assertThat(device.assembly(150).data()).isEqualTo(Bytes.of(out));
        assertThat(SequenceCounters.isNewer16(echoed.cipSequence(), first.cipSequence())).isTrue();

        // A repeated CIP sequence count is not new data; a stale encapsulation sequence is dropped.
        peer.sendOt(ok.otConnectionId(), 2, 1, true, pattern(2));
        peer.sendOt(ok.otConnectionId(), 2, 2, true, pattern(3));
        peer.sendOt(ok.otConnectionId(), 3, 3, true, pattern(4));
        awaitData(pattern(4));
        assertThat(device.io().stats().dropped(IoStats.DropReason.STALE_SEQUENCE)).isEqualTo(1);

        peer.sendOt(ok.otConnectionId(), 4, 4, false, pattern(5));
        assertThat(nextEvent()).isEqualTo("idle");
        assertThat(device.assembly(150).data()).as("idle data is not applied").isEqualTo(Bytes.of(pattern(4)));
    }

    private IoFrame awaitData(byte[] expected) throws Exception {
        long deadline = System.nanoTime() + IoPeer.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            IoFrame f = peer.receive();
            if (f.data().equals(Bytes.of(expected))) {
                return f;
            }
        }
        throw new AssertionError("T->O never carried " + Bytes.of(expected));
    }

    @Test
    void forwardCloseStopsProductionAndReleasesTheOutputAssembly() throws Exception {
        ForwardOpenRequest fo = IoPeer.exclusiveOwner(2, 10_000);
        peer.forwardOpen(fo).ok();
        peer.receive();
        assertThat(peer.forwardClose(fo.triad(), fo.connectionPath()).generalStatus()).isZero();
        assertThat(device.ioConnectionCount()).isZero();
        assertThat(device.assembly(150).ownedByConnection()).isFalse();
        assertThat(nextEvent()).isEqualTo("opened EXCLUSIVE_OWNER");
        assertThat(nextEvent()).isEqualTo("closed EXCLUSIVE_OWNER FORWARD_CLOSE");
        // Datagrams already in flight may still arrive; after a quiet period none follows.
        while (peer.receive(java.time.Duration.ofMillis(100)) != null) {
            // drain
        }
        assertThat(peer.receive(java.time.Duration.ofMillis(200))).isNull();
        // A second close finds nothing.
        assertThat(peer.forwardClose(fo.triad(), fo.connectionPath()).additionalStatus())
                .containsExactly(ExtendedStatus.TARGET_CONNECTION_NOT_FOUND);
    }

    @Test
    void silenceOnOtTimesOutAtRpiTimesFour() throws Exception {
        int before = device.objects().connectionManager().get(ConnectionManagerObject.Counter.CONNECTION_TIMEOUTS);
        ForwardOpenRequest fo = IoPeer.exclusiveOwner(3, 10_000);
        long opened = System.nanoTime();
        ForwardOpenResponse ok = peer.forwardOpen(fo).ok();
        assertThat(nextEvent()).isEqualTo("opened EXCLUSIVE_OWNER");
        // Before its first O->T packet a connection gets at least 10 s (the initial watchdog), so
        // one packet starts the regular RPI x 4 watchdog; then silence.
        peer.sendOt(ok.otConnectionId(), 1, 1, true, pattern(0));
        long lastPacket = System.nanoTime();
        assertThat(nextEvent()).isEqualTo("run");
        assertThat(nextEvent()).isEqualTo("closed EXCLUSIVE_OWNER TIMEOUT");
        // RPI x 4 = 40 ms, give or take the watchdog period and the clocks of two threads.
        assertThat(System.nanoTime() - lastPacket).isGreaterThanOrEqualTo(30_000_000L);
        assertThat(lastPacket - opened).isPositive();
        assertThat(device.objects().connectionManager().get(ConnectionManagerObject.Counter.CONNECTION_TIMEOUTS))
                .isEqualTo(before + 1);
        assertThat(device.io().stats().timeouts()).isEqualTo(1);
        // O->T for the dead connection is now an unknown id.
        peer.sendOt(ok.otConnectionId(), 2, 2, true, pattern(0));
        Await.until(IoPeer.WAIT, () -> device.io().stats().dropped(IoStats.DropReason.UNKNOWN_CONNECTION) > 0,
                "datagram for the closed connection dropped");
        assertThat(device.io().stats().dropped(IoStats.DropReason.UNKNOWN_CONNECTION)).isEqualTo(1);
    }

    @Test
    void beforeItsFirstPacketAConnectionOutlivesRpiTimesFour() throws Exception {
        ForwardOpenRequest fo = IoPeer.exclusiveOwner(5, 10_000);
        peer.forwardOpen(fo).ok();
        assertThat(nextEvent()).isEqualTo("opened EXCLUSIVE_OWNER");
        // 15 T->O packets at 10 ms span almost four regular timeouts (40 ms each) without any O->T.
        for (int i = 0; i < 15; i++) {
            assertThat(peer.receive().connectionId()).isEqualTo(fo.toConnectionId());
        }
        assertThat(device.ioConnectionCount()).isEqualTo(1);
        assertThat(device.io().stats().timeouts()).isZero();
    }

    @Test
    void heartbeatsKeepAnInputOnlyConnectionAlive() throws Exception {
        ForwardOpenRequest fo = IoPeer.request(4, IoPeer.path(151, 152, 100), 2, 34, 10_000);
        ForwardOpenResponse ok = peer.forwardOpen(fo).ok();
        assertThat(nextEvent()).isEqualTo("opened INPUT_ONLY");
        device.assembly(100).write(Bytes.of(pattern(9)));
        // 20 heartbeats 10 ms apart span 5 timeout periods; each one arrives before the 40 ms timeout.
        long encap = 1;
        for (int i = 0; i < 20; i++) {
            peer.send(new IoFrame(ok.otConnectionId(), encap++, i, Bytes.EMPTY).toBytes().toArray());
            IoFrame f = peer.receive();
            assertThat(f.connectionId()).isEqualTo(fo.toConnectionId());
        }
        assertThat(device.ioConnectionCount()).isEqualTo(1);
        assertThat(events).isEmpty();
        assertThat(awaitData(pattern(9)).data()).isEqualTo(Bytes.of(pattern(9)));
    }

    @Test
    void listenOnlyNeedsAndFollowsANonListenOnlyConnection() throws Exception {
        ForwardOpenRequest listen = IoPeer.request(5, IoPeer.path(151, 153, 100), 6, 34, 10_000);
        assertThat(peer.forwardOpen(listen).extendedStatus()).isEqualTo(ExtendedStatus.NON_LISTEN_ONLY_NOT_OPENED);

        ForwardOpenRequest owner = IoPeer.exclusiveOwner(6, 10_000);
        peer.forwardOpen(owner).ok();
        peer.forwardOpen(listen).ok();
        assertThat(device.io().connections()).extracting(IoConnectionInfo::type)
                .containsExactlyInAnyOrder(ApplicationType.EXCLUSIVE_OWNER, ApplicationType.LISTEN_ONLY);
        assertThat(peer.forwardClose(owner.triad(), owner.connectionPath()).generalStatus()).isZero();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(nextEvent());
        }
        assertThat(seen).containsExactly("opened EXCLUSIVE_OWNER", "opened LISTEN_ONLY",
                "closed EXCLUSIVE_OWNER FORWARD_CLOSE", "closed LISTEN_ONLY OWNER_CLOSED");
        assertThat(device.ioConnectionCount()).isZero();
    }

    @Test
    void closingTheTcpSessionLeavesIoConnectionsRunning() throws Exception {
        ForwardOpenRequest fo = IoPeer.exclusiveOwner(7, 50_000);
        ForwardOpenResponse ok = peer.forwardOpen(fo).ok();
        peer.tcp.close();
        Await.until(IoPeer.WAIT, () -> device.sessionCount() == 0, "session gone with its TCP connection");
        assertThat(device.sessionCount()).isZero();
        for (int i = 1; i <= 5; i++) {
            peer.sendOt(ok.otConnectionId(), i, i, true, pattern(i));
            peer.receive();
        }
        assertThat(device.ioConnectionCount()).isEqualTo(1);
        assertThat(events.poll()).isEqualTo("opened EXCLUSIVE_OWNER");
        assertThat(events.poll()).isEqualTo("run");
    }

    @Test
    void classZeroCarriesNoSequenceCount() throws Exception {
        ForwardOpenRequest fo = IoPeer.request(9, IoPeer.path(151, 150, 100),
                dev.cipsec.wire.cm.NetworkConnectionParameters.pointToPoint(36),
                dev.cipsec.wire.cm.NetworkConnectionParameters.pointToPoint(32), 10_000, 0x00);
        ForwardOpenResponse ok = peer.forwardOpen(fo).ok();
        IoFrame f = peer.receive(IoPeer.WAIT, false);
        assertThat(f).isNotNull();
        assertThat(f.class1()).isFalse();
        assertThat(f.data().length()).isEqualTo(32);
        byte[] payload = new byte[36];
        payload[0] = 1;
        System.arraycopy(pattern(3), 0, payload, 4, 32);
        peer.send(new IoFrame(ok.otConnectionId(), 1, IoFrame.NO_SEQUENCE, Bytes.of(payload)).toBytes().toArray());
        Await.until(IoPeer.WAIT, () -> device.assembly(150).data().equals(Bytes.of(pattern(3))), "class 0 data applied");
    }

    @Test
    void classOneIsRefusedWith0x0103WhenTheIoPortIsDisabled() throws Exception {
        try (CipDevice noIo = CipDevice.start(TestDevices.openerLike().withIo(IoSettings.defaults().withPort(IoSettings.DISABLED)));
             IoPeer p = IoPeer.open(noIo)) {
            IoPeer.Reply r = p.forwardOpen(IoPeer.exclusiveOwner(8, 10_000));
            assertThat(r.mr().generalStatus()).isEqualTo(GeneralStatus.CONNECTION_FAILURE);
            assertThat(r.extendedStatus()).isEqualTo(ExtendedStatus.TRANSPORT_TRIGGER_NOT_SUPPORTED);
            assertThat(noIo.ioAddress()).isNull();
        }
    }
}
