package dev.cipsec.adapter;

import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.SockaddrItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.RrData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the Forward_Open and Forward_Close requests OpENer's client sent (fixtures
 * opener-io-*.hex, frames 8 and 211) against a device configured like OpENer's sample application
 * and compares the replies with OpENer's (frames 9 and 212). Deliberate differences: the O→T
 * connection id (chosen by the target), the I/O port in the O→T Sockaddr item (ephemeral here),
 * and the T→O Sockaddr item, which OpENer echoes for point-to-point and we send only for
 * multicast (docs/io.md).
 */
class OpenerIoReplayTest {
    /** Header 24, interface and timeout 6, item count 2, Null item 4, data item header 4, MR header 6, then 18 bytes. */
    private static final int TIMEOUT_MULTIPLIER = 24 + 6 + 2 + 4 + 4 + 6 + 18;

    private CipDevice device;

    @BeforeEach
    void start() throws Exception {
        device = TestDevices.startOpenerLike();
    }

    @AfterEach
    void stop() {
        device.close();
    }

    private record Reply(MessageRouterResponse mr, CpfPacket cpf) {
        static Reply of(byte[] frame) throws Exception {
            EncapsulationPacket p = EncapsulationPacket.decode(frame);
            CpfPacket cpf = RrData.decode(p.data()).cpf();
            UnconnectedDataItem item = cpf.first(UnconnectedDataItem.class).orElseThrow();
            return new Reply(MessageRouterResponse.decode(item.data()), cpf);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"opener-io-exclusive-owner.hex", "opener-io-input-only.hex", "opener-io-large-forward-open.hex"})
    void forwardOpenAndCloseRepliesMatchOpeners(String file) throws Exception {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            long session = c.registerSession();
            byte[] request = Frames.rewriteOpenerSession(Frames.payload(file, 8), session);
            // The capture's multiplier 0 gives 40 ms without O->T before the connection times out; this
            // test sends no O->T, so the multiplier becomes 7 (x512). It is not echoed in the reply.
            assertThat(request[TIMEOUT_MULTIPLIER]).isZero();
            request[TIMEOUT_MULTIPLIER] = 7;
            c.send(request);
            Reply ours = Reply.of(c.readFrame());
            Reply theirs = Reply.of(Frames.payload(file, 9));

            assertThat(ours.mr().service()).isEqualTo(theirs.mr().service());
            assertThat(ours.mr().generalStatus()).isEqualTo(theirs.mr().generalStatus()).isZero();
            ForwardOpenResponse o = ForwardOpenResponse.decode(WireReader.of(ours.mr().data().toArray()));
            ForwardOpenResponse t = ForwardOpenResponse.decode(WireReader.of(theirs.mr().data().toArray()));
            assertThat(o.toConnectionId()).isEqualTo(t.toConnectionId());
            assertThat(o.triad()).isEqualTo(t.triad());
            assertThat(o.otApiMicros()).isEqualTo(t.otApiMicros());
            assertThat(o.toApiMicros()).isEqualTo(t.toApiMicros());
            assertThat(o.applicationReply()).isEqualTo(t.applicationReply());
            assertThat(ours.mr().data().length()).isEqualTo(theirs.mr().data().length());

            SockaddrItem ourOt = ours.cpf().all(SockaddrItem.class).get(0);
            SockaddrItem theirOt = theirs.cpf().all(SockaddrItem.class).get(0);
            assertThat(ourOt.typeId()).isEqualTo(theirOt.typeId()).isEqualTo(SockaddrItem.O_TO_T);
            assertThat(ourOt.family()).isEqualTo(theirOt.family());
            assertThat(ourOt.address()).isEqualTo(theirOt.address());
            assertThat(ourOt.zero()).isEqualTo(theirOt.zero());
            assertThat(theirOt.port()).isEqualTo(2222);
            assertThat(ourOt.port()).isEqualTo(device.ioAddress().getPort());
            assertThat(device.ioConnectionCount()).isEqualTo(1);

            c.send(Frames.rewriteOpenerSession(Frames.payload(file, 211), session));
            Reply closeOurs = Reply.of(c.readFrame());
            Reply closeTheirs = Reply.of(Frames.payload(file, 212));
            assertThat(closeOurs.mr()).isEqualTo(closeTheirs.mr());
            assertThat(closeOurs.cpf()).isEqualTo(closeTheirs.cpf());
            assertThat(device.ioConnectionCount()).isZero();
        }
    }
}
