package dev.cipsec.wire.cm;

/**
 * The transport class and trigger byte of a Forward_Open (reference §2.6): bit 7 direction
 * (1 = server), bits 4–6 production trigger, bits 0–3 transport class. Any byte value is kept.
 */
public record TransportTrigger(int value) {
    /** Class 1, cyclic, client: the usual I/O connection. */
    public static final int CLASS1_CYCLIC = 0x01;
    /** Class 3, application-triggered, server: the usual connected explicit messaging connection. */
    public static final int CLASS3_SERVER_APP = 0xA3;

    public static final int TRIGGER_CYCLIC = 0;
    public static final int TRIGGER_CHANGE_OF_STATE = 1;
    public static final int TRIGGER_APPLICATION = 2;

    public TransportTrigger {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("transport/trigger must be one byte: " + value);
        }
    }

    public static TransportTrigger of(boolean server, int trigger, int transportClass) {
        if (trigger < 0 || trigger > 7) {
            throw new IllegalArgumentException("trigger must be 0..7: " + trigger);
        }
        if (transportClass < 0 || transportClass > 15) {
            throw new IllegalArgumentException("transport class must be 0..15: " + transportClass);
        }
        return new TransportTrigger((server ? 0x80 : 0) | trigger << 4 | transportClass);
    }

    public boolean server() {
        return (value & 0x80) != 0;
    }

    public int trigger() {
        return (value >>> 4) & 0x07;
    }

    public int transportClass() {
        return value & 0x0F;
    }

    /** Classes 0 and 1 travel over UDP as I/O frames; 2 and 3 are connected explicit messages. */
    public boolean isIo() {
        return transportClass() <= 1;
    }

    @Override
    public String toString() {
        return String.format("TransportTrigger[0x%02X class %d trigger %d %s]", value, transportClass(), trigger(),
                server() ? "server" : "client");
    }
}
