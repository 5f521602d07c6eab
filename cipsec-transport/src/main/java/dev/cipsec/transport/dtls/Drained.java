package dev.cipsec.transport.dtls;

import java.io.InterruptedIOException;

/**
 * What our transports throw when Bouncy Castle asks an established session for another datagram
 * and the one handed over has been used up. Not an interruption: Bouncy Castle's record layer
 * passes an {@link InterruptedIOException} up without failing the session (its
 * {@code DTLSTransport.receive} rethrows it untouched, unlike other {@code IOException}s), which is
 * what "no more datagrams now" needs. One shared instance without a stack trace: it is thrown once
 * per datagram.
 */
final class Drained extends InterruptedIOException {
    static final Drained INSTANCE = new Drained();

    private Drained() {
        super("no datagram handed over");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
