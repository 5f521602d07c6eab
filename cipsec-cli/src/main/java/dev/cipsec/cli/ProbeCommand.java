package dev.cipsec.cli;

import dev.cipsec.scanner.ListIdentityResult;
import dev.cipsec.scanner.Target;
import dev.cipsec.scanner.probe.Finding;
import dev.cipsec.scanner.probe.Probe;
import dev.cipsec.scanner.probe.ProbeOptions;
import dev.cipsec.scanner.probe.ProbeReport;
import dev.cipsec.scanner.probe.ProbeReport.CertificateInfo;
import dev.cipsec.scanner.probe.ProbeReport.CertificateReport;
import dev.cipsec.scanner.probe.ProbeReport.IdentityReport;
import dev.cipsec.scanner.probe.ProbeReport.SuiteResult;
import dev.cipsec.scanner.probe.ProbeReport.TransportReport;
import dev.cipsec.scanner.probe.ProbeReport.VersionResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Find out what a CIP Security target really accepts, without any key or certificate of ours:",
                "protocol versions (SSL 3.0 to TLS 1.3, DTLS 1.0 and 1.2), every CIP Security suite (NULL ones included)",
                "and common others in the target's order of preference, its certificate chain, whether it asks for a",
                "client certificate and from which CAs, its extensions, and its ListIdentity reply with the CIP Security",
                "item; then findings. Exit 0 when the probe ran (3: nothing answered; --fail-on makes findings count)."})
final class ProbeCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s)?");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST[:PORT]",
            description = "The target; PORT (default 2221) is the TLS (TCP) port and, unless --dtls-port, the DTLS (UDP) port.")
    String target;

    @Option(names = "--dtls-port", paramLabel = "PORT", description = "UDP port for DTLS when it is not the TLS port.")
    Integer dtlsPort;

    @Option(names = "--tls-only", description = "Probe TLS on TCP only (no DTLS).")
    boolean tlsOnly;

    @Option(names = "--dtls-only", description = "Probe DTLS on UDP only (no TLS).")
    boolean dtlsOnly;

    @Option(names = "--no-identity", description = "Do not send ListIdentity to the plain port.")
    boolean noIdentity;

    @Option(names = "--plain-port", defaultValue = "44818", paramLabel = "PORT",
            description = "UDP port for ListIdentity (default: ${DEFAULT-VALUE}).")
    int plainPort;

    @Option(names = "--timeout", defaultValue = "2s", paramLabel = "DURATION",
            description = "Bounds each connect and handshake: 2s, 500ms, 1.5 (seconds) (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--max-attempts", defaultValue = "" + ProbeOptions.DEFAULT_MAX_ATTEMPTS, paramLabel = "N",
            description = "Most handshakes per transport (default: ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Option(names = "--fail-on", paramLabel = "SEVERITY",
            description = "Exit 1 when a finding is at least this severe: warning or critical.")
    String failOn;

    @Option(names = "--json", description = "Machine-readable JSON output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (tlsOnly && dtlsOnly) {
            throw new IllegalArgumentException("--tls-only and --dtls-only exclude each other");
        }
        Finding.Severity threshold = failOn == null ? null : switch (failOn.toLowerCase(Locale.ROOT)) {
            case "warning" -> Finding.Severity.WARNING;
            case "critical" -> Finding.Severity.CRITICAL;
            default -> throw new IllegalArgumentException("--fail-on takes warning or critical, not '" + failOn + "'");
        };
        boolean hasPort = target.startsWith("[") ? target.contains("]:") : target.indexOf(':') >= 0
                && target.indexOf(':') == target.lastIndexOf(':');
        Target t = Target.parse(hasPort ? target : (target.contains(":") ? "[" + target + "]" : target) + ":"
                + ProbeOptions.DEFAULT_SECURE_PORT);
        ProbeOptions options = ProbeOptions.defaults(t.host()).withPorts(t.port(), dtlsPort == null ? t.port() : dtlsPort, plainPort)
                .withTimeout(duration(timeout)).withTransports(!dtlsOnly, !tlsOnly, !noIdentity).withMaxAttempts(maxAttempts);
        ProbeReport report = Probe.run(options);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOut.write(render(report)));
        } else {
            print(out, report);
        }
        if (!report.reachable()) {
            spec.commandLine().getErr().println("cipsec: " + t.host() + " did not answer on any probed transport");
            return Main.IO;
        }
        if (threshold != null && report.worst().filter(w -> w.compareTo(threshold) >= 0).isPresent()) {
            return Main.REFUSED;
        }
        return Main.OK;
    }

    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 2s, 500ms)");
        }
        double v = Double.parseDouble(m.group(1));
        long ms = "ms".equals(m.group(2)) ? (long) v : (long) (v * 1000);
        if (ms <= 0) {
            throw new IllegalArgumentException("--timeout must be positive");
        }
        return Duration.ofMillis(ms);
    }

    static Map<String, Object> render(ProbeReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", r.host());
        m.put("started", r.started().toString());
        m.put("elapsedMillis", r.elapsed().toMillis());
        m.put("reachable", r.reachable());
        r.tls().ifPresent(t -> m.put("tls", transport(t)));
        r.dtls().ifPresent(t -> m.put("dtls", transport(t)));
        r.listIdentity().ifPresent(i -> m.put("listIdentity", identity(i)));
        List<Object> findings = new ArrayList<>();
        for (Finding f : r.findings()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
            fm.put("code", f.code().id());
            fm.put("detail", f.detail());
            findings.add(fm);
        }
        m.put("findings", findings);
        return m;
    }

    private static Map<String, Object> transport(TransportReport t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("port", t.port());
        m.put("reachable", t.reachable());
        m.put("attempts", t.attempts());
        List<Object> versions = new ArrayList<>();
        for (VersionResult v : t.versions()) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("version", v.version());
            vm.put("accepted", v.accepted());
            if (!v.accepted()) {
                vm.put("refusal", v.refusal());
            } else {
                vm.put("preference", v.preference().name().toLowerCase(Locale.ROOT));
                List<Object> suites = new ArrayList<>();
                for (SuiteResult s : v.suites()) {
                    Map<String, Object> sm = new LinkedHashMap<>();
                    sm.put("id", s.idHex());
                    sm.put("name", s.name());
                    sm.put("cipSecurity", s.cipSecurity());
                    suites.add(sm);
                }
                vm.put("suites", suites);
                v.extensions().ifPresent(e -> {
                    Map<String, Object> em = new LinkedHashMap<>();
                    em.put("extendedMasterSecret", e.extendedMasterSecret());
                    em.put("encryptThenMac", e.encryptThenMac());
                    em.put("secureRenegotiation", e.secureRenegotiation());
                    em.put("sessionTicket", e.sessionTicket());
                    em.put("types", e.types());
                    vm.put("extensions", em);
                });
            }
            versions.add(vm);
        }
        m.put("versions", versions);
        List<Object> certs = new ArrayList<>();
        for (CertificateReport c : t.certificates()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("version", c.version());
            cm.put("suite", c.suite().name());
            List<Object> chain = new ArrayList<>();
            for (CertificateInfo ci : c.chain()) {
                Map<String, Object> im = new LinkedHashMap<>();
                im.put("subject", ci.subject());
                im.put("issuer", ci.issuer());
                im.put("notBefore", ci.notBefore().toString());
                im.put("notAfter", ci.notAfter().toString());
                im.put("keyType", ci.keyType());
                im.put("keyBits", ci.keyBits());
                im.put("sha256", ci.sha256());
                im.put("selfSigned", ci.selfSigned());
                chain.add(im);
            }
            cm.put("chain", chain);
            c.clientAuth().ifPresent(a -> {
                cm.put("clientCertificateRequested", a.requested());
                cm.put("certificateAuthorities", a.certificateAuthorities());
            });
            certs.add(cm);
        }
        m.put("certificates", certs);
        m.put("notes", t.notes());
        return m;
    }

    private static Map<String, Object> identity(IdentityReport i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("port", i.port());
        m.put("answered", i.reply().isPresent());
        i.reply().ifPresent(r -> m.put("reply", Render.listIdentity(r)));
        return m;
    }

    static void print(PrintWriter w, ProbeReport r) {
        w.printf(Locale.ROOT, "cipsec probe %s (%.1f s)%n", r.host(), r.elapsed().toMillis() / 1000.0);
        r.tls().ifPresent(t -> printTransport(w, t, "TCP"));
        r.dtls().ifPresent(t -> printTransport(w, t, "UDP"));
        r.listIdentity().ifPresent(i -> {
            w.printf("%nListIdentity on UDP %d%n", i.port());
            if (i.reply().isEmpty()) {
                w.println("  no answer (the plain port may be closed; not an error)");
            } else {
                ListIdentityResult lr = i.reply().get();
                w.println("  " + lr.identity().map(id -> String.format("%s (vendor %d, type 0x%04X, product %d, rev %d.%d, "
                        + "serial 0x%08X)", id.productName(), id.vendorId(), id.deviceType(), id.productCode(),
                        id.revisionMajor(), id.revisionMinor(), id.serialNumber())).orElse("(no identity item)"));
                w.println("  CIP Security: " + lr.security().map(Render::security).orElse("no 0x86 item (not a CIP Security device?)"));
            }
        });
        w.printf("%nFindings%n");
        if (r.findings().isEmpty()) {
            w.println("  none");
        }
        for (Finding f : r.findings()) {
            w.printf(Locale.ROOT, "  %-8s %-34s %s%n", f.severity(), f.code().id(), f.detail());
        }
        w.flush();
    }

    private static void printTransport(PrintWriter w, TransportReport t, String proto) {
        w.printf("%n%s on %s %d: %s, %d handshakes%n", t.transport(), proto, t.port(),
                t.reachable() ? "answered" : "no answer", t.attempts());
        for (VersionResult v : t.versions()) {
            if (!v.accepted()) {
                w.printf("  %-9s refused (%s)%n", v.version(), v.refusal());
                continue;
            }
            w.printf("  %-9s accepted, %s%n", v.version(), switch (v.preference()) {
                case SERVER -> "server's order";
                case CLIENT -> "client's order (listed in the order we offered)";
                case MIXED -> "no consistent order";
                case NOT_APPLICABLE -> "one suite";
            });
            int n = 1;
            for (SuiteResult s : v.suites()) {
                w.printf("    %2d  %s  %-48s %s%n", n++, s.idHex(), s.name(), s.cipSecurity() ? "CIP Security" : "");
            }
            v.extensions().ifPresent(e -> w.printf("      extensions: extended master secret %s, encrypt-then-MAC %s, "
                            + "renegotiation_info %s, session ticket %s%n", yes(e.extendedMasterSecret()),
                    yes(e.encryptThenMac()), yes(e.secureRenegotiation()), yes(e.sessionTicket())));
        }
        for (CertificateReport c : t.certificates()) {
            w.printf("  certificate (%s, %s):%n", c.version(), c.suite().name());
            int i = 0;
            for (CertificateInfo ci : c.chain()) {
                w.printf("    [%d] %s%s%n        issuer %s; %s %d bits; valid %s to %s%n        SHA-256 %s%n", i++,
                        ci.subject(), ci.selfSigned() ? " (self-signed)" : "", ci.issuer(), ci.keyType(), ci.keyBits(),
                        ci.notBefore(), ci.notAfter(), ci.sha256());
            }
            w.println("    client certificate: " + c.clientAuth().map(a -> a.requested()
                    ? "requested" + (a.certificateAuthorities().isEmpty() ? " (no CA names)"
                    : ", CAs: " + String.join("; ", a.certificateAuthorities()))
                    : "not requested").orElse("unknown (the handshake ended early)"));
        }
        t.notes().forEach(n -> w.println("  note: " + n));
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }
}
