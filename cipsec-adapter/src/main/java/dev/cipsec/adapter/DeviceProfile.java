package dev.cipsec.adapter;

import dev.cipsec.adapter.config.Json;
import dev.cipsec.objects.std.AssemblyDefinition;
import dev.cipsec.objects.std.AssemblyKind;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.objects.std.InterfaceConfig;
import dev.cipsec.transport.io.ReceiveCoalescing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a device is and where it listens: identity, assemblies, interface configuration, ports and
 * limits. Built in code or read from a JSON profile file (see {@link #fromJson}); unknown keys in a
 * file are errors, so a typo fails at start-up instead of being silently ignored.
 *
 * @param bindAddress address the listeners bind (default 127.0.0.1: exposing a device to a network is
 *                    an explicit choice)
 * @param tcpPort     encapsulation port (default 44818; 0 picks a free port, for tests)
 * @param udpPort     ListIdentity/ListServices port (default 44818; 0 picks a free port, -1 disables UDP)
 * @param io          class 0/1 I/O: UDP port (default 2222), heartbeat connection points, RPI range
 * @param security    CIP Security: the TLS listener on 2221 and whether plain TCP stays open (default: none)
 */
public record DeviceProfile(DeviceIdentity identity, List<AssemblyDefinition> assemblies, InterfaceConfig interfaceConfig,
                            InetAddress bindAddress, int tcpPort, int udpPort, AdapterLimits limits, IoSettings io,
                            SecuritySettings security) {

    public static final int DEFAULT_PORT = 44818;

    public DeviceProfile {
        Objects.requireNonNull(identity, "identity");
        assemblies = List.copyOf(assemblies);
        Objects.requireNonNull(interfaceConfig, "interfaceConfig");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(security, "security");
        if (tcpPort < 0 || tcpPort > 0xFFFF) {
            throw new IllegalArgumentException("tcpPort must be 0..65535: " + tcpPort);
        }
        if (udpPort < -1 || udpPort > 0xFFFF) {
            throw new IllegalArgumentException("udpPort must be -1..65535: " + udpPort);
        }
        long distinct = assemblies.stream().mapToInt(AssemblyDefinition::instanceId).distinct().count();
        if (distinct != assemblies.size()) {
            throw new IllegalArgumentException("assembly instance ids must be unique");
        }
        for (AssemblyDefinition a : assemblies) {
            if (a.instanceId() == io.inputOnlyHeartbeat() || a.instanceId() == io.listenOnlyHeartbeat()) {
                throw new IllegalArgumentException("assembly " + a.instanceId() + " collides with a heartbeat connection point");
            }
        }
    }

    /** A profile with the default I/O settings (the form before class 0/1 I/O existed). */
    public DeviceProfile(DeviceIdentity identity, List<AssemblyDefinition> assemblies, InterfaceConfig interfaceConfig,
                         InetAddress bindAddress, int tcpPort, int udpPort, AdapterLimits limits) {
        this(identity, assemblies, interfaceConfig, bindAddress, tcpPort, udpPort, limits, IoSettings.defaults(),
                SecuritySettings.none());
    }

    /** The device the demo and the tests run: a generic communications adapter with three assemblies. */
    public static DeviceProfile defaults() {
        DeviceIdentity id = DeviceIdentity.of(0xFFFE, 0x0C, 1, 1, 1, 0x0000_0001L, "cipsec adapter");
        return new DeviceProfile(id, List.of(AssemblyDefinition.input(100, 32), AssemblyDefinition.output(150, 32),
                AssemblyDefinition.configuration(151, 10)),
                InterfaceConfig.of("0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0", "", ""),
                InetAddress.getLoopbackAddress(), DEFAULT_PORT, DEFAULT_PORT, AdapterLimits.defaults());
    }

    /** The same profile on ephemeral loopback ports (I/O too, unless disabled), as tests want it. */
    public DeviceProfile onEphemeralPorts() {
        return new DeviceProfile(identity, assemblies, interfaceConfig, InetAddress.getLoopbackAddress(), 0, 0, limits,
                io.enabled() ? io.withPort(0) : io, security.withTlsPort(0)
                        .withDtlsPort(security.dtlsPort() == SecuritySettings.NO_DTLS ? SecuritySettings.NO_DTLS : 0));
    }

    public DeviceProfile withIo(IoSettings settings) {
        return new DeviceProfile(identity, assemblies, interfaceConfig, bindAddress, tcpPort, udpPort, limits, settings, security);
    }

    public DeviceProfile withIdentity(DeviceIdentity id) {
        return new DeviceProfile(id, assemblies, interfaceConfig, bindAddress, tcpPort, udpPort, limits, io, security);
    }

    public DeviceProfile withAssemblies(List<AssemblyDefinition> list) {
        return new DeviceProfile(identity, list, interfaceConfig, bindAddress, tcpPort, udpPort, limits, io, security);
    }

    public DeviceProfile withBinding(InetAddress address, int tcp, int udp) {
        return new DeviceProfile(identity, assemblies, interfaceConfig, address, tcp, udp, limits, io, security);
    }

    public DeviceProfile withLimits(AdapterLimits l) {
        return new DeviceProfile(identity, assemblies, interfaceConfig, bindAddress, tcpPort, udpPort, l, io, security);
    }

    public DeviceProfile withInterfaceConfig(InterfaceConfig c) {
        return new DeviceProfile(identity, assemblies, c, bindAddress, tcpPort, udpPort, limits, io, security);
    }

    /** The same profile with {@code settings} for CIP Security. */
    public DeviceProfile withSecurity(SecuritySettings settings) {
        return new DeviceProfile(identity, assemblies, interfaceConfig, bindAddress, tcpPort, udpPort, limits, io, settings);
    }

    public static DeviceProfile load(Path file) throws IOException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            return fromJson(Files.readString(file), dir);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a profile; every section and key is optional and falls back to {@link #defaults()}:
     * <pre>{@code
     * { "identity":   { "vendorId": 65534, "deviceType": 12, "productCode": 1, "revision": "1.1",
     *                   "serialNumber": "0x00000001", "productName": "cipsec adapter" },
     *   "assemblies": [ { "id": 100, "size": 32, "kind": "input" },
     *                   { "id": 150, "size": 32, "kind": "output" },
     *                   { "id": 151, "size": 10, "kind": "configuration" } ],
     *   "network":    { "bind": "127.0.0.1", "tcpPort": 44818, "udpPort": 44818, "ioPort": 2222 },
     *   "io":         { "inputOnlyHeartbeat": 152, "listenOnlyHeartbeat": 153, "minRpiMicros": 1000,
     *                   "maxRpiMicros": 10000000, "multicastAddress": "239.192.1.0", "receiveCoalescingMicros": 50 },
     *   "interface":  { "ip": "192.168.1.10", "netmask": "255.255.255.0", "gateway": "192.168.1.1",
     *                   "nameServer1": "", "nameServer2": "", "domain": "", "hostName": "adapter1" },
     *   "limits":     { "maxTcpConnections": 64, "maxConnectionsPerAddress": 16, "maxSessions": 32,
     *                   "maxFrameSize": 65559, "maxPendingBytes": 8388608, "idleTimeoutSeconds": 120,
     *                   "frameTimeoutSeconds": 10, "maxClass3Connections": 32, "maxIoConnections": 32,
     *                   "maxIoConnectionsPerOriginator": 8, "maxIoPacketSize": 1444 },
     *   "security":   { "tlsPort": 2221, "plainTcp": true, "stateDirectory": "state",
     *                   "suites": [ "C02B", "C02C", "ECDHE-ECDSA-AES128-SHA256" ],
     *                   "certificate": "vendor-cert.pem", "key": "vendor-key.pem", "keyPasswordFile": "key.pass",
     *                   "pkcs12": "vendor.p12", "pkcs12PasswordFile": "p12.pass", "sessionTimeoutSeconds": 10,
     *                   "est": { "url": "https://est.plant:8443/.well-known/est", "trust": "plant-ca.pem",
     *                            "reenrolMarginDays": 30, "retryInitialSeconds": 5, "retryMaxSeconds": 600,
     *                            "revocationCheckMinutes": 60 } } }
     * }</pre>
     *
     * <p>A {@code security} section turns CIP Security on: TLS on {@code tlsPort} with the security
     * objects; {@code suites} and the vendor identity ({@code certificate} + {@code key}, or
     * {@code pkcs12}) make the factory configuration, and without an identity the device creates its
     * default one in {@code stateDirectory}. {@code est} configures the pull model's EST server
     * ({@link EstSettings}; {@code trust} is the PEM file of its explicit trust anchors). Relative paths
     * are resolved against the current directory.
     */
    public static DeviceProfile fromJson(String text) {
        return fromJson(text, Path.of("").toAbsolutePath());
    }

    /** As {@link #fromJson(String)}, with relative paths resolved against {@code baseDir} (the profile's directory). */
    public static DeviceProfile fromJson(String text, Path baseDir) {
        Map<String, Object> root = object(Json.parse(text), "profile");
        keys(root, "profile", Set.of("identity", "assemblies", "network", "interface", "limits", "io", "security"));
        DeviceProfile d = defaults();

        DeviceIdentity id = d.identity;
        if (root.containsKey("identity")) {
            Map<String, Object> m = object(root.get("identity"), "identity");
            keys(m, "identity", Set.of("vendorId", "deviceType", "productCode", "revision", "serialNumber", "productName"));
            int major = id.revisionMajor();
            int minor = id.revisionMinor();
            if (m.containsKey("revision")) {
                String rev = string(m.get("revision"), "identity.revision");
                String[] parts = rev.split("\\.");
                if (parts.length != 2) {
                    throw new IllegalArgumentException("identity.revision must look like \"2.3\": " + rev);
                }
                major = intNumber(parts[0], "identity.revision");
                minor = intNumber(parts[1], "identity.revision");
            }
            id = new DeviceIdentity(
                    intNumber(m.getOrDefault("vendorId", id.vendorId()), "identity.vendorId"),
                    intNumber(m.getOrDefault("deviceType", id.deviceType()), "identity.deviceType"),
                    intNumber(m.getOrDefault("productCode", id.productCode()), "identity.productCode"),
                    major, minor,
                    number(m.getOrDefault("serialNumber", id.serialNumber()), "identity.serialNumber"),
                    string(m.getOrDefault("productName", id.productName()), "identity.productName"),
                    id.status(), id.state());
        }

        List<AssemblyDefinition> assemblies = d.assemblies;
        if (root.containsKey("assemblies")) {
            if (!(root.get("assemblies") instanceof List<?> list)) {
                throw new IllegalArgumentException("assemblies must be an array");
            }
            assemblies = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String where = "assemblies[" + i + "]";
                Map<String, Object> a = object(list.get(i), where);
                keys(a, where, Set.of("id", "size", "kind"));
                String kind = string(a.getOrDefault("kind", "input"), where + ".kind");
                AssemblyKind k;
                try {
                    k = AssemblyKind.valueOf(kind.toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ".kind must be input, output or configuration: " + kind);
                }
                assemblies.add(new AssemblyDefinition(intNumber(require(a, "id", where), where + ".id"),
                        intNumber(require(a, "size", where), where + ".size"), k));
            }
        }

        InetAddress bind = d.bindAddress;
        int tcp = d.tcpPort;
        int udp = d.udpPort;
        int ioPort = d.io.port();
        if (root.containsKey("network")) {
            Map<String, Object> m = object(root.get("network"), "network");
            keys(m, "network", Set.of("bind", "tcpPort", "udpPort", "ioPort"));
            if (m.containsKey("bind")) {
                String b = string(m.get("bind"), "network.bind");
                try {
                    bind = InetAddress.getByName(b);
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("network.bind is not an address: " + b);
                }
            }
            tcp = intNumber(m.getOrDefault("tcpPort", tcp), "network.tcpPort");
            udp = intNumber(m.getOrDefault("udpPort", udp), "network.udpPort");
            ioPort = intNumber(m.getOrDefault("ioPort", ioPort), "network.ioPort");
        }

        IoSettings io = d.io.withPort(ioPort);
        if (root.containsKey("io")) {
            Map<String, Object> m = object(root.get("io"), "io");
            keys(m, "io", Set.of("inputOnlyHeartbeat", "listenOnlyHeartbeat", "minRpiMicros", "maxRpiMicros", "multicastAddress",
                    "receiveCoalescingMicros"));
            java.net.Inet4Address mcast = io.multicastAddress();
            if (m.containsKey("multicastAddress")) {
                String a = string(m.get("multicastAddress"), "io.multicastAddress");
                try {
                    if (!(InetAddress.getByName(a) instanceof java.net.Inet4Address v4)) {
                        throw new IllegalArgumentException("io.multicastAddress must be IPv4: " + a);
                    }
                    mcast = v4;
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("io.multicastAddress is not an address: " + a);
                }
            }
            io = new IoSettings(ioPort,
                    intNumber(m.getOrDefault("inputOnlyHeartbeat", io.inputOnlyHeartbeat()), "io.inputOnlyHeartbeat"),
                    intNumber(m.getOrDefault("listenOnlyHeartbeat", io.listenOnlyHeartbeat()), "io.listenOnlyHeartbeat"),
                    number(m.getOrDefault("minRpiMicros", io.minRpiMicros()), "io.minRpiMicros"),
                    number(m.getOrDefault("maxRpiMicros", io.maxRpiMicros()), "io.maxRpiMicros"),
                    mcast,
                    m.containsKey("receiveCoalescingMicros") ? ReceiveCoalescing.ofMicros(
                            number(m.get("receiveCoalescingMicros"), "io.receiveCoalescingMicros"), "io.receiveCoalescingMicros")
                            : io.receiveCoalescing());
        }

        InterfaceConfig ifc = d.interfaceConfig;
        if (root.containsKey("interface")) {
            Map<String, Object> m = object(root.get("interface"), "interface");
            keys(m, "interface", Set.of("ip", "netmask", "gateway", "nameServer1", "nameServer2", "domain", "hostName"));
            ifc = InterfaceConfig.of(string(m.getOrDefault("ip", ""), "interface.ip"),
                    string(m.getOrDefault("netmask", ""), "interface.netmask"),
                    string(m.getOrDefault("gateway", ""), "interface.gateway"),
                    string(m.getOrDefault("nameServer1", ""), "interface.nameServer1"),
                    string(m.getOrDefault("nameServer2", ""), "interface.nameServer2"),
                    string(m.getOrDefault("domain", ""), "interface.domain"),
                    string(m.getOrDefault("hostName", ""), "interface.hostName"));
        }

        AdapterLimits l = d.limits;
        if (root.containsKey("limits")) {
            Map<String, Object> m = object(root.get("limits"), "limits");
            keys(m, "limits", Set.of("maxTcpConnections", "maxConnectionsPerAddress", "maxSessions", "maxFrameSize",
                    "maxPendingBytes", "idleTimeoutSeconds", "frameTimeoutSeconds", "maxClass3Connections", "maxCpfItems",
                    "maxPendingUdpReplies", "maxIoConnections", "maxIoConnectionsPerOriginator", "maxIoPacketSize"));
            l = new AdapterLimits(
                    intNumber(m.getOrDefault("maxTcpConnections", l.maxTcpConnections()), "limits.maxTcpConnections"),
                    intNumber(m.getOrDefault("maxConnectionsPerAddress", l.maxConnectionsPerAddress()), "limits.maxConnectionsPerAddress"),
                    intNumber(m.getOrDefault("maxSessions", l.maxSessions()), "limits.maxSessions"),
                    intNumber(m.getOrDefault("maxFrameSize", l.maxFrameSize()), "limits.maxFrameSize"),
                    number(m.getOrDefault("maxPendingBytes", l.maxPendingBytes()), "limits.maxPendingBytes"),
                    Duration.ofSeconds(number(m.getOrDefault("idleTimeoutSeconds", l.idleTimeout().toSeconds()), "limits.idleTimeoutSeconds")),
                    Duration.ofSeconds(number(m.getOrDefault("frameTimeoutSeconds", l.frameTimeout().toSeconds()), "limits.frameTimeoutSeconds")),
                    intNumber(m.getOrDefault("maxClass3Connections", l.maxClass3Connections()), "limits.maxClass3Connections"),
                    intNumber(m.getOrDefault("maxCpfItems", l.maxCpfItems()), "limits.maxCpfItems"),
                    intNumber(m.getOrDefault("maxPendingUdpReplies", l.maxPendingUdpReplies()), "limits.maxPendingUdpReplies"),
                    intNumber(m.getOrDefault("maxIoConnections", l.maxIoConnections()), "limits.maxIoConnections"),
                    intNumber(m.getOrDefault("maxIoConnectionsPerOriginator", l.maxIoConnectionsPerOriginator()),
                            "limits.maxIoConnectionsPerOriginator"),
                    intNumber(m.getOrDefault("maxIoPacketSize", l.maxIoPacketSize()), "limits.maxIoPacketSize"));
        }
        SecuritySettings security = d.security();
        if (root.containsKey("security")) {
            security = security(object(root.get("security"), "security"), baseDir);
        }
        return new DeviceProfile(id, assemblies, ifc, bind, tcp, udp, l, io, security);
    }

    private static SecuritySettings security(Map<String, Object> m, Path baseDir) {
        keys(m, "security", Set.of("tlsPort", "dtlsPort", "hybridIo", "plainTcp", "stateDirectory", "suites", "certificate", "key",
                "keyPasswordFile", "pkcs12", "pkcs12PasswordFile", "sessionTimeoutSeconds", "est"));
        dev.cipsec.transport.tls.TlsPolicy.Builder policy = dev.cipsec.transport.tls.TlsPolicy.builder();
        if (m.containsKey("suites")) {
            if (!(m.get("suites") instanceof List<?> list) || list.isEmpty()) {
                throw new IllegalArgumentException("security.suites must be a non-empty array");
            }
            List<dev.cipsec.transport.tls.CipherSuite> suites = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String name = string(list.get(i), "security.suites[" + i + "]");
                try {
                    suites.add(dev.cipsec.transport.tls.CipherSuite.parse(name));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("security.suites[" + i + "]: " + e.getMessage());
                }
            }
            policy.suites(suites);
        }
        if (m.containsKey("certificate") != m.containsKey("key")) {
            throw new IllegalArgumentException("security.certificate and security.key go together");
        }
        if (m.containsKey("certificate") && m.containsKey("pkcs12")) {
            throw new IllegalArgumentException("security: give certificate + key or pkcs12, not both");
        }
        try {
            if (m.containsKey("certificate")) {
                char[] pw = m.containsKey("keyPasswordFile")
                        ? password(baseDir.resolve(string(m.get("keyPasswordFile"), "security.keyPasswordFile"))) : null;
                policy.identity(dev.cipsec.transport.tls.cert.CredentialFiles.readIdentity(
                        baseDir.resolve(string(m.get("certificate"), "security.certificate")),
                        baseDir.resolve(string(m.get("key"), "security.key")), pw));
            } else if (m.containsKey("pkcs12")) {
                if (!m.containsKey("pkcs12PasswordFile")) {
                    throw new IllegalArgumentException("security.pkcs12 needs security.pkcs12PasswordFile");
                }
                policy.identity(dev.cipsec.transport.tls.cert.CredentialFiles.readPkcs12(
                        baseDir.resolve(string(m.get("pkcs12"), "security.pkcs12")),
                        password(baseDir.resolve(string(m.get("pkcs12PasswordFile"), "security.pkcs12PasswordFile"))), null));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("security: cannot read the vendor identity: " + e.getMessage(), e);
        }
        SecuritySettings s = SecuritySettings.tls(policy.build())
                .withTlsPort(intNumber(m.getOrDefault("tlsPort", (long) SecuritySettings.DEFAULT_TLS_PORT), "security.tlsPort"));
        if (m.containsKey("dtlsPort")) {
            s = s.withDtlsPort(intNumber(m.get("dtlsPort"), "security.dtlsPort"));
        }
        if (m.containsKey("hybridIo")) {
            if (!(m.get("hybridIo") instanceof Boolean b)) {
                throw new IllegalArgumentException("security.hybridIo must be true or false");
            }
            s = s.withHybridIo(b);
        }
        if (m.containsKey("plainTcp")) {
            if (!(m.get("plainTcp") instanceof Boolean b)) {
                throw new IllegalArgumentException("security.plainTcp must be true or false");
            }
            s = s.withPlainTcp(b);
        }
        if (m.containsKey("stateDirectory")) {
            s = s.withStateDirectory(baseDir.resolve(string(m.get("stateDirectory"), "security.stateDirectory")));
        }
        if (m.containsKey("sessionTimeoutSeconds")) {
            long sec = number(m.get("sessionTimeoutSeconds"), "security.sessionTimeoutSeconds");
            if (sec < 1 || sec > 3600) {
                throw new IllegalArgumentException("security.sessionTimeoutSeconds must be 1..3600: " + sec);
            }
            s = s.withSessionTimeout(Duration.ofSeconds(sec));
        }
        if (m.containsKey("est")) {
            s = s.withEst(est(object(m.get("est"), "security.est"), baseDir));
        }
        return s;
    }

    private static EstSettings est(Map<String, Object> m, Path baseDir) {
        keys(m, "security.est", Set.of("url", "trust", "reenrolMarginDays", "retryInitialSeconds", "retryMaxSeconds",
                "revocationCheckMinutes"));
        java.net.URI url;
        try {
            url = new java.net.URI(string(require(m, "url", "security.est"), "security.est.url"));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("security.est.url: " + e.getMessage(), e);
        }
        Path trust = baseDir.resolve(string(require(m, "trust", "security.est"), "security.est.trust"));
        List<java.security.cert.X509Certificate> anchors;
        try {
            anchors = dev.cipsec.transport.tls.cert.CredentialFiles.readCertificates(trust);
        } catch (IOException e) {
            throw new IllegalArgumentException("security.est.trust: cannot read " + trust + ": " + e.getMessage(), e);
        }
        Duration margin = Duration.ofDays(m.containsKey("reenrolMarginDays")
                ? number(m.get("reenrolMarginDays"), "security.est.reenrolMarginDays") : EstSettings.DEFAULT_REENROL_MARGIN.toDays());
        Duration initial = Duration.ofSeconds(m.containsKey("retryInitialSeconds")
                ? number(m.get("retryInitialSeconds"), "security.est.retryInitialSeconds") : EstSettings.DEFAULT_RETRY_INITIAL.toSeconds());
        Duration max = Duration.ofSeconds(m.containsKey("retryMaxSeconds")
                ? number(m.get("retryMaxSeconds"), "security.est.retryMaxSeconds") : EstSettings.DEFAULT_RETRY_MAX.toSeconds());
        Duration revocation = Duration.ofMinutes(m.containsKey("revocationCheckMinutes")
                ? number(m.get("revocationCheckMinutes"), "security.est.revocationCheckMinutes")
                : EstSettings.DEFAULT_REVOCATION_CHECK.toMinutes());
        return new EstSettings(url, anchors, margin, initial, max, revocation);
    }

    private static char[] password(Path file) throws IOException {
        String text = Files.readString(file).strip();
        return text.toCharArray();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String where) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        return (Map<String, Object>) o;
    }

    private static void keys(Map<String, Object> m, String where, Set<String> allowed) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("unknown key \"" + k + "\" in " + where + " (allowed: " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    private static Object require(Map<String, Object> m, String key, String where) {
        if (!m.containsKey(key)) {
            throw new IllegalArgumentException(where + "." + key + " is required");
        }
        return m.get(key);
    }

    private static String string(Object o, String where) {
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException(where + " must be a string");
        }
        return s;
    }

    /** {@link #number} that must also fit an int: a cast would silently turn 4294967297 into 1. */
    static int intNumber(Object o, String where) {
        long v = number(o, where);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + " is out of range: " + v);
        }
        return (int) v;
    }

    /** A JSON integer, or a string holding a decimal or 0x-hex integer (serial numbers read better in hex). */
    static long number(Object o, String where) {
        if (o instanceof Long l) {
            return l;
        }
        if (o instanceof Integer i) {
            return i;
        }
        if (o instanceof String s) {
            String t = s.strip();
            try {
                return t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + " is not an integer: " + s);
            }
        }
        throw new IllegalArgumentException(where + " must be an integer");
    }
}
