package dev.cipsec.scanner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetTest {
    @Test
    void bareHostIsPlainEtherNetIp() {
        assertThat(Target.parse("plc1")).isEqualTo(new Target("plc1", 44818, false));
        assertThat(Target.parse(" 10.0.0.5 ")).isEqualTo(new Target("10.0.0.5", 44818, false));
    }

    @Test
    void explicitPortAndTheSecurePort() {
        assertThat(Target.parse("10.0.0.5:1234")).isEqualTo(new Target("10.0.0.5", 1234, false));
        assertThat(Target.parse("10.0.0.5:2221")).isEqualTo(new Target("10.0.0.5", 2221, true));
        assertThat(Target.parse("10.0.0.5:44818").secure()).isFalse();
    }

    @Test
    void ipv6Literals() {
        assertThat(Target.parse("[::1]:44818")).isEqualTo(new Target("::1", 44818, false));
        assertThat(Target.parse("[fe80::1]:2221")).isEqualTo(new Target("fe80::1", 2221, true));
        assertThat(Target.parse("[::1]")).isEqualTo(new Target("::1", 44818, false));
        // A bare IPv6 literal has several colons and no port.
        assertThat(Target.parse("::1")).isEqualTo(new Target("::1", 44818, false));
        assertThat(Target.parse("[::1]:44818").toString()).isEqualTo("[::1]:44818");
        assertThat(Target.parse("host:5").toString()).isEqualTo("host:5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"host:0", "host:65536", "host:-1", "host:abc", "host:", "[::1]:99999", "[::1", "[::1]x", ":44818", ""})
    void badTargetsAreRefused(String text) {
        assertThatThrownBy(() -> Target.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
