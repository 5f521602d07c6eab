package dev.cipsec.cli;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.commission.ca.CaInit;
import dev.cipsec.commission.ca.CaKeyAccess;
import dev.cipsec.commission.ca.KeyAlgorithm;
import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.commission.deploy.Commissioner;
import dev.cipsec.commission.deploy.Deployment;
import dev.cipsec.commission.deploy.DeploymentOptions;
import dev.cipsec.commission.deploy.DeviceJournal;
import dev.cipsec.commission.deploy.DeviceReport;
import dev.cipsec.commission.deploy.PlantCaAuthority;
import dev.cipsec.commission.policy.DevicePolicy;
import dev.cipsec.commission.policy.PolicyFile;
import dev.cipsec.commission.policy.PolicyModel;
import dev.cipsec.commission.policy.Problem;
import dev.cipsec.commission.policy.PskSecrets;
import dev.cipsec.objects.std.AssemblyInstance;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Discovery;
import dev.cipsec.scanner.IdentityInfo;
import dev.cipsec.scanner.ListIdentityResult;
import dev.cipsec.scanner.Target;
import dev.cipsec.scanner.io.DtlsTarget;
import dev.cipsec.scanner.io.IoConnection;
import dev.cipsec.scanner.io.IoRuntime;
import dev.cipsec.scanner.io.IoSettings;
import dev.cipsec.scanner.io.IoStats;
import dev.cipsec.transport.sched.LatenessStats;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.KeyLog;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsHandshakeException;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.TlsSessionInfo;
import dev.cipsec.transport.tls.cert.AtomicFiles;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cpf.CipSecurityItem;
import dev.cipsec.wire.epath.EPath;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The secured demo, in one JVM and on loopback: a device in factory default (TLS and DTLS with its own
 * self-signed default certificate, plain EtherNet/IP open), a plant CA, a policy model that pins the device
 * by that certificate's fingerprint, the push-model commissioning of the device with it (plant certificate,
 * suites, a PSK, plain TCP closed), then a scanner on the configured device: explicit reads over TLS trusting
 * only the plant CA, a PSK client with the deployed key and one with a wrong key, and a class 1 connection
 * over DTLS at RPI 10 ms with a live summary until {@code --duration} or Ctrl-C. Everything it makes stays
 * in one directory, with a key log of every handshake and the commands that open a capture in Wireshark.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The secured demo on loopback: start a device in factory default (TLS/DTLS with its self-signed default",
                "certificate), create a plant CA and a policy model pinning the device, commission it (plant certificate,",
                "suites, a PSK, plain TCP closed), then read it over TLS trusting only the plant CA, with the deployed PSK",
                "and with a wrong one, and run class 1 I/O over DTLS at RPI 10 ms with a live summary until --duration or Ctrl-C.",
                "Its files (CA, policy, device state, key log, capture recipe) stay in the demo directory.",
                "Exits 0 only when every step gave the expected answer."})
final class DemoCommand implements Callable<Integer> {
    /** The demo a Ctrl-C stops; {@link #stop()} is what the signal handler calls. */
    private static final AtomicReference<DemoCommand> ACTIVE = new AtomicReference<>();
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String DEVICE_NAME = "demo-adapter";
    static final String CONDUIT = "scanner-link";
    private static final String CA_CN = "cipsec demo plant CA";
    private static final String SCANNER_CN = "cipsec demo scanner";

    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Machine-readable JSON output (the live summary then goes to stderr).")
    boolean json;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Demo directory, new or empty (default: a new cipsec-demo-<yyyyMMdd-HHmmss> in the temporary directory).")
    Path dir;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "5s",
            description = "How long the class 1 connection runs (default: ${DEFAULT-VALUE}); Ctrl-C ends it earlier.")
    String duration;

    @Option(names = "--tls-port", paramLabel = "PORT", defaultValue = "0",
            description = "The device's TLS port (default 0: any free port; 2221 lets Wireshark decode without -d).")
    int tlsPort;

    @Option(names = "--dtls-port", paramLabel = "PORT", defaultValue = "0",
            description = "The device's DTLS port (default 0: any free port).")
    int dtlsPort;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private final Map<String, String> files = new LinkedHashMap<>();
    private boolean failed;
    private boolean stoppedEarly;
    private PrintWriter out;
    /** The plain TCP port as the device opened it: after commissioning it has none to report. */
    private int plainPort;

    /** The demo now running in this JVM, if any. */
    static Optional<DemoCommand> active() {
        return Optional.ofNullable(ACTIVE.get());
    }

    /** Ends the I/O run (or skips it when not yet started); the demo then cleans up and exits 0. */
    void stop() {
        stopRequested.countDown();
    }

    boolean stopRequested() {
        return stopRequested.getCount() == 0;
    }

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Duration runFor = IoCommand.parseDuration(duration, "--duration");
        checkPort(tlsPort, "--tls-port");
        checkPort(dtlsPort, "--dtls-port");
        Path demoDir = prepareDirectory();
        say("dir", "demo directory " + demoDir, true);
        if (!ACTIVE.compareAndSet(null, this)) {
            throw new IllegalStateException("another demo is running in this JVM");
        }
        try (DemoSignals signals = DemoSignals.install(this::stop);
             KeyLog keyLog = KeyLog.open(demoDir.resolve("keys.log"))) {
            files.put("keys.log", "NSS key log (CLIENT_RANDOM lines) of every TLS and DTLS handshake, written by the device");
            run(demoDir, keyLog, runFor);
        } finally {
            ACTIVE.compareAndSet(this, null);
        }
        return finish(demoDir);
    }

    private static void checkPort(int port, String option) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException(option + " must be 0..65535: " + port);
        }
    }

    private Path prepareDirectory() throws IOException {
        Path d = dir;
        if (d == null) {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            d = Path.of(System.getProperty("java.io.tmpdir")).resolve("cipsec-demo-" + stamp);
            // Two demos in the same second get distinct directories.
            for (int n = 2; Files.exists(d); n++) {
                d = d.resolveSibling("cipsec-demo-" + stamp + "-" + n);
            }
        }
        d = d.toAbsolutePath().normalize();
        if (Files.exists(d)) {
            if (!Files.isDirectory(d)) {
                throw new IllegalArgumentException("--dir " + d + " is not a directory");
            }
            try (var entries = Files.list(d)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--dir " + d + " is not empty: the demo needs a fresh directory");
                }
            }
        }
        Files.createDirectories(d);
        return d;
    }

    private void run(Path demoDir, KeyLog keyLog, Duration runFor) throws Exception {
        // As `cipsec device --tls --state DIR --keylog FILE`: default suites, no credentials of its own, so the
        // device makes its default certificate. The key log is part of the factory policy and stays in force
        // after commissioning (SecuritySettings), so every handshake of the demo is in it.
        Path deviceState = demoDir.resolve("device");
        SecuritySettings security = SecuritySettings.tls(TlsPolicy.builder().suites(TlsOptions.defaultSuites()).keyLog(keyLog).build())
                .withStateDirectory(deviceState);
        DeviceProfile profile = DeviceProfile.defaults().withSecurity(security).onEphemeralPorts();
        // onEphemeralPorts() puts TLS and DTLS on port 0, so fixed ports go in after it.
        profile = profile.withSecurity(profile.security().withTlsPort(tlsPort).withDtlsPort(dtlsPort));
        files.put("device/", "the device's state directory: security objects, default and plant certificates, keys, files");
        try (CipDevice device = CipDevice.start(profile)) {
            mirror(device, "150:100");
            plainPort = device.tcpAddress().getPort();
            X509Certificate factoryCert = device.defaultIdentity().certificate();
            String factoryFp = CredentialFiles.sha256Fingerprint(factoryCert);
            say("device", "'" + profile.identity().productName() + "' in factory default: plain tcp " + addr(device.tcpAddress())
                    + ", udp " + addr(device.udpAddress()) + ", tls " + addr(device.tlsAddress()) + ", dtls " + addr(device.dtlsAddress())
                    + "; default certificate " + CredentialFiles.subject(factoryCert) + " (self-signed) sha256 " + factoryFp,
                    device.tcpAddress() != null && device.tlsAddress() != null && device.dtlsAddress() != null);
            Optional<CipSecurityItem> before = listIdentity(device);
            say("discover", "ListIdentity 0x86 item " + before.map(DemoCommand::describe).orElse("missing"),
                    before.map(s -> s.eipSecurityState() == 0 && s.isPortOpen(CipSecurityItem.PORT_TCP_44818)).orElse(false));
            writeCapture(demoDir, device);

            Path caDir = demoDir.resolve("ca");
            Path passwordFile = demoDir.resolve("ca.password");
            char[] password = newPassword();
            AtomicFiles.write(passwordFile, new String(password).getBytes(StandardCharsets.US_ASCII), true);
            files.put("ca/", "the plant CA: ca.pem (its certificate), ca.p12 (its key), issued/, index");
            files.put("ca.password", "the CA key store's password (owner-only): cipsec ca ... --password-file " + passwordFile);
            Path policyFile = demoDir.resolve("policy.json");
            Path stateDir = demoDir.resolve("commission");
            PskSecrets secrets;
            Identity scanner;
            X509Certificate caCert;
            try (PlantCa ca = PlantCa.init(caDir, new CaInit(KeyAlgorithm.EC_P256, new CsrSubject(CA_CN, "cipsec demo", "", "", "",
                    "", "", "", List.of()), 3650, new CaKeyAccess.Pkcs12(password)))) {
                Arrays.fill(password, '\0');
                caCert = ca.certificate();
                say("ca", "plant CA " + CredentialFiles.subject(caCert) + " (EC P-256) sha256 "
                        + CredentialFiles.sha256Fingerprint(caCert) + " in " + caDir + ", key store password in " + passwordFile + " (0600)", true);

                Files.writeString(policyFile, policy(device, profile.identity(), factoryFp));
                files.put("policy.json", "the policy model: the device pinned by its default certificate, a PSK conduit");
                PolicyModel model = PolicyFile.load(policyFile);
                List<Problem> problems = model.validate();
                secrets = PskSecrets.open(PskSecrets.defaultFileFor(policyFile));
                List<DevicePolicy> devices = model.resolve(secrets);
                files.put("policy.json.secrets", "the conduit's PSK, generated by the tool (owner-only; no command prints it)");
                DevicePolicy dp = devices.getFirst();
                String notes = problems.stream().map(p -> p.message()).collect(Collectors.joining("; "));
                say("policy", dp.name() + " at " + dp.host() + ":" + dp.tlsPort() + " pinned by sha256; " + dp.authentication()
                                .toString().toLowerCase(java.util.Locale.ROOT) + " authentication; suites "
                                + dp.allowedSuites().stream().map(s -> String.format("0x%04X", s)).collect(Collectors.joining(","))
                                + "; PSK " + dp.psks().stream().map(PskCredential::identityText).collect(Collectors.joining(","))
                                + "; plain port " + (dp.closePlainPort() ? "closed" : "open")
                                + (notes.isEmpty() ? "" : " (" + notes + ")"),
                        problems.stream().noneMatch(Problem::isError) && devices.size() == 1 && dp.closePlainPort()
                                && dp.psks().size() == 1);

                commission(stateDir, ca, devices);
                scanner = scannerIdentity(ca, demoDir.resolve("scanner"));
            }
            Optional<CipSecurityItem> after = listIdentity(device);
            say("discover", "ListIdentity 0x86 item " + after.map(DemoCommand::describe).orElse("missing"),
                    after.map(s -> s.eipSecurityState() == 2 && !s.isPortOpen(CipSecurityItem.PORT_TCP_44818)).orElse(false));
            plainClosed(device);

            TlsPolicy scannerPolicy = TlsPolicy.builder().suites(TlsOptions.defaultSuites()).identity(scanner)
                    .peerVerifier(PeerVerifier.trusting(TrustStore.of(List.of(caCert), List.of(), List.of()), false)).build();
            Target target = new Target("127.0.0.1", device.tlsAddress().getPort(), true);
            explicitOverTls(target, scannerPolicy, caCert, profile.identity());
            PskCredential psk = secrets.getOrCreate("conduit:" + CONDUIT);
            pskSteps(target, psk, profile.identity());
            dtlsIo(device, scannerPolicy, runFor);
            var handshakes = device.tls().stats().snapshot();
            say("device", "served " + device.stats().unconnectedRequests() + " unconnected and "
                    + device.stats().connectedRequests() + " connected requests; TLS handshakes " + handshakes.completed()
                    + " completed, " + handshakes.failedTotal() + " refused", handshakes.completed() >= 3);
        }
    }

    /** The device's ListIdentity reply over UDP, as any scanner on the network sees it. */
    private static Optional<CipSecurityItem> listIdentity(CipDevice device) throws IOException {
        List<ListIdentityResult> found = Discovery.listIdentity(List.of(device.udpAddress()), Duration.ofSeconds(3), 500);
        return found.size() == 1 ? found.getFirst().security() : Optional.empty();
    }

    static String describe(CipSecurityItem s) {
        List<String> open = new ArrayList<>();
        int[] flags = {CipSecurityItem.PORT_TCP_44818, CipSecurityItem.PORT_UDP_44818, CipSecurityItem.PORT_UDP_2222,
                CipSecurityItem.PORT_TCP_2221, CipSecurityItem.PORT_UDP_2221};
        String[] names = {"tcp/44818", "udp/44818", "udp/2222", "tcp/2221", "udp/2221"};
        for (int i = 0; i < flags.length; i++) {
            if (s.isPortOpen(flags[i])) {
                open.add(names[i]);
            }
        }
        return String.format("CIP Security %s, EtherNet/IP Security %s, profiles 0x%04X, open: %s",
                cipState(s.cipSecurityState()), eipState(s.eipSecurityState()), s.securityProfiles(), String.join(" ", open));
    }

    private static String cipState(int s) {
        return switch (s) {
            case 0 -> "Factory Default";
            case 1 -> "Configuration In Progress";
            case 2 -> "Configured";
            case 3 -> "Incomplete Configuration";
            default -> "state " + s;
        };
    }

    private static String eipState(int s) {
        return switch (s) {
            case 0 -> "Factory Default";
            case 1 -> "Configuration In Progress";
            case 2 -> "Configured";
            case 3 -> "Pull Model In Progress";
            case 4 -> "Pull Model Completed";
            case 5 -> "Pull Model Disabled";
            default -> "state " + s;
        };
    }

    private static char[] newPassword() {
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw).toCharArray();
    }

    /**
     * One device in zone "cell" (certificate authentication, the encrypting suites), pinned by its default
     * certificate and its identity; a PSK conduit between it and the zone of scanners, which commissioning
     * leaves alone (a zone without devices: a warning).
     */
    static String policy(CipDevice device, DeviceIdentity id, String fingerprint) {
        return """
                {
                  "version": 1,
                  "settings": { "certificate": { "organization": "cipsec demo", "validityDays": 30 } },
                  "zones": [
                    { "name": "cell", "authentication": "certificate", "security": "confidentiality" },
                    { "name": "scanners" }
                  ],
                  "devices": [
                    { "name": "%s", "zone": "cell", "address": "127.0.0.1", "port": %d,
                      "identity": { "vendorId": %d, "deviceType": %d, "productCode": %d, "serialNumber": %d },
                      "fingerprint": "%s" }
                  ],
                  "conduits": [
                    { "name": "%s", "between": ["device:%s", "zone:scanners"], "authentication": "psk",
                      "security": "confidentiality" }
                  ]
                }
                """.formatted(DEVICE_NAME, device.tlsAddress().getPort(), id.vendorId(), id.deviceType(), id.productCode(),
                id.serialNumber(), fingerprint, CONDUIT, DEVICE_NAME);
    }

    private void commission(Path stateDir, PlantCa ca, List<DevicePolicy> devices) throws Exception {
        files.put("commission/", "the deployment's state: devices/<name>/journal, reports/, tool/ (the tool's plant certificate)");
        DeploymentOptions options = DeploymentOptions.defaults().withParallelism(1)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10));
        Deployment.Summary summary = new Deployment(stateDir, new PlantCaAuthority(ca), options).run(devices, new Deployment.Listener() {
        });
        for (DeviceReport r : summary.reports()) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (DeviceJournal.Entry e : DeviceJournal.open(Commissioner.journalFile(stateDir, r.device())).entries()) {
                Map<String, String> shown = new LinkedHashMap<>(e.fields());
                shown.remove("hash");
                String fields = shown.entrySet().stream().map(f -> f.getKey() + "=" + f.getValue()).collect(Collectors.joining(" "));
                Map<String, Object> ev = new LinkedHashMap<>();
                ev.put("event", e.event());
                ev.putAll(shown);
                events.add(ev);
                detail("  " + String.format("%-12s", e.event()) + fields);
            }
            for (String change : r.changes()) {
                detail("  change       " + change);
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("events", events);
            extra.put("changes", r.changes());
            say("commission", CommissionCommand.line(r) + " in " + r.elapsed().toMillis() + " ms",
                    r.result() == DeviceReport.Result.CONFIGURED, extra);
        }
    }

    /** A client certificate from the plant CA for the scanner: the configured device verifies client certificates. */
    private Identity scannerIdentity(PlantCa ca, Path scannerDir) throws IOException, GeneralSecurityException,
            dev.cipsec.commission.ca.CaException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        KeyPair pair = g.generateKeyPair();
        byte[] csr;
        try {
            csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + SCANNER_CN), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("signing the scanner's CSR: " + e.getMessage(), e);
        }
        X509Certificate cert = ca.issue(csr, CsrSubject.of(SCANNER_CN), 30);
        Files.createDirectories(scannerDir);
        CredentialFiles.writePem(scannerDir.resolve("key.pem"), pair.getPrivate());
        CredentialFiles.writePem(scannerDir.resolve("cert.pem"), List.of(cert, ca.certificate()));
        files.put("scanner/", "the scanner's key and certificate (issued by the plant CA): cipsec get ... --cert/--key, --trust ca/ca.pem");
        say("scanner", "client certificate " + CredentialFiles.subject(cert) + " issued by the plant CA", true);
        return new Identity(pair.getPrivate(), List.of(cert, ca.certificate()));
    }

    /** Plain EtherNet/IP on TCP is closed now: a connection (and so a RegisterSession) there fails. */
    private void plainClosed(CipDevice device) {
        int port = plainPort;
        Target plain = new Target("127.0.0.1", port, false);
        try (CipClient c = CipClient.connect(plain, ClientOptions.defaults().withConnectTimeout(Duration.ofSeconds(2)))) {
            say("plain tcp", "RegisterSession on plain tcp 127.0.0.1:" + port + " unexpectedly answered: session 0x"
                    + Long.toHexString(c.sessionHandle()), false);
        } catch (IOException e) {
            say("plain tcp", "tcp 127.0.0.1:" + port + " is closed: " + ExitCodes.message(e), device.tcpAddress() == null);
        }
    }

    private void explicitOverTls(Target target, TlsPolicy policy, X509Certificate caCert, DeviceIdentity expected) throws Exception {
        try (CipClient client = CipClient.connect(target, ClientOptions.defaults().withTls(policy))) {
            TlsSessionInfo tls = client.tlsSession().orElseThrow();
            X509Certificate presented = tls.peerCertificates().getFirst();
            say("tls", tls.version() + " " + tls.suite() + " on " + target.host() + ":" + target.port() + "; device presents "
                            + CredentialFiles.subject(presented) + " issued by " + CredentialFiles.issuer(presented)
                            + "; the scanner trusts only the plant CA",
                    tls.suite().keyExchange() == CipherSuite.KeyExchange.ECDHE_ECDSA
                            && presented.getIssuerX500Principal().equals(caCert.getSubjectX500Principal()));
            IdentityInfo id = client.identity();
            say("identity", String.format("Get_Attributes_All 1/1 -> %s, vendor %d, type 0x%02X, product %d, serial 0x%08X",
                    id.productName(), id.vendorId(), id.deviceType(), id.productCode(), id.serialNumber()),
                    id.productName().equals(expected.productName()) && id.serialNumber() == expected.serialNumber());
            Bytes name = client.getAttributeSingle(EPath.parse("1/1/7"));
            say("get", "Get_Attribute_Single 1/1/7 (product name) -> " + ValueFormat.SHORT_STRING.render(name),
                    ValueFormat.SHORT_STRING.render(name).equals(expected.productName()));
            byte[] pattern = new byte[32];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 7 + 1);
            }
            client.setAttributeSingle(EPath.parse("4/150/3"), Bytes.of(pattern));
            Bytes input = client.getAttributeSingle(EPath.parse("4/100/3"));
            say("set", "Set_Attribute_Single 4/150/3 (output assembly, 32 bytes), read back 4/100/3 (mirrored) -> "
                    + input.toHex(), input.equals(Bytes.of(pattern)));
        }
    }

    /** The deployed PSK gets a client in without a certificate; a wrong key is refused in the handshake. */
    private void pskSteps(Target target, PskCredential psk, DeviceIdentity expected) throws Exception {
        TlsPolicy right = TlsPolicy.builder().suites(TlsOptions.defaultSuites()).psk(psk).build();
        try (CipClient client = CipClient.connect(target, ClientOptions.defaults().withTls(right))) {
            TlsSessionInfo tls = client.tlsSession().orElseThrow();
            IdentityInfo id = client.identity();
            say("psk", tls.suite() + " as '" + tls.pskIdentity().orElse("?") + "' (the deployed key) -> " + id.productName(),
                    tls.suite().keyExchange() == CipherSuite.KeyExchange.ECDHE_PSK && id.productName().equals(expected.productName()));
        }
        byte[] wrongKey = psk.key().toArray();
        wrongKey[0] ^= 1;
        TlsPolicy wrong = TlsPolicy.builder().suites(TlsOptions.defaultSuites())
                .psk(PskCredential.of(psk.identityText(), Bytes.of(wrongKey))).build();
        Arrays.fill(wrongKey, (byte) 0);
        try (CipClient client = CipClient.connect(target, ClientOptions.defaults().withTls(wrong))) {
            say("wrong key", "a client with a wrong PSK unexpectedly got in", false);
        } catch (TlsHandshakeException e) {
            say("wrong key", "a client with a wrong PSK -> " + ExitCodes.tlsMessage(e), e.alert() != TlsHandshakeException.NO_ALERT);
        }
    }

    /**
     * Class 1 I/O as a CIP Security scanner runs it: one DTLS session (client certificate, the plant CA as the only
     * anchor) carrying the Forward_Open, the 10 ms I/O both ways and the Forward_Close, with a live summary.
     */
    private void dtlsIo(CipDevice device, TlsPolicy policy, Duration runFor) throws Exception {
        if (stopRequested()) {
            say("dtls io", "skipped: stopped before the I/O step", true);
            stoppedEarly = true;
            return;
        }
        InetSocketAddress at = device.dtlsAddress();
        byte[] output = new byte[32];
        for (int i = 0; i < output.length; i++) {
            output[i] = (byte) (0xA0 + i);
        }
        boolean terminal = System.console() != null;
        PrintWriter live = json ? spec.commandLine().getErr() : out;
        try (IoRuntime runtime = IoRuntime.create("demo-io");
             DtlsTarget dtls = DtlsTarget.connect(new Target(at.getAddress().getHostAddress(), at.getPort(), true),
                     ClientOptions.defaults().withTls(policy))) {
            // Timeout multiplier 5: 10 ms x 128 = 1.28 s without a packet before either side drops the connection.
            // A controller would use ~100 ms; the demo runs on laptops and shared CI machines, where a busy moment
            // must not end it.
            IoConnection c = runtime.open(dtls, IoSettings.builder().rpi(Duration.ofMillis(10)).timeoutMultiplier(5)
                    .initialOutput(Bytes.of(output)).build(), null, null);
            TlsSessionInfo session = dtls.session().orElseThrow();
            String header = session.version() + " " + session.suite().name();
            say("forward open", String.format("over DTLS %s on %s: O->T 0x%08X T->O 0x%08X at %d ms, timeout %d ms; running %s%s",
                    header, addr(at), c.otConnectionId(), c.toConnectionId(), c.otApiMicros() / 1000, c.timeoutNanos() / 1_000_000,
                    formatDuration(runFor), terminal ? " (Ctrl-C ends it)" : ""), true);
            long start = System.nanoTime();
            long end = start + runFor.toNanos();
            long every = terminal ? TimeUnit.MILLISECONDS.toNanos(250) : TimeUnit.SECONDS.toNanos(1);
            while (!c.timedOut() && c.isOpen()) {
                long left = end - System.nanoTime();
                if (left <= 0 || stopRequested.await(Math.min(left, every), TimeUnit.NANOSECONDS)) {
                    break;
                }
                String line = liveLine(dtls, c.stats(), runtime.lateness(), System.nanoTime() - start);
                if (terminal && !json) {
                    live.print("\r" + line + "\u001b[K");
                } else {
                    live.println(line);
                }
                live.flush();
            }
            if (terminal && !json) {
                live.println();
            }
            stoppedEarly = stopRequested();
            boolean echoed = c.latestInput().map(v -> Arrays.equals(v, output)).orElse(false);
            boolean timedOut = c.timedOut();
            long elapsed = System.nanoTime() - start;
            // Forward_Close inside the session; the device then holds no I/O connection.
            c.close();
            String summary = liveLine(dtls, c.stats(), runtime.lateness(), elapsed);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("stats", ioStats(dtls, c.stats(), runtime.lateness(), elapsed));
            List<String> problems = new ArrayList<>();
            if (!echoed) {
                problems.add("the output did not come back mirrored");
            }
            if (timedOut) {
                problems.add("the connection timed out (no input for " + c.timeoutNanos() / 1_000_000 + " ms)");
            }
            if (!awaitNoIo(device)) {
                problems.add("the device still holds the connection after Forward_Close");
            }
            say("dtls io", summary + (stoppedEarly ? "; stopped by request" : "")
                    + (problems.isEmpty() ? "; output mirrored back; Forward_Close" : "; " + String.join("; ", problems)),
                    problems.isEmpty(), extra);
        }
    }

    private static boolean awaitNoIo(CipDevice device) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (device.ioConnectionCount() != 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return device.ioConnectionCount() == 0;
    }

    private static String addr(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static String formatDuration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    static String liveLine(DtlsTarget dtls, IoStats s, LatenessStats l, long elapsedNanos) {
        return String.format("%5.1fs  %s  handshakes %d  out %d  in %d  lost %d  lateness p50 %.3f p99 %.3f max %.3f ms",
                elapsedNanos / 1e9, dtls.session().map(i -> i.suite().name()).orElse("no session"), dtls.stats().handshakes(),
                s.sent(), s.received(), s.lost(), l.p50Nanos() / 1e6, l.p99Nanos() / 1e6, l.maxNanos() / 1e6);
    }

    private static Map<String, Object> ioStats(DtlsTarget dtls, IoStats s, LatenessStats l, long elapsedNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", Math.round(elapsedNanos / 1e6) / 1e3);
        dtls.session().ifPresent(i -> {
            m.put("version", i.version());
            m.put("suite", i.suite().name());
        });
        m.put("handshakes", dtls.stats().handshakes());
        m.put("sent", s.sent());
        m.put("received", s.received());
        m.put("lost", s.lost());
        m.put("lateness_p50_us", l.p50Nanos() / 1000);
        m.put("lateness_p99_us", l.p99Nanos() / 1000);
        m.put("lateness_max_us", l.maxNanos() / 1000);
        return m;
    }

    private void writeCapture(Path demoDir, CipDevice device) throws IOException {
        Path recipe = demoDir.resolve("capture.md");
        Files.writeString(recipe, DemoCapture.recipe(demoDir, device.tlsAddress().getPort(), device.dtlsAddress().getPort(),
                device.tcpAddress().getPort(), device.udpAddress().getPort()));
        files.put("capture.md", "how to capture this run's traffic and open it decrypted in Wireshark or tshark");
    }

    private int finish(Path demoDir) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", !failed);
            m.put("dir", demoDir.toString());
            m.put("stoppedEarly", stoppedEarly);
            m.put("steps", steps);
            Map<String, Object> f = new LinkedHashMap<>();
            files.forEach((name, what) -> f.put(demoDir.resolve(name).toString(), what));
            m.put("files", f);
            out.println(JsonOut.write(m));
        } else {
            out.println();
            out.println("files in " + demoDir + ":");
            files.forEach((name, what) -> out.printf("  %-20s %s%n", name, what));
            out.println(failed ? "demo FAILED" : "demo ok: every step gave the expected answer");
        }
        out.flush();
        return failed ? Main.REFUSED : Main.OK;
    }

    private void detail(String line) {
        if (!json) {
            out.println("           " + line);
            out.flush();
        }
    }

    private void say(String step, String what, boolean ok) {
        say(step, what, ok, Map.of());
    }

    private void say(String step, String what, boolean ok, Map<String, Object> extra) {
        failed |= !ok;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("ok", ok);
        m.put("detail", what);
        m.putAll(extra);
        steps.add(m);
        if (!json) {
            out.printf("%-12s %s %s%n", step, ok ? "ok  " : "FAIL", what);
            out.flush();
        }
    }

    /** Makes every write of output assembly OUT appear in input assembly IN ("150:100"). */
    static void mirror(CipDevice device, String spec) {
        String[] parts = spec.split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--mirror takes OUT:IN, e.g. 150:100");
        }
        AssemblyInstance out = device.assembly(Integer.parseInt(parts[0].strip()));
        AssemblyInstance in = device.assembly(Integer.parseInt(parts[1].strip()));
        if (out == null || in == null) {
            throw new IllegalArgumentException("no such assembly in " + spec);
        }
        if (out.size() != in.size()) {
            throw new IllegalArgumentException("assemblies " + spec + " differ in size");
        }
        out.addListener((assembly, data, source) -> in.write(data));
    }
}
