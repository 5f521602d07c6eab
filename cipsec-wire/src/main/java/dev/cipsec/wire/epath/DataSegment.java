package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireWriter;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Data segments (reference §2.3): simple data (0x80, length in words) and ANSI extended symbol (0x91). */
public sealed interface DataSegment extends Segment {

    /** Simple data segment, e.g. configuration data at the end of a connection path. Even length. */
    record Simple(Bytes data) implements DataSegment {
        public Simple {
            Objects.requireNonNull(data, "data");
            if ((data.length() & 1) != 0 || data.length() > 2 * 0xFF) {
                throw new IllegalArgumentException("simple data must be an even number of bytes up to 510: " + data.length());
            }
        }

        @Override
        public int encodedLength() {
            return 2 + data.length();
        }

        @Override
        public void encode(WireWriter w) {
            w.u8(0x80).u8(data.length() / 2).bytes(data);
        }
    }

    /** ANSI extended symbol segment (tag names), padded to even length. */
    record AnsiSymbol(String symbol) implements DataSegment {
        public AnsiSymbol {
            if (symbol == null || symbol.isEmpty() || symbol.length() > 0xFF
                    || !StandardCharsets.US_ASCII.newEncoder().canEncode(symbol)) {
                throw new IllegalArgumentException("ANSI symbol must be 1..255 ASCII characters");
            }
        }

        @Override
        public int encodedLength() {
            int n = 2 + symbol.length();
            return n + (n & 1);
        }

        @Override
        public void encode(WireWriter w) {
            w.u8(0x91).u8(symbol.length()).ascii(symbol);
            if ((symbol.length() & 1) != 0) {
                w.u8(0);
            }
        }
    }
}
