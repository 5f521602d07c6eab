package dev.cipsec.transport.tls;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fatal alerts of one handshake, sent and received, so that a failure can name the alert and
 * who sent it ({@link TlsHandshakeException}), and whether the peer has closed the connection in
 * order (close_notify); every alert is logged at DEBUG with the peer.
 */
final class Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);

    private final Object peer;
    private short sent = -1;
    private short received = -1;
    /** Volatile: the thread that reports the end of a connection need not be the one that read the alert. */
    private volatile boolean closeNotifyReceived;

    Alerts(Object peer) {
        this.peer = peer;
    }

    /** @return whether it was fatal */
    boolean raised(short level, short description, String message) {
        LOG.debug("TLS {}: sent {} alert {}{}", peer, AlertLevel.getText(level), AlertDescription.getText(description),
                message == null ? "" : ": " + message);
        if (level == AlertLevel.fatal) {
            sent = description;
            return true;
        }
        return false;
    }

    /** @return whether it was fatal */
    boolean received(short level, short description) {
        LOG.debug("TLS {}: received {} alert {}", peer, AlertLevel.getText(level), AlertDescription.getText(description));
        if (description == AlertDescription.close_notify) {
            closeNotifyReceived = true;
        }
        if (level == AlertLevel.fatal) {
            received = description;
            return true;
        }
        return false;
    }

    /** The fatal alert we sent, else the one received, else -1. */
    short alert() {
        return sent >= 0 ? sent : received;
    }

    /** Whether the peer sent close_notify. */
    boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    /** Whether {@link #alert()} came from the peer. */
    boolean fromPeer() {
        return sent < 0 && received >= 0;
    }
}
