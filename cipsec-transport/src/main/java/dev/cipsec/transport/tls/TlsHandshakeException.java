package dev.cipsec.transport.tls;

import org.bouncycastle.tls.AlertDescription;

import java.io.IOException;

/**
 * A TLS handshake that did not complete: the alert that ended it (sent by us or received from the
 * peer) or a timeout, with the reason in the message.
 */
public final class TlsHandshakeException extends IOException {
    /** No alert: the handshake timed out or the connection dropped. */
    public static final short NO_ALERT = -1;

    private final short alert;
    private final boolean alertFromPeer;

    public TlsHandshakeException(String message, short alert, boolean alertFromPeer, Throwable cause) {
        super(message, cause);
        this.alert = alert;
        this.alertFromPeer = alertFromPeer;
    }

    /** The TLS alert description (RFC 5246 §7.2), or {@link #NO_ALERT}. */
    public short alert() {
        return alert;
    }

    /** Its name, e.g. "unknown_psk_identity", or "none". */
    public String alertName() {
        return alert < 0 ? "none" : alertName(alert);
    }

    /** Whether the peer sent the alert (else we did, or there was none). */
    public boolean alertFromPeer() {
        return alertFromPeer;
    }

    static String alertName(short alert) {
        return AlertDescription.getName(alert);
    }
}
