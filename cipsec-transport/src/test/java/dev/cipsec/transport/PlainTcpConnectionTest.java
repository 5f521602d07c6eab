package dev.cipsec.transport;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlainTcpConnectionTest {

    @Test
    void readTimeoutMapsToSoTimeoutWithoutTurningTinyValuesIntoForever() {
        assertThat(PlainTcpConnection.toSoTimeout(Duration.ZERO)).isZero();
        assertThat(PlainTcpConnection.toSoTimeout(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(PlainTcpConnection.toSoTimeout(Duration.ofMillis(1500))).isEqualTo(1500);
        assertThat(PlainTcpConnection.toSoTimeout(Duration.ofDays(365 * 100)))
                .isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> PlainTcpConnection.toSoTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
