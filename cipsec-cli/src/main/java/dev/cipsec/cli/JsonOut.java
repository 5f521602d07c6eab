package dev.cipsec.cli;

/** The CLI's name for {@link dev.cipsec.commission.json.JsonOut}, which the commissioning reports share. */
public final class JsonOut {
    private JsonOut() {
    }

    public static String write(Object value) {
        return dev.cipsec.commission.json.JsonOut.write(value);
    }
}
