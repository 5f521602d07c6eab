package dev.cipsec.cli;

import dev.cipsec.commission.json.JsonNode;
import dev.cipsec.commission.policy.DeviceChange;
import dev.cipsec.commission.policy.DevicePolicy;
import dev.cipsec.commission.policy.PolicyDiff;
import dev.cipsec.commission.policy.PolicyException;
import dev.cipsec.commission.policy.PolicyFile;
import dev.cipsec.commission.policy.PolicyModel;
import dev.cipsec.commission.policy.Problem;
import dev.cipsec.commission.policy.PskSecrets;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cipsec policy validate|show|diff|rotate-psk}: the policy model file (zones, devices, conduits) checked,
 * resolved per device and compared before any deployment. Pre-shared keys are never printed: only whether each
 * is present in the secrets file or will be generated.
 */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = {"Check and inspect a policy model file (zones, devices, conduits) before deploying it.",
                "PSKs live in the secrets file next to the policy (<policy>.secrets) and are never printed."},
        subcommands = {PolicyCommand.Validate.class, PolicyCommand.Show.class, PolicyCommand.Diff.class,
                PolicyCommand.RotatePsk.class})
final class PolicyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: validate, show, diff, rotate-psk");
    }

    /** What every subcommand shares: the policy file and where its secrets are. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "the policy file (JSON)")
        Path file;

        @Option(names = "--secrets", paramLabel = "F", description = "the PSK secrets file (default: FILE.secrets)")
        Path secrets;

        Path secretsFile() {
            return secrets != null ? secrets : PskSecrets.defaultFileFor(file);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** Prints the problems and returns whether the policy has no errors. */
        boolean report(PolicyModel m) {
            for (Problem p : m.validate()) {
                out().println(p);
            }
            return m.isValid();
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Check a policy file: every problem with its line and column, then the PSKs it needs.",
                    "Exit 0 when valid (warnings allowed), 1 when it has errors."})
    static final class Validate extends Base {
        @Option(names = "--json", description = "machine-readable output")
        boolean json;

        @Override
        public Integer call() throws IOException {
            PolicyModel m = PolicyFile.load(file);
            PskSecrets s = PskSecrets.preview(secretsFile());
            List<Problem> problems = m.validate();
            long errors = problems.stream().filter(Problem::isError).count();
            long warnings = problems.size() - errors;
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("file", m.file());
                o.put("valid", m.isValid());
                o.put("errors", errors);
                o.put("warnings", warnings);
                List<Object> ps = new ArrayList<>();
                for (Problem p : problems) {
                    Map<String, Object> pm = new LinkedHashMap<>();
                    pm.put("line", p.line());
                    pm.put("column", p.column());
                    pm.put("path", p.path());
                    pm.put("severity", p.severity().name());
                    pm.put("message", p.message());
                    ps.add(pm);
                }
                o.put("problems", ps);
                o.put("psks", pskStatus(m, s));
                out().println(JsonOut.write(o));
            } else {
                report(m);
                if (m.isValid()) {
                    pskStatus(m, s).forEach((name, status) -> out().println("PSK " + name + ": " + status));
                    out().println(m.file() + ": valid (" + count(m.zones().size(), "zone") + ", "
                            + count(m.devices().size(), "device") + ", " + count(m.conduits().size(), "conduit") + ", "
                            + count((int) warnings, "warning") + ")");
                } else {
                    out().println(m.file() + ": " + count((int) errors, "error") + ", " + count((int) warnings, "warning"));
                }
            }
            return m.isValid() ? Main.OK : Main.REFUSED;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "What each device would be given (suites, PSK names, certificate subject, plain port...); never keys.")
    static final class Show extends Base {
        @Option(names = "--json", description = "machine-readable output")
        boolean json;

        @Override
        public Integer call() throws IOException {
            PolicyModel m = PolicyFile.load(file);
            if (!m.isValid()) {
                report(m);
                return Main.REFUSED;
            }
            PskSecrets s = PskSecrets.preview(secretsFile());
            List<DevicePolicy> devices = resolve(m, s);
            if (json) {
                List<Object> list = new ArrayList<>();
                for (DevicePolicy d : devices) {
                    list.add(view(d, s));
                }
                out().println(JsonOut.write(Map.of("devices", list)));
                return Main.OK;
            }
            for (DevicePolicy d : devices) {
                Map<String, Object> v = view(d, s);
                out().println(d.name() + ":");
                v.forEach((k, val) -> {
                    if (!k.equals("name")) {
                        out().println("  " + k + ": " + (val instanceof List<?> l ? String.join(", ",
                                l.stream().map(String::valueOf).toList()) : val));
                    }
                });
            }
            return Main.OK;
        }

        private static Map<String, Object> view(DevicePolicy d, PskSecrets s) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", d.name());
            v.put("zone", d.zone());
            v.put("address", d.host() + ":" + d.tlsPort());
            v.put("expected identity", PolicyDiff.describe(d.expected()));
            v.put("expected fingerprint", d.expectFingerprint().isEmpty() ? "none" : d.expectFingerprint());
            v.put("authentication", d.authentication().name().toLowerCase(Locale.ROOT));
            List<String> suites = new ArrayList<>();
            for (int id : d.allowedSuites()) {
                suites.add(CipherSuite.byId(id).map(CipherSuite::toString).orElse(String.format("0x%04X", id)));
            }
            v.put("allowed suites", suites);
            List<String> psks = new ArrayList<>();
            for (PskCredential p : d.psks()) {
                psks.add(p.identityText() + " (" + (s.contains(p.identityText()) ? "present" : "will be generated") + ")");
            }
            v.put("PSKs", psks);
            v.put("certificate subject", PolicyDiff.describe(d.subject()));
            v.put("certificate alternative names", d.subject().subjectAltNames());
            v.put("certificate validity days", d.validityDays());
            v.put("verify client certificate", d.verifyClientCertificate());
            v.put("send certificate chain", d.sendCertificateChain());
            v.put("check expiration", d.checkExpiration());
            v.put("DTLS timeout seconds", d.dtlsTimeoutSeconds());
            v.put("plain port", d.closePlainPort() ? "closed" : "stays open");
            v.put("trusted IPs", d.trustedIps());
            return v;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = {"What each device would change going from OLD_FILE to FILE: ADDED, REMOVED or CHANGED with",
                    "each change in words; unchanged devices are counted. Both files use the same secrets; nothing is written."})
    static final class Diff extends Base {
        @Option(names = "--against", paramLabel = "OLD_FILE", description = "the policy deployed now")
        Path against;

        @Option(names = "--state", paramLabel = "DIR", description = {"instead of --against: what `cipsec commission` last",
                "deployed from this state directory (its copy of the policy and the secrets), and each device's last result"})
        Path state;

        @Option(names = "--json", description = "machine-readable output")
        boolean json;

        @Override
        public Integer call() throws IOException {
            if ((against == null) == (state == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --against OLD_FILE or --state DIR");
            }
            PolicyModel now = PolicyFile.load(file);
            PolicyModel old = PolicyFile.load(against != null ? against : CommissionCommand.deployedPolicy(state));
            boolean ok = report(old) & report(now);
            if (!ok) {
                return Main.REFUSED;
            }
            PskSecrets s = PskSecrets.preview(secretsFile());
            // The deployed copy of the secrets: a PSK rotated since then shows as a change.
            PskSecrets before = state == null ? s : PskSecrets.preview(CommissionCommand.deployedSecrets(state));
            List<DeviceChange> changes = PolicyDiff.compare(resolve(old, before), resolve(now, s));
            if (state != null) {
                changes = withLastResults(changes, state);
            }
            long unchanged = changes.stream().filter(c -> c.kind() == DeviceChange.Kind.UNCHANGED).count();
            if (json) {
                List<Object> list = new ArrayList<>();
                for (DeviceChange c : changes) {
                    if (c.kind() != DeviceChange.Kind.UNCHANGED) {
                        Map<String, Object> cm = new LinkedHashMap<>();
                        cm.put("device", c.device());
                        cm.put("kind", c.kind().name());
                        cm.put("changes", c.changes());
                        list.add(cm);
                    }
                }
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("devices", list);
                o.put("unchanged", unchanged);
                out().println(JsonOut.write(o));
                return Main.OK;
            }
            for (DeviceChange c : changes) {
                if (c.kind() == DeviceChange.Kind.UNCHANGED) {
                    continue;
                }
                out().println(c.kind() + " " + c.device());
                for (String line : c.changes()) {
                    out().println("  " + line);
                }
            }
            out().println(count((int) unchanged, "device") + " unchanged");
            return Main.OK;
        }
    }

    /**
     * A device whose last deployment did not end configured or unchanged is still to do, whatever the diff says:
     * its report names where it stopped.
     */
    static List<DeviceChange> withLastResults(List<DeviceChange> changes, Path state) throws IOException {
        List<DeviceChange> out = new ArrayList<>();
        for (DeviceChange c : changes) {
            Path report = dev.cipsec.commission.deploy.Deployment.reportFile(state, c.device());
            String last = null;
            if (c.kind() != DeviceChange.Kind.REMOVED && Files.exists(report)) {
                var node = dev.cipsec.commission.json.JsonReader.read(report);
                String result = node instanceof JsonNode.JsonObject o ? text(o, "result") : "";
                if (!result.equals("configured") && !result.equals("unchanged")) {
                    String step = node instanceof JsonNode.JsonObject o && o.get("error").orElse(null) instanceof JsonNode.JsonObject e
                            ? text(e, "step") : "";
                    last = "last deployment " + result + (step.isEmpty() ? "" : " at " + step);
                }
            } else if (c.kind() != DeviceChange.Kind.REMOVED && c.kind() != DeviceChange.Kind.ADDED) {
                last = "never deployed from this state directory";
            }
            if (last == null) {
                out.add(c);
            } else {
                List<String> lines = new ArrayList<>(c.changes());
                lines.add(last);
                out.add(new DeviceChange(c.device(), c.kind() == DeviceChange.Kind.UNCHANGED ? DeviceChange.Kind.CHANGED : c.kind(),
                        lines));
            }
        }
        return out;
    }

    private static String text(JsonNode.JsonObject o, String key) {
        return o.get(key).orElse(null) instanceof JsonNode.JsonString v ? v.value() : "";
    }

    @Command(name = "rotate-psk", mixinStandardHelpOptions = true,
            description = {"Replace the pre-shared key NAME (zone:<name> or conduit:<name>) with a new random one.",
                    "The key is not printed; the devices using it change at the next deployment."})
    static final class RotatePsk extends Base {
        @Parameters(index = "1", paramLabel = "NAME", description = "zone:<name> or conduit:<name>, as policy validate lists them")
        String name;

        @Override
        public Integer call() throws IOException {
            PolicyModel m = PolicyFile.load(file);
            if (!report(m)) {
                return Main.REFUSED;
            }
            if (!m.pskNames().contains(name)) {
                throw new IllegalArgumentException("the policy has no PSK named '" + name + "'"
                        + (m.pskNames().isEmpty() ? "" : "; its PSKs: " + String.join(", ", m.pskNames())));
            }
            PskSecrets.open(secretsFile()).rotate(name);
            List<String> users = new ArrayList<>();
            for (PolicyModel.Device d : m.devices()) {
                if (m.relationships(d).stream().anyMatch(r -> r.pskName().equals(name))) {
                    users.add(d.name());
                }
            }
            out().println("PSK " + name + ": rotated in " + secretsFile() + "; deploy the policy to "
                    + (users.isEmpty() ? "its devices" : String.join(", ", users)));
            return Main.OK;
        }
    }

    static Map<String, String> pskStatus(PolicyModel m, PskSecrets s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : m.pskNames()) {
            out.put(n, s.contains(n) ? "present" : "will be generated");
        }
        return out;
    }

    static List<DevicePolicy> resolve(PolicyModel m, PskSecrets preview) throws IOException {
        try {
            return m.resolve(preview);
        } catch (PolicyException e) {
            throw new IllegalStateException("a validated policy did not resolve", e);
        }
    }

    static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
