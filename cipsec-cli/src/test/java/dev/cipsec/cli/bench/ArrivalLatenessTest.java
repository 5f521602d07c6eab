package dev.cipsec.cli.bench;

import dev.cipsec.scanner.io.InputHandler;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Lateness against each connection's own grid, from arrival times placed by hand. */
class ArrivalLatenessTest {
    private static final long RPI = 10_000_000;

    @Test
    void latenessIsTheOffsetFromTheGridAboveTheConnectionsBestPacket() {
        ArrivalLateness a = new ArrivalLateness(2, 100);
        // Connection 0: on the grid from 1 s, packet 3 late by 300 us, packet 5 by 2 ms.
        long[] late0 = {0, 0, 0, 300_000, 0, 2_000_000, 0, 0, 0, 0};
        // Connection 1: another phase; every packet 50 us late except packet 4 (the best), last one on time too.
        long[] late1 = {50_000, 50_000, 50_000, 50_000, 0, 50_000, 50_000, 50_000, 50_000, 0};
        arrivals(a, 0, 1_000_000_000L, late0);
        arrivals(a, 1, 1_003_000_000L, late1);

        ArrivalLateness.Sample s = a.sample(Duration.ofNanos(RPI), Duration.ZERO);

        // The window starts at the latest first arrival (connection 1's): connection 0's first packet is out.
        assertThat(s.nanos()).hasSize(19);
        assertThat(s.max()).isEqualTo(2_000_000);
        assertThat(s.percentile(0.5)).isEqualTo(50_000);
        assertThat(s.nanos()).containsOnly(0L, 300_000L, 2_000_000L, 50_000L);
        assertThat(java.util.Arrays.stream(s.nanos()).filter(v -> v == 50_000L).count()).isEqualTo(8);
    }

    @Test
    void aPacketLaterThanHalfTheRpiIsStillLateNotEarly() {
        ArrivalLateness a = new ArrivalLateness(1, 100);
        long[] late = new long[20];
        late[0] = 6_000_000; // the very first packet too: the grid is found from all of them
        late[7] = 6_000_000;
        late[12] = 8_500_000;
        late[13] = 100_000;
        arrivals(a, 0, 2_000_000_000L, late);

        ArrivalLateness.Sample s = a.sample(Duration.ofNanos(RPI), Duration.ZERO);

        assertThat(s.nanos()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100_000, 6_000_000,
                6_000_000, 8_500_000);
        assertThat(ArrivalLateness.gridPhase(new long[] {9_900_000, 100_000, 0, 9_950_000}, RPI)).isEqualTo(9_900_000);
        assertThat(ArrivalLateness.gridPhase(new long[] {6_000_000, 0, 0, 0, 8_500_000}, RPI)).isEqualTo(0);
        assertThat(ArrivalLateness.gridPhase(new long[] {50_000, 50_000, 0, 50_000}, RPI)).isEqualTo(0);
    }

    @Test
    void skipDropsTheFirstArrivalsAndHistogramCountsEveryPacket() {
        ArrivalLateness a = new ArrivalLateness(1, 100);
        long[] late = new long[50];
        late[2] = 9_000_000; // during the skipped part
        late[30] = 400_000;
        arrivals(a, 0, 5_000_000_000L, late);

        ArrivalLateness.Sample s = a.sample(Duration.ofNanos(RPI), Duration.ofMillis(100));

        assertThat(s.max()).isEqualTo(400_000);
        long bin = s.binNanos();
        assertThat(s.histogram(bin).stream().mapToLong(b -> b[2]).sum()).isEqualTo(s.nanos().length);
    }

    private static void arrivals(ArrivalLateness a, int connection, long start, long[] lateness) {
        for (int i = 0; i < lateness.length; i++) {
            a.record(connection, start + i * RPI + lateness[i]);
        }
    }

    @Test
    void theHandlerRecordsAndStopsAtTheRoomGiven() {
        ArrivalLateness a = new ArrivalLateness(1, 3);
        InputHandler h = a.handler(0);
        for (int i = 0; i < 5; i++) {
            h.onInput(new byte[8], 0, 8);
        }

        assertThat(a.sample(Duration.ofNanos(RPI), Duration.ZERO).nanos()).hasSize(3);
    }
}
