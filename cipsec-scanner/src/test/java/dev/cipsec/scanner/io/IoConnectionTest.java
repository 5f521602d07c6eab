package dev.cipsec.scanner.io;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.ForwardOpenFailure;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cpf.SockaddrItem;
import dev.cipsec.wire.io.RunIdleHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IoConnectionTest {
    private FakeIoTarget target;
    private CipClient client;
    private IoRuntime runtime;

    @BeforeEach
    void setUp() throws IOException {
        target = new FakeIoTarget();
        client = CipClient.connect(target.target(), ClientOptions.defaults());
        runtime = IoRuntime.create("test-io");
    }

    @AfterEach
    void tearDown() throws IOException {
        runtime.close();
        client.close();
        target.close();
    }

    /** A generous timeout (x64) so a loaded machine does not end a connection a test still uses. */
    private static IoSettings.Builder settings() {
        return IoSettings.builder().rpi(Duration.ofMillis(10)).localPort(0).timeoutMultiplier(4);
    }

    private IoConnection open(IoSettings s) throws Exception {
        return runtime.open(client, s, null, null);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    private FakeIoTarget.Received nextOtoT() throws InterruptedException {
        FakeIoTarget.Received r = target.oToT.poll(5, TimeUnit.SECONDS);
        assertThat(r).as("O->T frame").isNotNull();
        return r;
    }

    @Test
    void forwardOpenCarriesSizesRpiTriggerPathAndOurReceivePort() throws Exception {
        try (IoConnection c = open(settings().timeoutMultiplier(1).build())) {
            ForwardOpenRequest fo = target.opens.get(0).request();
            assertThat(fo.large()).isFalse();
            assertThat(fo.otRpiMicros()).isEqualTo(10_000);
            assertThat(fo.toRpiMicros()).isEqualTo(10_000);
            assertThat(fo.otParameters().connectionSize()).isEqualTo(32 + 6);
            assertThat(fo.toParameters().connectionSize()).isEqualTo(32 + 2);
            assertThat(fo.otParameters().toWord16()).isEqualTo(0x4826);
            assertThat(fo.toParameters().toWord16()).isEqualTo(0x4822);
            assertThat(fo.transportTrigger()).isEqualTo(0x01);
            assertThat(fo.timeoutMultiplier()).isEqualTo(1);
            assertThat(HexFormat.of().formatHex(fo.connectionPath().toBytes().toArray())).isEqualTo("20042497" + "2c962c64");
            SockaddrItem item = (SockaddrItem) target.opens.get(0).items().get(0);
            assertThat(item.typeId()).isEqualTo(SockaddrItem.T_TO_O);
            assertThat(item.family()).isEqualTo(SockaddrItem.AF_INET);
            assertThat(item.address()).isZero();
            assertThat(item.port()).isEqualTo(c.localPort()).isNotZero();
            assertThat(c.otConnectionId()).isEqualTo(FakeIoTarget.OT_ID);
            assertThat(c.toConnectionId()).isEqualTo(fo.toConnectionId());
            assertThat(c.otDestination()).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), target.udpPort()));
            assertThat(c.timeoutNanos()).isEqualTo(10_000_000L * 8);
        }
    }

    @Test
    void largeSizesUseLargeForwardOpen() throws Exception {
        try (IoConnection c = open(settings().otSize(600).toSize(1000).build())) {
            ForwardOpenRequest fo = target.opens.get(0).request();
            assertThat(fo.large()).isTrue();
            assertThat(fo.service()).isEqualTo(ServiceCodes.LARGE_FORWARD_OPEN);
            assertThat(fo.otParameters().connectionSize()).isEqualTo(606);
            assertThat(fo.toParameters().connectionSize()).isEqualTo(1002);
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    void outputArrivesAtTheRpiWithIncreasingSequencesAndRunIdleHeader() throws Exception {
        // No T->O in this test: a long T->O RPI keeps the connection from timing out meanwhile.
        try (IoConnection c = open(settings().toRpi(Duration.ofSeconds(1)).build())) {
            byte[] out = new byte[32];
            out[0] = 0x11;
            out[31] = 0x22;
            c.setOutput(out);
            List<FakeIoTarget.Received> frames = new ArrayList<>();
            // The first frames may precede setOutput: skip to the first one with our data.
            FakeIoTarget.Received r;
            do {
                r = nextOtoT();
            } while (r.frame().data().toArray()[RunIdleHeader.LENGTH] != 0x11);
            frames.add(r);
            for (int i = 0; i < 20; i++) {
                frames.add(nextOtoT());
            }
            for (int i = 0; i < frames.size(); i++) {
                FakeIoTarget.Received f = frames.get(i);
                assertThat(f.frame().connectionId()).isEqualTo(FakeIoTarget.OT_ID);
                byte[] data = f.frame().data().toArray();
                assertThat(data).hasSize(36);
                assertThat(RunIdleHeader.isRun(RunIdleHeader.read(data, 0))).isTrue();
                assertThat(data[4]).isEqualTo((byte) 0x11);
                assertThat(data[35]).isEqualTo((byte) 0x22);
                if (i > 0) {
                    assertThat(f.frame().encapSequence()).isEqualTo(frames.get(i - 1).frame().encapSequence() + 1);
                    // Unchanged data keeps its CIP sequence count.
                    assertThat(f.frame().cipSequence()).isEqualTo(frames.get(0).frame().cipSequence());
                }
            }
            double meanMillis = (frames.get(20).nanos() - frames.get(0).nanos()) / 20 / 1e6;
            assertThat(meanMillis).isBetween(7.0, 15.0);

            int before = frames.get(20).frame().cipSequence();
            c.setRun(false);
            FakeIoTarget.Received idle;
            do {
                idle = nextOtoT();
            } while (RunIdleHeader.isRun(RunIdleHeader.read(idle.frame().data().toArray(), 0)));
            assertThat(idle.frame().cipSequence()).isEqualTo((before + 1) & 0xFFFF);
            // The counter moves after the send returns, so the last frame seen may not be counted yet.
            assertThat(c.stats().sent()).isGreaterThanOrEqualTo(21);
            assertThat(c.stats().sendErrors()).isZero();
        }
    }

    @Test
    void theFirstPacketAlreadyCarriesTheInitialDataAndIdleState() throws Exception {
        byte[] initial = new byte[32];
        initial[0] = 0x5A;
        initial[31] = (byte) 0xA5;
        try (IoConnection c = open(settings().toRpi(Duration.ofSeconds(1)).initialRun(false)
                .initialOutput(dev.cipsec.wire.buf.Bytes.of(initial)).build())) {
            // The very first O->T packet, no skipping: idle, with the initial data.
            byte[] first = nextOtoT().frame().data().toArray();
            assertThat(RunIdleHeader.isRun(RunIdleHeader.read(first, 0))).isFalse();
            assertThat(first[4]).isEqualTo((byte) 0x5A);
            assertThat(first[35]).isEqualTo((byte) 0xA5);
            assertThat(c.isOpen()).isTrue();
        }
        assertThatThrownBy(() -> settings().initialOutput(dev.cipsec.wire.buf.Bytes.of(new byte[3])).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("O->T size");
    }

    @Test
    void inputOnlySendsHeartbeatsWithHeaderOnly() throws Exception {
        try (IoConnection c = open(settings().inputOnly(152).build())) {
            ForwardOpenRequest fo = target.opens.get(0).request();
            assertThat(fo.otParameters().connectionSize()).isEqualTo(6);
            assertThat(HexFormat.of().formatHex(fo.connectionPath().toBytes().toArray())).isEqualTo("200424972c982c64");
            assertThat(nextOtoT().frame().data().length()).isEqualTo(RunIdleHeader.LENGTH);
            assertThatThrownBy(() -> c.setOutput(new byte[1])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void inputReachesTheCallbackOnceAndStaleOrForeignPacketsAreDropped() throws Exception {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        try (IoConnection c = runtime.open(client, settings().toSize(4).build(),
                (buf, off, len) -> got.add(java.util.Arrays.copyOfRange(buf, off, off + len)), null)) {
            long id = c.toConnectionId();
            assertThat(c.latestInput()).isEmpty();
            target.sendToO(id, 10, 1, new byte[]{1, 2, 3, 4});
            await(() -> got.size() == 1, "first input");
            assertThat(got.get(0)).containsExactly(1, 2, 3, 4);
            assertThat(c.latestInput()).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3, 4));

            target.sendToO(id, 10, 2, new byte[]{9, 9, 9, 9});   // duplicate encapsulation sequence
            target.sendToO(id, 9, 2, new byte[]{9, 9, 9, 9});    // older
            await(() -> c.stats().droppedStale() == 2, "two stale drops");

            target.sendToO(id, 11, 1, new byte[]{1, 2, 3, 4});   // newer, same CIP count: a repeat
            await(() -> c.stats().received() == 2, "repeat accepted");
            target.sendToO(id, 12, 2, new byte[]{5, 6});         // wrong size
            await(() -> c.stats().droppedSize() == 1, "size drop");
            try (DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
                target.sendToO(other, id, 13, 3, new byte[]{7, 7, 7, 7});
            }
            await(() -> c.stats().droppedWrongPeer() == 1, "foreign peer drop");
            target.sendToO(id + 1, 14, 3, new byte[]{7, 7, 7, 7}); // unknown connection id
            await(() -> runtime.droppedUnknown() == 1, "unknown connection drop");

            target.sendToO(id, 15, 3, new byte[]{5, 6, 7, 8});
            await(() -> got.size() == 2, "second input");
            assertThat(got.get(1)).containsExactly(5, 6, 7, 8);
            assertThat(c.latestInput()).hasValueSatisfying(v -> assertThat(v).containsExactly(5, 6, 7, 8));
            IoStats s = c.stats();
            assertThat(s.received()).isEqualTo(3);
            assertThat(s.delivered()).isEqualTo(2);
            assertThat(s.dropped()).isEqualTo(4);
            assertThat(s.lost()).isEqualTo(3);
        }
    }

    @Test
    void sequencesWrapAround() throws Exception {
        List<byte[]> got = new CopyOnWriteArrayList<>();
        try (IoConnection c = runtime.open(client, settings().toSize(2).build(),
                (buf, off, len) -> got.add(java.util.Arrays.copyOfRange(buf, off, off + len)), null)) {
            target.sendToO(c.toConnectionId(), 0xFFFF_FFFFL, 0xFFFF, new byte[]{1, 1});
            target.sendToO(c.toConnectionId(), 0, 0, new byte[]{2, 2});
            await(() -> got.size() == 2, "both inputs across the wrap");
            assertThat(c.stats().droppedStale()).isZero();
        }
    }

    @Test
    void silenceTimesOutRaisesEventsAndStopsProducing() throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        IoListener listener = new IoListener() {
            @Override
            public void timedOut(IoConnection connection) {
                timedOut.countDown();
            }

            @Override
            public void closed(IoConnection connection) {
                closed.countDown();
            }
        };
        IoConnection c = runtime.open(client, settings().timeoutMultiplier(0).build(), null, listener);
        // One T->O packet ends the initial (10 s) watchdog; then silence times out at RPI x 4.
        target.sendToO(c.toConnectionId(), 1, 1, new byte[32]);
        await(() -> c.stats().received() == 1, "first T->O");
        long lastPacket = System.nanoTime();
        assertThat(timedOut.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - lastPacket).isGreaterThanOrEqualTo(30_000_000L);
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(c.isOpen()).isFalse();
        assertThat(c.timedOut()).isTrue();
        long sent = c.stats().sent();
        c.close();
        assertThat(target.closes).isEmpty();
        target.oToT.clear();
        assertThat(target.oToT.poll(100, TimeUnit.MILLISECONDS)).isNull();
        assertThat(c.stats().sent()).isEqualTo(sent);
    }

    @Test
    void closeSendsForwardCloseWithTheTriadAndPath() throws Exception {
        IoConnection c = open(settings().build());
        ForwardOpenRequest fo = target.opens.get(0).request();
        c.close();
        c.close();
        assertThat(target.closes).hasSize(1);
        assertThat(target.closes.get(0).triad()).isEqualTo(fo.triad());
        assertThat(target.closes.get(0).connectionPath()).isEqualTo(fo.connectionPath());
        assertThat(c.isOpen()).isFalse();
    }

    @Test
    void sizeRefusalNamesTheStatusAndTheAcceptedSize() throws Exception {
        target.onForwardOpen = fo -> ForwardOpenFailure.invalidSize(fo.triad(), 0, ExtendedStatus.INVALID_OT_SIZE, 22)
                .toResponse(fo.service());
        assertThatThrownBy(() -> open(settings().build()))
                .isInstanceOfSatisfying(ForwardOpenRefusedException.class, e -> {
                    assertThat(e.generalStatus()).isEqualTo(0x01);
                    assertThat(e.extendedStatus()).isEqualTo(0x0127);
                    assertThat(e.correctSize()).hasValue(22);
                    assertThat(e.getMessage()).contains("0x0127 invalid O->T size").contains("22 bytes");
                });
        // The failed open gave its port back: the runtime holds no endpoint.
        assertThat(runtime.droppedUnknown()).isZero();
    }

    @Test
    void rpiRefusalExposesTheAcceptableRpis() throws Exception {
        target.onForwardOpen = fo -> ForwardOpenFailure.rpiNotAcceptable(fo.triad(), 0,
                new ForwardOpenFailure.RpiRejection(ForwardOpenFailure.RPI_MINIMUM, ForwardOpenFailure.RPI_MINIMUM,
                        20_000, 20_000)).toResponse(fo.service());
        assertThatThrownBy(() -> open(settings().build()))
                .isInstanceOfSatisfying(ForwardOpenRefusedException.class, e -> {
                    assertThat(e.extendedStatus()).isEqualTo(ExtendedStatus.RPI_NOT_ACCEPTABLE);
                    assertThat(e.rpiRejection()).hasValueSatisfying(r -> assertThat(r.otRpiMicros()).isEqualTo(20_000));
                    assertThat(e.getMessage()).contains("RPI value(s) not acceptable");
                });
    }

    @Test
    void ownershipConflictIsNamed() {
        target.onForwardOpen = fo -> ForwardOpenFailure.of(fo.triad(), 0, ExtendedStatus.OWNERSHIP_CONFLICT)
                .toResponse(fo.service());
        assertThatThrownBy(() -> open(settings().build()))
                .isInstanceOf(ForwardOpenRefusedException.class)
                .hasMessageContaining("0x0106 ownership conflict");
    }

    @Test
    void targetWithoutSockaddrItemGetsO2TOnPort2222() throws Exception {
        target.announcePort = false;
        try (IoConnection c = open(settings().build())) {
            assertThat(c.otDestination()).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 2222));
        }
    }

    @Test
    void connectionsShareOneEndpointAndTheSharedRuntimeStopsWhenIdle() throws Exception {
        try (IoConnection a = open(settings().build()); IoConnection b = open(settings().build())) {
            assertThat(a.localPort()).isEqualTo(b.localPort());
            assertThat(a.toConnectionId()).isNotEqualTo(b.toConnectionId());
        }
        IoRuntime shared = IoRuntime.shared();
        IoConnection s = IoConnection.open(client, settings().build());
        assertThat(IoRuntime.shared()).isSameAs(shared);
        s.close();
        assertThat(IoRuntime.shared()).isNotSameAs(shared);
    }
}
