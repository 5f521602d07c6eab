package dev.cipsec.commission.est;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An enrolment request held for an operator's decision: who asked (client certificate, basic user, address)
 * and what for (the CSR's subject and key). Holds no secret: a CSR and a certificate fingerprint are public.
 *
 * @param id                16 lower-case hex digits, derived from the requester and the CSR's key, so that the
 *                          device's retry of the same request finds this one
 * @param status            pending, approved or denied
 * @param created           when the first attempt arrived
 * @param peer              the requester's address of the first attempt
 * @param clientSubject     subject of the TLS client certificate, or empty
 * @param clientIssuer      its issuer, or empty
 * @param clientFingerprint its SHA-256, 64 upper-case hex digits, or empty
 * @param user              the HTTP basic user, or empty
 * @param csrSubject        the subject the CSR asks for
 * @param csrKeyFingerprint SHA-256 of the CSR's SubjectPublicKeyInfo, upper-case hex
 * @param device            the policy device an approval assigned, or empty (then the CSR's common name decides)
 */
public record PendingRequest(String id, Status status, Instant created, String peer, String clientSubject,
                             String clientIssuer, String clientFingerprint, String user, String csrSubject,
                             String csrKeyFingerprint, String device) {
    static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    /** What the operator decided so far. */
    public enum Status {
        PENDING, APPROVED, DENIED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status of(String word) {
            for (Status s : values()) {
                if (s.word().equals(word)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown status: " + word);
        }
    }

    public PendingRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(clientSubject, "clientSubject");
        Objects.requireNonNull(clientIssuer, "clientIssuer");
        Objects.requireNonNull(clientFingerprint, "clientFingerprint");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(csrSubject, "csrSubject");
        Objects.requireNonNull(csrKeyFingerprint, "csrKeyFingerprint");
        Objects.requireNonNull(device, "device");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("request id must be 16 lower-case hex digits: " + id);
        }
    }

    PendingRequest with(Status newStatus, String newDevice) {
        return new PendingRequest(id, newStatus, created, peer, clientSubject, clientIssuer, clientFingerprint, user,
                csrSubject, csrKeyFingerprint, newDevice);
    }
}
