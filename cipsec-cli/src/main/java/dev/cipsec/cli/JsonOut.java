package dev.cipsec.cli;

import dev.cipsec.commission.json.JsonWriter;

/** {@code --json} output: {@link JsonWriter}'s text, which the commissioning files share, without its final newline. */
public final class JsonOut {
    private JsonOut() {
    }

    public static String write(Object value) {
        String s = JsonWriter.write(value);
        return s.substring(0, s.length() - 1);
    }
}
