package dev.cipsec.wire.epath;

/** Logical segment types, bits 2–4 of a logical segment byte (reference §2.3). */
public enum LogicalType {
    CLASS(0), INSTANCE(1), MEMBER(2), CONNECTION_POINT(3), ATTRIBUTE(4), SERVICE_ID(6);

    private final int code;

    LogicalType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** {@code null} for 5 (special, i.e. electronic key: its own segment type) and 7 (extended logical, unsupported). */
    static LogicalType ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Indexed by code; {@code values()} would clone an array per segment decoded. */
    private static final LogicalType[] BY_CODE = new LogicalType[8];

    static {
        for (LogicalType t : values()) {
            BY_CODE[t.code] = t;
        }
    }
}
