package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.commission.json.JsonNode;
import dev.cipsec.commission.json.JsonNode.JsonArray;
import dev.cipsec.commission.json.JsonNode.JsonBool;
import dev.cipsec.commission.json.JsonNode.JsonObject;
import dev.cipsec.commission.json.JsonNode.JsonString;
import dev.cipsec.commission.json.JsonReader;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import static dev.cipsec.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cipsec probe} against our adapter (TLS and DTLS, an EC certificate and a PSK, suites chosen
 * for the test): the JSON parses and carries what the table shows; exit codes 0, 1 with --fail-on,
 * 2 for usage, 3 when nothing answers.
 */
class ProbeCommandTest {
    static final List<CipherSuite> SUITES = List.of(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_NULL_SHA, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256);
    static CipDevice device;
    static String target;
    static String plainPort;

    @BeforeAll
    static void start() throws IOException {
        TlsPolicy policy = TlsPolicy.builder().suites(SUITES)
                .identity(TestPki.create("probe-cli").issueServer(KeyType.EC_P256, "probe-cli-device"))
                .psk(PskCredential.of("cli", Bytes.fromHex("00112233445566778899aabbccddeeff"))).build();
        // One port for both transports, as on a real device (the default 2221 for TLS and DTLS).
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts()
                .withSecurity(SecuritySettings.tls(policy).withTlsPort(port).withDtlsPort(port)));
        target = "127.0.0.1:" + device.tlsAddress().getPort();
        plainPort = Integer.toString(device.udpAddress().getPort());
    }

    @AfterAll
    static void stop() {
        device.close();
    }

    @Test
    void theJsonCarriesWhatTheTableShows() throws Exception {
        MainTest.Run json = run("probe", target, "--plain-port", plainPort, "--timeout", "3s", "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonObject root = (JsonObject) JsonReader.parse(json.out());
        JsonObject tls = object(root, "tls");
        JsonObject v12 = version(tls, "TLSv1.2");
        assertThat(bool(v12, "accepted")).isTrue();
        List<String> suites = names(v12);
        assertThat(suites).containsExactlyInAnyOrderElementsOf(SUITES.stream().map(CipherSuite::name).toList());
        assertThat(bool(version(tls, "TLSv1.0"), "accepted")).isFalse();
        assertThat(names(version(object(root, "dtls"), "DTLSv1.2"))).containsExactlyInAnyOrderElementsOf(suites);
        JsonObject identity = object(root, "listIdentity");
        assertThat(bool(identity, "answered")).isTrue();
        assertThat(object(object(identity, "reply"), "cipSecurity").keys()).contains("cipSecurityState");
        List<String> codes = new ArrayList<>();
        for (JsonNode f : ((JsonArray) root.get("findings").orElseThrow()).elements()) {
            codes.add(string((JsonObject) f, "code"));
        }
        assertThat(codes).contains("null-suites");

        MainTest.Run table = run("probe", target, "--plain-port", plainPort, "--timeout", "3s");
        assertThat(table.exit()).isZero();
        for (String s : suites) {
            assertThat(table.out()).contains(s);
        }
        assertThat(table.out()).contains("TLSv1.2   accepted", "DTLSv1.2  accepted", "TLSv1.0   refused",
                "CIP Security: profiles", "null-suites");
        for (String c : codes) {
            assertThat(table.out()).contains(c);
        }
    }

    @Test
    void failOnTurnsFindingsIntoExitOne() {
        MainTest.Run r = run("probe", target, "--tls-only", "--no-identity", "--timeout", "1s", "--fail-on", "critical");
        assertThat(r.exit()).isEqualTo(Main.REFUSED);
        assertThat(r.out()).contains("null-suites");
    }

    @Test
    void aClosedPortIsExitThree() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        MainTest.Run r = run("probe", "127.0.0.1:" + closed, "--tls-only", "--no-identity", "--timeout", "1s");
        assertThat(r.exit()).isEqualTo(Main.IO);
        assertThat(r.err()).contains("did not answer");
        assertThat(r.out()).contains("SSLv3     refused (unreachable");
    }

    @Test
    void usageErrors() {
        assertThat(run("probe", target, "--fail-on", "sometimes").exit()).isEqualTo(Main.USAGE);
        assertThat(run("probe", target, "--tls-only", "--dtls-only").exit()).isEqualTo(Main.USAGE);
        assertThat(run("probe", target, "--timeout", "soon").exit()).isEqualTo(Main.USAGE);
    }

    @Test
    void durations() {
        assertThat(ProbeCommand.duration("2s").toMillis()).isEqualTo(2000);
        assertThat(ProbeCommand.duration("500ms").toMillis()).isEqualTo(500);
        assertThat(ProbeCommand.duration("1.5").toMillis()).isEqualTo(1500);
    }

    static JsonObject object(JsonObject o, String key) {
        return (JsonObject) o.get(key).orElseThrow();
    }

    static boolean bool(JsonObject o, String key) {
        return ((JsonBool) o.get(key).orElseThrow()).value();
    }

    static String string(JsonObject o, String key) {
        return ((JsonString) o.get(key).orElseThrow()).value();
    }

    static JsonObject version(JsonObject transport, String name) {
        for (JsonNode v : ((JsonArray) transport.get("versions").orElseThrow()).elements()) {
            if (string((JsonObject) v, "version").equals(name)) {
                return (JsonObject) v;
            }
        }
        throw new AssertionError("no " + name + " in " + transport);
    }

    static List<String> names(JsonObject version) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : ((JsonArray) version.get("suites").orElseThrow()).elements()) {
            out.add(string((JsonObject) s, "name"));
        }
        return out;
    }
}
