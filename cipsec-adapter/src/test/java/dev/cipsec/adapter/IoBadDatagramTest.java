package dev.cipsec.adapter;

import dev.cipsec.adapter.io.IoStats;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cm.ForwardOpenResponse;
import dev.cipsec.wire.io.IoFrame;
import dev.cipsec.wire.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * O→T datagrams the consumer must drop and count (issue 5, "Bad input"): each is followed by a
 * valid datagram, so the test also shows the receive loop carries on.
 */
class IoBadDatagramTest {
    private CipDevice device;
    private IoPeer peer;
    private long ot;
    private long encap = 1;
    private int cip = 1;
    private int accepted;

    @BeforeEach
    void open() throws Exception {
        device = CipDevice.start(TestDevices.openerLike());
        peer = IoPeer.open(device);
        // A long RPI keeps the watchdog (4 x 1 s) out of the way.
        ForwardOpenResponse ok = peer.forwardOpen(IoPeer.exclusiveOwner(1, 1_000_000)).ok();
        ot = ok.otConnectionId();
    }

    @AfterEach
    void close() throws Exception {
        assertThat(device.io().transportStats().receiverFailures()).isZero();
        peer.close();
        device.close();
    }

    private static byte[] data(int seed) {
        byte[] b = new byte[32];
        b[0] = (byte) seed;
        return b;
    }

    /** Sends a valid packet with fresh sequence numbers and waits until it is applied. */
    private void valid() throws Exception {
        int seed = cip;
        peer.sendOt(ot, encap++, cip++ & 0xFFFF, true, data(seed));
        accepted++;
        Await.until(IoPeer.WAIT, () -> device.io().stats().accepted() == accepted
                && device.assembly(150).data().equals(Bytes.of(data(seed))), "valid datagram applied");
    }

    private void expectDrop(IoStats.DropReason reason, long count) throws Exception {
        Await.until(IoPeer.WAIT, () -> device.io().stats().dropped(reason) == count, reason + " counted");
        valid();
    }

    @Test
    void unknownConnectionIdIsDropped() throws Exception {
        valid();
        peer.sendOt(ot ^ 0x5A5A, encap++, cip++, true, data(99));
        expectDrop(IoStats.DropReason.UNKNOWN_CONNECTION, 1);
    }

    @Test
    void aDatagramFromAnotherAddressIsDropped() throws Exception {
        valid();
        // Linux routes all of 127/8 to lo: 127.0.0.2 is "another host" for the device.
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0))) {
            byte[] payload = new byte[36];
            payload[0] = 1;
            byte[] frame = new IoFrame(ot, encap++, cip++, Bytes.of(payload)).toBytes().toArray();
            other.send(new DatagramPacket(frame, frame.length, device.ioAddress()));
        }
        expectDrop(IoStats.DropReason.WRONG_PEER, 1);
    }

    @Test
    void tooShortAndMalformedDatagramsAreDropped() throws Exception {
        valid();
        peer.send(new byte[5]);
        byte[] good = new IoFrame(ot, encap++, cip++, Bytes.of(new byte[36])).toBytes().toArray();
        byte[] lying = good.clone();
        lying[16] = (byte) 0xFF; // data item length beyond the datagram
        peer.send(lying);
        byte[] noSequence = new IoFrame(ot, encap++, IoFrame.NO_SEQUENCE, Bytes.of(new byte[1])).toBytes().toArray();
        peer.send(noSequence);
        byte[] threeItems = good.clone();
        threeItems[0] = 3;
        peer.send(threeItems);
        expectDrop(IoStats.DropReason.MALFORMED, 4);
    }

    @Test
    void dataOfTheWrongSizeIsDropped() throws Exception {
        valid();
        peer.send(new IoFrame(ot, encap++, cip++, Bytes.of(new byte[35])).toBytes().toArray());
        peer.send(new IoFrame(ot, encap++, cip++, Bytes.of(new byte[37])).toBytes().toArray());
        peer.send(new IoFrame(ot, encap++, cip++, Bytes.of(new byte[0])).toBytes().toArray());
        expectDrop(IoStats.DropReason.WRONG_SIZE, 3);
    }

    @Test
    void staleAndDuplicateSequenceNumbersAreDropped() throws Exception {
        valid();
        valid();
        peer.sendOt(ot, encap - 1, cip++, true, data(77)); // duplicate
        peer.sendOt(ot, encap - 2, cip++, true, data(78)); // older
        peer.sendOt(ot, encap + 0x8000_0000L, cip++, true, data(79)); // exactly half ahead: ambiguous
        expectDrop(IoStats.DropReason.STALE_SEQUENCE, 3);
    }

    @Test
    void sequenceNumbersWrapAround() throws Exception {
        encap = 0xFFFF_FFFEL;
        cip = 0xFFFE;
        valid(); // encap FFFFFFFE, cip FFFE
        valid(); // encap FFFFFFFF, cip FFFF
        encap = 0;
        cip = 0;
        valid(); // encap and CIP sequence wrapped to 0: newer, and new data
        valid();
        assertThat(device.io().stats().droppedTotal()).isZero();
    }

    @Test
    void randomBytesNeverEscapeTheReceiveLoop() throws Exception {
        Random r = new Random(5);
        for (int i = 0; i < 500; i++) {
            byte[] junk = new byte[r.nextInt(80)];
            r.nextBytes(junk);
            if (junk.length >= 10 && r.nextBoolean()) {
                // Aim some at the real connection id, so the later checks are reached too.
                junk[0] = 2;
                junk[1] = 0;
                junk[2] = 2;
                junk[3] = (byte) 0x80;
                junk[4] = 8;
                junk[5] = 0;
                for (int b = 0; b < 4; b++) {
                    junk[6 + b] = (byte) (ot >>> (8 * b));
                }
            }
            peer.send(junk);
            if (i % 20 == 19) {
                // Paced, so that the socket buffer never overflows and every datagram is accounted for.
                long sent = i + 1;
                Await.until(IoPeer.WAIT, () -> device.io().stats().received() >= sent, "junk received");
            }
        }
        valid();
        IoStats s = device.io().stats();
        assertThat(s.droppedTotal() + s.accepted()).isEqualTo(s.received());
    }
}
