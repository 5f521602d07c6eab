package dev.cipsec.adapter;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.cm.UnconnectedSendRequest;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.PortSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Unconnected_Send addressed to this device (reference §2.8) and Identity Reset's effect on connections. */
class UnconnectedSendAndResetTest {
    private static final Duration WAIT = Duration.ofSeconds(3);
    private static final MessageRouterRequest VENDOR_ID =
            new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstanceAttribute(1, 1, 1));

    private CipDevice device;

    @BeforeEach
    void start() throws IOException {
        device = TestDevices.start();
    }

    @AfterEach
    void stop() {
        device.close();
    }

    @Test
    void unconnectedSendToBackplaneSlot0ReturnsTheEmbeddedReply() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            UnconnectedSendRequest us = new UnconnectedSendRequest(0x0A, 0x0E, VENDOR_ID, EPath.of(PortSegment.of(1, 0)));
            MessageRouterResponse r = c.unconnected(us.toRequest());
            assertThat(r.toBytes()).as("exactly the embedded reply").isEqualTo(c.unconnected(VENDOR_ID).toBytes());
            assertThat(r.service()).isEqualTo(ServiceCodes.GET_ATTRIBUTE_SINGLE);
            assertThat(r.data()).isEqualTo(Bytes.fromHex("feff"));
        }
    }

    @Test
    void unconnectedSendWithAnEmbeddedErrorReturnsThatError() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            MessageRouterRequest missing = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstanceAttribute(0xE8, 1, 1));
            MessageRouterResponse r = c.unconnected(new UnconnectedSendRequest(0x0A, 0x0E, missing, EPath.of(PortSegment.of(1, 0))).toRequest());
            assertThat(r.service()).isEqualTo(ServiceCodes.GET_ATTRIBUTE_SINGLE);
            assertThat(r.generalStatus()).isEqualTo(GeneralStatus.PATH_DESTINATION_UNKNOWN);
        }
    }

    @Test
    void unconnectedSendElsewhereIsPortNotAvailable() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            UnconnectedSendRequest us = new UnconnectedSendRequest(0x0A, 0x0E, VENDOR_ID, EPath.of(PortSegment.of(2, 5)));
            MessageRouterResponse r = c.unconnected(us.toRequest());
            assertThat(r.service()).isEqualTo(ServiceCodes.UNCONNECTED_SEND);
            assertThat(r.generalStatus()).isEqualTo(GeneralStatus.CONNECTION_FAILURE);
            assertThat(r.additionalStatus()).containsExactly(ExtendedStatus.PORT_NOT_AVAILABLE);
            // Remaining path size in words (the one port segment) and the reserved byte.
            assertThat(r.data()).isEqualTo(Bytes.of((byte) 1, (byte) 0));
            c.assertUsable();
        }
    }

    @Test
    void identityResetReplyArrivesThenEveryConnectionIsDropped() throws IOException {
        try (RawClient bystander = RawClient.connect(device.tcpAddress()); RawClient c = RawClient.connect(device.tcpAddress())) {
            bystander.registerSession();
            c.registerSession();
            MessageRouterResponse r = c.unconnected(new MessageRouterRequest(ServiceCodes.RESET, EPath.classInstance(1, 1),
                    Bytes.of((byte) 0)));
            assertThat(r.toBytes()).isEqualTo(Bytes.fromHex("85000000"));
            c.assertClosedWithin(WAIT);
            bystander.assertClosedWithin(WAIT);
        }
        Await.until(WAIT, () -> device.sessionCount() == 0 && device.tcpStats().active() == 0, "sessions and connections gone");
        try (RawClient after = RawClient.connect(device.tcpAddress())) {
            after.registerSession();
            after.assertUsable();
        }
    }

    @Test
    void unsupportedResetTypeIsRefusedAndNothingIsDropped() throws IOException {
        try (RawClient c = RawClient.connect(device.tcpAddress())) {
            c.registerSession();
            MessageRouterResponse r = c.unconnected(new MessageRouterRequest(ServiceCodes.RESET, EPath.classInstance(1, 1),
                    Bytes.of((byte) 2)));
            assertThat(r.generalStatus()).isEqualTo(GeneralStatus.INVALID_PARAMETER);
            c.assertUsable();
        }
    }
}
