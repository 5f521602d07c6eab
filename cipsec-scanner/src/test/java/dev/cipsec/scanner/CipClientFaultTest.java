package dev.cipsec.scanner;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.EncapsulationStatus;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Client behaviour against scripted peers: errors, silence, stale replies and hang-ups. */
class CipClientFaultTest {
    private static final long SESSION = 0x1234_5678L;

    /** Answers RegisterSession, then lets {@code rest} handle everything else. */
    private static FakeEnipServer.Script registering(FakeEnipServer.Script rest) {
        return (req, out) -> {
            if (req.header().command() == EncapsulationCommand.REGISTER_SESSION) {
                FakeEnipServer.reply(out, req, SESSION, 0, req.data());
                return true;
            }
            return rest.onRequest(req, out);
        };
    }

    private static Bytes vendorReply() {
        MessageRouterResponse r = new MessageRouterResponse(0x0E, 0, List.of(), Bytes.of((byte) 0x34, (byte) 0x12));
        return new RrData(0, 0, new CpfPacket(List.of(new NullAddressItem(), new UnconnectedDataItem(r.toBytes())))).toBytes();
    }

    private static ClientOptions quick(Duration requestTimeout) {
        return ClientOptions.defaults().withConnectTimeout(Duration.ofSeconds(2)).withRequestTimeout(requestTimeout);
    }

    @Test
    void encapsulationErrorBecomesEncapsulationException() throws Exception {
        try (FakeEnipServer server = new FakeEnipServer((req, out) -> {
            FakeEnipServer.reply(out, req, 0, EncapsulationStatus.UNSUPPORTED_PROTOCOL_VERSION, Bytes.EMPTY);
            return true;
        })) {
            assertThatThrownBy(() -> CipClient.connect(server.target(), quick(Duration.ofSeconds(2))))
                    .isInstanceOfSatisfying(EncapsulationException.class, e -> {
                        assertThat(e.status()).isEqualTo(0x0069);
                        assertThat(e.command()).isEqualTo(EncapsulationCommand.REGISTER_SESSION);
                    });
        }
        try (FakeEnipServer server = new FakeEnipServer(registering((req, out) -> {
            FakeEnipServer.reply(out, req, SESSION, EncapsulationStatus.INVALID_SESSION_HANDLE, Bytes.EMPTY);
            return true;
        })); CipClient c = CipClient.connect(server.target(), quick(Duration.ofSeconds(2)))) {
            assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("1/1/1")))
                    .isInstanceOfSatisfying(EncapsulationException.class, e -> {
                        assertThat(e.status()).isEqualTo(0x0064);
                        assertThat(e.command()).isEqualTo(EncapsulationCommand.SEND_RR_DATA);
                        assertThat(e.getMessage()).contains("SendRRData");
                    });
        }
    }

    @Test
    void silentPeerTimesOutWithinTheDeadlineAndTheClientStillCloses() throws Exception {
        try (FakeEnipServer server = new FakeEnipServer(registering((req, out) -> true))) {
            CipClient c = CipClient.connect(server.target(), quick(Duration.ofMillis(300)));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("1/1/1")))
                    .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("no reply");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).isBetween(250L, 3_000L);
            c.close();
            // UnRegisterSession reached the peer even after the timeout.
            Await.until(Duration.ofSeconds(5), () -> server.received.stream()
                    .anyMatch(p -> p.header().command() == EncapsulationCommand.UNREGISTER_SESSION), "UnRegisterSession sent");
            assertThat(server.received.getLast().header().sessionHandle()).isEqualTo(SESSION);
        }
    }

    @Test
    void lateRepliesWithAStaleSenderContextAreSkipped() throws Exception {
        try (FakeEnipServer server = new FakeEnipServer(registering((req, out) -> {
            long ctx = req.header().senderContext();
            // First a reply to some older request, then one for another command with our context, then the real one.
            out.write(EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA, SESSION, 0, ctx + 1000, vendorReply()).toBytes().toArray());
            out.write(EncapsulationPacket.of(EncapsulationCommand.LIST_SERVICES, 0, 0, ctx, Bytes.fromHex("0000")).toBytes().toArray());
            FakeEnipServer.reply(out, req, SESSION, 0, vendorReply());
            return true;
        })); CipClient c = CipClient.connect(server.target(), quick(Duration.ofSeconds(2)))) {
            assertThat(c.getAttributeSingle(EPath.parse("1/1/1"))).isEqualTo(Bytes.of((byte) 0x34, (byte) 0x12));
            assertThat(c.getAttributeSingle(EPath.parse("1/1/1"))).isEqualTo(Bytes.of((byte) 0x34, (byte) 0x12));
        }
    }

    @Test
    void replyForAnotherServiceIsRejected() throws Exception {
        try (FakeEnipServer server = new FakeEnipServer(registering((req, out) -> {
            FakeEnipServer.reply(out, req, SESSION, 0, vendorReply());
            return true;
        })); CipClient c = CipClient.connect(server.target(), quick(Duration.ofSeconds(2)))) {
            assertThatThrownBy(() -> c.getAttributesAll(EPath.parse("1/1")))
                    .isInstanceOf(IOException.class).hasMessageContaining("does not answer");
        }
    }

    @Test
    void peerHangingUpGivesAClearIOException() throws Exception {
        try (FakeEnipServer server = new FakeEnipServer(registering((req, out) -> false))) {
            CipClient c = CipClient.connect(server.target(), quick(Duration.ofSeconds(2)));
            assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("1/1/1")))
                    .isInstanceOf(IOException.class).hasMessageContaining("connection closed by " + server.target());
            assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("1/1/1")))
                    .isInstanceOf(IOException.class).hasMessageContaining("closed");
            c.close();
        }
    }

    @Test
    void sessionHandleZeroIsRefused() throws Exception {
        try (FakeEnipServer server = new FakeEnipServer((req, out) -> {
            FakeEnipServer.reply(out, req, 0, 0, req.data());
            return true;
        })) {
            assertThatThrownBy(() -> CipClient.connect(server.target(), quick(Duration.ofSeconds(2))))
                    .isInstanceOf(IOException.class).hasMessageContaining("handle 0");
        }
    }

    @Test
    void malformedReplyIsAnIOException() throws Exception {
        try (FakeEnipServer server = new FakeEnipServer(registering((req, out) -> {
            // A SendRRData whose data is too short for its CPF: framing holds, contents do not.
            FakeEnipServer.reply(out, req, SESSION, 0, Bytes.fromHex("00000000"));
            return true;
        })); CipClient c = CipClient.connect(server.target(), quick(Duration.ofSeconds(2)))) {
            assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("1/1/1")))
                    .isInstanceOf(IOException.class).hasMessageContaining("malformed");
        }
    }

    @Test
    void defectiveOpenerListIdentityOverTcpIsRecoveredAndReported() throws Exception {
        // Frame 8: the OpENer CIP Security build's TCP reply. Its length field (49) covers the identity
        // item only; the 11 bytes of the security item follow in the same segment, outside the frame.
        byte[] reply = Fixtures.frame("opener-cs-listidentity.hex", 8).payload();
        assertThat(reply).hasSize(84);
        try (FakeEnipServer server = new FakeEnipServer((req, out) -> {
            byte[] r = reply.clone();
            System.arraycopy(req.toBytes().toArray(), 12, r, 12, 8);
            out.write(r);
            return true;
        }); CipClient c = CipClient.open(server.target(), quick(Duration.ofSeconds(2)))) {
            ListIdentityResult r = c.listIdentity();
            assertThat(r.conforming()).isFalse();
            assertThat(r.nonConformities()).anySatisfy(n -> assertThat(n).contains("length field says 49"));
            assertThat(r.identity()).hasValueSatisfying(id -> {
                assertThat(id.productName()).isEqualTo("OpENer PC");
                assertThat(id.serialNumber()).isEqualTo(0x075BCD15L);
            });
            // The security item that followed the frame was read too, so the stream stays in step.
            assertThat(r.security()).hasValueSatisfying(sec -> {
                assertThat(sec.securityProfiles()).isEqualTo(0x0002);
                assertThat(sec.ianaPortState()).isEqualTo(0x03);
            });
            ListIdentityResult again = c.listIdentity();
            assertThat(again.security()).as("a second request on the same stream reads cleanly").isPresent();
        }
    }

    @Test
    void shortListIdentityWithoutTheRestClosesTheClient() throws Exception {
        // Only the 73 bytes the length field covers: the promised second item never comes.
        byte[] reply = java.util.Arrays.copyOf(Fixtures.frame("opener-cs-listidentity.hex", 8).payload(), 73);
        try (FakeEnipServer server = new FakeEnipServer((req, out) -> {
            byte[] r = reply.clone();
            System.arraycopy(req.toBytes().toArray(), 12, r, 12, 8);
            out.write(r);
            return true;
        }); CipClient c = CipClient.open(server.target(), quick(Duration.ofSeconds(2)))) {
            ListIdentityResult r = c.listIdentity();
            assertThat(r.identity()).isPresent();
            assertThat(r.security()).isEmpty();
            assertThat(r.nonConformities()).anySatisfy(n -> assertThat(n).contains("item count says 2 but only 1 fit"));
            assertThatThrownBy(c::listIdentity).isInstanceOf(IOException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void refusedConnectionIsAnIOException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> CipClient.connect(new Target("127.0.0.1", port, false), quick(Duration.ofSeconds(1))))
                .isInstanceOf(IOException.class);
    }
}
