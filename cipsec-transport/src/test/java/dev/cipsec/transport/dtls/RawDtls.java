package dev.cipsec.transport.dtls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;

/** Hand-made DTLS 1.2 records, for what our own client would never send (also used by the adapter's flood test). */
public final class RawDtls {
    private RawDtls() {
    }

    /** A ClientHello record offering TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256 with {@code cookie} (empty: none). */
    public static byte[] clientHello(byte[] cookie, int messageSeq, long recordSeq) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0xFE);
        body.write(0xFD);
        byte[] random = new byte[32];
        // The same random in both ClientHellos: the cookie covers it.
        new Random(42).nextBytes(random);
        body.writeBytes(random);
        body.write(0);
        body.write(cookie.length);
        body.writeBytes(cookie);
        body.writeBytes(new byte[]{0, 2, (byte) 0xC0, 0x37});
        body.writeBytes(new byte[]{1, 0});
        byte[] ext = {0x00, 0x0A, 0, 4, 0, 2, 0, 0x17, 0x00, 0x0B, 0, 2, 1, 0};
        body.write(0);
        body.write(ext.length);
        body.writeBytes(ext);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream hs = new ByteArrayOutputStream();
        hs.write(1);
        u24(hs, b.length);
        hs.write(messageSeq >>> 8);
        hs.write(messageSeq);
        u24(hs, 0);
        u24(hs, b.length);
        hs.writeBytes(b);
        return record(22, 0, recordSeq, hs.toByteArray());
    }

    static byte[] record(int type, int epoch, long seq, byte[] fragment) {
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.write(type);
        r.write(0xFE);
        r.write(0xFD);
        r.write(epoch >>> 8);
        r.write(epoch);
        for (int i = 5; i >= 0; i--) {
            r.write((int) (seq >>> (8 * i)));
        }
        r.write(fragment.length >>> 8);
        r.write(fragment.length);
        r.writeBytes(fragment);
        return r.toByteArray();
    }

    private static void u24(ByteArrayOutputStream o, int v) {
        o.write(v >>> 16);
        o.write(v >>> 8);
        o.write(v);
    }

    /** The cookie of a HelloVerifyRequest record, or empty when {@code d} is not one. */
    static Optional<byte[]> helloVerifyCookie(byte[] d) {
        if (d.length < 13 + 12 + 3 || d[0] != 22 || d[13] != 3) {
            return Optional.empty();
        }
        int at = 13 + 12 + 2;
        int n = d[at] & 0xFF;
        return at + 1 + n <= d.length ? Optional.of(Arrays.copyOfRange(d, at + 1, at + 1 + n)) : Optional.empty();
    }

    /** The next datagram on {@code s} within {@code millis}, or empty. */
    static Optional<byte[]> receive(DatagramSocket s, int millis) throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.setSoTimeout(millis);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOf(buf, p.getLength()));
    }

    static void send(DatagramSocket s, byte[] d, InetSocketAddress to) throws IOException {
        s.send(new DatagramPacket(d, d.length, to));
    }
}
