package dev.cipsec.commission.ca;

/**
 * The plant CA refused a request: a CSR whose signature does not verify, a key type CIPsec devices cannot
 * use, an unknown or already revoked serial, a validity beyond the CA's own. The message says which, and
 * never carries key material or passwords.
 */
public final class CaException extends Exception {
    private static final long serialVersionUID = 1L;

    public CaException(String message) {
        super(message);
    }

    public CaException(String message, Throwable cause) {
        super(message, cause);
    }
}
