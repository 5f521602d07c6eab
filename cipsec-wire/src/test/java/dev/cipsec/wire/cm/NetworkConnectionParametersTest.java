package dev.cipsec.wire.cm;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkConnectionParametersTest {

    @Test
    void openerWordsDecodeToPointToPointScheduledFixed() {
        NetworkConnectionParameters ot = NetworkConnectionParameters.fromWord16(0x4826);
        assertThat(ot).isEqualTo(new NetworkConnectionParameters(38, false, NetworkConnectionParameters.PRIORITY_SCHEDULED,
                NetworkConnectionParameters.POINT_TO_POINT, false));
        assertThat(NetworkConnectionParameters.fromWord32(0x48000026L)).isEqualTo(ot);
        assertThat(ot.toWord32()).isEqualTo(0x48000026L);
        assertThat(NetworkConnectionParameters.fromWord16(0x4802).connectionSize()).isEqualTo(2);
    }

    @Test
    void everyFlagLandsOnItsMask() {
        NetworkConnectionParameters p = new NetworkConnectionParameters(0x1FF, true, 3, 3, true);
        assertThat(p.toWord16()).isEqualTo(0xFFFF & ~0x1000);
        assertThat(p.toWord32()).isEqualTo(0xEE0001FFL);
        assertThat(new NetworkConnectionParameters(0, true, 0, 0, false).toWord16()).isEqualTo(0x0200);
        assertThat(new NetworkConnectionParameters(0, false, 1, 0, false).toWord16()).isEqualTo(0x0400);
        assertThat(new NetworkConnectionParameters(0, false, 0, NetworkConnectionParameters.MULTICAST, false).toWord16())
                .isEqualTo(0x2000);
        assertThat(new NetworkConnectionParameters(0, false, 0, 0, true).toWord32()).isEqualTo(0x80000000L);
    }

    @Test
    void reservedBitsAreDropped() {
        assertThat(NetworkConnectionParameters.fromWord16(0x1000).toWord16()).isZero();
        assertThat(NetworkConnectionParameters.fromWord32(0x10FF0000L).toWord32()).isZero();
    }

    @Test
    void sizeAbove511DoesNotFitForwardOpen() {
        NetworkConnectionParameters big = NetworkConnectionParameters.pointToPoint(512);
        assertThat(big.fitsWord16()).isFalse();
        assertThatThrownBy(big::toWord16).isInstanceOf(IllegalArgumentException.class);
        assertThat(big.toWord32()).isEqualTo(0x48000200L);
        assertThat(NetworkConnectionParameters.pointToPoint(511).toWord16()).isEqualTo(0x49FF);
    }

    @Test
    void outOfRangeFieldsAreRefused() {
        assertThatThrownBy(() -> new NetworkConnectionParameters(0x10000, false, 0, 0, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NetworkConnectionParameters(1, false, 4, 0, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NetworkConnectionParameters(1, false, 0, -1, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetworkConnectionParameters.fromWord16(0x10000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetworkConnectionParameters.fromWord32(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void word16RoundTripsWithoutReservedBit(@ForAll @IntRange(max = 0xFFFF) int word) {
        int canonical = word & ~0x1000;
        assertThat(NetworkConnectionParameters.fromWord16(canonical).toWord16()).isEqualTo(canonical);
    }

    @Property
    void word32RoundTripsWithoutReservedBits(@ForAll @LongRange(max = 0xFFFF_FFFFL) long word) {
        long canonical = word & 0xEE00FFFFL;
        assertThat(NetworkConnectionParameters.fromWord32(canonical).toWord32()).isEqualTo(canonical);
    }
}
