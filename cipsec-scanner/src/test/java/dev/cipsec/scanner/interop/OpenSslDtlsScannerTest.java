package dev.cipsec.scanner.interop;

import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.scanner.io.DtlsTarget;
import dev.cipsec.scanner.io.IoConnection;
import dev.cipsec.scanner.io.IoListener;
import dev.cipsec.scanner.io.IoRuntime;
import dev.cipsec.scanner.io.IoSettings;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.OpenSslProcess;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsSessionInfo;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ForwardCloseRequest;
import dev.cipsec.wire.cm.ForwardCloseResponse;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.UnconnectedMessageUdpItem;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.LogicalSegment;
import dev.cipsec.wire.epath.LogicalType;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.io.IoFrameView;
import dev.cipsec.wire.io.RunIdleHeader;
import dev.cipsec.wire.io.SequenceCounters;
import dev.cipsec.wire.testkit.Await;
import dev.cipsec.wire.testkit.CpfPacketStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our scanner's DTLS I/O against a third-party DTLS server: {@code openssl s_server -dtls1_2
 * -quiet} prints the payload of every record it receives to its stdout and turns each write to
 * its stdin into one record, so the test plays the target through it. A {@link DtlsTarget} sends
 * its Forward_Open in item 0x8003; the test reads it, lets the scanner retransmit it once, answers
 * once, then checks the O->T frames the scanner produces, feeds T->O frames one per write (each
 * seen by the scanner before the next, so that no two writes merge into one record), and answers
 * the Forward_Close.
 */
class OpenSslDtlsScannerTest {
    static final PskCredential PSK = PskCredential.of("scanner-cell", Bytes.fromHex("0f1e2d3c4b5a69788796a5b4c3d2e1f0"));
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Duration RPI = Duration.ofMillis(20);
    static final long RPI_MICROS = 20_000;
    /** The O->T id is the target's choice for a point-to-point O->T connection (reference §2.8). */
    static final long OT_ID = 0x4F54_0001L;
    static final int OT_SIZE = 16;
    static final int TO_SIZE = 8;

    @TempDir
    Path dir;

    @Test
    void class1ConnectionToOpensslWithPsk() throws Exception {
        CipherSuite suite = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256;
        TlsPolicy policy = TlsPolicy.builder().psk(PSK).suites(suite).build();
        class1ConnectionToOpenssl(policy, suite, info -> assertThat(info.pskIdentity()).contains(PSK.identityText()),
                "-nocert", "-psk_identity", PSK.identityText(), "-psk", PSK.key().toHex());
    }

    @Test
    void class1ConnectionToOpensslWithCertificates() throws Exception {
        CipherSuite suite = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
        Identity target = TestPki.selfSigned(KeyType.EC_P256, "openssl-target");
        Path crt = TestPki.writeIdentity(dir, "target", target);
        TlsPolicy policy = TlsPolicy.builder().suites(suite).peerVerifier(PeerVerifier.trusting(
                TrustStore.of(List.of(target.certificate()), List.of(), List.of()), false)).build();
        class1ConnectionToOpenssl(policy, suite, info -> assertThat(info.pskIdentity()).isEmpty(),
                "-cert", crt.toString(), "-key", dir.resolve("target.key").toString());
    }

    private void class1ConnectionToOpenssl(TlsPolicy policy, CipherSuite suite, Consumer<TlsSessionInfo> session,
                                           String... credentials) throws Exception {
        int port = freeUdpPort();
        List<String> args = new ArrayList<>(List.of("s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port, "-quiet",
                "-cipher", suite.opensslName().orElseThrow()));
        args.addAll(List.of(credentials));
        // A slow host must not turn the deliberately awaited retransmission into a timeout.
        ClientOptions options = ClientOptions.defaults().withTls(policy).withRequestTimeout(WAIT);
        IoSettings settings = IoSettings.builder().rpi(RPI).timeoutMultiplier(7).otSize(OT_SIZE).toSize(TO_SIZE)
                .build();
        List<byte[]> inputs = new CopyOnWriteArrayList<>();
        List<String> events = new CopyOnWriteArrayList<>();
        IoListener listener = new IoListener() {
            @Override
            public void timedOut(IoConnection connection) {
                events.add("timedOut");
            }

            @Override
            public void closed(IoConnection connection) {
                events.add("closed");
            }
        };

        OpenSslProcess server = OpenSslProcess.startRaw(args.toArray(String[]::new));
        ExecutorService caller = Executors.newVirtualThreadPerTaskExecutor();
        try (CpfPacketStream out = CpfPacketStream.of(server.stdout());
             IoRuntime runtime = IoRuntime.create("openssl-scanner");
             // s_server -quiet prints no line when it listens: a ClientHello it missed is retransmitted.
             DtlsTarget target = DtlsTarget.connect(new Target("127.0.0.1", port, true), options)) {
            assertThat(target.session()).hasValueSatisfying(info -> {
                assertThat(info.suite()).isEqualTo(suite);
                session.accept(info);
            });
            Future<IoConnection> opening = caller.submit(() -> runtime.open(target, settings,
                    (buf, off, len) -> inputs.add(Arrays.copyOfRange(buf, off, off + len)), listener));

            // 1. Forward_Open in item 0x8003, repeated unanswered with the same transaction id, answered once.
            byte[] request = out.next(p -> ucmm(p) != null, WAIT, "the Forward_Open request");
            CpfPacket cpf = CpfPacket.decode(WireReader.of(request));
            assertThat(cpf.items()).as("one item 0x8003, no Sockaddr items over DTLS").hasSize(1);
            UnconnectedMessageUdpItem item = ucmm(request);
            assertThat(item.response()).isFalse();
            ForwardOpenRequest fo = ForwardOpenRequest.fromRequest(MessageRouterRequest.decode(item.message()));
            assertForwardOpen(fo, settings);
            out.next(p -> sameRequest(p, request), WAIT, "the retransmitted Forward_Open");

            ForwardOpenResponse ok = new ForwardOpenResponse(OT_ID, fo.toConnectionId(), fo.triad(), fo.otRpiMicros(),
                    fo.toRpiMicros(), Bytes.EMPTY);
            server.write(reply(item, ok.toResponse(false)));
            IoConnection c = opening.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(c.otConnectionId()).isEqualTo(OT_ID);
            assertThat(c.toConnectionId()).isEqualTo(fo.toConnectionId());
            assertThat(c.triad()).isEqualTo(fo.triad());
            assertThat(c.otDestination()).as("O->T goes into the session").isEqualTo(
                    new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            assertThat(target.stats().requests()).isEqualTo(1);
            assertThat(target.stats().retransmissions()).isPositive();
            assertThat(target.stats().replies()).isEqualTo(1);

            // 2. O->T: our id, encapsulation sequence always newer, the run/idle header and data set last.
            IoFrameView view = new IoFrameView();
            OtWatch ot = new OtWatch(view, request);
            byte[] output = pattern(OT_SIZE, 0x20);
            c.setOutput(output);
            int firstCip = ot.until(out, RunIdleHeader.RUN_BIT, output);
            byte[] idleOutput = pattern(OT_SIZE, 0x60);
            c.setRun(false);
            c.setOutput(idleOutput);
            int secondCip = ot.until(out, 0, idleOutput);
            assertThat(SequenceCounters.isNewer16(secondCip, firstCip)).as("CIP sequence advanced with new data")
                    .isTrue();

            // 3. T->O: one frame per write, each seen before the next is written.
            byte[] frame = new byte[IoFrame.frameLength(true, TO_SIZE)];
            for (int seq = 1; seq <= 5; seq++) {
                byte[] data = pattern(TO_SIZE, 0x80 + seq);
                int n = IoFrame.encode(frame, 0, c.toConnectionId(), seq, seq, data, 0, data.length);
                server.write(Arrays.copyOf(frame, n));
                Await.until(WAIT, () -> c.latestInput().map(v -> Arrays.equals(v, data)).orElse(false),
                        "T->O sequence " + seq + " in latestInput()");
            }
            // The handler runs just after latestInput() is updated: wait for the fifth call rather than race it.
            Await.until(WAIT, () -> inputs.size() >= 5, "the input handler called five times");
            assertThat(inputs).hasSize(5);
            for (int seq = 1; seq <= 5; seq++) {
                assertThat(inputs.get(seq - 1)).as("onInput %d", seq).isEqualTo(pattern(TO_SIZE, 0x80 + seq));
            }
            assertThat(c.stats().received()).isEqualTo(5);
            assertThat(c.stats().dropped()).isZero();
            assertThat(c.stats().lost()).isZero();
            assertThat(c.isOpen()).isTrue();

            // 4. Forward_Close in item 0x8003 names the connection's triad; answered, close() returns.
            Future<?> closing = caller.submit(() -> {
                c.close();
                return null;
            });
            byte[] closeRequest = out.next(p -> isForwardClose(p, request), WAIT, "the Forward_Close request");
            UnconnectedMessageUdpItem closeItem = ucmm(closeRequest);
            ForwardCloseRequest fc = ForwardCloseRequest.fromRequest(MessageRouterRequest.decode(closeItem.message()));
            assertThat(fc.triad()).isEqualTo(fo.triad());
            assertThat(fc.connectionPath()).isEqualTo(fo.connectionPath());
            assertThat(closeItem.transactionId()).isNotEqualTo(item.transactionId());
            server.write(reply(closeItem, new ForwardCloseResponse(fc.triad(), Bytes.EMPTY).toResponse()));
            closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(c.isOpen()).isFalse();
            Await.until(WAIT, () -> events.contains("closed"), "the listener's closed event");
            assertThat(events).containsExactly("closed");
            DtlsTarget.Stats stats = target.stats();
            assertThat(stats.requests()).isEqualTo(2);
            assertThat(stats.replies()).isEqualTo(2);
            assertThat(stats.unmatchedReplies()).isZero();
            assertThat(stats.malformed()).isZero();
            assertThat(stats.malformedIo()).isZero();
            assertThat(stats.unknownConnection()).isZero();
            assertThat(stats.handshakes()).as("one session throughout").isEqualTo(1);
        } finally {
            caller.shutdownNow();
            server.close();
        }
    }

    /** What {@link IoSettings} asked for: class 1 cyclic, both RPIs, x512, 151/150/100, point-to-point sizes. */
    private static void assertForwardOpen(ForwardOpenRequest fo, IoSettings settings) {
        assertThat(fo.large()).isFalse();
        assertThat(fo.trigger().transportClass()).isEqualTo(1);
        assertThat(fo.trigger().server()).isFalse();
        assertThat(fo.otRpiMicros()).isEqualTo(RPI_MICROS);
        assertThat(fo.toRpiMicros()).isEqualTo(RPI_MICROS);
        assertThat(fo.timeoutMultiplier()).isEqualTo(7);
        assertThat(fo.otParameters()).isEqualTo(NetworkConnectionParameters.pointToPoint(2 + 4 + OT_SIZE));
        assertThat(fo.toParameters()).isEqualTo(NetworkConnectionParameters.pointToPoint(2 + TO_SIZE));
        assertThat(fo.connectionPath()).isEqualTo(settings.connectionPath()).isEqualTo(EPath.of(
                LogicalSegment.of(LogicalType.CLASS, 4), LogicalSegment.of(LogicalType.INSTANCE, 151),
                LogicalSegment.of(LogicalType.CONNECTION_POINT, 150), LogicalSegment.of(LogicalType.CONNECTION_POINT, 100)));
        assertThat(fo.originatorVendorId()).isEqualTo(ClientOptions.defaults().vendorId());
    }

    /**
     * Follows the O->T frames across calls: each must carry {@link #OT_ID} and a newer encapsulation
     * sequence than the one before; a UCMM packet among them may only be a late copy of the
     * Forward_Open, which the scanner sent again before our one reply reached it.
     */
    private static final class OtWatch {
        private final IoFrameView view;
        private final byte[] forwardOpen;
        private boolean haveEncap;
        private long lastEncap;

        OtWatch(IoFrameView view, byte[] forwardOpen) {
            this.view = view;
            this.forwardOpen = forwardOpen;
        }

        /** Reads O->T frames until one carries {@code header} and {@code data}; returns its CIP sequence count. */
        int until(CpfPacketStream out, int header, byte[] data) {
            out.next(p -> {
                if (!isIoFrame(p)) {
                    assertThat(sameRequest(p, forwardOpen)).as("only repeats of the Forward_Open among O->T frames")
                            .isTrue();
                    return false;
                }
                check(p);
                int h = RunIdleHeader.read(view.buffer(), view.dataOffset());
                byte[] d = Arrays.copyOfRange(view.buffer(), view.dataOffset() + RunIdleHeader.LENGTH,
                        view.dataOffset() + view.dataLength());
                return h == header && Arrays.equals(d, data);
            }, WAIT, "an O->T frame with header " + header + " and the data set");
            return view.cipSequence();
        }

        private void check(byte[] p) {
            try {
                view.wrap(p, 0, p.length);
            } catch (WireFormatException e) {
                throw new AssertionError("malformed O->T frame: " + e.getMessage(), e);
            }
            assertThat(view.connectionId()).as("O->T connection id").isEqualTo(OT_ID);
            assertThat(view.dataLength()).as("run/idle header + O->T data").isEqualTo(RunIdleHeader.LENGTH + OT_SIZE);
            long encap = view.encapSequence();
            if (haveEncap) {
                assertThat(SequenceCounters.isNewer32(encap, lastEncap)).as("encapsulation sequence %d after %d", encap,
                        lastEncap).isTrue();
            }
            haveEncap = true;
            lastEncap = encap;
        }
    }

    /** The 0x8003 item of a UCMM packet, or null for an I/O frame. */
    private static UnconnectedMessageUdpItem ucmm(byte[] packet) {
        if (isIoFrame(packet)) {
            return null;
        }
        try {
            return CpfPacket.decode(WireReader.of(packet)).first(UnconnectedMessageUdpItem.class).orElseThrow(
                    () -> new AssertionError("a CPF packet from the scanner that is neither I/O nor UCMM"));
        } catch (WireFormatException e) {
            throw new AssertionError("malformed CPF packet from the scanner: " + e.getMessage(), e);
        }
    }

    private static boolean isIoFrame(byte[] p) {
        return p.length >= 4 && ((p[2] & 0xFF) | (p[3] & 0xFF) << 8) == IoFrame.SEQUENCED_ADDRESS_ITEM;
    }

    private static boolean sameRequest(byte[] p, byte[] request) {
        return !isIoFrame(p) && Arrays.equals(p, request);
    }

    /** A Forward_Close request; anything else but O->T frames and Forward_Open repeats fails the test. */
    private static boolean isForwardClose(byte[] p, byte[] forwardOpen) {
        if (isIoFrame(p) || Arrays.equals(p, forwardOpen)) {
            return false;
        }
        UnconnectedMessageUdpItem item = ucmm(p);
        assertThat(item.response()).isFalse();
        try {
            assertThat(MessageRouterRequest.decode(item.message()).service()).isEqualTo(ServiceCodes.FORWARD_CLOSE);
        } catch (WireFormatException e) {
            throw new AssertionError("malformed UCMM request: " + e.getMessage(), e);
        }
        return true;
    }

    /** The request's CPF packet with its 0x8003 item turned into the response: same type, transaction id, status 0. */
    private static byte[] reply(UnconnectedMessageUdpItem request, MessageRouterResponse response) {
        return CpfPacket.of(new UnconnectedMessageUdpItem(true, request.messageType(), request.transactionId(), 0,
                response.toBytes())).toBytes().toArray();
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + 7 * i);
        }
        return b;
    }

    /** s_server -quiet prints no ACCEPT line to learn port 0 from: a loopback UDP port free a moment ago. */
    private static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return probe.getLocalPort();
        }
    }
}
