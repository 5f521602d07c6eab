package dev.cipsec.wire.cm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransportTriggerTest {

    @Test
    void namedValuesSplitIntoTheirFields() {
        TransportTrigger io = new TransportTrigger(TransportTrigger.CLASS1_CYCLIC);
        assertThat(io.server()).isFalse();
        assertThat(io.trigger()).isEqualTo(TransportTrigger.TRIGGER_CYCLIC);
        assertThat(io.transportClass()).isEqualTo(1);
        assertThat(io.isIo()).isTrue();

        TransportTrigger explicit = new TransportTrigger(TransportTrigger.CLASS3_SERVER_APP);
        assertThat(explicit.server()).isTrue();
        assertThat(explicit.trigger()).isEqualTo(TransportTrigger.TRIGGER_APPLICATION);
        assertThat(explicit.transportClass()).isEqualTo(3);
        assertThat(explicit.isIo()).isFalse();
    }

    @Test
    void ofBuildsTheSameByte() {
        assertThat(TransportTrigger.of(true, TransportTrigger.TRIGGER_APPLICATION, 3).value()).isEqualTo(0xA3);
        assertThat(TransportTrigger.of(false, TransportTrigger.TRIGGER_CHANGE_OF_STATE, 1).value()).isEqualTo(0x11);
        assertThatThrownBy(() -> TransportTrigger.of(false, 8, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TransportTrigger.of(false, 0, 16)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransportTrigger(0x100)).isInstanceOf(IllegalArgumentException.class);
    }
}
