package dev.cipsec.commission.json;

import dev.cipsec.commission.json.JsonNode.JsonArray;
import dev.cipsec.commission.json.JsonNode.JsonBool;
import dev.cipsec.commission.json.JsonNode.JsonNull;
import dev.cipsec.commission.json.JsonNode.JsonNumber;
import dev.cipsec.commission.json.JsonNode.JsonObject;
import dev.cipsec.commission.json.JsonNode.JsonString;
import dev.cipsec.commission.json.JsonNode.Location;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonReaderTest {
    @Test
    void valuesKeepTheirLineAndColumn() throws Exception {
        String text = "{\n  \"a\": [1, \"x\"],\n\t\"b\": {\"c\": true, \"d\": null}\n}";
        JsonObject root = (JsonObject) JsonReader.parse(text);
        assertThat(root.location()).isEqualTo(new Location(1, 1));
        assertThat(root.keys()).containsExactly("a", "b");
        assertThat(root.member("a").orElseThrow().keyLocation()).isEqualTo(new Location(2, 3));
        JsonArray a = (JsonArray) root.get("a").orElseThrow();
        assertThat(a.location()).isEqualTo(new Location(2, 8));
        assertThat(a.elements().get(0).location()).isEqualTo(new Location(2, 9));
        assertThat(a.elements().get(1)).isEqualTo(new JsonString(new Location(2, 12), "x"));
        assertThat(root.member("b").orElseThrow().keyLocation()).isEqualTo(new Location(3, 2));
        JsonObject b = (JsonObject) root.get("b").orElseThrow();
        assertThat(b.get("c").orElseThrow()).isEqualTo(new JsonBool(new Location(3, 13), true));
        assertThat(b.get("d").orElseThrow()).isEqualTo(new JsonNull(new Location(3, 24)));
    }

    @Test
    void crlfCountsAsOneLineBreak() throws Exception {
        JsonObject root = (JsonObject) JsonReader.parse("{\r\n\"a\":\r\n 5}");
        assertThat(root.get("a").orElseThrow().location()).isEqualTo(new Location(3, 2));
    }

    @Test
    void integersStayExactAndFractionsAreNotLongs() throws Exception {
        JsonArray a = (JsonArray) JsonReader.parse("[9223372036854775807, -9223372036854775808, 9223372036854775808,"
                + " 1.5, 3e2, 1e-999999, 0, -0, 123456789012345678901234567890]");
        JsonNumber max = (JsonNumber) a.elements().get(0);
        assertThat(max.isLong()).isTrue();
        assertThat(max.longValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(((JsonNumber) a.elements().get(1)).longValue()).isEqualTo(Long.MIN_VALUE);
        JsonNumber over = (JsonNumber) a.elements().get(2);
        assertThat(over.isLong()).isFalse();
        assertThat(over.decimal()).isEqualTo(new BigDecimal("9223372036854775808"));
        assertThatThrownBy(over::longValue).isInstanceOf(ArithmeticException.class);
        assertThat(((JsonNumber) a.elements().get(3)).isLong()).isFalse();
        assertThat(((JsonNumber) a.elements().get(3)).doubleValue()).isEqualTo(1.5);
        assertThat(((JsonNumber) a.elements().get(4)).longValue()).isEqualTo(300);
        assertThat(((JsonNumber) a.elements().get(5)).isLong()).isFalse();
        assertThat(((JsonNumber) a.elements().get(6)).longValue()).isZero();
        assertThat(((JsonNumber) a.elements().get(7)).longValue()).isZero();
        assertThat(((JsonNumber) a.elements().get(8)).text()).isEqualTo("123456789012345678901234567890");
    }

    @Test
    void stringEscapesAreResolved() throws Exception {
        JsonString s = (JsonString) JsonReader.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"");
        assertThat(s.value()).isEqualTo("a\"b\\c/d\b\f\n\r\té\uD83D\uDE00");
    }

    @Test
    void duplicateKeyIsAnErrorAtTheSecondKey() {
        assertThatThrownBy(() -> JsonReader.parse("{\"name\": 1,\n  \"name\": 2}"))
                .isInstanceOfSatisfying(JsonException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(3);
                    assertThat(e.detail()).isEqualTo("duplicate key \"name\" (first at 1:2)");
                });
    }

    @ParameterizedTest(name = "[{index}] {3}")
    @CsvSource(delimiter = '|', value = {
            "{'a':1}|1|2|expected a string key",
            "{\"a\":1,}|1|8|expected a string key",
            "[1,]|1|4|unexpected character ']'",
            "[1 2]|1|4|expected ']', found '2'",
            "01|1|2|leading zero in a number",
            "+1|1|1|unexpected character '+'",
            "1.|1|3|expected a digit after the decimal point",
            "1e|1|3|expected a digit in the exponent",
            "-|1|2|expected a digit",
            "tru|1|1|expected true",
            "\"abc|1|5|unterminated string",
            "\"\\x\"|1|3|bad escape \\x",
            "\"\\u12G4\"|1|3|bad \\u escape",
            "{\"a\" 1}|1|6|expected ':', found '1'",
            "1 2|1|3|unexpected text after the document",
            "@|1|1|unexpected character '@'",
            "|1|1|unexpected end of the document",
            "[|1|2|unexpected end of the document",
            "// comment|1|1|unexpected character '/'",
    })
    void syntaxErrorsNameTheirLocation(String text, int line, int column, String detail) {
        String t = text == null ? "" : text;
        assertThatThrownBy(() -> JsonReader.parse(t)).isInstanceOfSatisfying(JsonException.class, e -> {
            assertThat(e.detail()).isEqualTo(detail);
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.column()).isEqualTo(column);
            assertThat(e.getMessage()).isEqualTo("JSON: " + detail + " at line " + line + " column " + column);
        });
    }

    @Test
    void controlCharacterInStringIsRefused() {
        assertThatThrownBy(() -> JsonReader.parse("[\"a\nb\"]"))
                .isInstanceOfSatisfying(JsonException.class,
                        e -> assertThat(e.detail()).isEqualTo("control character U+000A in a string (escape it)"));
    }

    @Test
    void depthIsBounded() throws Exception {
        String ok = "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH);
        assertThat(JsonReader.parse(ok)).isInstanceOf(JsonArray.class);
        String deep = "[".repeat(JsonReader.MAX_DEPTH + 1) + "]".repeat(JsonReader.MAX_DEPTH + 1);
        assertThatThrownBy(() -> JsonReader.parse(deep)).isInstanceOfSatisfying(JsonException.class, e -> {
            assertThat(e.detail()).isEqualTo("nesting deeper than 64 levels");
            assertThat(e.column()).isEqualTo(JsonReader.MAX_DEPTH + 1);
        });
        // Far deeper than any stack: refused at the bound, never a StackOverflowError.
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":".repeat(100_000))).isInstanceOf(JsonException.class);
    }

    @Test
    void sizeIsBounded(@TempDir Path dir) throws Exception {
        String big = "\"" + "a".repeat(JsonReader.MAX_LENGTH) + "\"";
        assertThatThrownBy(() -> JsonReader.parse(big)).isInstanceOfSatisfying(JsonException.class,
                e -> assertThat(e.detail()).startsWith("document larger than"));
        Path f = dir.resolve("big.json");
        Files.writeString(f, big);
        assertThatThrownBy(() -> JsonReader.read(f)).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> JsonReader.parse("1" + "0".repeat(JsonReader.MAX_NUMBER_LENGTH)))
                .isInstanceOfSatisfying(JsonException.class, e -> assertThat(e.detail()).contains("number longer than"));
    }

    @Test
    void invalidUtf8IsRefusedWithItsLocationAndABomIsSkipped() throws Exception {
        byte[] bad = {'[', '\n', '"', 'a', (byte) 0xC3, '"', ']'};
        assertThatThrownBy(() -> JsonReader.parse(bad)).isInstanceOfSatisfying(JsonException.class, e -> {
            assertThat(e.detail()).isEqualTo("invalid UTF-8");
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(3);
        });
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '[', '1', ']'};
        assertThat(((JsonArray) JsonReader.parse(bom)).elements()).hasSize(1);
    }

    @Test
    void readRefusesADirectory(@TempDir Path dir) {
        assertThatThrownBy(() -> JsonReader.read(dir)).isInstanceOf(java.io.IOException.class)
                .isNotInstanceOf(JsonException.class);
    }

    @Test
    void writerOutputReadsBack() throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("s", "q\"\\\n\u0001é");
        doc.put("n", 42L);
        doc.put("l", List.of(true, false, 1.5));
        doc.put("z", null);
        doc.put("e", Map.of());
        JsonObject o = (JsonObject) JsonReader.parse(JsonWriter.write(doc).getBytes(StandardCharsets.UTF_8));
        assertThat(o.keys()).containsExactly("s", "n", "l", "z", "e");
        assertThat(((JsonString) o.get("s").orElseThrow()).value()).isEqualTo("q\"\\\n\u0001é");
        assertThat(((JsonNumber) o.get("n").orElseThrow()).longValue()).isEqualTo(42);
        assertThat(((JsonArray) o.get("l").orElseThrow()).elements()).hasSize(3);
        assertThat(o.get("z").orElseThrow()).isInstanceOf(JsonNull.class);
        assertThatThrownBy(() -> JsonWriter.write(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
