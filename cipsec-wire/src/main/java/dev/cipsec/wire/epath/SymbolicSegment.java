package dev.cipsec.wire.epath;

import dev.cipsec.wire.buf.WireWriter;

import java.nio.charset.StandardCharsets;

/** Symbolic segment 0x60 | length, 1–31 ASCII characters, padded to even length. */
public record SymbolicSegment(String symbol) implements Segment {

    public SymbolicSegment {
        if (symbol == null || symbol.isEmpty() || symbol.length() > 31
                || !StandardCharsets.US_ASCII.newEncoder().canEncode(symbol)) {
            throw new IllegalArgumentException("symbol must be 1..31 ASCII characters: " + symbol);
        }
    }

    @Override
    public int encodedLength() {
        int n = 1 + symbol.length();
        return n + (n & 1);
    }

    @Override
    public void encode(WireWriter w) {
        w.u8(0x60 | symbol.length()).ascii(symbol);
        if (((1 + symbol.length()) & 1) != 0) {
            w.u8(0);
        }
    }
}
