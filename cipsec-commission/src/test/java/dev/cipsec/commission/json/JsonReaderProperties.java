package dev.cipsec.commission.json;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class JsonReaderProperties {
    @Property(tries = 2000)
    void arbitraryTextThrowsOnlyJsonException(@ForAll("jsonish") String text) {
        try {
            JsonNode n = JsonReader.parse(text);
            assertThat(n.location().line()).isGreaterThanOrEqualTo(1);
        } catch (JsonException e) {
            assertThat(e.line()).isGreaterThanOrEqualTo(1);
            assertThat(e.column()).isGreaterThanOrEqualTo(1);
        }
    }

    @Property(tries = 1000)
    void arbitraryBytesThrowOnlyJsonException(@ForAll byte[] bytes) {
        try {
            JsonReader.parse(bytes);
        } catch (JsonException e) {
            assertThat(e.detail()).isNotEmpty();
        }
    }

    @Property(tries = 500)
    void writtenValuesReadBackEqual(@ForAll("values") Object value) throws JsonException {
        JsonNode n = JsonReader.parse(JsonWriter.write(value).getBytes(StandardCharsets.UTF_8));
        assertThat(toPlain(n)).isEqualTo(value);
    }

    /** Text made mostly of JSON's own characters, so that the parser gets deep before failing. */
    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> tokens = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\"a\"", "1", "-",
                "0", ".", "e", "E", "+", "true", "false", "null", "tru", " ", "\n", "\r", "\t", "\"k\":", "\u0000",
                "\uD800", "é", "1e999999999999", "9".repeat(30));
        return Arbitraries.oneOf(tokens.list().ofMaxSize(60).map(l -> String.join("", l)),
                Arbitraries.strings().ofMaxLength(40));
    }

    @Provide
    Arbitrary<Object> values() {
        return Arbitraries.lazyOf(
                () -> Arbitraries.strings().ofMaxLength(10).map(s -> (Object) s),
                () -> Arbitraries.longs().map(l -> (Object) l),
                () -> Arbitraries.of(true, false).map(b -> (Object) b),
                () -> values().list().ofMaxSize(3).map(l -> (Object) l),
                () -> Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(5), values()).ofMaxSize(3)
                        .map(m -> (Object) new java.util.LinkedHashMap<>(m)));
    }

    private static Object toPlain(JsonNode n) {
        return switch (n) {
            case JsonNode.JsonString s -> s.value();
            case JsonNode.JsonNumber num -> num.longValue();
            case JsonNode.JsonBool b -> b.value();
            case JsonNode.JsonNull nul -> null;
            case JsonNode.JsonArray a -> a.elements().stream().map(JsonReaderProperties::toPlain).toList();
            case JsonNode.JsonObject o -> {
                java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
                o.members().forEach(mem -> m.put(mem.key(), toPlain(mem.value())));
                yield m;
            }
        };
    }

}
