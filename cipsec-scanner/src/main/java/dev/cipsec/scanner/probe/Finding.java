package dev.cipsec.scanner.probe;

import java.util.Locale;
import java.util.Objects;

/**
 * One thing the probe found worth a look, with a code that scripts can match on (it does not change
 * between releases) and a sentence for people.
 */
public record Finding(Code code, String detail) {
    /** How much a finding matters; ordered, so {@code --fail-on} can compare. */
    public enum Severity { INFO, WARNING, CRITICAL }

    /** The stable codes; {@link #id()} is what the JSON output carries. */
    public enum Code {
        NULL_SUITES(Severity.CRITICAL),
        RSA_KEY_EXCHANGE(Severity.WARNING),
        SSL3_ACCEPTED(Severity.CRITICAL),
        TLS10_ACCEPTED(Severity.WARNING),
        TLS11_ACCEPTED(Severity.WARNING),
        DTLS10_ACCEPTED(Severity.WARNING),
        CERTIFICATE_EXPIRED(Severity.CRITICAL),
        CERTIFICATE_NOT_YET_VALID(Severity.CRITICAL),
        WEAK_KEY(Severity.CRITICAL),
        SELF_SIGNED_ON_CONFIGURED_DEVICE(Severity.CRITICAL),
        SELF_SIGNED(Severity.INFO),
        CLIENT_CERTIFICATE_NOT_REQUESTED(Severity.WARNING),
        CLIENT_ORDER(Severity.INFO),
        NO_EXTENDED_MASTER_SECRET(Severity.WARNING),
        NO_SECURE_RENEGOTIATION(Severity.WARNING);

        private final Severity severity;

        Code(Severity severity) {
            this.severity = severity;
        }

        public Severity severity() {
            return severity;
        }

        /** e.g. {@code null-suites}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public Finding {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(detail, "detail");
    }

    public Severity severity() {
        return code.severity();
    }
}
