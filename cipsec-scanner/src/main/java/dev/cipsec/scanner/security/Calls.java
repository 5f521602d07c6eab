package dev.cipsec.scanner.security;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPath;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The request/refusal/decoding plumbing {@link SecurityClient} and {@link FileTransfer} share. */
final class Calls {
    private Calls() {
    }

    @FunctionalInterface
    interface Decoder<T> {
        T decode(WireReader r) throws WireFormatException;
    }

    /** Sends one request; a refusal becomes a {@link SecurityServiceException} naming {@code name}. */
    static Bytes call(CipClient client, String name, int service, EPath path, Bytes data)
            throws IOException, SecurityServiceException {
        MessageRouterResponse r = client.send(new MessageRouterRequest(service, path, data));
        if (!r.isSuccess()) {
            int[] add = r.additionalStatus().stream().mapToInt(Integer::intValue).toArray();
            throw new SecurityServiceException(name, r.generalStatus(), add);
        }
        return r.data();
    }

    /** Decodes a whole reply; a reply that does not fit is the target's fault, reported as an I/O error. */
    static <T> T decode(String what, Bytes data, Decoder<T> d) throws IOException {
        try {
            WireReader r = WireReader.of(data.toArray());
            T value = d.decode(r);
            r.expectEnd(what);
            return value;
        } catch (WireFormatException | IllegalArgumentException e) {
            // Records validate in their constructors: a value out of range is as malformed as a short reply.
            throw new IOException("malformed " + what + " reply: " + e.getMessage(), e);
        }
    }

    static Bytes u8(int v) {
        return Bytes.of((byte) v);
    }

    static Bytes u16(int v) {
        return Bytes.of((byte) v, (byte) (v >>> 8));
    }

    static Bytes bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    /** SHORT_STRING: USINT length + ISO-8859-1 characters. */
    static Bytes shortString(String s) {
        byte[] chars = s.getBytes(StandardCharsets.ISO_8859_1);
        if (chars.length > 0xFF) {
            throw new IllegalArgumentException("a SHORT_STRING holds at most 255 characters: " + s.length());
        }
        byte[] out = new byte[1 + chars.length];
        out[0] = (byte) chars.length;
        System.arraycopy(chars, 0, out, 1, chars.length);
        return Bytes.of(out);
    }

    static String readShortString(WireReader r, String what) throws WireFormatException {
        int n = r.u8(what + " length");
        return new String(r.bytes(n, what).toArray(), StandardCharsets.ISO_8859_1);
    }
}
