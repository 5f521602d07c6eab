package dev.cipsec.commission.json;

/**
 * The text is not JSON as RFC 8259 defines it, or breaks the reader's bounds; the message names the line
 * and column.
 */
public final class JsonException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String detail;

    public JsonException(int line, int column, String detail) {
        super("JSON: " + detail + " at line " + line + " column " + column);
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    /** 1-based line of the offending character. */
    public int line() {
        return line;
    }

    /** 1-based column of the offending character. */
    public int column() {
        return column;
    }

    /** What is wrong, without the location. */
    public String detail() {
        return detail;
    }
}
