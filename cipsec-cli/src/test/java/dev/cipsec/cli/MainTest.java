package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.config.Json;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line against a device started in the test; output captured through picocli's writers. */
class MainTest {
    private static CipDevice device;
    private static DeviceIdentity identity;
    private static String target;

    /** One run: exit code, standard output and error text. */
    record Run(int exit, String out, String err) {
        Map<String, Object> json() {
            return asMap(Json.parse(out));
        }
    }

    @BeforeAll
    static void startDevice() throws IOException {
        device = CipDevice.start(DeviceProfile.defaults().onEphemeralPorts());
        identity = device.profile().identity();
        DemoCommand.mirror(device, "150:100");
        target = "127.0.0.1:" + device.tcpAddress().getPort();
    }

    @AfterAll
    static void stopDevice() {
        device.close();
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @Test
    void identityPrintsTheDevice() {
        Run r = run("identity", target);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("cipsec adapter").contains("vendor " + identity.vendorId())
                .contains(String.format("serial 0x%08X", identity.serialNumber()))
                .contains("CIP Security: not advertised");
        assertThat(r.out()).doesNotContain("non-conforming");
    }

    @Test
    void identityAsJson() {
        Run r = run("identity", target, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> m = r.json();
        assertThat(m).containsEntry("productName", identity.productName())
                .containsEntry("vendorId", (long) identity.vendorId())
                .containsEntry("serialNumber", String.format("0x%08X", identity.serialNumber()))
                .containsEntry("target", target);
        Map<String, Object> li = asMap(m.get("listIdentity"));
        assertThat(li).containsEntry("conforming", true);
        assertThat(asMap(li.get("identity"))).containsEntry("productName", identity.productName());
    }

    @Test
    void getAsShortString() {
        Run r = run("get", target, "1/1/7", "--as", "short_string");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(identity.productName());
    }

    @Test
    void getAsJson() {
        Run r = run("get", target, "1/1/1", "--as", "uint", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json()).containsEntry("target", target).containsEntry("path", "1/1/1")
                .containsEntry("service", "Get_Attribute_Single")
                .containsEntry("hex", Bytes.of((byte) identity.vendorId(), (byte) (identity.vendorId() >>> 8)).toHex())
                .containsEntry("value", Integer.toString(identity.vendorId()));

        Run all = run("get", target, "1/1", "--json");
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(all.json()).containsEntry("service", "Get_Attributes_All").doesNotContainKey("value");
    }

    @Test
    void setThenGet() {
        String value = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        Run set = run("set", target, "4/150/3", value);
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).contains("wrote 32 bytes to 4/150/3");
        assertThat(device.assembly(150).data().toHex()).isEqualTo(value);

        Run out = run("get", target, "4/150/3");
        assertThat(out.out().strip()).isEqualTo(value);
        Run in = run("get", target, "4/100/3");
        assertThat(in.out().strip()).isEqualTo(value);

        Run json = run("set", target, "4/150/3", "0x" + "ff".repeat(32), "--json", "--connected");
        assertThat(json.exit()).as(json.err()).isZero();
        assertThat(json.json()).containsEntry("written", "ff".repeat(32));
        assertThat(device.assembly(100).data().toHex()).isEqualTo("ff".repeat(32));
    }

    @Test
    void getOverAClass3Connection() {
        long before = device.stats().connectedRequests();
        Run r = run("get", target, "1/1/1", "--as", "uint", "--connected");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(Integer.toString(identity.vendorId()));
        assertThat(device.stats().connectedRequests() - before).isEqualTo(1);
        assertThat(device.class3ConnectionCount()).isZero();
    }

    @Test
    void discoverUnicastAsJson() {
        Run r = run("discover", "-t", "127.0.0.1:" + device.udpAddress().getPort(), "--json", "--wait", "1", "--max-delay", "1");
        assertThat(r.exit()).as(r.err()).isZero();
        Object parsed = Json.parse(r.out());
        assertThat(parsed).isInstanceOf(List.class);
        List<?> list = (List<?>) parsed;
        assertThat(list).hasSize(1);
        Map<String, Object> found = asMap(list.get(0));
        assertThat(found).containsEntry("source", "127.0.0.1:" + device.udpAddress().getPort())
                .containsEntry("conforming", true).doesNotContainKey("cipSecurity");
        assertThat(asMap(found.get("identity"))).containsEntry("productName", identity.productName())
                .containsEntry("productCode", (long) identity.productCode());
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("get", target, "1/x/7").exit()).isEqualTo(Main.USAGE);
        assertThat(run("get", target, "1/1/7", "--as", "float128").exit()).isEqualTo(Main.USAGE);
        assertThat(run("get", target).exit()).isEqualTo(Main.USAGE);
        assertThat(run("set", target, "1/1").exit()).isEqualTo(Main.USAGE);
        assertThat(run("set", target, "4/150", "00").exit()).isEqualTo(Main.USAGE);
        assertThat(run("set", target, "4/150/3", "0x123").exit()).isEqualTo(Main.USAGE);
        assertThat(run("get", "host:99999", "1/1/1").exit()).isEqualTo(Main.USAGE);
        assertThat(run("get", target, "1/1/1", "--timeout", "0").exit()).isEqualTo(Main.USAGE);
        assertThat(run("discover", "-t", "10.0.0.0/8").exit()).isEqualTo(Main.USAGE);
        assertThat(run("no-such-command").exit()).isEqualTo(Main.USAGE);
        Run none = run();
        assertThat(none.exit()).isEqualTo(Main.USAGE);
        assertThat(none.err()).contains("subcommand");
    }

    @Test
    void refusedRequestExitsOne() {
        Run r = run("get", target, "1/1/99");
        assertThat(r.exit()).isEqualTo(Main.REFUSED);
        assertThat(r.err()).startsWith("cipsec: ").containsIgnoringCase("attribute not supported");
        assertThat(run("set", target, "1/1/1", "0100").exit()).isEqualTo(Main.REFUSED);
    }

    @Test
    void connectionRefusedExitsThree() throws IOException {
        int unused;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            unused = s.getLocalPort();
        }
        Run r = run("get", "127.0.0.1:" + unused, "1/1/1", "--timeout", "2");
        assertThat(r.exit()).isEqualTo(Main.IO);
        assertThat(r.err()).startsWith("cipsec: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "device", "discover", "identity", "tls-info", "get", "set", "io"})
    void helpOnEverySubcommand(String command) {
        Run r = run(command, "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("Usage: cipsec " + command);
    }

    @Test
    void topLevelHelpAndVersion() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Exit codes:").contains("discover");
        Run version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("cipsec ");
    }

    @Test
    void deviceRunsUntilInterruptedWithFlagsOverTheProfile() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int[] exit = {-1};
        Thread t = new Thread(() -> exit[0] = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "device", "--port", "0", "--udp-port", "-1", "--product-name", "line 4 adapter", "--serial", "0x00C0FFEE"));
        t.start();
        try {
            dev.cipsec.wire.testkit.Await.until(java.time.Duration.ofSeconds(20), () -> out.toString().contains("listening on tcp"),
                    "device start-up line");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("tcp \\S*?:(\\d+)").matcher(out.toString());
            assertThat(m.find()).as(out.toString()).isTrue();
            String self = "127.0.0.1:" + m.group(1);
            Run r = run("get", self, "1/1/7", "--as", "short_string");
            assertThat(r.out().strip()).isEqualTo("line 4 adapter");
            assertThat(run("get", self, "1/1/6", "--as", "udint").out().strip()).isEqualTo(Long.toString(0xC0FFEEL));
        } finally {
            t.interrupt();
            t.join(10_000);
        }
        assertThat(t.isAlive()).as("device command ends when interrupted").isFalse();
        assertThat(exit[0]).as(err.toString()).isEqualTo(Main.OK);
    }
}
