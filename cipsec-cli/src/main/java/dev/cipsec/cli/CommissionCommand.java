package dev.cipsec.cli;

import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.commission.deploy.Deployment;
import dev.cipsec.commission.deploy.DeploymentOptions;
import dev.cipsec.commission.deploy.DeviceReport;
import dev.cipsec.commission.deploy.PlantCaAuthority;
import dev.cipsec.commission.policy.DevicePolicy;
import dev.cipsec.commission.policy.PolicyException;
import dev.cipsec.commission.policy.PolicyFile;
import dev.cipsec.commission.policy.PolicyModel;
import dev.cipsec.commission.policy.Problem;
import dev.cipsec.commission.policy.PskSecrets;
import dev.cipsec.transport.tls.cert.AtomicFiles;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.TrustStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code cipsec commission}: deploys a policy model to its devices (push model, docs/commissioning.md "Deployment"). */
@Command(name = "commission", mixinStandardHelpOptions = true,
        description = {"Deploy a policy model to its devices over TLS on 2221 (push model): for each device, connect with its",
                "default credentials (pinned fingerprint or vendor CA), check its identity, have it make a key and CSR, sign",
                "it with the plant CA, install certificate, CA and CRL, write suites, PSKs and flags, Apply_Config, End_Config,",
                "close plain EtherNet/IP where the policy says so, and verify over a fresh TLS session.",
                "Every step goes to a per-device journal in the state directory first: run the same command again after",
                "an interruption and it goes on where each device stopped. Differential by default: devices whose",
                "configuration is already deployed are left alone (--full deploys them all again)."})
final class CommissionCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--policy", paramLabel = "FILE", required = true, description = "The policy model (JSON).")
    Path policy;

    @Option(names = "--secrets", paramLabel = "FILE", description = "PSK secrets file (default: FILE.secrets); missing PSKs are generated into it.")
    Path secrets;

    @Option(names = "--ca", paramLabel = "DIR", required = true, description = "The plant CA directory (cipsec ca init).")
    Path caDir;

    @Mixin
    CaCommand.KeyOptions caKey;

    @Option(names = "--state", paramLabel = "DIR", description = "Journals, issued certificates, reports (default: FILE.state).")
    Path state;

    @Option(names = "--full", description = "Deploy every device, even those whose configuration is already deployed.")
    boolean full;

    @Option(names = "--device", paramLabel = "NAME", description = "Only these devices (repeatable).")
    List<String> only = new ArrayList<>();

    @Option(names = "--check", description = {"Differential: before leaving a device alone, check over TLS that it still presents",
            "its deployed certificate; a replaced or reset device is deployed again."})
    boolean check;

    @Option(names = "--expect-fingerprint", paramLabel = "NAME=SHA256",
            description = "Pin a device's default certificate here instead of in the policy (e.g. a replacement unit; repeatable).")
    Map<String, String> expectFingerprints = new LinkedHashMap<>();

    @Option(names = "--reset-connections", description = "Apply_Config closes the devices' existing connections (after --close-delay).")
    boolean reset;

    @Option(names = "--close-delay", paramLabel = "MS", defaultValue = "0", description = "Delay before they are closed, 0..65535 ms.")
    int closeDelay;

    @Option(names = "--keep-plain", description = "Never close plain EtherNet/IP (TCP 44818), whatever the policy says.")
    boolean keepPlain;

    @Option(names = "--accept-unknown", description = {"Accept default certificates that no pinned fingerprint or vendor CA vouches for",
            "(trust on first use; the fingerprints seen are in the reports)."})
    boolean acceptUnknown;

    @Option(names = "--vendor-ca", paramLabel = "FILE|DIR", description = "Trust anchors for vendor-signed default certificates.")
    Path vendorCa;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "8", description = "Devices worked on at once (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10", description = "Connect and request timeout (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--json", description = "Machine-readable summary with every device's report.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PolicyModel model = PolicyFile.load(policy);
        List<Problem> problems = model.validate();
        boolean errors = false;
        for (Problem p : problems) {
            err.println(p);
            errors |= p.isError();
        }
        if (errors) {
            err.println("commission: " + policy + " has errors; nothing was deployed");
            err.flush();
            return Main.USAGE;
        }
        PskSecrets pskSecrets = PskSecrets.open(secrets != null ? secrets : PskSecrets.defaultFileFor(policy));
        List<DevicePolicy> devices;
        try {
            devices = pinned(select(model.resolve(pskSecrets)));
        } catch (PolicyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        DeploymentOptions options = DeploymentOptions.defaults().withDifferential(!full)
                .withReset(reset, Duration.ofMillis(closeDelay)).withKeepPlainPort(keepPlain).withAcceptUnknown(acceptUnknown)
                .withVendorTrust(vendorTrust()).withParallelism(parallelism)
                .withTimeouts(Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(timeoutSeconds))
                .withCheckUnchanged(check);
        Path stateDir = state != null ? state : policy.resolveSibling(policy.getFileName() + ".state");
        Deployment.Summary summary;
        Path secretsFile = secrets != null ? secrets : PskSecrets.defaultFileFor(policy);
        try (PlantCa ca = CaCommand.open(caDir, caKey)) {
            summary = new Deployment(stateDir, new PlantCaAuthority(ca), options).run(devices, progress(devices.size(), err));
        }
        // What `policy diff --state` compares with; the secrets copy is owner-only, like the tool's key beside it.
        AtomicFiles.write(deployedPolicy(stateDir), Files.readAllBytes(policy), false);
        if (Files.exists(secretsFile)) {
            AtomicFiles.write(deployedSecrets(stateDir), Files.readAllBytes(secretsFile), true);
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("policy", policy.toString());
            m.put("state", stateDir.toString());
            for (DeviceReport.Result r : DeviceReport.Result.values()) {
                m.put(r.name().toLowerCase(Locale.ROOT), summary.count(r));
            }
            m.put("elapsedMillis", summary.elapsed().toMillis());
            m.put("devices", summary.reports().stream().map(DeviceReport::toMap).toList());
            out.println(JsonOut.write(m));
        } else {
            for (DeviceReport r : summary.reports()) {
                out.println(line(r));
            }
            out.printf("%d configured, %d unchanged, %d refused, %d failed in %.1f s; reports in %s%n",
                    summary.count(DeviceReport.Result.CONFIGURED), summary.count(DeviceReport.Result.UNCHANGED),
                    summary.count(DeviceReport.Result.REFUSED), summary.count(DeviceReport.Result.FAILED),
                    summary.elapsed().toMillis() / 1000.0, stateDir.resolve("reports"));
        }
        out.flush();
        return summary.allGood() ? Main.OK : Main.REFUSED;
    }

    /** The copy of the policy file as last deployed from {@code stateDir}. */
    static Path deployedPolicy(Path stateDir) {
        return stateDir.resolve("deployed").resolve("policy.json");
    }

    /** The copy of the secrets file as last deployed from {@code stateDir}. */
    static Path deployedSecrets(Path stateDir) {
        return stateDir.resolve("deployed").resolve("policy.secrets");
    }

    private List<DevicePolicy> select(List<DevicePolicy> all) {
        if (only.isEmpty()) {
            return all;
        }
        Set<String> wanted = new LinkedHashSet<>(only);
        List<DevicePolicy> out = new ArrayList<>();
        for (DevicePolicy d : all) {
            if (wanted.remove(d.name())) {
                out.add(d);
            }
        }
        if (!wanted.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--device: not in the policy: " + wanted);
        }
        return out;
    }

    private List<DevicePolicy> pinned(List<DevicePolicy> devices) {
        Map<String, String> pins = new LinkedHashMap<>(expectFingerprints);
        List<DevicePolicy> out = new ArrayList<>();
        for (DevicePolicy d : devices) {
            String fp = pins.remove(d.name());
            if (fp == null) {
                out.add(d);
                continue;
            }
            String hex = java.util.HexFormat.of().withUpperCase().formatHex(
                    dev.cipsec.transport.tls.cert.PinnedCertificate.parse(fp));
            out.add(new DevicePolicy(d.name(), d.zone(), d.host(), d.tlsPort(), d.expected(), hex, d.authentication(),
                    d.allowedSuites(), d.psks(), d.subject(), d.validityDays(), d.verifyClientCertificate(),
                    d.sendCertificateChain(), d.checkExpiration(), d.dtlsTimeoutSeconds(), d.closePlainPort(), d.trustedIps()));
        }
        if (!pins.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--expect-fingerprint: not in the policy: " + pins.keySet());
        }
        return out;
    }

    private TrustStore vendorTrust() throws java.io.IOException {
        if (vendorCa == null) {
            return null;
        }
        if (Files.isDirectory(vendorCa)) {
            return TrustStore.open(vendorCa);
        }
        List<X509Certificate> anchors = CredentialFiles.readCertificates(vendorCa);
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("--vendor-ca " + vendorCa + " holds no certificate");
        }
        return TrustStore.of(anchors, List.of(), List.of());
    }

    static String line(DeviceReport r) {
        String detail = switch (r.result()) {
            case CONFIGURED -> "configured" + (r.deviceFingerprint().isEmpty() ? "" : ", presents sha256 " + r.deviceFingerprint());
            case UNCHANGED -> "unchanged";
            case REFUSED, FAILED -> r.result().name().toLowerCase(Locale.ROOT) + " at " + r.error().step() + ": " + r.error().message();
        };
        return r.device() + " (" + r.target() + "): " + detail;
    }

    /**
     * A progress bar redrawn in place on a terminal; one line per device otherwise (logs, CI, pipes), so that
     * neither gets the other's noise.
     */
    private static Deployment.Listener progress(int total, PrintWriter err) {
        // Java 21 has no Console.isTerminal(); a console exists only when stdin and stdout are a terminal there.
        boolean terminal = System.console() != null;
        AtomicInteger done = new AtomicInteger();
        return new Deployment.Listener() {
            @Override
            public void finished(DeviceReport r) {
                int n = done.incrementAndGet();
                synchronized (err) {
                    if (terminal) {
                        int width = 30;
                        int filled = total == 0 ? width : n * width / total;
                        err.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + n + "/" + total + " "
                                + r.device() + ": " + r.result().name().toLowerCase(Locale.ROOT) + "\u001b[K");
                        if (n == total) {
                            err.println();
                        }
                    } else {
                        err.println("[" + n + "/" + total + "] " + line(r));
                    }
                    err.flush();
                }
            }
        };
    }
}
