package dev.cipsec.cli;

import dev.cipsec.scanner.EncapsulationException;
import dev.cipsec.transport.tls.TlsHandshakeException;
import dev.cipsec.transport.tls.cert.CertificateRejectedException;
import dev.cipsec.wire.cip.CipServiceException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Maps failures to the documented exit codes. */
final class ExitCodes {
    private ExitCodes() {
    }

    static int forException(Throwable t) {
        if (t instanceof TlsHandshakeException) {
            return Main.TLS;
        }
        if (t instanceof CommandLine.ParameterException || t instanceof IllegalArgumentException) {
            return Main.USAGE;
        }
        if (t instanceof CipServiceException || t instanceof EncapsulationException || t instanceof CheckFailedException
                || t instanceof dev.cipsec.commission.ca.CaException) {
            return Main.REFUSED;
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            return Main.IO;
        }
        return Main.IO;
    }

    static String message(Throwable t) {
        if (t instanceof TlsHandshakeException h) {
            return tlsMessage(h);
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /**
     * One line a user can act on: which alert, whether we sent it or received it, and for a refused
     * certificate the failed check with the certificate's subject, issuer and fingerprint.
     */
    static String tlsMessage(TlsHandshakeException e) {
        if (e.alert() == TlsHandshakeException.NO_ALERT) {
            return oneLine(e.getMessage());
        }
        StringBuilder sb = new StringBuilder("TLS handshake failed: ");
        sb.append(e.alertFromPeer() ? "received alert " : "sent alert ").append(e.alertName());
        CertificateRejectedException refused = cause(e, CertificateRejectedException.class);
        if (refused != null) {
            sb.append(": the peer's certificate was refused: ").append(refused.getMessage());
        } else if (e.alertFromPeer()) {
            String hint = switch (e.alertName()) {
                case "decrypt_error", "bad_record_mac" -> "wrong pre-shared key?";
                case "unknown_psk_identity" -> "the peer does not know this PSK identity";
                case "handshake_failure", "insufficient_security" ->
                        "no cipher suite in common, or the peer lacks the credentials for them";
                case "unknown_ca", "bad_certificate", "unsupported_certificate", "certificate_expired",
                     "certificate_revoked", "certificate_unknown", "access_denied" -> "the peer refused our certificate";
                default -> null;
            };
            if (hint != null) {
                sb.append(" (").append(hint).append(')');
            }
        } else if (e.getCause() != null && e.getCause().getMessage() != null) {
            // Bouncy Castle's message starts with the alert again ("handshake_failure(40); detail").
            String detail = e.getCause().getMessage().replaceFirst("^[a-z_]+\\(\\d+\\)(; )?", "");
            if (!detail.isBlank()) {
                sb.append(": ").append(detail);
            }
        }
        return oneLine(sb.toString());
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static String oneLine(String s) {
        return s == null ? "TLS handshake failed" : s.replaceAll("\\s*[\r\n]+\\s*", " ");
    }

    /** A check the user asked for did not hold. */
    static final class CheckFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        CheckFailedException(String message) {
            super(message);
        }
    }
}
