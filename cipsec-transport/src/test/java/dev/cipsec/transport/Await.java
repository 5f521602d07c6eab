package dev.cipsec.transport;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Deadline-based waiting for tests: polls a condition instead of sleeping a guessed time. */
public final class Await {
    private Await() {
    }

    public static void until(Duration timeout, BooleanSupplier condition) {
        until(timeout, condition, "condition");
    }

    public static void until(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + " not met within " + timeout);
            }
            // Yield the core briefly; parkNanos returns early on unpark, which is harmless here.
            LockSupport.parkNanos(1_000_000);
        }
    }
}
