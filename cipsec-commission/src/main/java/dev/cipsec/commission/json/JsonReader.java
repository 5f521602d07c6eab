package dev.cipsec.commission.json;

import dev.cipsec.commission.json.JsonNode.JsonArray;
import dev.cipsec.commission.json.JsonNode.JsonBool;
import dev.cipsec.commission.json.JsonNode.JsonNull;
import dev.cipsec.commission.json.JsonNode.JsonNumber;
import dev.cipsec.commission.json.JsonNode.JsonObject;
import dev.cipsec.commission.json.JsonNode.JsonString;
import dev.cipsec.commission.json.JsonNode.Location;
import dev.cipsec.commission.json.JsonNode.Member;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 reader that keeps where every value starts, for files people edit (the policy model)
 * and files the tool writes (journal, reports). Strict: one value with optional whitespace around it, no
 * comments, no trailing commas, no leading zeros or {@code +}, no raw control characters in strings,
 * no duplicate keys. Bounded: {@link #MAX_DEPTH} levels of nesting and {@link #MAX_LENGTH} characters,
 * checked before the work is done, so that a hostile or broken file costs little. Every failure is a
 * {@link JsonException} naming the line and column.
 */
public final class JsonReader {
    /** Deepest nesting of arrays and objects. */
    public static final int MAX_DEPTH = 64;
    /** Largest document, in characters (and in bytes for {@link #read(Path)}). */
    public static final int MAX_LENGTH = 1 << 20;
    /** Longest number literal: no configuration value needs more, and it bounds the cost of converting it. */
    public static final int MAX_NUMBER_LENGTH = 100;

    private final String s;
    private int i;
    private int line = 1;
    private int lineStart;

    private JsonReader(String s) {
        this.s = s;
    }

    /** Parses one JSON document. */
    public static JsonNode parse(String text) throws JsonException {
        if (text.length() > MAX_LENGTH) {
            throw new JsonException(1, 1, "document larger than " + MAX_LENGTH + " characters");
        }
        JsonReader r = new JsonReader(text);
        r.ws();
        JsonNode v = r.value(0);
        r.ws();
        if (r.i != r.s.length()) {
            throw r.error("unexpected text after the document");
        }
        return v;
    }

    /**
     * Parses UTF-8 bytes; invalid UTF-8 is refused. A leading byte order mark is skipped, as RFC 8259
     * allows, because editors on Windows write one.
     */
    public static JsonNode parse(byte[] utf8) throws JsonException {
        if (utf8.length > MAX_LENGTH) {
            throw new JsonException(1, 1, "document larger than " + MAX_LENGTH + " bytes");
        }
        int off = utf8.length >= 3 && (utf8[0] & 0xFF) == 0xEF && (utf8[1] & 0xFF) == 0xBB && (utf8[2] & 0xFF) == 0xBF ? 3 : 0;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8, off, utf8.length - off)).toString();
        } catch (CharacterCodingException e) {
            throw invalidUtf8(utf8, off);
        }
        return parse(text);
    }

    /** Reads and parses a file, refusing files over {@link #MAX_LENGTH} bytes before reading them. */
    public static JsonNode read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": not a regular file");
        }
        if (Files.size(file) > MAX_LENGTH) {
            throw new JsonException(1, 1, "document larger than " + MAX_LENGTH + " bytes");
        }
        byte[] data;
        try (InputStream in = Files.newInputStream(file)) {
            data = in.readNBytes(MAX_LENGTH + 1);
        }
        return parse(data);
    }

    /** Locates the first byte that does not decode, for the message. */
    private static JsonException invalidUtf8(byte[] utf8, int off) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int good = off;
        for (int end = off + 1; end <= utf8.length && end <= off + MAX_LENGTH; end++) {
            try {
                decoder.reset().decode(ByteBuffer.wrap(utf8, off, end - off));
                good = end;
            } catch (CharacterCodingException e) {
                if (end - good > 4) {
                    break;
                }
            }
        }
        String prefix = new String(utf8, off, good - off, StandardCharsets.UTF_8);
        int line = 1;
        int col = 1;
        for (int k = 0; k < prefix.length(); k++) {
            if (prefix.charAt(k) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new JsonException(line, col, "invalid UTF-8");
    }

    private Location here() {
        return new Location(line, i - lineStart + 1);
    }

    private JsonException error(String what) {
        return new JsonException(line, i - lineStart + 1, what);
    }

    private JsonException error(Location at, String what) {
        return new JsonException(at.line(), at.column(), what);
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\n') {
                i++;
                line++;
                lineStart = i;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else {
                break;
            }
        }
    }

    private JsonNode value(int depth) throws JsonException {
        if (i >= s.length()) {
            throw error("unexpected end of the document");
        }
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> {
                Location at = here();
                yield new JsonString(at, string());
            }
            case 't' -> {
                Location at = here();
                literal("true");
                yield new JsonBool(at, true);
            }
            case 'f' -> {
                Location at = here();
                literal("false");
                yield new JsonBool(at, false);
            }
            case 'n' -> {
                Location at = here();
                literal("null");
                yield new JsonNull(at);
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character " + describe(c));
            }
        };
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7F ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    private void literal(String word) throws JsonException {
        if (!s.startsWith(word, i)) {
            throw error("expected " + word);
        }
        i += word.length();
    }

    private void checkDepth(int depth) throws JsonException {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    private JsonObject object(int depth) throws JsonException {
        checkDepth(depth);
        Location at = here();
        List<Member> members = new ArrayList<>();
        Map<String, Location> seen = new HashMap<>();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return new JsonObject(at, members);
        }
        while (true) {
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error(i >= s.length() ? "unexpected end of the document" : "expected a string key");
            }
            Location keyAt = here();
            String key = string();
            Location first = seen.putIfAbsent(key, keyAt);
            if (first != null) {
                throw error(keyAt, "duplicate key \"" + key + "\" (first at " + first + ")");
            }
            ws();
            expect(':');
            ws();
            members.add(new Member(key, keyAt, value(depth)));
            ws();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                ws();
                continue;
            }
            expect('}');
            return new JsonObject(at, members);
        }
    }

    private JsonArray array(int depth) throws JsonException {
        checkDepth(depth);
        Location at = here();
        List<JsonNode> elements = new ArrayList<>();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return new JsonArray(at, elements);
        }
        while (true) {
            elements.add(value(depth));
            ws();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                ws();
                continue;
            }
            expect(']');
            return new JsonArray(at, elements);
        }
    }

    private void expect(char c) throws JsonException {
        if (i >= s.length()) {
            throw error("unexpected end of the document, expected '" + c + "'");
        }
        if (s.charAt(i) != c) {
            throw error("expected '" + c + "', found " + describe(s.charAt(i)));
        }
        i++;
    }

    private String string() throws JsonException {
        StringBuilder b = new StringBuilder();
        i++;
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i);
            if (c == '"') {
                i++;
                return b.toString();
            }
            if (c < 0x20) {
                throw error("control character " + describe(c) + " in a string (escape it)");
            }
            if (c != '\\') {
                b.append(c);
                i++;
                continue;
            }
            i++;
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char e = s.charAt(i);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 5 > s.length()) {
                        throw error("short \\u escape");
                    }
                    int v = 0;
                    for (int k = 1; k <= 4; k++) {
                        int d = hexDigit(s.charAt(i + k));
                        if (d < 0) {
                            throw error("bad \\u escape");
                        }
                        v = v * 16 + d;
                    }
                    b.append((char) v);
                    i += 4;
                }
                default -> throw error("bad escape \\" + describe(e).replace("'", ""));
            }
            i++;
        }
    }

    private JsonNumber number() throws JsonException {
        Location at = here();
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
            if (isDigit(peek())) {
                throw error("leading zero in a number");
            }
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("expected a digit");
        }
        if (peek() == '.') {
            i++;
            if (!isDigit(peek())) {
                throw error("expected a digit after the decimal point");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!isDigit(peek())) {
                throw error("expected a digit in the exponent");
            }
            digits();
        }
        if (i - start > MAX_NUMBER_LENGTH) {
            throw error(at, "number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        String text = s.substring(start, i);
        try {
            return new JsonNumber(at, text);
        } catch (NumberFormatException e) {
            // An exponent beyond what BigDecimal represents.
            throw error(at, "number out of range");
        }
    }

    private void digits() {
        while (isDigit(peek())) {
            i++;
        }
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
