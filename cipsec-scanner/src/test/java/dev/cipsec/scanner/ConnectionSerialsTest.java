package dev.cipsec.scanner;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionSerialsTest {
    @Test
    void serialsStayInRangeAndDoNotRepeatWithinACycle() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 0xFFFF; i++) {
            int s = ConnectionSerials.next();
            assertThat(s).isBetween(1, 0xFFFF);
            assertThat(seen.add(s)).as("serial %d repeated after %d", s, i).isTrue();
        }
        // The cycle then starts over without ever yielding 0.
        assertThat(ConnectionSerials.next()).isBetween(1, 0xFFFF);
    }
}
