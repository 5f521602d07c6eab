package dev.cipsec.adapter;

import dev.cipsec.transport.Await;
import dev.cipsec.transport.dtls.DtlsClientPort;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.ForwardCloseRequest;
import dev.cipsec.wire.cm.ForwardOpenFailure;
import dev.cipsec.wire.cm.ForwardOpenRequest;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.cm.NetworkConnectionParameters;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedMessageUdpItem;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.security.CipherSuiteList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CIP Security on UDP: our DTLS client (the transport's {@link DtlsClientPort}) against the device's
 * DTLS listener. Inside the session, UCMM requests in item 0x8003 reach the objects and the
 * Connection Manager, a class 1 connection opened that way runs its I/O in the same session, and
 * Apply_Config changes what the DTLS listener accepts as it does for TLS.
 */
class DtlsIoTest {
    static final PskCredential PSK = PskCredential.of("io-cell", Bytes.fromHex("00112233445566778899aabbccddeeff"));

    CipDevice device;
    DtlsClientPort client;
    final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    long transaction = 100;

    @BeforeEach
    void start() throws IOException {
        TlsPolicy policy = TlsPolicy.builder().psk(PSK)
                .suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256).build();
        device = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(policy).withDtlsPort(0)).onEphemeralPorts());
        client = connect(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
    }

    DtlsClientPort connect(CipherSuite suite) throws IOException {
        return DtlsClientPort.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), device.dtlsAddress(), 1500,
                "dtls-test", TlsPolicy.builder().psk(PSK).suites(suite).build(), Duration.ofSeconds(12),
                (buf, off, len, from) -> received.add(java.util.Arrays.copyOfRange(buf, off, off + len)));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        device.close();
    }

    /** One UCMM exchange in item 0x8003; the reply carries the same transaction id. */
    MessageRouterResponse ucmm(MessageRouterRequest request) throws Exception {
        long tx = ++transaction;
        Bytes cpf = CpfPacket.of(NullAddressItem.INSTANCE,
                new UnconnectedMessageUdpItem(false, UnconnectedMessageUdpItem.UCMM_NOACK, tx, 0, request.toBytes())).toBytes();
        client.send(cpf.toArray(), 0, cpf.length(), device.dtlsAddress());
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            byte[] d = received.poll(100, TimeUnit.MILLISECONDS);
            if (d == null) {
                continue;
            }
            CpfPacket reply = CpfPacket.decode(WireReader.of(d));
            var item = reply.first(UnconnectedMessageUdpItem.class);
            if (item.isPresent() && item.get().transactionId() == tx) {
                assertThat(item.get().response()).isTrue();
                return MessageRouterResponse.decode(item.get().message());
            }
        }
        throw new AssertionError("no UCMM reply for transaction " + tx);
    }

    @Test
    void explicitRequestsTravelAsUcmmInsideTheSession() throws Exception {
        MessageRouterResponse r = ucmm(new MessageRouterRequest(0x0E, EPath.parse("1/1/7"), Bytes.EMPTY));
        assertThat(r.generalStatus()).isZero();
        assertThat(new String(r.data().slice(1, r.data().length()).toArray())).isEqualTo("cipsec adapter");
        assertThat(device.dtls().dtlsStats().completed()).isEqualTo(1);
    }

    @Test
    void aClass1ConnectionOpenedOverDtlsRunsItsIoInTheSameSession() throws Exception {
        ForwardOpenRequest fo = IoPeer.exclusiveOwner(11, 10_000);
        MessageRouterResponse r = ucmm(fo.toRequest());
        assertThat(r.generalStatus()).as("%s", r).isZero();
        ForwardOpenResponse ok = ForwardOpenResponse.decode(WireReader.of(r.data().toArray()));
        assertThat(device.dtlsIo().connectionCount()).isEqualTo(1);
        assertThat(device.ioConnectionCount()).as("plain 2222 runtime untouched").isZero();

        // T->O arrives inside the session, produced from input assembly 100.
        IoFrame to = null;
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (to == null && System.nanoTime() < end) {
            byte[] d = received.poll(100, TimeUnit.MILLISECONDS);
            if (d != null) {
                IoFrame f = IoFrame.decode(WireReader.of(d), true);
                if (f.connectionId() == ok.toConnectionId()) {
                    to = f;
                }
            }
        }
        assertThat(to).as("a T->O packet").isNotNull();

        // O->T with run/idle header lands in output assembly 150.
        byte[] data = new byte[32];
        java.util.Arrays.fill(data, (byte) 0x5A);
        for (int seq = 1; seq <= 5; seq++) {
            byte[] payload = new byte[4 + data.length];
            payload[0] = 1;
            System.arraycopy(data, 0, payload, 4, data.length);
            Bytes frame = new IoFrame(ok.otConnectionId(), seq, seq, Bytes.of(payload)).toBytes();
            client.send(frame.toArray(), 0, frame.length(), device.dtlsAddress());
        }
        Await.until(Duration.ofSeconds(5), () -> device.assembly(150).data().get(0) == 0x5A, "output assembly written over DTLS");

        MessageRouterResponse closed = ucmm(new ForwardCloseRequest(0x0A, 0x0E, fo.triad(), fo.connectionPath()).toRequest());
        assertThat(closed.generalStatus()).as("%s", closed).isZero();
        assertThat(device.dtlsIo().connectionCount()).isZero();
    }

    /**
     * An originator repeats a request whose reply it lost with the same transaction id: the device
     * answers the repetition from its reply cache, so a Forward_Open never opens a second connection.
     */
    @Test
    void aRepeatedTransactionIsAnsweredFromTheReplyCache() throws Exception {
        ForwardOpenRequest fo = IoPeer.exclusiveOwner(14, 10_000);
        Bytes cpf = CpfPacket.of(NullAddressItem.INSTANCE,
                new UnconnectedMessageUdpItem(false, UnconnectedMessageUdpItem.UCMM_NOACK, 777, 0, fo.toRequest().toBytes())).toBytes();
        client.send(cpf.toArray(), 0, cpf.length(), device.dtlsAddress());
        byte[] first = awaitUcmmReply(777);
        client.send(cpf.toArray(), 0, cpf.length(), device.dtlsAddress());
        byte[] second = awaitUcmmReply(777);
        assertThat(second).as("the same reply, not a duplicate-connection refusal").isEqualTo(first);
        assertThat(MessageRouterResponse.decode(CpfPacket.decode(WireReader.of(first))
                .first(UnconnectedMessageUdpItem.class).orElseThrow().message()).generalStatus()).isZero();
        assertThat(device.dtlsIo().connectionCount()).isEqualTo(1);
        assertThat(device.dtlsStats().ucmmRepeated()).isEqualTo(1);
        assertThat(device.dtlsStats().ucmmRequests()).isEqualTo(2);
    }

    byte[] awaitUcmmReply(long tx) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            byte[] d = received.poll(100, TimeUnit.MILLISECONDS);
            if (d == null) {
                continue;
            }
            var item = CpfPacket.decode(WireReader.of(d)).first(UnconnectedMessageUdpItem.class);
            if (item.isPresent() && item.get().transactionId() == tx) {
                return d;
            }
        }
        throw new AssertionError("no UCMM reply for transaction " + tx);
    }

    @Test
    void multicastAndClass3AreRefusedOverDtls() throws Exception {
        ForwardOpenRequest multicast = IoPeer.request(12, IoPeer.path(151, 150, 100), NetworkConnectionParameters.pointToPoint(38),
                NetworkConnectionParameters.multicast(34), 10_000, 0x01);
        assertThat(ForwardOpenFailure.fromResponse(ucmm(multicast.toRequest())).extendedStatus())
                .isEqualTo(ExtendedStatus.INVALID_TO_CONNECTION_TYPE);
        ForwardOpenRequest class3 = IoPeer.request(13, EPath.parse("2/1"), NetworkConnectionParameters.pointToPoint(500),
                NetworkConnectionParameters.pointToPoint(500), 1_000_000, 0xA3);
        assertThat(ForwardOpenFailure.fromResponse(ucmm(class3.toRequest())).extendedStatus())
                .isEqualTo(ExtendedStatus.TRANSPORT_TRIGGER_NOT_SUPPORTED);
    }

    @Test
    void applyConfigChangesWhatTheDtlsListenerAccepts() throws Exception {
        assertThat(ucmm(new MessageRouterRequest(0x4B, EPath.classInstance(0x5E, 1), Bytes.EMPTY)).generalStatus()).isZero();
        assertThat(ucmm(new MessageRouterRequest(0x10, EPath.classInstanceAttribute(0x5E, 1, 4),
                CipherSuiteList.of(0xC037).toBytes())).generalStatus()).isZero();
        assertThat(ucmm(new MessageRouterRequest(0x4D, EPath.classInstance(0x5E, 1), Bytes.EMPTY)).generalStatus()).isZero();
        assertThatThrownBy(() -> connect(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).close()).isInstanceOf(IOException.class);
        try (DtlsClientPort cbc = connect(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256)) {
            assertThat(cbc.session()).isPresent();
        }
    }

    /** The DTLS timeout (0x5E attribute 15) applies to established sessions as soon as it is applied. */
    @Test
    void aNewDtlsTimeoutAppliesToTheSessionsThatExist() throws Exception {
        assertThat(device.dtls().limits().idleTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(ucmm(new MessageRouterRequest(0x4B, EPath.classInstance(0x5E, 1), Bytes.EMPTY)).generalStatus()).isZero();
        assertThat(ucmm(new MessageRouterRequest(0x10, EPath.classInstanceAttribute(0x5E, 1, 15), Bytes.fromHex("0100")))
                .generalStatus()).isZero();
        assertThat(ucmm(new MessageRouterRequest(0x4D, EPath.classInstance(0x5E, 1), Bytes.EMPTY)).generalStatus()).isZero();
        assertThat(device.dtls().limits().idleTimeout()).isEqualTo(Duration.ofSeconds(1));
        // This client now stays silent: the device ends its session after one second, not twelve.
        long start = System.nanoTime();
        Await.until(Duration.ofSeconds(5), () -> device.dtls().dtlsStats().idleClosed() == 1, "the idle session closed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    /**
     * Apply_Config with "close existing connections" ends the DTLS sessions too, with close_notify:
     * the peer handshakes again under the new policy and carries on.
     */
    @Test
    void applyConfigClosingExistingConnectionsEndsTheDtlsSessions() throws Exception {
        assertThat(ucmm(new MessageRouterRequest(0x4B, EPath.classInstance(0x5E, 1), Bytes.EMPTY)).generalStatus()).isZero();
        assertThat(ucmm(new MessageRouterRequest(0x10, EPath.classInstanceAttribute(0x5E, 1, 4),
                CipherSuiteList.of(0xD001, 0xC037).toBytes())).generalStatus()).isZero();
        assertThat(ucmm(new MessageRouterRequest(0x4D, EPath.classInstance(0x5E, 1),
                new dev.cipsec.wire.security.ApplyConfigRequest(dev.cipsec.wire.security.ApplyConfigRequest.CLOSE_EXISTING, 100)
                        .toBytes())).generalStatus()).isZero();
        Await.until(Duration.ofSeconds(5), () -> client.handshakesCompleted() == 2, "a new handshake after close_notify");
        // The device counts its handshake once accept() returns, which may be just after the client saw its Finished.
        Await.until(Duration.ofSeconds(5), () -> device.dtls().dtlsStats().completed() == 2, "the device's count of it");
        assertThat(device.dtls().dtlsStats().idleClosed()).as("ended, not idle").isZero();
        MessageRouterResponse r = ucmm(new MessageRouterRequest(0x0E, EPath.parse("1/1/7"), Bytes.EMPTY));
        assertThat(r.generalStatus()).isZero();
    }
}
