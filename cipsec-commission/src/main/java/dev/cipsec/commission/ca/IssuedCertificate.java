package dev.cipsec.commission.ca;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the CA's database.
 *
 * @param serial           the certificate's serial number
 * @param subject          the subject as {@code openssl ca} writes it ({@code /C=DE/O=Plant/CN=plc1})
 * @param notBefore        start of validity (from {@code issued/<serial>.pem}; null when that file is missing)
 * @param notAfter         end of validity
 * @param fingerprint      SHA-256 of the certificate, colon-separated upper-case hex as openssl prints it (empty
 *                         when the file is missing)
 * @param status           valid, revoked or expired (openssl's V, R, E)
 * @param revocationDate   when it was revoked, or null
 * @param revocationReason the CRL reason code (RFC 5280 §5.3.1), or -1 when not revoked
 */
public record IssuedCertificate(BigInteger serial, String subject, Instant notBefore, Instant notAfter,
                                String fingerprint, Status status, Instant revocationDate, int revocationReason) {
    /** The status letter of openssl's index. */
    public enum Status {
        VALID('V'), REVOKED('R'), EXPIRED('E');

        private final char letter;

        Status(char letter) {
            this.letter = letter;
        }

        public char letter() {
            return letter;
        }
    }

    public IssuedCertificate {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(status, "status");
    }

    /** The serial as the index and the {@code issued/} file name spell it: upper-case hex, even length. */
    public String serialHex() {
        return CaIndex.hex(serial);
    }
}
