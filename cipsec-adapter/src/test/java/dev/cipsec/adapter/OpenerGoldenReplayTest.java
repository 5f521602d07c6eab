package dev.cipsec.adapter;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static dev.cipsec.adapter.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the requests of the OpENer captures against a device configured like OpENer's sample
 * application and compares our replies with OpENer's, frame for frame.
 *
 * <p>Differences that are deliberate, and so excluded from the byte comparison:
 * <ul>
 *   <li>the session handle (OpENer counts from 1, we hand out random handles);</li>
 *   <li>the ListIdentity sockaddr: OpENer reports 0.0.0.0:44818 on {@code lo}; we report the address
 *       and port the request came in on.</li>
 * </ul>
 * ListServices is byte-equal: both advertise 0x0120 (CIP over TCP + class 0/1 over UDP).
 * UnRegisterSession is the same on both sides: no reply, the target closes the connection.
 */
class OpenerGoldenReplayTest {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);

    private CipDevice device;

    @BeforeEach
    void start() throws IOException {
        device = TestDevices.startOpenerLike();
    }

    @AfterEach
    void stop() {
        device.close();
    }

    /**
     * Sends every to-adapter frame of {@code frames} on one connection and checks the reply that
     * follows it in the capture. A request that OpENer did not answer
     * (UnRegisterSession) must close our connection too.
     */
    private void replay(RawClient c, List<Fixtures.Frame> frames) throws IOException {
        long ours = 0;
        for (int i = 0; i < frames.size(); i++) {
            Fixtures.Frame req = frames.get(i);
            if (!req.toAdapter()) {
                continue;
            }
            c.send(Frames.rewriteOpenerSession(req.payload(), ours));
            boolean answered = i + 1 < frames.size() && !frames.get(i + 1).toAdapter();
            if (!answered) {
                assertThat(EncapsulationPacket.frameLength(req.payload(), 0)).isEqualTo(req.payload().length);
                assertThat(req.payload()[0]).as("only UnRegisterSession goes unanswered")
                        .isEqualTo((byte) EncapsulationCommand.UNREGISTER_SESSION);
                c.assertClosedWithin(CLOSE_WAIT);
                return;
            }
            Fixtures.Frame expected = frames.get(i + 1);
            byte[] got = c.readFrame();
            if (ours == 0 && req.payload()[0] == (byte) EncapsulationCommand.REGISTER_SESSION && Frames.session(got) != 0) {
                ours = Frames.session(got);
            }
            assertThat(hex(got)).as("reply to frame %d (OpENer frame %d)", req.number(), expected.number())
                    .isEqualTo(hex(Frames.rewriteOpenerSession(expected.payload(), ours)));
        }
    }

    @Test
    void explicitMessagingRepliesEqualOpenersFrameForFrame() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            replay(c, Fixtures.load("opener-explicit.hex"));
        }
        assertThat(device.assembly(100).data()).isEqualTo(device.assembly(150).data());
        Await.until(CLOSE_WAIT, () -> device.sessionCount() == 0, "session gone with UnRegisterSession");
    }

    @Test
    void encapsulationErrorRepliesEqualOpeners() throws IOException {
        List<Fixtures.Frame> frames = Fixtures.load("opener-encap-errors.hex");
        // First connection: frames 4..14; second: 21 and 23 (OpENer keeps it open, so do we).
        List<Fixtures.Frame> first = frames.stream().filter(f -> f.number() <= 14).toList();
        List<Fixtures.Frame> second = frames.stream().filter(f -> f.number() >= 21).toList();
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            replay(c, first);
        }
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            replay(c, second);
            c.registerSession();
            c.assertUsable();
        }
    }

    @Test
    void listIdentityOverTcpEqualsOpenersExceptTheSockaddr() throws IOException, WireFormatException {
        byte[] request = Frames.payload("opener-listidentity-tcp.hex", 4);
        byte[] expected = Frames.payload("opener-listidentity-tcp.hex", 6);
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.send(request);
            byte[] got = c.readFrame();
            assertThat(hex(java.util.Arrays.copyOf(got, 24))).as("header").isEqualTo(hex(java.util.Arrays.copyOf(expected, 24)));
            CipIdentityItem ours = identityItem(got);
            CipIdentityItem theirs = identityItem(expected);
            assertThat(theirs.sinPort()).isEqualTo(44818);
            assertThat(theirs.sinAddress()).isZero();
            assertThat(ours.sinPort()).isEqualTo(device.tcpAddress().getPort());
            assertThat(ours.inetAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
            assertThat(ours).usingRecursiveComparison().ignoringFields("sinPort", "sinAddress").isEqualTo(theirs);
            // Apart from port and address (item data offsets 4..9), the bytes agree too.
            for (int i : new int[] {24 + 6 + 4, 24 + 6 + 5, 24 + 6 + 6, 24 + 6 + 7, 24 + 6 + 8, 24 + 6 + 9}) {
                got[i] = expected[i];
            }
            assertThat(hex(got)).isEqualTo(hex(expected));
        }
    }

    private static CipIdentityItem identityItem(byte[] frame) throws WireFormatException {
        EncapsulationPacket p = EncapsulationPacket.decode(frame);
        CpfPacket cpf = CpfPacket.decode(dev.cipsec.wire.buf.WireReader.of(p.data().toArray()));
        assertThat(cpf.items()).hasSize(1);
        return (CipIdentityItem) cpf.get(0);
    }

    @Test
    void listServicesOverTcpEqualsOpeners() throws IOException {
        byte[] request = Frames.payload("opener-listidentity-tcp.hex", 8);
        byte[] expected = Frames.payload("opener-listidentity-tcp.hex", 9);
        // Capability flags sit after header (24), item count (2), type and length (4), version (2).
        int flags = 24 + 2 + 4 + 2;
        assertThat(expected[flags] & 0xFF | (expected[flags + 1] & 0xFF) << 8).isEqualTo(0x0120);
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.send(request);
            assertThat(hex(c.readFrame())).isEqualTo(hex(expected));
        }
    }
}
