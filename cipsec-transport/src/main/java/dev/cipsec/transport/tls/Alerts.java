package dev.cipsec.transport.tls;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fatal alerts of one handshake, sent and received, so that a failure can name the alert and
 * who sent it ({@link TlsHandshakeException}); every alert is logged at DEBUG with the peer.
 */
final class Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);

    private final Object peer;
    private short sent = -1;
    private short received = -1;

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

    /** Whether {@link #alert()} came from the peer. */
    boolean fromPeer() {
        return sent < 0 && received >= 0;
    }
}
