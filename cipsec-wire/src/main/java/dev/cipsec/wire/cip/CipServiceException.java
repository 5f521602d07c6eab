package dev.cipsec.wire.cip;

import java.util.Arrays;

/**
 * A CIP service answered (or must be answered) with a non-success general status. Object
 * handlers throw it to answer with that status; the client throws it when a target refused.
 */
public class CipServiceException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int generalStatus;
    private final int[] additionalStatus;

    public CipServiceException(int generalStatus, int... additionalStatus) {
        this(generalStatus, null, additionalStatus);
    }

    public CipServiceException(int generalStatus, String detail, int... additionalStatus) {
        super(message(generalStatus, detail, additionalStatus));
        this.generalStatus = generalStatus;
        this.additionalStatus = additionalStatus.clone();
    }

    private static String message(int status, String detail, int[] add) {
        StringBuilder sb = new StringBuilder("CIP status ").append(GeneralStatus.describe(status));
        for (int a : add) {
            sb.append(String.format(" [0x%04X]", a));
        }
        if (detail != null) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    public int generalStatus() {
        return generalStatus;
    }

    public int[] additionalStatus() {
        return additionalStatus.clone();
    }

    /** The extended status (first additional word), or -1. */
    public int extendedStatus() {
        return additionalStatus.length == 0 ? -1 : additionalStatus[0];
    }

    @Override
    public String toString() {
        return "CipServiceException{" + getMessage() + ", add=" + Arrays.toString(additionalStatus) + "}";
    }
}
