package dev.cipsec.commission.policy;

import java.util.Objects;

/**
 * One thing wrong with a policy file, where it is: printed as a compiler would,
 * {@code policy.json:14:17: devices[3].zone: unknown zone 'line9'}.
 *
 * @param file     the file as the user named it
 * @param line     1-based line
 * @param column   1-based column
 * @param path     the value's place in the document ({@code devices[3].zone}); empty for the whole document
 * @param message  what is wrong, in words
 * @param severity an {@link Severity#ERROR} makes the policy invalid; a {@link Severity#WARNING} does not
 */
public record Problem(String file, int line, int column, String path, String message, Severity severity) {
    /** Whether the problem stops the policy from being deployed. */
    public enum Severity { ERROR, WARNING }

    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(severity, "severity");
    }

    /** An error. */
    public Problem(String file, int line, int column, String path, String message) {
        this(file, line, column, path, message, Severity.ERROR);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + (path.isEmpty() ? "" : path + ": ")
                + (severity == Severity.WARNING ? "warning: " : "") + message;
    }
}
