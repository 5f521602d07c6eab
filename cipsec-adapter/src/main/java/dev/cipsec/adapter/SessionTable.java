package dev.cipsec.adapter;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Registered encapsulation sessions, bounded. Handles are random and non-zero so that a peer
 * cannot guess another connection's handle by counting.
 */
final class SessionTable {
    private final int max;
    private final ConcurrentHashMap<Long, Object> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();

    SessionTable(int max) {
        this.max = max;
    }

    /** A new handle bound to {@code owner}, or 0 when the table is full. */
    long register(Object owner) {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return 0;
        }
        while (true) {
            long h = random.nextInt() & 0xFFFF_FFFFL;
            if (h != 0 && sessions.putIfAbsent(h, owner) == null) {
                return h;
            }
        }
    }

    void unregister(long handle) {
        if (handle != 0 && sessions.remove(handle) != null) {
            count.decrementAndGet();
        }
    }

    int size() {
        return count.get();
    }
}
