package dev.cipsec.adapter;

import dev.cipsec.adapter.io.IoStats;
import dev.cipsec.transport.Await;
import dev.cipsec.transport.dtls.DtlsClientPort;
import dev.cipsec.transport.dtls.DtlsStats;
import dev.cipsec.transport.dtls.LossyRelay;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedMessageUdpItem;
import dev.cipsec.wire.io.IoFrame;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input inside and around a DTLS session on the device: CPF packets with lying lengths,
 * 0x8003 items too short for their fields, a request that is not a Message Router request, I/O for
 * a connection nobody opened, and a record of a session that has ended replayed into the session that
 * replaced it. Each is dropped and counted, or answered with a CIP error; the session and the
 * listener carry on.
 */
class DtlsBadInputTest {
    static final PskCredential PSK = PskCredential.of("hostile", Bytes.fromHex("8899aabbccddeeff0011223344556677"));
    static final TlsPolicy POLICY = TlsPolicy.builder().psk(PSK).suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256)
            .build();
    static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void badInputIsDroppedAndCountedAndTheSessionCarriesOn() throws Exception {
        BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        try (CipDevice device = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(POLICY).withDtlsPort(0))
                .onEphemeralPorts());
             LossyRelay relay = new LossyRelay(device.dtlsAddress(), 1);
             DtlsClientPort client = DtlsClientPort.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     relay.address(), 1500, "hostile", POLICY, Duration.ofSeconds(12),
                     (buf, off, len, from) -> received.add(java.util.Arrays.copyOfRange(buf, off, off + len)))) {
            InetSocketAddress to = relay.address();
            // A CPF whose only item claims 256 bytes and has 4, and a 0x8003 item too short for its fixed fields.
            List<byte[]> malformed = List.of(HexFormat.of().parseHex("0100038000010a0b0c0d"),
                    HexFormat.of().parseHex("010003800400010000000000"), new byte[]{1});
            for (byte[] m : malformed) {
                client.send(m, 0, m.length, to);
            }
            Await.until(WAIT, () -> device.dtlsStats().ucmmMalformed() == malformed.size(), "malformed packets counted");

            // A 0x8003 request that is no Message Router request gets a CIP error, not silence.
            Bytes notARequest = CpfPacket.of(NullAddressItem.INSTANCE,
                    new UnconnectedMessageUdpItem(false, UnconnectedMessageUdpItem.UCMM_NOACK, 9, 0, Bytes.fromHex("0e"))).toBytes();
            client.send(notARequest.toArray(), 0, notARequest.length(), to);
            MessageRouterResponse error = MessageRouterResponse.decode(awaitReply(received, 9).message());
            assertThat(error.generalStatus()).isNotZero();

            // I/O for a connection nobody opened.
            Bytes stray = new IoFrame(0x1234_5678L, 1, 1, Bytes.of(new byte[8])).toBytes();
            client.send(stray.toArray(), 0, stray.length(), to);
            Await.until(WAIT, () -> device.dtlsIo().stats().dropped().get(IoStats.DropReason.UNKNOWN_CONNECTION) == 1,
                    "unknown connection id counted");

            // A record of this session, replayed after the session was replaced by a new one (same peer address).
            relay.recording.set(true);
            Bytes probe = CpfPacket.of(NullAddressItem.INSTANCE,
                    new UnconnectedMessageUdpItem(false, UnconnectedMessageUdpItem.UCMM_NOACK, 10, 0, Bytes.fromHex("0e03200124013007"))).toBytes();
            client.send(probe.toArray(), 0, probe.length(), to);
            assertThat(MessageRouterResponse.decode(awaitReply(received, 10).message()).generalStatus()).isZero();
            relay.recording.set(false);
            byte[] oldRecord = relay.lastUpstream();
            device.dtls().endSessions();
            Await.until(WAIT, () -> client.handshakesCompleted() == 2, "a new session from the same address");
            long decryptFailures = device.dtls().dtlsStats().drops(DtlsStats.Drop.DECRYPT_FAILURE);
            relay.injectUpstream(oldRecord);
            Await.until(WAIT, () -> device.dtls().dtlsStats().drops(DtlsStats.Drop.DECRYPT_FAILURE) == decryptFailures + 1,
                    "the dead session's record discarded");

            // The listener and the new session still serve.
            Bytes again = CpfPacket.of(NullAddressItem.INSTANCE,
                    new UnconnectedMessageUdpItem(false, UnconnectedMessageUdpItem.UCMM_NOACK, 11, 0, Bytes.fromHex("0e03200124013007"))).toBytes();
            client.send(again.toArray(), 0, again.length(), to);
            assertThat(MessageRouterResponse.decode(awaitReply(received, 11).message()).generalStatus()).isZero();
            assertThat(device.dtls().sessionCount()).isEqualTo(1);
        }
    }

    static UnconnectedMessageUdpItem awaitReply(BlockingQueue<byte[]> received, long tx) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            byte[] d = received.poll(100, TimeUnit.MILLISECONDS);
            if (d == null) {
                continue;
            }
            var item = CpfPacket.decode(WireReader.of(d)).first(UnconnectedMessageUdpItem.class);
            if (item.isPresent() && item.get().transactionId() == tx) {
                return item.get();
            }
        }
        throw new AssertionError("no UCMM reply for transaction " + tx);
    }
}
