package dev.cipsec.objects.security;

import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A configuration session of one security object (Begin_Config ... Apply/End/Abort): who opened it
 * and its inactivity timer (10 s in Volume 8, restarted by Kick_Timer, reference §4.4).
 *
 * <p>The session belongs to the host that began it (its IP address): Volume 8's public descriptions
 * are silent on a second tool, and we refuse a second host's writes and session services with 0x0F
 * so that two tools cannot interleave half-configurations. The address rather than the encapsulation
 * session, so that a tool (or an operator typing CLI commands) may use several connections in turn.
 * Guarded by the objects' lock; the timer only calls back, and the callback re-checks the session
 * under that lock.
 */
final class ConfigSession {
    private record Owner(InetAddress address) {
    }

    private final ScheduledExecutorService timer;
    private final Duration timeout;
    private final LongConsumer onExpiry;
    private Owner owner;
    private ScheduledFuture<?> expiry;
    private long epoch;

    ConfigSession(ScheduledExecutorService timer, Duration timeout, LongConsumer onExpiry) {
        this.timer = timer;
        this.timeout = timeout;
        this.onExpiry = onExpiry;
    }

    boolean active() {
        return owner != null;
    }

    void begin(RequestContext ctx) {
        owner = new Owner(ctx.peer().getAddress());
        epoch++;
        arm();
    }

    /** 0x0F unless {@code ctx} comes from the session's owner. */
    void checkOwner(RequestContext ctx, String what) throws CipServiceException {
        if (owner == null || !owner.equals(new Owner(ctx.peer().getAddress()))) {
            throw new CipServiceException(GeneralStatus.PRIVILEGE_VIOLATION,
                    what + ": the configuration session belongs to another client");
        }
    }

    void kick() {
        arm();
    }

    void end() {
        owner = null;
        epoch++;
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    /** True when the timer that fired belongs to the session still open (the callback checks this under the lock). */
    boolean expired(long firedEpoch) {
        return owner != null && firedEpoch == epoch;
    }

    private void arm() {
        if (expiry != null) {
            expiry.cancel(false);
        }
        long e = epoch;
        expiry = timer.schedule(() -> onExpiry.accept(e), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
