package dev.cipsec.adapter;

import dev.cipsec.objects.std.AssemblyDefinition;
import dev.cipsec.objects.std.AssemblyKind;
import dev.cipsec.transport.io.ReceiveCoalescing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceProfileTest {
    /** The example of {@link DeviceProfile#fromJson}'s javadoc, verbatim. */
    private static final String JAVADOC_EXAMPLE = """
            { "identity":   { "vendorId": 65534, "deviceType": 12, "productCode": 1, "revision": "1.1",
                              "serialNumber": "0x00000001", "productName": "cipsec adapter" },
              "assemblies": [ { "id": 100, "size": 32, "kind": "input" },
                              { "id": 150, "size": 32, "kind": "output" },
                              { "id": 151, "size": 10, "kind": "configuration" } ],
              "network":    { "bind": "127.0.0.1", "tcpPort": 44818, "udpPort": 44818, "ioPort": 2222 },
              "io":         { "inputOnlyHeartbeat": 152, "listenOnlyHeartbeat": 153, "minRpiMicros": 1000,
                              "maxRpiMicros": 10000000, "multicastAddress": "239.192.1.0", "receiveCoalescingMicros": 50 },
              "interface":  { "ip": "192.168.1.10", "netmask": "255.255.255.0", "gateway": "192.168.1.1",
                              "nameServer1": "", "nameServer2": "", "domain": "", "hostName": "adapter1" },
              "limits":     { "maxTcpConnections": 64, "maxConnectionsPerAddress": 16, "maxSessions": 32,
                              "maxFrameSize": 65559, "maxPendingBytes": 8388608, "idleTimeoutSeconds": 120,
                              "frameTimeoutSeconds": 10, "maxClass3Connections": 32, "maxIoConnections": 32,
                              "maxIoConnectionsPerOriginator": 8, "maxIoPacketSize": 1444 } }
            """;

    @Test
    void javadocExampleReadsAsWritten() {
        DeviceProfile p = DeviceProfile.fromJson(JAVADOC_EXAMPLE);
        DeviceProfile d = DeviceProfile.defaults();
        assertThat(p.identity()).isEqualTo(d.identity());
        assertThat(p.assemblies()).containsExactly(AssemblyDefinition.input(100, 32), AssemblyDefinition.output(150, 32),
                AssemblyDefinition.configuration(151, 10));
        assertThat(p.bindAddress()).isEqualTo(InetAddress.getLoopbackAddress());
        assertThat(p.tcpPort()).isEqualTo(44818);
        assertThat(p.udpPort()).isEqualTo(44818);
        assertThat(p.interfaceConfig().hostName()).isEqualTo("adapter1");
        assertThat(p.limits()).isEqualTo(AdapterLimits.defaults());
        assertThat(p.io().multicastAddress().getHostAddress()).isEqualTo("239.192.1.0");
        assertThat(p).isEqualTo(d.withInterfaceConfig(p.interfaceConfig()).withIo(d.io().withMulticastAddress(p.io().multicastAddress())));
    }

    @Test
    void ioSettingsAndLimitsAreRead() {
        DeviceProfile p = DeviceProfile.fromJson("""
                { "network": { "ioPort": -1 },
                  "io": { "inputOnlyHeartbeat": 198, "listenOnlyHeartbeat": 199, "minRpiMicros": 2000, "maxRpiMicros": 5000000,
                          "receiveCoalescingMicros": 0 },
                  "limits": { "maxIoConnections": 4, "maxIoConnectionsPerOriginator": 2, "maxIoPacketSize": 600 } }
                """);
        assertThat(p.io()).isEqualTo(new IoSettings(-1, 198, 199, 2000, 5_000_000, null, ReceiveCoalescing.off()));
        assertThat(DeviceProfile.fromJson("{\"io\": {\"receiveCoalescingMicros\": 1000}}").io().receiveCoalescing())
                .isEqualTo(ReceiveCoalescing.ofMicros(1000));
        assertThat(p.io().enabled()).isFalse();
        assertThat(p.limits()).isEqualTo(AdapterLimits.defaults().withIoLimits(4, 2, 600));
        DeviceProfile d = DeviceProfile.defaults();
        assertThat(d.io()).isEqualTo(new IoSettings(2222, 152, 153, 1000, 10_000_000, null));
        assertThat(d.io().receiveCoalescing()).isEqualTo(ReceiveCoalescing.defaults());
        assertThat(d.onEphemeralPorts().io().port()).isZero();
        assertThat(d.withIo(d.io().withPort(-1)).onEphemeralPorts().io().port()).as("disabled stays disabled").isEqualTo(-1);
    }

    @Test
    void emptyObjectAndEmptySectionsAreTheDefaults() {
        assertThat(DeviceProfile.fromJson("{}")).isEqualTo(DeviceProfile.defaults());
        assertThat(DeviceProfile.fromJson("{\"identity\":{},\"network\":{},\"limits\":{}}")).isEqualTo(DeviceProfile.defaults());
    }

    @Test
    void partialSectionsOverrideOnlyWhatTheyName() {
        DeviceProfile p = DeviceProfile.fromJson("""
                { "identity": { "vendorId": 1, "revision": "2.3", "serialNumber": "0x075BCD15", "productName": "OpENer PC" },
                  "assemblies": [ { "id": 101, "size": 4 } ],
                  "network": { "tcpPort": 0, "udpPort": -1 },
                  "limits": { "maxSessions": 4, "idleTimeoutSeconds": 0, "maxPendingUdpReplies": 8 } }
                """);
        assertThat(p.identity().vendorId()).isEqualTo(1);
        assertThat(p.identity().deviceType()).isEqualTo(DeviceProfile.defaults().identity().deviceType());
        assertThat(p.identity().revisionMajor()).isEqualTo(2);
        assertThat(p.identity().revisionMinor()).isEqualTo(3);
        assertThat(p.identity().serialNumber()).isEqualTo(0x075BCD15L);
        assertThat(p.assemblies()).containsExactly(new AssemblyDefinition(101, 4, AssemblyKind.INPUT));
        assertThat(p.tcpPort()).isZero();
        assertThat(p.udpPort()).isEqualTo(-1);
        assertThat(p.limits().maxSessions()).isEqualTo(4);
        assertThat(p.limits().idleTimeout()).isEqualTo(Duration.ZERO);
        assertThat(p.limits().maxPendingUdpReplies()).isEqualTo(8);
        assertThat(p.limits().maxTcpConnections()).isEqualTo(64);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"identty\": {}}                                   | unknown key \"identty\" in profile",
            "{\"identity\": {\"vendor\": 1}}                      | unknown key \"vendor\" in identity",
            "{\"limits\": {\"maxSession\": 1}}                    | unknown key \"maxSession\" in limits",
            "{\"assemblies\": [{\"id\": 1, \"size\": 2, \"sz\": 3}]} | unknown key \"sz\" in assemblies[0]",
            "{\"network\": {\"port\": 1}}                         | unknown key \"port\" in network",
            "{\"interface\": {\"address\": \"1.2.3.4\"}}          | unknown key \"address\" in interface",
            "{\"io\": {\"heartbeat\": 152}}                      | unknown key \"heartbeat\" in io",
    })
    void unknownKeysAreErrorsNamingTheKey(String json, String message) {
        assertThatThrownBy(() -> DeviceProfile.fromJson(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "[]                                                 | profile must be an object",
            "{\"identity\": 5}                                   | identity must be an object",
            "{\"identity\": {\"vendorId\": \"abc\"}}              | identity.vendorId is not an integer",
            "{\"identity\": {\"vendorId\": 1.5}}                  | identity.vendorId must be an integer",
            "{\"identity\": {\"productName\": 7}}                 | identity.productName must be a string",
            "{\"identity\": {\"revision\": \"2\"}}                | identity.revision must look like",
            "{\"assemblies\": {}}                                | assemblies must be an array",
            "{\"assemblies\": [{\"size\": 2}]}                   | assemblies[0].id is required",
            "{\"assemblies\": [{\"id\": 1, \"size\": 2, \"kind\": \"both\"}]} | assemblies[0].kind must be input, output or configuration",
            "{\"network\": {\"tcpPort\": true}}                  | network.tcpPort must be an integer",
            "{\"network\": {\"bind\": \"no such host.invalid\"}} | network.bind is not an address",
            "{\"limits\": {\"maxSessions\": 0}}                  | maxSessions must be positive",
            "{\"limits\": {\"maxFrameSize\": 100}}               | maxFrameSize must be",
            "{\"identity\": {\"vendorId\": 4294967297}}          | identity.vendorId",
            "{\"network\": {\"tcpPort\": 4294967297}}            | network.tcpPort",
            "{\"limits\": {\"maxSessions\": 4294967297}}         | limits.maxSessions",
            "{\"network\": {\"ioPort\": -2}}                      | I/O port must be -1..65535",
            "{\"io\": {\"multicastAddress\": \"10.0.0.1\"}}       | not a multicast address",
            "{\"io\": {\"minRpiMicros\": 0}}                     | RPI range",
            "{\"io\": {\"receiveCoalescingMicros\": 1001}}       | io.receiveCoalescingMicros must be 0..1000 µs: 1001 µs",
            "{\"io\": {\"receiveCoalescingMicros\": -1}}         | io.receiveCoalescingMicros must be 0..1000 µs: -1 µs",
            "{\"io\": {\"inputOnlyHeartbeat\": 153}}             | heartbeat connection points must be distinct",
            "{\"io\": {\"inputOnlyHeartbeat\": 100}}             | collides with a heartbeat connection point",
            "{\"limits\": {\"maxIoPacketSize\": 10}}             | maxIoPacketSize must be",
            "{\"limits\": {\"maxIoConnections\": 0}}             | maxIoConnections must be positive",
    })
    void badValuesAreErrorsNamingWhere(String json, String message) {
        assertThatThrownBy(() -> DeviceProfile.fromJson(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void malformedJsonIsAnIllegalArgument() {
        assertThatThrownBy(() -> DeviceProfile.fromJson("{\"identity\": ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceProfile.fromJson("{} x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void loadPrefixesErrorsWithTheFile(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = dir.resolve("device.json");
        Files.writeString(f, "{\"limits\": {\"typo\": 1}}");
        assertThatThrownBy(() -> DeviceProfile.load(f)).hasMessageStartingWith(f.toString()).hasMessageContaining("\"typo\"");
        Files.writeString(f, "{\"network\": {\"tcpPort\": 0}}");
        assertThat(DeviceProfile.load(f).tcpPort()).isZero();
    }

    @Test
    void constructorChecksPortsAndAssemblyIds() {
        DeviceProfile d = DeviceProfile.defaults();
        assertThatThrownBy(() -> d.withBinding(d.bindAddress(), 70000, 0)).hasMessageContaining("tcpPort");
        assertThatThrownBy(() -> d.withBinding(d.bindAddress(), 0, -2)).hasMessageContaining("udpPort");
        assertThatThrownBy(() -> d.withAssemblies(List.of(AssemblyDefinition.input(100, 4), AssemblyDefinition.output(100, 4))))
                .hasMessageContaining("unique");
        assertThat(d.onEphemeralPorts().tcpPort()).isZero();
        assertThat(d.onEphemeralPorts().udpPort()).isZero();
    }
}
