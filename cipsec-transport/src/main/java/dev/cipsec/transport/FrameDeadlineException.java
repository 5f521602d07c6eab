package dev.cipsec.transport;

import java.net.SocketTimeoutException;

/**
 * A frame did not arrive completely within the whole-frame deadline although each single read
 * finished within the read timeout: a peer trickling bytes (slow loris). It is a
 * {@link SocketTimeoutException} so callers that close on timeouts need no extra case; callers
 * that count reasons can tell it apart.
 */
public final class FrameDeadlineException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    public FrameDeadlineException(String message) {
        super(message);
    }
}
