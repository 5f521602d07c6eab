package dev.cipsec.adapter.io;

/**
 * The kind of an I/O connection, decided by its O→T connection point: an output assembly makes an
 * exclusive owner, the input-only or listen-only heartbeat point the other two.
 */
public enum ApplicationType {
    /** Consumes an output assembly (only one owner per assembly) and produces an input assembly. */
    EXCLUSIVE_OWNER,
    /** Receives an input assembly; O→T carries only heartbeats. */
    INPUT_ONLY,
    /** Receives an input assembly only while a non-listen-only connection produces it. */
    LISTEN_ONLY
}
