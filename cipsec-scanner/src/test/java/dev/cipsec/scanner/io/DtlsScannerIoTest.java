package dev.cipsec.scanner.io;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.Await;
import dev.cipsec.transport.dtls.LossyRelay;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cm.ExtendedStatus;
import dev.cipsec.wire.epath.EPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Our scanner against our adapter over DTLS: a {@link DtlsTarget} opens class 1 connections whose
 * Forward_Open, I/O and Forward_Close all travel in the DTLS session, bundled or one session each,
 * and keeps them through a relay that drops, duplicates and reorders.
 */
class DtlsScannerIoTest {
    static final PskCredential PSK = PskCredential.of("scanner-io", Bytes.fromHex("00112233445566778899aabbccddeeff"));
    /**
     * The long handshake timeout is for the lossy test: Bouncy Castle resends a lost flight after 1 s,
     * then 2, 4, 8 s (RFC 6347), so with 10 % loss each way three losses of one exchange in a row
     * already take 7 s.
     */
    static final TlsPolicy POLICY = TlsPolicy.builder().psk(PSK)
            .suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).handshakeTimeout(Duration.ofSeconds(40)).build();
    static final Duration WAIT = Duration.ofSeconds(5);

    CipDevice device;
    IoRuntime runtime;
    ClientOptions options;

    @BeforeEach
    void start() throws IOException {
        device = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(POLICY).withDtlsPort(0))
                .onEphemeralPorts());
        runtime = IoRuntime.create("dtls-scanner");
        options = ClientOptions.defaults().withTls(POLICY);
    }

    @AfterEach
    void stop() {
        runtime.close();
        device.close();
    }

    Target target(InetSocketAddress at) {
        return new Target(at.getHostString(), at.getPort(), true);
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + 3 * i);
        }
        return b;
    }

    static IoSettings exclusiveOwner() {
        return IoSettings.builder().rpi(Duration.ofMillis(10)).timeoutMultiplier(4).build();
    }

    @Test
    void aClass1ConnectionRunsEntirelyInsideTheDtlsSession() throws Exception {
        byte[] input = pattern(32, 1);
        device.assembly(100).write(Bytes.of(input));
        try (DtlsTarget target = DtlsTarget.connect(target(device.dtlsAddress()), options)) {
            assertThat(target.session().orElseThrow().suite()).isEqualTo(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
            IoConnection c = runtime.open(target, exclusiveOwner(), null, null);
            assertThat(c.otDestination()).isEqualTo(device.dtlsAddress());
            byte[] output = pattern(32, 40);
            c.setOutput(output);
            Await.until(WAIT, () -> Arrays.equals(device.assembly(150).data().toArray(), output), "O->T data over DTLS");
            Await.until(WAIT, () -> c.latestInput().map(v -> Arrays.equals(v, input)).orElse(false), "T->O data over DTLS");
            assertThat(device.dtlsIo().connectionCount()).isEqualTo(1);
            assertThat(device.ioConnectionCount()).as("nothing on plain UDP 2222").isZero();
            assertThat(device.dtls().sessionCount()).isEqualTo(1);

            c.close();
            Await.until(WAIT, () -> device.dtlsIo().connectionCount() == 0, "Forward_Close over DTLS");
            assertThat(c.stats().received()).isPositive();
            assertThat(target.stats().requests()).isEqualTo(2);
            assertThat(target.stats().handshakes()).isEqualTo(1);
        }
    }

    @Test
    void explicitRequestsTravelInTheSameSession() throws Exception {
        try (DtlsTarget target = DtlsTarget.connect(target(device.dtlsAddress()), options)) {
            MessageRouterResponse r = target.send(new MessageRouterRequest(0x0E, EPath.parse("1/1/7"), Bytes.EMPTY));
            assertThat(r.isSuccess()).as("%s", r).isTrue();
            assertThat(new String(r.data().slice(1, r.data().length()).toArray())).isEqualTo("cipsec adapter");
        }
    }

    @Test
    void connectionsCanShareOneSessionOrHaveOneEach() throws Exception {
        IoSettings inputOnly = IoSettings.builder().rpi(Duration.ofMillis(10)).timeoutMultiplier(4).inputOnly(152).build();
        try (DtlsTarget shared = DtlsTarget.connect(target(device.dtlsAddress()), options)) {
            IoConnection owner = runtime.open(shared, exclusiveOwner(), null, null);
            IoConnection input = runtime.open(shared, inputOnly, null, null);
            Await.until(WAIT, () -> owner.stats().received() > 5 && input.stats().received() > 5, "both connections' input");
            assertThat(device.dtls().sessionCount()).as("bundled").isEqualTo(1);
            assertThat(device.dtlsIo().connectionCount()).isEqualTo(2);
            input.close();
            owner.close();
        }
        try (DtlsTarget first = DtlsTarget.connect(target(device.dtlsAddress()), options);
             DtlsTarget second = DtlsTarget.connect(target(device.dtlsAddress()), options)) {
            IoConnection owner = runtime.open(first, exclusiveOwner(), null, null);
            IoConnection input = runtime.open(second, inputOnly, null, null);
            Await.until(WAIT, () -> owner.stats().received() > 5 && input.stats().received() > 5, "both connections' input");
            Await.until(WAIT, () -> device.dtls().sessionCount() == 2, "one session per connection");
            input.close();
            owner.close();
        }
    }

    @Test
    void multicastIsRefusedBeforeAnythingIsSent() throws Exception {
        try (DtlsTarget target = DtlsTarget.connect(target(device.dtlsAddress()), options)) {
            assertThatThrownBy(() -> runtime.open(target, exclusiveOwner().toBuilder().multicast(true).build(), null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multicast");
            assertThat(target.stats().requests()).isZero();
        }
    }

    /** GAP decision: a class 1 Forward_Open over TLS gets no plaintext I/O unless the device allows hybrid operation. */
    @Test
    void hybridOperationIsOffByDefault() throws Exception {
        try (CipClient tls = CipClient.connect(target(device.tlsAddress()), options)) {
            assertThatThrownBy(() -> runtime.open(tls, exclusiveOwner().toBuilder().localPort(0).build(), null, null))
                    .isInstanceOfSatisfying(ForwardOpenRefusedException.class, e -> assertThat(e.failure().extendedStatus())
                            .isEqualTo(ExtendedStatus.TRANSPORT_TRIGGER_NOT_SUPPORTED));
        }
        device.close();
        device = CipDevice.start(DeviceProfile.defaults()
                .withSecurity(SecuritySettings.tls(POLICY).withDtlsPort(0).withHybridIo(true)).onEphemeralPorts());
        try (CipClient tls = CipClient.connect(target(device.tlsAddress()), options)) {
            IoConnection c = runtime.open(tls, exclusiveOwner().toBuilder().localPort(0).build(), null, null);
            Await.until(WAIT, () -> c.stats().received() > 3, "plain T->O after a Forward_Open over TLS");
            assertThat(device.ioConnectionCount()).isEqualTo(1);
            c.close();
        }
    }

    @Test
    void aDtlsTargetNeedsCredentials() {
        assertThatThrownBy(() -> DtlsTarget.connect(target(device.dtlsAddress()), ClientOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("withTls");
    }

    /**
     * The whole life of a connection across a relay that drops 10 %, duplicates 5 % and reorders
     * 5 % both ways: handshake, Forward_Open (retransmitted with the same transaction id, answered
     * once by the device), three seconds of I/O at 10 ms with no timeout, and Forward_Close.
     */
    @Test
    void theScannerKeepsItsConnectionAcrossALossyPath() throws Exception {
        long seed = Long.getLong("cipsec.faultSeed", System.nanoTime());
        System.out.println("DtlsScannerIoTest seed " + seed);
        byte[] input = pattern(32, 7);
        device.assembly(100).write(Bytes.of(input));
        try (LossyRelay relay = new LossyRelay(device.dtlsAddress(), seed)) {
            relay.faults.set(true);
            ClientOptions patient = options.withRequestTimeout(Duration.ofSeconds(10));
            try (DtlsTarget target = DtlsTarget.connect(target(relay.address()), patient)) {
                IoConnection c = runtime.open(target, exclusiveOwner(), null, null);
                byte[] output = pattern(32, 70);
                c.setOutput(output);
                Await.until(WAIT, () -> Arrays.equals(device.assembly(150).data().toArray(), output), "O->T data");
                Await.until(WAIT, () -> c.latestInput().map(v -> Arrays.equals(v, input)).orElse(false), "T->O data");
                long start = System.nanoTime();
                Await.until(Duration.ofSeconds(10), () -> System.nanoTime() - start > Duration.ofSeconds(3).toNanos()
                        || !c.isOpen(), "3 s of I/O");
                assertThat(c.isOpen()).as("no timeout on the scanner").isTrue();
                assertThat(device.dtlsIo().stats().timeouts()).as("no timeout on the device").isZero();
                assertThat(device.dtlsIo().connectionCount()).as("the retransmitted Forward_Open opened one connection")
                        .isEqualTo(1);
                assertThat(c.stats().received()).as("T->O received in 3 s").isGreaterThan(200);
                c.close();
                Await.until(WAIT, () -> device.dtlsIo().connectionCount() == 0, "Forward_Close across the lossy path");
            }
            assertThat(relay.dropped.get()).isPositive();
            assertThat(relay.duplicated.get()).isPositive();
        }
    }
}
