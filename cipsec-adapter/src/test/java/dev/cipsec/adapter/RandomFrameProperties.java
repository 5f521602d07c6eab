package dev.cipsec.adapter;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationHeader;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RrData;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whatever well-framed-looking garbage a peer sends, the device survives it: the connection ends
 * once the peer has stopped sending, a fresh connection is still served, and no connection is
 * leaked.
 */
class RandomFrameProperties {
    private static final Duration WAIT = Duration.ofSeconds(3);
    private static final int[] COMMANDS = {
            EncapsulationCommand.NOP, EncapsulationCommand.LIST_SERVICES, EncapsulationCommand.LIST_IDENTITY,
            EncapsulationCommand.LIST_INTERFACES, EncapsulationCommand.REGISTER_SESSION, EncapsulationCommand.UNREGISTER_SESSION,
            EncapsulationCommand.SEND_RR_DATA, EncapsulationCommand.SEND_UNIT_DATA, EncapsulationCommand.START_DTLS, 0x00FE};

    private static CipDevice device;

    @BeforeContainer
    static void start() throws IOException {
        device = TestDevices.start(AdapterLimits.defaults().withMaxFrameSize(2048));
    }

    @AfterContainer
    static void stop() {
        if (device != null) {
            device.close();
        }
    }

    /** One frame: a header whose length may disagree with the body that follows it. */
    record RawFrame(int command, long session, boolean useOurSession, long status, long options, int declaredLength, byte[] body) {
        byte[] bytes(long ourSession) {
            long s = useOurSession ? ourSession : session;
            byte[] b = new byte[24 + body.length];
            EncapsulationHeader h = new EncapsulationHeader(command, 0, s, status, 0x1122334455667788L, options);
            dev.cipsec.wire.buf.WireWriter.into(b, 0).u16(command).u16(declaredLength).u32(h.sessionHandle()).u32(status)
                    .i64(h.senderContext()).u32(options);
            System.arraycopy(body, 0, b, 24, body.length);
            return b;
        }

        @Override
        public String toString() {
            return String.format("cmd=0x%04X len=%d body=%d session=%s status=0x%X options=0x%X", command, declaredLength,
                    body.length, useOurSession ? "ours" : Long.toHexString(session), status, options);
        }
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> unconnected = Arbitraries.bytes().array(byte[].class).ofMaxSize(60)
                .map(mr -> RrData.unconnected(0, Bytes.of(mr)).toBytes().toArray());
        Arbitrary<byte[]> connected = Combinators.combine(Arbitraries.longs().between(0, 0xFFFF_FFFFL),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(60))
                .as((id, data) -> RrData.connected(id, Bytes.of(data)).toBytes().toArray());
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, random), net.jqwik.api.Tuple.of(2, unconnected), net.jqwik.api.Tuple.of(1, connected));
    }

    @Provide
    Arbitrary<RawFrame> frames() {
        Arbitrary<Integer> command = Arbitraries.oneOf(Arbitraries.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10).map(i -> COMMANDS[i - 1]),
                Arbitraries.integers().between(0, 0xFFFF));
        Arbitrary<Long> session = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, 0xFFFF_FFFFL));
        Arbitrary<Long> status = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, 0xFFFF_FFFFL));
        Arbitrary<Long> options = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(9, Arbitraries.just(0L)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 0xFFFF_FFFFL)));
        Arbitrary<Integer> lengthSkew = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(-8, 8)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF)));
        return Combinators.combine(command, session, Arbitraries.of(true, false), status, options, lengthSkew, bodies())
                .as((c, s, ours, st, o, skew, body) -> new RawFrame(c, s, ours, st, o,
                        skew > 16 ? skew : Math.max(0, Math.min(0xFFFF, body.length + skew)), body));
    }

    @Provide
    Arbitrary<List<RawFrame>> frameLists() {
        return frames().list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 200)
    void randomFramesNeverBreakTheDevice(@ForAll("frameLists") List<RawFrame> frames, @ForAll boolean registerFirst)
            throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            long session = registerFirst ? c.registerSession() : 0;
            try {
                for (RawFrame f : frames) {
                    c.send(f.bytes(session));
                }
                c.socket().shutdownOutput();
            } catch (SocketException deviceClosedFirst) {
                // The device may close as soon as one frame is fatal (bad length, oversize): fine.
            }
            drainUntilClosed(c.socket());
        }
        try (RawClient fresh = RawClient.connect(device.tcpAddress())) {
            EncapsulationPacket reply = fresh.exchange(fresh.packet(EncapsulationCommand.LIST_IDENTITY, 0, Bytes.EMPTY));
            assertThat(reply.header().status()).isEqualTo(EncapsulationStatus.SUCCESS);
        }
        Await.until(WAIT, () -> device.tcpStats().active() == 0, "no connection left open");
        assertThat(device.tcpStats().handlerFailures()).as("no handler ended with an exception").isZero();
        assertThat(device.sessionCount()).isZero();
    }

    /** After our EOF the device must close its side too; whatever it still sends is read and dropped. */
    private static void drainUntilClosed(Socket s) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("device kept the connection open after the peer's EOF");
                }
                s.setSoTimeout((int) Math.max(1, left / 1_000_000));
                if (in.read(buf) < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            fail("device kept the connection open after the peer's EOF");
        } catch (SocketException reset) {
            // Closed with our unread bytes pending: a reset is a close too.
        }
    }
}
