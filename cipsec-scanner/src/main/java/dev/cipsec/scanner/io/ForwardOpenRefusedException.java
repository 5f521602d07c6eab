package dev.cipsec.scanner.io;

import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.ForwardOpenFailure;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A target refused a Forward_Open: the message names the extended status, and for a size
 * (0x0126-0x0128) or RPI (0x0112) refusal the values the target would accept are exposed.
 */
public final class ForwardOpenRefusedException extends CipServiceException {
    private static final long serialVersionUID = 1L;

    private final transient ForwardOpenFailure failure;

    public ForwardOpenRefusedException(int service, ForwardOpenFailure failure) {
        super(failure.generalStatus(), detail(service, failure),
                failure.additionalStatus().stream().mapToInt(Integer::intValue).toArray());
        this.failure = failure;
    }

    private static String detail(int service, ForwardOpenFailure f) {
        StringBuilder sb = new StringBuilder(ServiceCodes.describe(service)).append(" refused");
        if (f.extendedStatus() >= 0) {
            sb.append(": ").append(ExtendedStatus.describe(f.extendedStatus()));
        }
        f.correctSize().ifPresent(size -> sb.append(" (target accepts ").append(size).append(" bytes)"));
        f.rpiRejection().ifPresent(r -> sb.append(String.format(" (acceptable RPI O->T %d us, T->O %d us)",
                r.otRpiMicros(), r.toRpiMicros())));
        return sb.toString();
    }

    public ForwardOpenFailure failure() {
        return failure;
    }

    /** For 0x0126/0x0127/0x0128: the connection size (wire bytes) the target would accept. */
    public OptionalInt correctSize() {
        return failure.correctSize();
    }

    /** For 0x0112: the RPIs the target would accept. */
    public Optional<ForwardOpenFailure.RpiRejection> rpiRejection() {
        return failure.rpiRejection();
    }
}
