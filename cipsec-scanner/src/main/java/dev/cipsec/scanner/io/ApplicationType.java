package dev.cipsec.scanner.io;

/**
 * What an I/O connection does at the target (reference §2.5). Exclusive owner sends outputs and
 * receives inputs; input only and listen only receive inputs and send only heartbeats O->T, to the
 * target's heartbeat connection points (a listen-only connection lives only while an owning
 * connection to the same input exists).
 */
public enum ApplicationType {
    EXCLUSIVE_OWNER,
    INPUT_ONLY,
    LISTEN_ONLY;

    /** Whether O->T carries application data rather than a heartbeat. */
    public boolean producesOutput() {
        return this == EXCLUSIVE_OWNER;
    }
}
