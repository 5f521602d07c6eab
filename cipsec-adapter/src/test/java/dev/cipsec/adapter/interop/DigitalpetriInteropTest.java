package dev.cipsec.adapter.interop;

import com.digitalpetri.enip.EtherNetIpClientConfig;
import com.digitalpetri.enip.EtherNetIpShared;
import com.digitalpetri.enip.cip.CipClient;
import com.digitalpetri.enip.cip.CipConnectionPool;
import com.digitalpetri.enip.cip.CipResponseException;
import com.digitalpetri.enip.cip.epath.EPath.PaddedEPath;
import com.digitalpetri.enip.cip.epath.LogicalSegment.AttributeId;
import com.digitalpetri.enip.cip.epath.LogicalSegment.ClassId;
import com.digitalpetri.enip.cip.epath.LogicalSegment.InstanceId;
import com.digitalpetri.enip.cip.epath.PortSegment;
import com.digitalpetri.enip.cip.services.GetAttributeSingleService;
import com.digitalpetri.enip.cip.services.GetAttributesAllService;
import com.digitalpetri.enip.cpf.CipIdentityItem;
import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.wire.buf.Bytes;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * A third-party client (digitalpetri enip-client/cip-client 1.2.0, Netty based) against our
 * adapter: sessions, ListIdentity, unconnected and Unconnected_Send explicit messaging, and a
 * class 3 connection opened by its connection pool.
 */
class DigitalpetriInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2);
    /** The backplane, port 1 slot 0: where a ControlLogix-minded client sends Unconnected_Send. */
    private static final PaddedEPath BACKPLANE_SLOT_0 = new PaddedEPath(new PortSegment(1, new byte[]{0}));

    private CipDevice device;
    private DeviceIdentity identity;
    private CipClient client;

    @BeforeEach
    void start() throws Exception {
        device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts());
        identity = device.profile().identity();
        device.assembly(150).addListener((a, data, source) -> device.assembly(100).write(data));
    }

    /**
     * Their disconnect() future waits for a reply to UnRegisterSession, which never comes (the
     * command has none), and does not reliably complete once the device has hung up; so clean-up
     * waits for what matters here, the device releasing the session, and then stops the device.
     */
    @AfterEach
    void stop() {
        try {
            if (client != null) {
                client.disconnect();
                await(() -> device.sessionCount() == 0, "UnRegisterSession releases the session");
            }
        } finally {
            device.close();
        }
    }

    @AfterAll
    static void releaseNetty() {
        EtherNetIpShared.releaseSharedResources();
    }

    /** Connects this test's client; {@code connectionPath} is their route for Unconnected_Send and Forward_Open. */
    private CipClient connect(PaddedEPath connectionPath) throws Exception {
        EtherNetIpClientConfig config = EtherNetIpClientConfig.builder("127.0.0.1")
                .setPort(device.tcpAddress().getPort())
                .setVendorId(0xFFFE)
                .setSerialNumber(0x0C1B_5EC0)
                .setTimeout(CLIENT_TIMEOUT)
                // No reconnecting after the device drops the connection on UnRegisterSession.
                .setPersistent(false)
                .build();
        client = new CipClient(config, connectionPath);
        get(client.connect());
        return client;
    }

    private static PaddedEPath path(int classId, int instance, int attribute) {
        return new PaddedEPath(new ClassId(classId), new InstanceId(instance), new AttributeId(attribute));
    }

    @Test
    void connectRegistersASession() throws Exception {
        connect(BACKPLANE_SLOT_0);
        assertThat(device.sessionCount()).isEqualTo(1);
        assertThat(device.stats().sessionsRegistered()).isEqualTo(1);
        assertThat(client.getState()).isEqualTo("Connected");
    }

    @Test
    void listIdentityDecodesOurProfile() throws Exception {
        connect(BACKPLANE_SLOT_0);
        CipIdentityItem id = get(client.listIdentity()).getIdentity().orElseThrow();
        assertThat(id.getProtocolVersion()).isEqualTo(1);
        assertThat(id.getVendorId()).isEqualTo(identity.vendorId());
        assertThat(id.getDeviceType()).isEqualTo(identity.deviceType());
        assertThat(id.getProductCode()).isEqualTo(identity.productCode());
        assertThat((int) id.getRevisionMajor()).isEqualTo(identity.revisionMajor());
        assertThat((int) id.getRevisionMinor()).isEqualTo(identity.revisionMinor());
        assertThat(id.getSerialNumber()).isEqualTo(identity.serialNumber());
        assertThat(id.getProductName()).isEqualTo(identity.productName());
        assertThat(id.getSocketAddress().getSinPort()).isEqualTo(device.tcpAddress().getPort());
    }

    @Test
    void getAttributeSingleOnIdentity() throws Exception {
        connect(BACKPLANE_SLOT_0);
        byte[] vendor = bytes(client.invoke(new GetAttributeSingleService(path(0x01, 1, 1))));
        assertThat(le(vendor)).isEqualTo(identity.vendorId());
        assertThat(vendor).hasSize(2);

        byte[] name = bytes(client.invoke(new GetAttributeSingleService(path(0x01, 1, 7))));
        assertThat(name[0] & 0xFF).isEqualTo(identity.productName().length());
        assertThat(new String(name, 1, name.length - 1, StandardCharsets.US_ASCII)).isEqualTo(identity.productName());
    }

    @Test
    void getAttributesAllOnIdentity() throws Exception {
        connect(BACKPLANE_SLOT_0);
        ByteBuffer b = ByteBuffer.wrap(bytes(client.invoke(new GetAttributesAllService(
                new PaddedEPath(new ClassId(0x01), new InstanceId(1)))))).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(Short.toUnsignedInt(b.getShort())).isEqualTo(identity.vendorId());
        assertThat(Short.toUnsignedInt(b.getShort())).isEqualTo(identity.deviceType());
        assertThat(Short.toUnsignedInt(b.getShort())).isEqualTo(identity.productCode());
        assertThat(Byte.toUnsignedInt(b.get())).isEqualTo(identity.revisionMajor());
        assertThat(Byte.toUnsignedInt(b.get())).isEqualTo(identity.revisionMinor());
        assertThat(Short.toUnsignedInt(b.getShort())).isEqualTo(identity.status());
        assertThat(Integer.toUnsignedLong(b.getInt())).isEqualTo(identity.serialNumber());
        byte[] name = new byte[Byte.toUnsignedInt(b.get())];
        b.get(name);
        assertThat(new String(name, StandardCharsets.US_ASCII)).isEqualTo(identity.productName());
    }

    @Test
    void setOutputAssemblyThenReadItAndItsMirror() throws Exception {
        connect(BACKPLANE_SLOT_0);
        byte[] pattern = new byte[32];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (3 * i + 1);
        }
        get(client.invoke(new SetAttributeSingle(path(0x04, 150, 3), pattern)));
        assertThat(device.assembly(150).data()).isEqualTo(Bytes.of(pattern));
        assertThat(bytes(client.invoke(new GetAttributeSingleService(path(0x04, 150, 3))))).isEqualTo(pattern);
        assertThat(bytes(client.invoke(new GetAttributeSingleService(path(0x04, 100, 3))))).isEqualTo(pattern);
    }

    @Test
    void refusalsReachTheirClientAsCipResponseException() throws Exception {
        connect(BACKPLANE_SLOT_0);
        assertThat(generalStatusOf(client.invoke(new GetAttributeSingleService(path(0x01, 1, 99))))).isEqualTo(0x14);
        assertThat(generalStatusOf(client.invoke(new GetAttributeSingleService(path(0x77, 1, 1))))).isEqualTo(0x05);
        // Identity attribute 1 is read-only.
        assertThat(generalStatusOf(client.invoke(new SetAttributeSingle(path(0x01, 1, 1), new byte[]{1, 0})))).isIn(0x0E, 0x08);
    }

    @Test
    void invokeUnconnectedWrapsInUnconnectedSendToTheBackplane() throws Exception {
        connect(BACKPLANE_SLOT_0);
        long before = device.stats().unconnectedRequests();
        byte[] serial = bytes(client.invokeUnconnected(new GetAttributeSingleService(path(0x01, 1, 6))));
        assertThat(Integer.toUnsignedLong(ByteBuffer.wrap(serial).order(ByteOrder.LITTLE_ENDIAN).getInt()))
                .isEqualTo(identity.serialNumber());
        assertThat(device.stats().unconnectedRequests() - before).isEqualTo(1);
        assertThat(generalStatusOf(client.invokeUnconnected(new GetAttributeSingleService(path(0x01, 1, 99))))).isEqualTo(0x14);
    }

    @Test
    void invokeUnconnectedOverARouteWeCannotFollowIsRefused() throws Exception {
        CipClient elsewhere = connect(new PaddedEPath(new PortSegment(2, new byte[]{7})));
        assertThat(generalStatusOf(elsewhere.invokeUnconnected(new GetAttributeSingleService(path(0x01, 1, 6)))))
                .isEqualTo(0x01);
    }

    @Test
    void class3ConnectionFromTheirPool() throws Exception {
        // Their pool appends Message Router 2/1 to this path; a standalone adapter is addressed directly.
        CipClient direct = connect(new PaddedEPath());
        CipConnectionPool pool = new CipConnectionPool(1, direct, new PaddedEPath(), 500);
        CipConnectionPool.CipConnection conn = get(pool.acquire());
        assertThat(device.class3ConnectionCount()).isEqualTo(1);
        long before = device.stats().connectedRequests();

        byte[] vendor = bytes(direct.invokeConnected(conn.getO2tConnectionId(), new GetAttributeSingleService(path(0x01, 1, 1))));
        assertThat(le(vendor)).isEqualTo(identity.vendorId());
        byte[] data = new byte[32];
        data[0] = 0x55;
        data[31] = (byte) 0xAA;
        get(direct.invokeConnected(conn.getO2tConnectionId(), new SetAttributeSingle(path(0x04, 150, 3), data)));
        assertThat(bytes(direct.invokeConnected(conn.getO2tConnectionId(),
                new GetAttributeSingleService(path(0x04, 100, 3))))).isEqualTo(data);
        assertThat(device.stats().connectedRequests() - before).isEqualTo(3);

        // remove() sends Forward_Close with the triad the device handed back.
        pool.remove(conn);
        await(() -> device.class3ConnectionCount() == 0, "Forward_Close from their pool closes the connection");
    }

    @Test
    void class3ConnectionFromTheirPoolThroughTheBackplane() throws Exception {
        // A chassis-minded connection path: port 1 slot 0, then their Message Router 2/1.
        CipClient viaBackplane = connect(BACKPLANE_SLOT_0);
        CipConnectionPool pool = new CipConnectionPool(1, viaBackplane, BACKPLANE_SLOT_0, 500);
        CipConnectionPool.CipConnection conn = get(pool.acquire());
        assertThat(device.class3ConnectionCount()).isEqualTo(1);
        byte[] serial = bytes(viaBackplane.invokeConnected(conn.getO2tConnectionId(),
                new GetAttributeSingleService(path(0x01, 1, 6))));
        assertThat(java.nio.ByteBuffer.wrap(serial).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL)
                .isEqualTo(identity.serialNumber());
        pool.remove(conn);
        await(() -> device.class3ConnectionCount() == 0, "Forward_Close from their pool closes the connection");
    }

    @Test
    void disconnectUnregistersTheSession() throws Exception {
        connect(BACKPLANE_SLOT_0);
        assertThat(device.sessionCount()).isEqualTo(1);
        client.disconnect();
        client = null;
        await(() -> device.sessionCount() == 0, "UnRegisterSession releases the session");
        // UnRegisterSession ends the TCP connection too (our device closes it).
        await(() -> device.tcpStats().active() == 0, "TCP connection closed");
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static byte[] bytes(CompletableFuture<ByteBuf> f) throws Exception {
        ByteBuf buf = get(f);
        try {
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            ReferenceCountUtil.release(buf);
        }
    }

    private static int generalStatusOf(CompletableFuture<?> f) {
        try {
            Object ok = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ReferenceCountUtil.release(ok);
            return fail("expected a refusal, got " + ok);
        } catch (ExecutionException e) {
            return CipResponseException.extract(e).orElseThrow(() -> new AssertionError("not a CIP refusal", e))
                    .getGeneralStatus();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int le(byte[] two) {
        return (two[0] & 0xFF) | (two[1] & 0xFF) << 8;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + " within " + WAIT);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
