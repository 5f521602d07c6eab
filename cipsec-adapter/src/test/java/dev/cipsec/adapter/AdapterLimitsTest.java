package dev.cipsec.adapter;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdapterLimitsTest {
    private static final AdapterLimits D = AdapterLimits.defaults();

    private static AdapterLimits with(int cpfItems, int udpReplies) {
        return new AdapterLimits(D.maxTcpConnections(), D.maxConnectionsPerAddress(), D.maxSessions(), D.maxFrameSize(),
                D.maxPendingBytes(), D.idleTimeout(), D.frameTimeout(), D.maxClass3Connections(), cpfItems, udpReplies);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(D).isEqualTo(new AdapterLimits(64, 16, 32, 24 + 65535, 8L << 20, Duration.ofSeconds(120),
                Duration.ofSeconds(10), 32, 8, 64));
    }

    @Test
    void withersChangeOnlyTheirField() {
        assertThat(D.withMaxSessions(4).maxSessions()).isEqualTo(4);
        assertThat(D.withMaxSessions(4).withMaxSessions(D.maxSessions())).isEqualTo(D);
        AdapterLimits t = D.withTcpConnections(3, 2);
        assertThat(t.maxTcpConnections()).isEqualTo(3);
        assertThat(t.maxConnectionsPerAddress()).isEqualTo(2);
        assertThat(D.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2)).frameTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(D.withMaxClass3Connections(1).maxClass3Connections()).isEqualTo(1);
        assertThat(D.withMaxPendingBytes(1L << 30).maxPendingBytes()).isEqualTo(1L << 30);
    }

    @Test
    void smallerFrameKeepsThePendingBudgetAndALargerOneGrowsIt() {
        AdapterLimits small = D.withMaxFrameSize(AdapterLimits.MIN_FRAME_SIZE).withMaxPendingBytes(AdapterLimits.MIN_FRAME_SIZE);
        assertThat(small.maxPendingBytes()).isEqualTo(AdapterLimits.MIN_FRAME_SIZE);
        assertThat(small.withMaxFrameSize(4096).maxPendingBytes()).isEqualTo(4096);
        assertThat(D.withMaxFrameSize(1024).maxPendingBytes()).isEqualTo(D.maxPendingBytes());
    }

    @Test
    void invalidValuesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> D.withMaxSessions(0)).hasMessageContaining("maxSessions");
        assertThatThrownBy(() -> D.withTcpConnections(0, 1)).hasMessageContaining("maxTcpConnections");
        assertThatThrownBy(() -> D.withTcpConnections(1, -1)).hasMessageContaining("maxConnectionsPerAddress");
        assertThatThrownBy(() -> D.withMaxFrameSize(AdapterLimits.MIN_FRAME_SIZE - 1)).hasMessageContaining("maxFrameSize");
        assertThatThrownBy(() -> D.withMaxFrameSize(AdapterLimits.MAX_FRAME_SIZE + 1)).hasMessageContaining("maxFrameSize");
        assertThatThrownBy(() -> D.withMaxPendingBytes(D.maxFrameSize() - 1)).hasMessageContaining("maxPendingBytes");
        assertThatThrownBy(() -> D.withTimeouts(Duration.ofSeconds(-1), Duration.ofSeconds(1))).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> D.withTimeouts(Duration.ofSeconds(3601), Duration.ofSeconds(1)))
                .as("TCP/IP attribute 13 cannot hold more than 3600 s").hasMessageContaining("3600");
        assertThatThrownBy(() -> D.withTimeouts(Duration.ofSeconds(1), Duration.ZERO)).hasMessageContaining("frameTimeout");
        assertThatThrownBy(() -> D.withTimeouts(null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> D.withMaxClass3Connections(0)).hasMessageContaining("maxClass3Connections");
        assertThatThrownBy(() -> with(1, 1)).hasMessageContaining("maxCpfItems");
        assertThatThrownBy(() -> with(257, 1)).hasMessageContaining("maxCpfItems");
        assertThatThrownBy(() -> with(8, 0)).hasMessageContaining("maxPendingUdpReplies");
        assertThat(D.withTimeouts(Duration.ZERO, Duration.ofMillis(1)).idleTimeout()).as("zero disables the idle timeout").isZero();
    }
}
