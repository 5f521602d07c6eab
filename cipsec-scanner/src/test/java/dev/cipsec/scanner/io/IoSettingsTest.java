package dev.cipsec.scanner.io;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.epath.ElectronicKeySegment;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IoSettingsTest {
    @Test
    void defaultsAreOpenersSampleDevice() {
        IoSettings s = IoSettings.builder().build();
        assertThat(s.applicationType()).isEqualTo(ApplicationType.EXCLUSIVE_OWNER);
        assertThat(s.otConnectionSize()).isEqualTo(38);
        assertThat(s.toConnectionSize()).isEqualTo(34);
        assertThat(s.transportTrigger()).isEqualTo(0x01);
        assertThat(s.localPort()).isEqualTo(2222);
        assertThat(s.connectionPath().toBytes().toHex()).isEqualTo("200424972c962c64");
        // 10 ms: x16, the first multiplier reaching 100 ms.
        assertThat(s.timeoutMultiplier()).isEqualTo(2);
        assertThat(s.timeoutNanos()).isEqualTo(160_000_000L);
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }

    @Test
    void theDefaultMultiplierReachesAHundredMillisecondsLikeLogix() {
        // max(4 x RPI, 100 ms) by doubling, from the shorter of the two RPIs; 7 (x512) at most.
        assertThat(IoSettings.autoTimeoutMultiplier(Duration.ofMillis(1), Duration.ofMillis(1))).isEqualTo(5);
        assertThat(IoSettings.autoTimeoutMultiplier(Duration.ofMillis(2), Duration.ofMillis(2))).isEqualTo(4);
        assertThat(IoSettings.autoTimeoutMultiplier(Duration.ofMillis(20), Duration.ofMillis(20))).isEqualTo(1);
        assertThat(IoSettings.autoTimeoutMultiplier(Duration.ofMillis(25), Duration.ofMillis(25))).isEqualTo(0);
        assertThat(IoSettings.autoTimeoutMultiplier(Duration.ofMillis(500), Duration.ofMillis(500))).isEqualTo(0);
        assertThat(IoSettings.autoTimeoutMultiplier(Duration.ofMillis(50), Duration.ofMillis(5))).isEqualTo(3);
        assertThat(IoSettings.autoTimeoutMultiplier(Duration.ofNanos(100_000), Duration.ofNanos(100_000))).isEqualTo(7);
        // The builder uses it for the RPIs it ends up with, unless told otherwise.
        assertThat(IoSettings.builder().rpi(Duration.ofMillis(1)).build().timeoutMultiplier()).isEqualTo(5);
        assertThat(IoSettings.builder().rpi(Duration.ofMillis(1)).timeoutMultiplier(0).build().timeoutNanos())
                .isEqualTo(4_000_000L);
    }

    @Test
    void largeForwardOpenOnlyAbove511WireBytes() {
        assertThat(IoSettings.builder().otSize(505).build().large()).isFalse();
        assertThat(IoSettings.builder().otSize(506).build().large()).isTrue();
        assertThat(IoSettings.builder().toSize(509).build().large()).isFalse();
        assertThat(IoSettings.builder().toSize(510).build().large()).isTrue();
    }

    @Test
    void heartbeatsAndClass0() {
        assertThat(IoSettings.builder().inputOnly(152).build().otConnectionSize()).isEqualTo(6);
        assertThat(IoSettings.builder().listenOnly(153).build().connectionPath().toBytes().toHex()).isEqualTo("200424972c992c64");
        IoSettings c0 = IoSettings.builder().class0(true).build();
        assertThat(c0.otConnectionSize()).isEqualTo(36);
        assertThat(c0.toConnectionSize()).isEqualTo(32);
        assertThat(c0.transportTrigger()).isZero();
    }

    @Test
    void keyAndConfigurationDataFrameThePath() {
        IoSettings s = IoSettings.builder().electronicKey(new ElectronicKeySegment(1, 12, 65001, true, 2, 1))
                .configData(Bytes.fromHex("0102")).timeoutMultiplier(2).rpi(Duration.ofMillis(5)).build();
        assertThat(s.connectionPath().toBytes().toHex())
                .isEqualTo("34040100" + "0c00e9fd" + "8201" + "200424972c962c64" + "80010102");
        assertThat(s.timeoutNanos()).isEqualTo(5_000_000L * 16);
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> IoSettings.builder().timeoutMultiplier(8).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IoSettings.builder().rpi(Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IoSettings.builder().configData(Bytes.fromHex("01")).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IoSettings.builder().inputOnly(152).otSize(4).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IoSettings.builder().inputOnly(152).class0(true).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IoSettings.builder().toSize(70_000).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IoSettings.builder().localPort(65_536).build()).isInstanceOf(IllegalArgumentException.class);
    }
}
