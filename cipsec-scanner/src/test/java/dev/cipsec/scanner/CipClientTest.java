package dev.cipsec.scanner;

import dev.cipsec.wire.testkit.Await;
import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.ListServicesItem;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.PortSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our client against our adapter on loopback: every call checked for the values the device holds. */
class CipClientTest {
    private CipDevice device;
    private DeviceIdentity identity;
    private Target target;

    @BeforeEach
    void start() throws IOException {
        device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts());
        identity = device.profile().identity();
        target = new Target("127.0.0.1", device.tcpAddress().getPort(), false);
        // The demo's loopback application: what is written to output 150 shows up in input 100.
        device.assembly(150).addListener((a, data, source) -> device.assembly(100).write(data));
    }

    @AfterEach
    void stop() {
        device.close();
    }

    private CipClient connect() throws IOException {
        return CipClient.connect(target, ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(5)));
    }

    @Test
    void connectRegistersASessionAndCloseUnregistersIt() throws IOException {
        try (CipClient c = connect()) {
            assertThat(c.sessionHandle()).isNotZero();
            assertThat(c.target()).isEqualTo(target);
            assertThat(device.sessionCount()).isEqualTo(1);
        }
        Await.until(Duration.ofSeconds(5), () -> device.sessionCount() == 0, "session released after UnRegisterSession");
        assertThat(device.stats().sessionsRegistered()).isEqualTo(1);
    }

    @Test
    void openWithoutSessionStillListsIdentityButRefusesRequests() throws Exception {
        try (CipClient c = CipClient.open(target, ClientOptions.defaults())) {
            assertThat(c.sessionHandle()).isZero();
            ListIdentityResult li = c.listIdentity();
            assertThat(li.conforming()).as("%s", li.nonConformities()).isTrue();
            assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("1/1/1")))
                    .isInstanceOf(IOException.class).hasMessageContaining("no session");
        }
    }

    @Test
    void identityDecodesTheIdentityObject() throws Exception {
        try (CipClient c = connect()) {
            IdentityInfo id = c.identity();
            assertThat(id.vendorId()).isEqualTo(identity.vendorId());
            assertThat(id.deviceType()).isEqualTo(identity.deviceType());
            assertThat(id.productCode()).isEqualTo(identity.productCode());
            assertThat(id.revision()).isEqualTo(identity.revisionMajor() + "." + identity.revisionMinor());
            assertThat(id.serialNumber()).isEqualTo(identity.serialNumber());
            assertThat(id.productName()).isEqualTo("cipsec adapter");
        }
    }

    @Test
    void listIdentityAndListServicesOverTcp() throws Exception {
        try (CipClient c = connect()) {
            ListIdentityResult li = c.listIdentity();
            assertThat(li.conforming()).as("%s", li.nonConformities()).isTrue();
            assertThat(li.cipSecurityCapable()).isFalse();
            CipIdentityItem item = li.identity().orElseThrow();
            assertThat(item.vendorId()).isEqualTo(identity.vendorId());
            assertThat(item.serialNumber()).isEqualTo(identity.serialNumber());
            assertThat(item.productName()).isEqualTo(identity.productName());

            List<ListServicesItem> services = c.listServices();
            assertThat(services).hasSize(1);
            // Bit 5: CIP encapsulation over TCP; the name is "Communications" by convention.
            assertThat(services.get(0).capabilityFlags() & 0x20).isEqualTo(0x20);
            assertThat(services.get(0).name()).startsWith("Communications");
        }
    }

    @Test
    void getSetAndGetAllReturnTheDeviceValues() throws Exception {
        try (CipClient c = connect()) {
            assertThat(c.getAttributeSingle(EPath.parse("1/1/1"))).isEqualTo(le16(identity.vendorId()));
            Bytes name = c.getAttributeSingle(EPath.parse("1/1/7"));
            assertThat(name.get(0)).isEqualTo(identity.productName().length());

            byte[] pattern = new byte[32];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (0xA0 + i);
            }
            c.setAttributeSingle(EPath.parse("4/150/3"), Bytes.of(pattern));
            assertThat(device.assembly(150).data()).isEqualTo(Bytes.of(pattern));
            assertThat(c.getAttributeSingle(EPath.parse("4/150/3"))).isEqualTo(Bytes.of(pattern));
            assertThat(c.getAttributeSingle(EPath.parse("4/100/3"))).isEqualTo(Bytes.of(pattern));

            Bytes all = c.getAttributesAll(EPath.classInstance(0x01, 1));
            assertThat(IdentityInfo.decodeGetAttributesAll(all).productName()).isEqualTo(identity.productName());
        }
    }

    @Test
    void refusalsAreTypedWithTheGeneralStatus() throws Exception {
        try (CipClient c = connect()) {
            assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("1/1/99")))
                    .isInstanceOfSatisfying(CipServiceException.class,
                            e -> assertThat(e.generalStatus()).isEqualTo(GeneralStatus.ATTRIBUTE_NOT_SUPPORTED));
            assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("0x77/1/1")))
                    .isInstanceOfSatisfying(CipServiceException.class,
                            e -> assertThat(e.generalStatus()).isEqualTo(GeneralStatus.PATH_DESTINATION_UNKNOWN));
            // A wrong size for an assembly is refused, not truncated.
            assertThatThrownBy(() -> c.setAttributeSingle(EPath.parse("4/150/3"), Bytes.of((byte) 1)))
                    .isInstanceOfSatisfying(CipServiceException.class,
                            e -> assertThat(e.generalStatus()).isIn(GeneralStatus.NOT_ENOUGH_DATA,
                                    GeneralStatus.INVALID_ATTRIBUTE_VALUE));
            // send() hands back the refusal itself, and the session is still usable afterwards.
            MessageRouterResponse r = c.send(new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.parse("1/1/99")));
            assertThat(r.isSuccess()).isFalse();
            assertThat(r.service()).isEqualTo(ServiceCodes.GET_ATTRIBUTE_SINGLE);
            assertThat(c.getAttributeSingle(EPath.parse("1/1/1"))).isEqualTo(le16(identity.vendorId()));
        }
    }

    @Test
    void sendRoutedGoesThroughUnconnectedSendToTheBackplane() throws Exception {
        try (CipClient c = connect()) {
            EPath backplaneSlot0 = EPath.of(PortSegment.of(1, 0));
            MessageRouterResponse r = c.sendRouted(
                    new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.parse("1/1/6")), backplaneSlot0);
            assertThat(r.isSuccess()).as("%s", r).isTrue();
            assertThat(r.service()).isEqualTo(ServiceCodes.GET_ATTRIBUTE_SINGLE);
            assertThat(r.data()).isEqualTo(le32(identity.serialNumber()));

            // A route the device cannot follow is refused at the Unconnected_Send level.
            MessageRouterResponse refused = c.sendRouted(
                    new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.parse("1/1/6")), EPath.of(PortSegment.of(2, 5)));
            assertThat(refused.isSuccess()).isFalse();
            assertThat(refused.service()).isEqualTo(ServiceCodes.GET_ATTRIBUTE_SINGLE);
            assertThat(refused.generalStatus()).isEqualTo(GeneralStatus.CONNECTION_FAILURE);
        }
    }

    @Test
    void explicitConnectionOpensCarriesRequestsAndForwardCloses() throws Exception {
        try (CipClient c = connect()) {
            long before = device.stats().connectedRequests();
            try (ExplicitConnection conn = c.openExplicitConnection()) {
                assertThat(device.class3ConnectionCount()).isEqualTo(1);
                assertThat(conn.otConnectionId()).isNotEqualTo(conn.toConnectionId());
                assertThat(conn.getAttributeSingle(EPath.parse("1/1/1"))).isEqualTo(le16(identity.vendorId()));

                Bytes data = Bytes.fromHex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
                conn.setAttributeSingle(EPath.parse("4/150/3"), data);
                assertThat(conn.getAttributeSingle(EPath.parse("4/100/3"))).isEqualTo(data);
                assertThat(IdentityInfo.decodeGetAttributesAll(conn.getAttributesAll(EPath.classInstance(1, 1))).serialNumber())
                        .isEqualTo(identity.serialNumber());
                assertThatThrownBy(() -> conn.getAttributeSingle(EPath.parse("1/1/99")))
                        .isInstanceOfSatisfying(CipServiceException.class,
                                e -> assertThat(e.generalStatus()).isEqualTo(GeneralStatus.ATTRIBUTE_NOT_SUPPORTED));
                assertThat(device.stats().connectedRequests() - before).isEqualTo(5);
            }
            // close() returned only after the Forward_Close reply, so the table is already empty.
            assertThat(device.class3ConnectionCount()).isZero();
            // The session outlives its connection.
            assertThat(c.getAttributeSingle(EPath.parse("1/1/1"))).isEqualTo(le16(identity.vendorId()));
        }
    }

    @Test
    void closedExplicitConnectionRefusesFurtherUse() throws Exception {
        try (CipClient c = connect()) {
            ExplicitConnection conn = c.openExplicitConnection();
            conn.close();
            conn.close();
            assertThat(device.class3ConnectionCount()).isZero();
            assertThatThrownBy(() -> conn.getAttributeSingle(EPath.parse("1/1/1")))
                    .isInstanceOf(IOException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void largeForwardOpenForBigConnections() throws Exception {
        try (CipClient c = connect();
             ExplicitConnection conn = c.openExplicitConnection(new ExplicitConnection.Settings(Duration.ofSeconds(1), 2, 4000))) {
            assertThat(device.class3ConnectionCount()).isEqualTo(1);
            assertThat(conn.getAttributeSingle(EPath.parse("1/1/7")).get(0)).isEqualTo(identity.productName().length());
        }
    }

    @Test
    void closedClientRefusesRequests() throws Exception {
        CipClient c = connect();
        c.close();
        c.close();
        assertThatThrownBy(() -> c.getAttributeSingle(EPath.parse("1/1/1")))
                .isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void secureTargetIsRefusedByThisPlainBuild() {
        assertThatThrownBy(() -> CipClient.connect(new Target("127.0.0.1", Target.SECURE_PORT, true), ClientOptions.defaults()))
                .isInstanceOf(IOException.class).hasMessageContaining("CIP Security");
    }

    static Bytes le16(int v) {
        return Bytes.of((byte) v, (byte) (v >>> 8));
    }

    static Bytes le32(long v) {
        return Bytes.of((byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24));
    }
}
