package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cipsec io} against a secured device: a CIP Security target runs its connection over DTLS;
 * {@code --hybrid} (Forward_Open over TLS, plain UDP I/O) works only where the device allows it.
 */
class IoCommandDtlsTest {
    static final String PSK_HEX = "0f0e0d0c0b0a09080706050403020100";
    static final TlsPolicy POLICY = TlsPolicy.builder().psk(PskCredential.of("line-7", Bytes.fromHex(PSK_HEX)))
            .suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).build();

    @TempDir
    Path dir;
    CipDevice device;

    CipDevice start(SecuritySettings security) throws IOException {
        device = CipDevice.start(DeviceProfile.defaults().withSecurity(security).onEphemeralPorts());
        return device;
    }

    @AfterEach
    void stop() {
        if (device != null) {
            device.close();
        }
    }

    MainTest.Run io(int port, String... extra) throws IOException {
        Path psk = dir.resolve("psk.hex");
        Files.writeString(psk, PSK_HEX);
        String[] base = {"io", "127.0.0.1:" + port, "--tls", "--psk-identity", "line-7", "--psk-key-file", psk.toString(),
                "--rpi", "10ms", "--duration", "500ms", "--local-port", "0", "--multiplier", "4", "--json"};
        return MainTest.run(java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
                .toArray(String[]::new));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSecureTargetRunsItsConnectionOverDtls() throws Exception {
        start(SecuritySettings.tls(POLICY));
        byte[] input = new byte[32];
        input[0] = 0x42;
        device.assembly(100).write(Bytes.of(input));
        MainTest.Run r = io(device.dtlsAddress().getPort(), "--output", "11".repeat(32));
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.OK);
        Map<String, Object> json = r.json();
        assertThat(json).containsEntry("transport", "dtls").containsEntry("timed_out", false)
                .containsEntry("latest_input", HexFormat.of().formatHex(input));
        assertThat((Long) json.get("received")).isGreaterThanOrEqualTo(10);
        Map<String, Object> dtls = (Map<String, Object>) json.get("dtls");
        assertThat(dtls).containsEntry("suite", "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256").containsEntry("handshakes", 1L)
                .containsEntry("ucmm_requests", 2L);
        assertThat(device.assembly(150).data().get(0)).isEqualTo((byte) 0x11);
        assertThat(device.ioConnectionCount()).as("nothing on plain UDP").isZero();
        assertThat(device.dtlsStats().dtls().completed()).isEqualTo(1);
        assertThat(device.dtlsStats().summary()).contains("handshakes ok 1").contains("ucmm 2");
    }

    @Test
    void hybridIsRefusedByDefaultAndWorksWhereAllowed() throws Exception {
        start(SecuritySettings.tls(POLICY));
        MainTest.Run refused = io(device.tlsAddress().getPort(), "--hybrid");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("0x0103");
        device.close();

        start(SecuritySettings.tls(POLICY).withHybridIo(true));
        MainTest.Run hybrid = io(device.tlsAddress().getPort(), "--hybrid");
        assertThat(hybrid.exit()).as(hybrid.err()).isEqualTo(Main.OK);
        assertThat(hybrid.json()).containsEntry("transport", "hybrid").containsEntry("timed_out", false);
        assertThat((Long) hybrid.json().get("received")).isGreaterThanOrEqualTo(10);
    }

    @Test
    void multicastAndHybridMisuseAreUsageErrors() throws Exception {
        start(SecuritySettings.tls(POLICY));
        MainTest.Run multicast = io(device.dtlsAddress().getPort(), "--multicast");
        assertThat(multicast.exit()).isEqualTo(Main.USAGE);
        assertThat(multicast.err()).contains("not available over DTLS");
        MainTest.Run plain = MainTest.run("io", "127.0.0.1:" + device.tcpAddress().getPort(), "--hybrid", "--duration", "100ms");
        assertThat(plain.exit()).isEqualTo(Main.USAGE);
        assertThat(plain.err()).contains("--hybrid needs a CIP Security target");
    }
}
