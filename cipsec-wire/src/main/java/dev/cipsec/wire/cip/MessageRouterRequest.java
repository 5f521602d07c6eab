package dev.cipsec.wire.cip;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.epath.EPath;

import java.util.Objects;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;
import static dev.cipsec.wire.buf.WireFormatException.Reason.PATH_SIZE_INVALID;

/**
 * Message Router request (reference §2.1): service, request path size in words, padded EPATH,
 * service data.
 */
public record MessageRouterRequest(int service, EPath path, Bytes data) {

    public MessageRouterRequest {
        if (service < 0 || service > 0x7F) {
            throw new IllegalArgumentException("request service must be 0..0x7F: " + service);
        }
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(data, "data");
        if (path.words() > EPath.MAX_WORDS) {
            throw new IllegalArgumentException("path longer than 255 words");
        }
    }

    public MessageRouterRequest(int service, EPath path) {
        this(service, path, Bytes.EMPTY);
    }

    public int encodedLength() {
        return 2 + path.encodedLength() + data.length();
    }

    public void encode(WireWriter w) {
        w.u8(service).u8(path.words());
        path.encode(w);
        w.bytes(data);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    /** Decodes a request occupying everything that remains in {@code r}. */
    public static MessageRouterRequest decode(WireReader r) throws WireFormatException {
        int service = r.u8("MR service");
        if ((service & ServiceCodes.REPLY_BIT) != 0) {
            throw new WireFormatException(INVALID_VALUE, String.format("service 0x%02X has the reply bit set", service));
        }
        int words = r.u8("MR request path size");
        if (words * 2 > r.remaining()) {
            throw new WireFormatException(PATH_SIZE_INVALID,
                    "request path size " + words + " words exceeds the " + r.remaining() + " bytes remaining");
        }
        EPath path = EPath.decode(r, words);
        return new MessageRouterRequest(service, path, r.rest());
    }

    public static MessageRouterRequest decode(Bytes b) throws WireFormatException {
        return decode(WireReader.of(b.toArray()));
    }

    @Override
    public String toString() {
        return ServiceCodes.describe(service) + " " + path + (data.isEmpty() ? "" : " data=" + data);
    }
}
