package dev.cipsec.scanner.security;

import dev.cipsec.wire.cip.CipServiceException;

/**
 * A security or File object service the target refused: the CIP general status, its additional
 * status words and which service it was (e.g. "0x5E Apply_Config"), so a tool can tell the user
 * which step of a commissioning failed.
 */
public final class SecurityServiceException extends CipServiceException {
    private static final long serialVersionUID = 1L;

    private final String service;

    public SecurityServiceException(String service, int generalStatus, int... additionalStatus) {
        super(generalStatus, service, additionalStatus);
        this.service = service;
    }

    /** The refused service, with its class: "0x5F Create_CSR", "0x37 Download_Transfer". */
    public String service() {
        return service;
    }
}
