package dev.cipsec.adapter;

import dev.cipsec.transport.dtls.DtlsClientPort;
import dev.cipsec.transport.dtls.RawDtls;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedMessageUdpItem;
import dev.cipsec.wire.io.IoFrame;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood of ClientHellos without cookies from many source ports while a class 1 connection runs
 * over DTLS: the device answers each with a HelloVerifyRequest and keeps no state for any of them,
 * and the live connection goes on producing and consuming with no timeout. (How much its timing
 * moves is measured by the benchmark, not asserted here.)
 */
class DtlsFloodTest {
    static final PskCredential PSK = PskCredential.of("flooded", Bytes.fromHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"));
    static final long RPI = 10_000;

    @Test
    void cookielessHellosCreateNoStateAndLiveIoGoesOn() throws Exception {
        TlsPolicy policy = TlsPolicy.builder().psk(PSK).suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).build();
        BlockingQueue<Long> toArrivals = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> ucmm = new LinkedBlockingQueue<>();
        try (CipDevice device = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(policy).withDtlsPort(0))
                .onEphemeralPorts())) {
            InetSocketAddress dtls = device.dtlsAddress();
            long[] toId = {-1};
            try (DtlsClientPort client = DtlsClientPort.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), dtls,
                    1500, "flooded", policy, Duration.ofSeconds(12), (buf, off, len, from) -> {
                        byte[] d = java.util.Arrays.copyOfRange(buf, off, off + len);
                        try {
                            // T->O may start before the Forward_Open reply is here: sort by content, not by order.
                            if (CpfPacket.decode(WireReader.of(d)).first(UnconnectedMessageUdpItem.class).isPresent()) {
                                ucmm.add(d);
                            } else if (IoFrame.decode(WireReader.of(d), true).connectionId() == toId[0]) {
                                toArrivals.add(System.nanoTime());
                            }
                        } catch (dev.cipsec.wire.buf.WireFormatException e) {
                            throw new AssertionError("undecodable datagram from the device", e);
                        }
                    })) {
                ForwardOpenRequest fo = new ForwardOpenRequest(false, 0x0A, 0x0E, 0, 0x7000_0031L, 31, 0xFFFE, 0x108B001BL, 3,
                        RPI, NetworkConnectionParameters.pointToPoint(38), RPI, NetworkConnectionParameters.pointToPoint(34), 0x01,
                        IoPeer.path(151, 150, 100));
                Bytes request = CpfPacket.of(NullAddressItem.INSTANCE,
                        new UnconnectedMessageUdpItem(false, UnconnectedMessageUdpItem.UCMM_NOACK, 1, 0, fo.toRequest().toBytes())).toBytes();
                client.send(request.toArray(), 0, request.length(), dtls);
                byte[] reply = ucmm.poll(5, TimeUnit.SECONDS);
                assertThat(reply).as("Forward_Open reply").isNotNull();
                MessageRouterResponse r = MessageRouterResponse.decode(
                        CpfPacket.decode(WireReader.of(reply)).first(UnconnectedMessageUdpItem.class).orElseThrow().message());
                assertThat(r.generalStatus()).as("%s", r).isZero();
                ForwardOpenResponse ok = ForwardOpenResponse.decode(WireReader.of(r.data().toArray()));
                toId[0] = ok.toConnectionId();

                // 2 s of O->T from us while 40 other ports send about 500 cookie-less ClientHellos per second.
                List<DatagramSocket> flooders = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    flooders.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
                }
                AtomicLong hellos = new AtomicLong();
                long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                Thread flood = Thread.ofPlatform().start(() -> {
                    byte[] hello = RawDtls.clientHello(new byte[0], 0, 0);
                    long next = System.nanoTime();
                    int i = 0;
                    try {
                        while (System.nanoTime() < end) {
                            flooders.get(i++ % flooders.size()).send(new DatagramPacket(hello, hello.length, dtls));
                            hellos.incrementAndGet();
                            next += 2_000_000;
                            LockSupport.parkNanos(next - System.nanoTime());
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                toArrivals.clear();
                byte[] payload = new byte[4 + 32];
                payload[0] = 1;
                int seq = 0;
                long next = System.nanoTime();
                while (System.nanoTime() < end) {
                    seq++;
                    Bytes frame = new IoFrame(ok.otConnectionId(), seq, seq & 0xFFFF, Bytes.of(payload)).toBytes();
                    client.send(frame.toArray(), 0, frame.length(), dtls);
                    next += RPI * 1000;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
                flood.join();
                flooders.forEach(DatagramSocket::close);

                var stats = device.dtls().dtlsStats();
                assertThat(hellos.get()).isGreaterThan(500);
                assertThat(stats.cookiesSent()).as("every hello answered with a cookie, none kept").isGreaterThan(hellos.get() / 2);
                assertThat(device.dtls().sessionCount()).as("no per-peer state for the flood").isEqualTo(1);
                assertThat(device.dtls().handshakesInFlight()).isZero();
                assertThat(device.dtlsIo().connectionCount()).as("the live connection kept").isEqualTo(1);
                assertThat(device.dtlsIo().stats().timeouts()).isZero();
                assertThat(toArrivals.size()).as("T->O kept flowing during the flood").isGreaterThan(150);
                assertThat(device.dtlsIo().stats().accepted()).as("O->T kept arriving").isGreaterThan(seq * 8L / 10);
            }
        }
    }
}
