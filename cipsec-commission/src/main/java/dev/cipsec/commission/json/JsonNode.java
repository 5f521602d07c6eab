package dev.cipsec.commission.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A JSON value as {@link JsonReader} read it, with the line and column where it starts so that a
 * message about it can point into the file.
 */
public sealed interface JsonNode {
    /** Where the value starts in the text (its first character). */
    Location location();

    /** The JSON type in words ("object", "array", "string", "number", "boolean", "null") for messages. */
    String typeName();

    /** A 1-based line and column (columns count UTF-16 characters, a tab counting as one). */
    record Location(int line, int column) {
        public Location {
            if (line < 1 || column < 1) {
                throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
            }
        }

        @Override
        public String toString() {
            return line + ":" + column;
        }
    }

    /** One member of an object: its key (with the key's own location) and its value. */
    record Member(String key, Location keyLocation, JsonNode value) {
        public Member {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(keyLocation, "keyLocation");
            Objects.requireNonNull(value, "value");
        }
    }

    /** An object; members keep the order of the file (keys are unique: the reader refuses duplicates). */
    record JsonObject(Location location, List<Member> members) implements JsonNode {
        public JsonObject {
            Objects.requireNonNull(location, "location");
            members = List.copyOf(members);
        }

        /** The member with this key, if present. */
        public Optional<Member> member(String key) {
            for (Member m : members) {
                if (m.key().equals(key)) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }

        /** The value under this key, if present. */
        public Optional<JsonNode> get(String key) {
            return member(key).map(Member::value);
        }

        /** The keys in file order. */
        public List<String> keys() {
            List<String> keys = new ArrayList<>(members.size());
            for (Member m : members) {
                keys.add(m.key());
            }
            return List.copyOf(keys);
        }

        @Override
        public String typeName() {
            return "object";
        }
    }

    /** An array. */
    record JsonArray(Location location, List<JsonNode> elements) implements JsonNode {
        public JsonArray {
            Objects.requireNonNull(location, "location");
            elements = List.copyOf(elements);
        }

        @Override
        public String typeName() {
            return "array";
        }
    }

    /** A string, escapes resolved. */
    record JsonString(Location location, String value) implements JsonNode {
        public JsonString {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String typeName() {
            return "string";
        }
    }

    /**
     * A number as written ({@code text} is an RFC 8259 number literal): integers are kept exact, whatever
     * their size, through {@link #decimal()} and {@link #longValue()}.
     */
    record JsonNumber(Location location, String text) implements JsonNode {
        public JsonNumber {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(text, "text");
            new BigDecimal(text);
        }

        /** The exact value. */
        public BigDecimal decimal() {
            return new BigDecimal(text);
        }

        /** Whether the value is a whole number ({@code 3}, also {@code 3.0} or {@code 3e2}) that fits a long. */
        public boolean isLong() {
            BigDecimal d = decimal();
            if (d.signum() == 0) {
                return true;
            }
            // Checked before longValueExact, which would scale 1e-999999 by a million digits to find out.
            d = d.stripTrailingZeros();
            if (d.scale() > 0 || d.precision() - d.scale() > 19) {
                return false;
            }
            try {
                d.longValueExact();
                return true;
            } catch (ArithmeticException e) {
                return false;
            }
        }

        /** The value as a long; {@link ArithmeticException} when it has a fraction or does not fit. */
        public long longValue() {
            if (!isLong()) {
                throw new ArithmeticException("not a whole number in the range of a long: " + text);
            }
            return decimal().longValueExact();
        }

        /** The value as the nearest double. */
        public double doubleValue() {
            return decimal().doubleValue();
        }

        @Override
        public String typeName() {
            return "number";
        }
    }

    /** {@code true} or {@code false}. */
    record JsonBool(Location location, boolean value) implements JsonNode {
        public JsonBool {
            Objects.requireNonNull(location, "location");
        }

        @Override
        public String typeName() {
            return "boolean";
        }
    }

    /** {@code null}. */
    record JsonNull(Location location) implements JsonNode {
        public JsonNull {
            Objects.requireNonNull(location, "location");
        }

        @Override
        public String typeName() {
            return "null";
        }
    }
}
