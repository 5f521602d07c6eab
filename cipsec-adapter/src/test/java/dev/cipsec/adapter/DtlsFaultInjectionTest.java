package dev.cipsec.adapter;

import dev.cipsec.transport.dtls.DtlsClientPort;
import dev.cipsec.transport.dtls.LossyRelay;
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
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Class 1 I/O over DTLS through a relay that drops 10 %, duplicates 5 % and reorders 5 % of the
 * datagrams both ways: the handshake completes (Bouncy Castle retransmits its flights), I/O at RPI
 * 10 ms keeps its connection with no timeout, and the DTLS replay window keeps duplicated records
 * from ever reaching the I/O layer.
 */
class DtlsFaultInjectionTest {
    static final PskCredential PSK = PskCredential.of("lossy", Bytes.fromHex("0102030405060708090a0b0c0d0e0f10"));
    static final long RPI = 10_000;

    @Test
    void ioOverDtlsSurvivesLossDuplicationAndReordering() throws Exception {
        long seed = Long.getLong("cipsec.faultSeed", System.nanoTime());
        System.out.println("DtlsFaultInjectionTest seed " + seed);
        // Bouncy Castle resends a lost flight after 1 s, then 2, 4, 8 s (RFC 6347): with 10 % loss each way
        // three losses of one exchange in a row take 7 s, so the default 10 s would fail a few runs in a hundred.
        TlsPolicy policy = TlsPolicy.builder().psk(PSK).suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256)
                .handshakeTimeout(Duration.ofSeconds(40)).build();
        BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        try (CipDevice device = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(policy).withDtlsPort(0))
                .onEphemeralPorts());
             LossyRelay relay = new LossyRelay(device.dtlsAddress(), seed)) {
            relay.faults.set(true);
            // The handshake itself crosses the lossy path.
            DtlsClientPort client = DtlsClientPort.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    relay.address(), 1500, "lossy", policy, Duration.ofSeconds(12),
                    (buf, off, len, from) -> received.add(java.util.Arrays.copyOfRange(buf, off, off + len)));
            try (client) {
                // Explicit messaging is retried by real originators; here the Forward_Open crosses a clean path.
                relay.faults.set(false);
                ForwardOpenRequest fo = new ForwardOpenRequest(false, 0x0A, 0x0E, 0, 0x7000_0021L, 21, 0xFFFE, 0x108B001BL, 3,
                        RPI, NetworkConnectionParameters.pointToPoint(38), RPI, NetworkConnectionParameters.pointToPoint(34), 0x01,
                        IoPeer.path(151, 150, 100));
                Bytes ucmm = CpfPacket.of(NullAddressItem.INSTANCE,
                        new UnconnectedMessageUdpItem(false, UnconnectedMessageUdpItem.UCMM_NOACK, 1, 0, fo.toRequest().toBytes())).toBytes();
                client.send(ucmm.toArray(), 0, ucmm.length(), relay.address());
                ForwardOpenResponse ok = null;
                long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (ok == null && System.nanoTime() < end) {
                    byte[] d = received.poll(100, TimeUnit.MILLISECONDS);
                    if (d == null) {
                        continue;
                    }
                    var item = CpfPacket.decode(WireReader.of(d)).first(UnconnectedMessageUdpItem.class);
                    if (item.isPresent()) {
                        MessageRouterResponse r = MessageRouterResponse.decode(item.get().message());
                        assertThat(r.generalStatus()).as("%s", r).isZero();
                        ok = ForwardOpenResponse.decode(WireReader.of(r.data().toArray()));
                    }
                }
                assertThat(ok).as("Forward_Open reply").isNotNull();
                received.clear();

                // Three seconds of I/O both ways across the misbehaving path.
                relay.faults.set(true);
                byte[] payload = new byte[4 + 32];
                payload[0] = 1;
                long start = System.nanoTime();
                long next = start;
                int seq = 0;
                while (System.nanoTime() - start < Duration.ofSeconds(3).toNanos()) {
                    seq++;
                    Bytes frame = new IoFrame(ok.otConnectionId(), seq, seq & 0xFFFF, Bytes.of(payload)).toBytes();
                    client.send(frame.toArray(), 0, frame.length(), relay.address());
                    next += RPI * 1000;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
                relay.faults.set(false);

                assertThat(device.dtlsIo().connectionCount()).as("no connection timeout").isEqualTo(1);
                assertThat(device.dtlsIo().stats().timeouts()).isZero();
                assertThat(device.dtlsIo().stats().accepted()).as("O->T accepted").isGreaterThan(seq * 7L / 10);
                List<Long> encapSeqs = new ArrayList<>();
                for (byte[] d; (d = received.poll()) != null; ) {
                    IoFrame f = IoFrame.decode(WireReader.of(d), true);
                    if (f.connectionId() == ok.toConnectionId()) {
                        encapSeqs.add(f.encapSequence());
                    }
                }
                assertThat(encapSeqs.size()).as("T->O received in 3 s at 10 ms").isGreaterThan(200);
                Set<Long> distinct = new HashSet<>(encapSeqs);
                assertThat(distinct).as("no duplicated record reaches the application").hasSize(encapSeqs.size());
                assertThat(relay.dropped.get()).isPositive();
                assertThat(relay.duplicated.get()).isPositive();
                assertThat(relay.reordered.get()).isPositive();
            }
        }
    }
}
