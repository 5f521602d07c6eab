package dev.cipsec.wire.cip;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.List;
import java.util.Objects;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;

/**
 * Message Router response (reference §2.1): reply service (request service | 0x80), reserved,
 * general status, additional status size in words, additional status words, response data.
 *
 * @param service the request's service code, without the reply bit
 */
public record MessageRouterResponse(int service, int generalStatus, List<Integer> additionalStatus, Bytes data) {

    public MessageRouterResponse {
        if (service < 0 || service > 0x7F) {
            throw new IllegalArgumentException("service must be 0..0x7F: " + service);
        }
        if (generalStatus < 0 || generalStatus > 0xFF) {
            throw new IllegalArgumentException("general status must be 0..255: " + generalStatus);
        }
        additionalStatus = List.copyOf(Objects.requireNonNull(additionalStatus, "additionalStatus"));
        if (additionalStatus.size() > 0xFF) {
            throw new IllegalArgumentException("at most 255 additional status words");
        }
        for (int s : additionalStatus) {
            if (s < 0 || s > 0xFFFF) {
                throw new IllegalArgumentException("additional status word out of range: " + s);
            }
        }
        Objects.requireNonNull(data, "data");
    }

    public static MessageRouterResponse success(int service, Bytes data) {
        return new MessageRouterResponse(service, GeneralStatus.SUCCESS, List.of(), data);
    }

    public static MessageRouterResponse error(int service, int generalStatus, int... additional) {
        List<Integer> add = new java.util.ArrayList<>(additional.length);
        for (int a : additional) {
            add.add(a);
        }
        return new MessageRouterResponse(service, generalStatus, add, Bytes.EMPTY);
    }

    public boolean isSuccess() {
        return generalStatus == GeneralStatus.SUCCESS;
    }

    /** The first additional status word (the extended status), or -1 when there is none. */
    public int extendedStatus() {
        return additionalStatus.isEmpty() ? -1 : additionalStatus.get(0);
    }

    public int encodedLength() {
        return 4 + 2 * additionalStatus.size() + data.length();
    }

    public void encode(WireWriter w) {
        w.u8(service | ServiceCodes.REPLY_BIT).u8(0).u8(generalStatus).u8(additionalStatus.size());
        for (int s : additionalStatus) {
            w.u16(s);
        }
        w.bytes(data);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    /** Decodes a response occupying everything that remains in {@code r}. */
    public static MessageRouterResponse decode(WireReader r) throws WireFormatException {
        int service = r.u8("MR reply service");
        if ((service & ServiceCodes.REPLY_BIT) == 0) {
            throw new WireFormatException(INVALID_VALUE, String.format("reply service 0x%02X lacks the reply bit", service));
        }
        r.u8("MR reserved");
        int status = r.u8("MR general status");
        int size = r.u8("MR additional status size");
        r.requireCount(size, 2, "MR additional status");
        if (size == 0) {
            return new MessageRouterResponse(service & 0x7F, status, List.of(), r.rest());
        }
        Integer[] add = new Integer[size];
        for (int i = 0; i < size; i++) {
            add[i] = r.u16("MR additional status");
        }
        return new MessageRouterResponse(service & 0x7F, status, List.of(add), r.rest());
    }

    public static MessageRouterResponse decode(Bytes b) throws WireFormatException {
        return decode(WireReader.of(b.toArray()));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(ServiceCodes.describe(service | ServiceCodes.REPLY_BIT))
                .append(' ').append(GeneralStatus.describe(generalStatus));
        for (int a : additionalStatus) {
            sb.append(String.format(" [0x%04X]", a));
        }
        if (!data.isEmpty()) {
            sb.append(" data=").append(data);
        }
        return sb.toString();
    }
}
