package dev.cipsec.scanner.probe;

import org.bouncycastle.tls.AlertDescription;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The one exception to "Bouncy Castle does every handshake": BC cannot offer SSL 3.0, so the probe
 * sends one fixed SSL 3.0 ClientHello (a constant; no extensions, no record protection) and reads
 * only the header of the answer: an alert, or a ServerHello whose version and suite it reads. It
 * never goes further, so nothing here touches keys or protected records.
 */
final class Ssl3Hello {
    /**
     * Record header (handshake, 3.0, 73 bytes), ClientHello (69 bytes): version 3.0, a constant
     * random, no session id, the SSL 3.0 suites of stock builds (AES-CBC-SHA, 3DES, RC4, DHE,
     * ECDHE, NULL) and the renegotiation SCSV, null compression.
     */
    static final byte[] CLIENT_HELLO = HexFormat.of().parseHex(
            "16030000490100004503006369707365632d70726f62652073736c7633206865"
            + "6c6c6f203031323334353600001e0035002f000a00050004003900330016c014"
            + "c013c00ac0090002000100ff0100");

    private Ssl3Hello() {
    }

    static Outcome attempt(InetSocketAddress target, Duration timeout) {
        int ms = (int) Math.max(1, timeout.toMillis());
        try (Socket s = new Socket()) {
            try {
                s.connect(target, ms);
            } catch (IOException e) {
                return Outcome.unreachable(Outcome.transportReason(e));
            }
            s.setSoTimeout(ms);
            try {
                s.getOutputStream().write(CLIENT_HELLO);
                s.getOutputStream().flush();
                return answer(s.getInputStream());
            } catch (IOException e) {
                return new Outcome(-1, null, null, List.of(), null, false, Outcome.transportReason(e), true, false);
            }
        } catch (IOException e) {
            return new Outcome(-1, null, null, List.of(), null, false, Outcome.transportReason(e), true, false);
        }
    }

    /** Reads a record header and what the probe needs of its first message. */
    static Outcome answer(InputStream in) throws IOException {
        byte[] header = exactly(in, 5);
        int type = header[0] & 0xFF;
        int length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
        if (type == 0x15 && length >= 2) {
            byte[] alert = exactly(in, 2);
            return refused("alert " + AlertDescription.getName(alert[1]));
        }
        // Handshake header (4), version (2), random (32), session id length (1): the least before the suite.
        if (type != 0x16 || length < 39) {
            return refused(String.format("not a TLS answer (record type 0x%02X)", type));
        }
        byte[] hello = exactly(in, 39);
        if (hello[0] != 0x02) {
            return refused(String.format("not a ServerHello (handshake type 0x%02X)", hello[0]));
        }
        int major = hello[4] & 0xFF;
        int minor = hello[5] & 0xFF;
        if (major != 3 || minor != 0) {
            return refused(String.format("answered with version %d.%d", major, minor));
        }
        int sessionId = hello[38] & 0xFF;
        if (length < 39 + sessionId + 2) {
            return refused("truncated ServerHello");
        }
        exactly(in, sessionId);
        byte[] suite = exactly(in, 2);
        int id = ((suite[0] & 0xFF) << 8) | (suite[1] & 0xFF);
        return new Outcome(id, "SSLv3", null, List.of(), null, false, "", true, false);
    }

    private static Outcome refused(String why) {
        return new Outcome(-1, null, null, List.of(), null, false, why, true, false);
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("connection closed");
        }
        return b;
    }
}
