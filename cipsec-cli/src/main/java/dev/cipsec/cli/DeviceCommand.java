package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.transport.tls.KeyLog;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.objects.std.DeviceIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import dev.cipsec.adapter.DtlsListenerStats;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "device", mixinStandardHelpOptions = true,
        description = {"Run an EtherNet/IP adapter until interrupted (Ctrl-C).",
                "The device is described by a JSON profile (see docs/device-profile.md); flags override it.",
                "With --tls it also listens for CIP Security (EtherNet/IP over TLS, TCP 2221) with the credentials given,",
                "or with its default certificate (self-signed, generated on first start; its SHA-256 fingerprint is printed),",
                "and hosts the security objects (0x5D, 0x5E, 0x5F, File 0x37) that `cipsec security` configures."})
final class DeviceCommand implements Callable<Integer> {
    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Option(names = "--profile", paramLabel = "FILE", description = "Device profile (JSON). Without it the built-in default device runs.")
    Path profile;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (profile default: 127.0.0.1; 0.0.0.0 for all interfaces).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", description = "TCP encapsulation port (default 44818; 0 = any free port).")
    Integer port;

    @Option(names = "--udp-port", paramLabel = "PORT", description = "UDP ListIdentity port (default 44818; 0 = any free port, -1 = off).")
    Integer udpPort;

    @Option(names = "--mirror", paramLabel = "OUT:IN",
            description = "Copy every write of output assembly OUT into input assembly IN (a loopback application, like OpENer's sample), e.g. 150:100.")
    String mirror;

    @Option(names = "--product-name", paramLabel = "NAME", description = "Identity product name (attribute 7), at most 32 characters.")
    String productName;

    @Option(names = "--vendor-id", paramLabel = "ID", description = "Identity vendor ID (attribute 1): your ODVA vendor ID.")
    Integer vendorId;

    @Option(names = "--serial", paramLabel = "NUMBER", description = "Identity serial number (attribute 6), decimal or 0x hex.")
    String serial;

    @Option(names = "--tls", description = "Open the CIP Security listener (EtherNet/IP over TLS); needs --psk-identity/--psk-key or --cert/--key or --pkcs12.")
    boolean tls;

    @Option(names = "--state", paramLabel = "DIR",
            description = {"Keep the security configuration, certificates, keys and files in DIR across restarts (created when missing).",
                    "Without it every start is a factory default with a new default certificate."})
    Path state;

    @Option(names = "--tls-port", paramLabel = "PORT", description = "TCP port for EtherNet/IP over TLS (default 2221; 0 = any free port).")
    Integer tlsPort;

    @Option(names = "--dtls-port", paramLabel = "PORT",
            description = "UDP port for class 0/1 I/O and UCMM over DTLS (default 2221; 0 = any free port; -1 = no DTLS).")
    Integer dtlsPort;

    @Option(names = "--hybrid-io",
            description = {"Let a class 0/1 Forward_Open over TLS open plain UDP 2222 I/O (hybrid operation).",
                    "Off by default: over TLS only DTLS I/O is offered, and such a Forward_Open is refused with 0x0103."})
    boolean hybridIo;

    @Option(names = "--stats-interval", paramLabel = "TIME", defaultValue = "0",
            description = "Print the DTLS listener's counters (handshakes, cookies, drops, UCMM) this often, e.g. 10s; 0 = only at exit.")
    String statsInterval;

    @Option(names = "--secure-only", description = "Close plain EtherNet/IP on TCP: explicit messaging over TLS only (UDP ListIdentity stays for discovery).")
    boolean secureOnly;

    @Option(names = "--require-client-cert",
            description = "In certificate suites, refuse clients without a certificate that --trust accepts (mutual authentication).")
    boolean requireClientCert;

    @Option(names = "--est-url", paramLabel = "URL",
            description = "Pull model: enrol from this EST server (https://host:port/.well-known/est) while nobody configured the device; needs --tls and --est-trust.")
    java.net.URI estUrl;

    @Option(names = "--est-trust", paramLabel = "FILE",
            description = "PEM certificates that may sign the EST server's certificate (the plant CA): RFC 7030 explicit trust anchor.")
    java.nio.file.Path estTrust;

    @Mixin
    TlsOptions tlsOptions;

    @Override
    public Integer call() throws Exception {
        DeviceProfile p = profile == null ? DeviceProfile.defaults() : DeviceProfile.load(profile);
        if (productName != null || vendorId != null || serial != null) {
            DeviceIdentity id = p.identity();
            long serialNumber = id.serialNumber();
            if (serial != null) {
                String t = serial.strip();
                try {
                    serialNumber = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--serial is not a number: " + serial);
                }
            }
            p = p.withIdentity(new DeviceIdentity(vendorId == null ? id.vendorId() : vendorId, id.deviceType(), id.productCode(),
                    id.revisionMajor(), id.revisionMinor(), serialNumber, productName == null ? id.productName() : productName,
                    id.status(), id.state()));
        }
        if (bind != null || port != null || udpPort != null) {
            p = p.withBinding(bind == null ? p.bindAddress() : InetAddress.getByName(bind),
                    port == null ? p.tcpPort() : port, udpPort == null ? p.udpPort() : udpPort);
        }
        Optional<TlsPolicy> policy = tlsPolicy();
        if (policy.isPresent()) {
            // Flags override the parts of the profile's security section they name; the rest (state directory, EST,
            // ports, the factory TLS policy when no credential flag is given) stays as the profile says.
            SecuritySettings base = p.security().enabled() ? p.security() : SecuritySettings.tls(policy.get());
            boolean credentialFlags = tlsOptions.anyGiven() || tlsOptions.keyLog != null || requireClientCert;
            TlsPolicy chosen = p.security().enabled() && !credentialFlags ? base.tls().orElseThrow() : policy.get();
            SecuritySettings security = new SecuritySettings(Optional.of(chosen), tlsPort == null ? base.tlsPort() : tlsPort,
                    base.plainTcp() && !secureOnly, base.stateDirectory(), base.sessionTimeout(), base.dtlsPort(),
                    base.hybridIo() || hybridIo, base.est());
            if (state != null) {
                security = security.withStateDirectory(state);
            }
            if (dtlsPort != null) {
                security = security.withDtlsPort(dtlsPort);
            }
            p = p.withSecurity(security);
        }
        if ((estUrl == null) != (estTrust == null)) {
            throw new IllegalArgumentException("--est-url and --est-trust go together");
        }
        if (estUrl != null) {
            if (!p.security().enabled()) {
                throw new IllegalArgumentException("--est-url needs --tls (or a profile with a security section)");
            }
            var anchors = dev.cipsec.transport.tls.cert.CredentialFiles.readCertificates(estTrust);
            if (anchors.isEmpty()) {
                throw new IllegalArgumentException("--est-trust " + estTrust + " holds no certificate");
            }
            dev.cipsec.adapter.EstSettings est = dev.cipsec.adapter.EstSettings.of(estUrl, anchors);
            p = p.withSecurity(p.security().withEst(p.security().est().map(e -> new dev.cipsec.adapter.EstSettings(estUrl,
                    anchors, e.reenrolMargin(), e.retryInitial(), e.retryMax(), e.revocationCheck())).orElse(est)));
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (CipDevice device = CipDevice.start(p)) {
            if (mirror != null) {
                DemoCommand.mirror(device, mirror);
            }
            PrintWriter out = spec.commandLine().getOut();
            Duration every = statsInterval.strip().equals("0") ? Duration.ZERO : IoCommand.parseDuration(statsInterval, "--stats-interval");
            // The JVM exits once shutdown hooks return, so the hook itself closes the device.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                printDtlsStats(device, out);
                device.close();
            }, "cipsec-shutdown"));
            if (!every.isZero() && device.dtlsStats() != null) {
                Thread.ofPlatform().daemon().name("cipsec-stats").start(() -> {
                    while (!device.isClosed()) {
                        try {
                            Thread.sleep(every);
                        } catch (InterruptedException e) {
                            return;
                        }
                        printDtlsStats(device, out);
                    }
                });
            }
            java.util.List<String> where = new java.util.ArrayList<>();
            if (device.tcpAddress() != null) {
                where.add("tcp " + device.tcpAddress());
            }
            if (device.tlsAddress() != null) {
                where.add("tls " + device.tlsAddress());
            }
            if (device.dtlsAddress() != null) {
                where.add("dtls " + device.dtlsAddress());
            }
            if (device.udpAddress() != null) {
                where.add("udp " + device.udpAddress());
            }
            // One write: whoever waits for "listening on" (scripts, tests) then has the TLS line too.
            spec.commandLine().getOut().println("device '" + p.identity().productName() + "' listening on " + String.join(", ", where)
                    + (policy.isPresent() ? System.lineSeparator() + describe(device) : ""));
            spec.commandLine().getOut().flush();
            try {
                stop.await();
            } catch (InterruptedException e) {
                // An embedding thread asked the device to stop: a clean end, not an error.
                Thread.currentThread().interrupt();
            }
        } finally {
            policy.flatMap(TlsPolicy::keyLog).ifPresent(KeyLog::close);
        }
        return Main.OK;
    }

    private static void printDtlsStats(CipDevice device, PrintWriter out) {
        if (device.isClosed()) {
            return;
        }
        DtlsListenerStats stats = device.dtlsStats();
        if (stats != null) {
            out.println(stats.summary());
            out.flush();
        }
    }

    /** The listener's policy from --tls and the credential options; empty without --tls. */
    Optional<TlsPolicy> tlsPolicy() throws java.io.IOException {
        if (!tls) {
            if (tlsOptions.anyGiven() || tlsOptions.keyLog != null || tlsPort != null || secureOnly || requireClientCert
                    || state != null || dtlsPort != null || hybridIo) {
                throw new IllegalArgumentException("TLS options given without --tls");
            }
            return Optional.empty();
        }
        if (requireClientCert && tlsOptions.trust == null) {
            throw new IllegalArgumentException("--require-client-cert needs --trust to verify client certificates");
        }
        if (tlsOptions.pinSha256 != null) {
            throw new IllegalArgumentException("--pin-sha256 is for clients: the device trusts with --trust");
        }
        // Without an identity the device serves its default certificate, so only a PSK-only suite list can be unusable.
        boolean ownIdentity = tlsOptions.identity().isPresent();
        // The key log is opened last, so a usage error above leaves no file behind.
        TlsPolicy policy = tlsOptions.policy(Optional.ofNullable(tlsOptions.keyLog))
                .requireClientCertificate(requireClientCert).build();
        boolean servable = !policy.serverSuites().isEmpty() || (!ownIdentity
                && policy.suites().stream().anyMatch(x -> x.keyExchange() == dev.cipsec.transport.tls.CipherSuite.KeyExchange.ECDHE_ECDSA));
        if (!servable) {
            policy.keyLog().ifPresent(KeyLog::close);
            throw new IllegalArgumentException("none of the allowed --suites can be served with the credentials given "
                    + "(PSK suites need a PSK, ECDHE-ECDSA suites an EC certificate or the default one, RSA suites an RSA certificate)");
        }
        return Optional.of(policy);
    }

    /** The live policy, and the default certificate's fingerprint an operator pins on first use. */
    static String describe(CipDevice device) {
        String d = describe(device.tlsPolicy());
        if (device.defaultIdentity() != null) {
            X509Certificate c = device.defaultIdentity().certificate();
            d += System.lineSeparator() + "  default certificate " + dev.cipsec.transport.tls.cert.CredentialFiles.subject(c) + " sha256 "
                    + CredentialFiles.sha256Fingerprint(c);
        }
        return d;
    }

    static String describe(TlsPolicy policy) {
        StringBuilder sb = new StringBuilder("  TLS suites ");
        sb.append(policy.serverSuites().stream().map(s -> String.format("0x%04X", s.id())).collect(Collectors.joining(",")));
        if (!policy.psks().isEmpty()) {
            sb.append("; PSK identities ").append(policy.psks().stream().map(k -> k.identityText()).collect(Collectors.joining(",")));
        }
        policy.identity().ifPresent(id -> sb.append("; certificate ").append(dev.cipsec.transport.tls.cert.CredentialFiles.subject(id.certificate()))
                .append(" sha256 ").append(CredentialFiles.sha256Fingerprint(id.certificate())));
        if (policy.requireClientCertificate()) {
            sb.append("; client certificates required");
        }
        return sb.toString();
    }
}
