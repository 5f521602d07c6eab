package dev.cipsec.scanner;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection serial numbers for Forward_Open. The triad (serial, vendor, originator serial)
 * identifies a connection at the target, and all of this process's connections share vendor and
 * originator serial, so serials come from one counter (1..65535, starting at a random point so a
 * restarted originator does not reuse the previous run's first serials): random picks collide
 * quickly (two in 1,000 connections almost surely share a serial and the target answers 0x0100).
 */
public final class ConnectionSerials {
    private static final AtomicInteger NEXT = new AtomicInteger(new SecureRandom().nextInt(0xFFFF));

    private ConnectionSerials() {
    }

    /** The next serial, 1..65535, unique among the last 65,535 handed out. */
    public static int next() {
        return NEXT.getAndUpdate(v -> v >= 0xFFFE ? 0 : v + 1) + 1;
    }
}
