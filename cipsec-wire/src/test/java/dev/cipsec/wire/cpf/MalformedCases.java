package dev.cipsec.wire.cpf;

import dev.cipsec.wire.buf.WireFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Loads a {@code fixtures/<layer>/malformed.tsv} test resource: one malformed input per line,
 * {@code name TAB decoder TAB expected reason TAB hex} (hex may contain spaces; '#' starts a comment).
 */
public final class MalformedCases {
    private MalformedCases() {
    }

    public record Case(String name, String decoder, WireFormatException.Reason reason, byte[] bytes) {
        @Override
        public String toString() {
            return name + " (" + decoder + ") -> " + reason;
        }
    }

    public static List<Case> load(String resource) {
        try (InputStream in = MalformedCases.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            List<Case> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                String hex = f.length > 3 ? f[3].replace(" ", "") : "";
                out.add(new Case(f[0], f[1], WireFormatException.Reason.valueOf(f[2]), HexFormat.of().parseHex(hex)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
