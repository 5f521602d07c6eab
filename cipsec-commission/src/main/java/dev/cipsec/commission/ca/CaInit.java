package dev.cipsec.commission.ca;

import dev.cipsec.transport.tls.cert.CsrSubject;

import java.util.Objects;

/**
 * What {@link PlantCa#init} creates: the key type, the CA's subject (a common name is required; subject
 * alternative names are ignored for a CA), its validity and where the key is kept.
 */
public record CaInit(KeyAlgorithm algorithm, CsrSubject subject, int validityDays, CaKeyAccess access) {
    /** Longest CA validity accepted: 100 years. */
    public static final int MAX_VALIDITY_DAYS = 36_500;

    public CaInit {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(access, "access");
        if (subject.commonName().isEmpty()) {
            throw new IllegalArgumentException("the CA needs a common name");
        }
        if (validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
            throw new IllegalArgumentException("CA validity must be 1.." + MAX_VALIDITY_DAYS + " days: " + validityDays);
        }
    }
}
