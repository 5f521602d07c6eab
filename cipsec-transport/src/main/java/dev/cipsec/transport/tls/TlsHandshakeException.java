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
    private final boolean timedOut;

    public TlsHandshakeException(String message, short alert, boolean alertFromPeer, Throwable cause) {
        this(message, alert, alertFromPeer, false, cause);
    }

    private TlsHandshakeException(String message, short alert, boolean alertFromPeer, boolean timedOut, Throwable cause) {
        super(message, cause);
        this.alert = alert;
        this.alertFromPeer = alertFromPeer;
        this.timedOut = timedOut;
    }

    /** A handshake abandoned at its deadline, or when a read timed out: no alert. */
    static TlsHandshakeException timeout(String message, Throwable cause) {
        return new TlsHandshakeException(message, NO_ALERT, false, true, cause);
    }

    /** Whether the handshake ran out of time rather than ending with an alert. */
    public boolean timedOut() {
        return timedOut;
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
