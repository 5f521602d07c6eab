package dev.cipsec.cli;

import dev.cipsec.scanner.security.SecurityClient;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskEntry;
import dev.cipsec.wire.security.PskList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * {@code cipsec security TARGET set ...}: writes the EtherNet/IP Security Object's policy. By default
 * one whole session on one connection (Begin_Config 0x5D and 0x5E, the writes, Apply_Config,
 * End_Config), so the device never sits half-configured; with {@code --no-apply} only the writes,
 * inside a session this host opened with {@code begin}.
 */
@Command(name = "set", mixinStandardHelpOptions = true,
        description = {"Set the TLS policy in the EtherNet/IP Security Object (0x5E). Without --no-apply: Begin_Config (0x5D, 0x5E),",
                "the writes, Apply_Config and End_Config in one go; a refused step aborts the 0x5E changes.",
                "Attributes not named keep their value. Paths: 0x5F/N (certificate instance) or 0x37/N (File instance); 'none' empties a list."})
final class SecuritySetCommand extends SecurityCommand.Action {
    @Option(names = "--suites", paramLabel = "LIST", split = ",",
            description = "Allowed cipher suites in order of preference, by IANA/OpenSSL name or id, e.g. 0xC02B,0xC037 (attribute 4).")
    List<String> suites;

    @Option(names = "--psk", paramLabel = "IDENTITY:HEXKEY[:USAGE]",
            description = {"A pre-shared key (repeatable; the list replaces attribute 5). USAGE: server, client or any.",
                    "Prefer --psk-file: command lines end up in shell history."})
    List<String> psks;

    @Option(names = "--psk-file", paramLabel = "FILE", description = "PSKs, one IDENTITY:HEXKEY[:USAGE] a line (# comments).")
    Path pskFile;

    @Option(names = "--no-psks", description = "Remove every PSK (attribute 5 empty).")
    boolean noPsks;

    @Option(names = "--active-cert", paramLabel = "N|PATH|none",
            description = "The certificate the device presents: a 0x5F instance (attribute 6). It must be verified.")
    String activeCert;

    @Option(names = "--trusted-authority", paramLabel = "PATH|none",
            description = "Trust anchor for client certificates, repeatable: 0x5F/N (its CA certificate) or 0x37/N (attribute 7).")
    List<String> trustedAuthorities;

    @Option(names = "--trusted-identity", paramLabel = "N|PATH|none",
            description = "A 0x5F instance whose device certificate is trusted as it is, repeatable (attribute 12).")
    List<String> trustedIdentities;

    @Option(names = "--crl", paramLabel = "PATH|none", description = "File instance holding CRLs, 0x37/N (attribute 8).")
    String crl;

    @Option(names = "--verify-client", paramLabel = "on|off", description = "Require client certificates (attribute 9).")
    String verifyClient;

    @Option(names = "--send-chain", paramLabel = "on|off", description = "Send the CA certificate with the device certificate (attribute 10).")
    String sendChain;

    @Option(names = "--check-expiry", paramLabel = "on|off", description = "Check validity dates of client certificates (attribute 11).")
    String checkExpiry;

    @Option(names = "--check-san", paramLabel = "on|off", description = "Check Subject Alternative Name (attribute 17).")
    String checkSan;

    @Option(names = "--dtls-timeout", paramLabel = "SECONDS", description = "DTLS session timeout, 1..3600 s (attribute 15).")
    Integer dtlsTimeout;

    @Option(names = "--no-apply",
            description = "Only write the attributes, inside the session this host opened with `begin` (then `apply` and `end`).")
    boolean noApply;

    @Mixin
    SecurityCommand.ApplyOptions apply;

    /** One attribute write, prepared (and so checked) before anything is sent. */
    private record Write(String attribute, Step step) {
    }

    @FunctionalInterface
    private interface Step {
        void run(SecurityClient.Eip eip) throws Exception;
    }

    @Override
    String run(SecurityCommand.Connection c, Map<String, Object> out) throws Exception {
        List<Write> writes = writes();
        if (writes.isEmpty()) {
            throw new IllegalArgumentException("nothing to set: give at least one attribute option (see --help)");
        }
        ApplyConfigRequest request = apply.request();
        if (noApply && (apply.closeExisting || apply.closeDelay != null || apply.cleanup)) {
            throw new IllegalArgumentException("--close-existing, --close-delay and --cleanup belong to Apply_Config: not with --no-apply");
        }
        SecurityClient s = c.security();
        List<String> written = new ArrayList<>();
        out.put("set", written);
        if (noApply) {
            for (Write w : writes) {
                w.step().run(s.eip());
                written.add(w.attribute());
            }
            out.put("applied", false);
            return "ok: set " + String.join(", ", written) + " (not applied: `apply`, then `end`)";
        }
        int before = s.cip().state();
        s.cip().beginConfig();
        try {
            s.eip().beginConfig();
            try {
                for (Write w : writes) {
                    w.step().run(s.eip());
                    written.add(w.attribute());
                }
                s.eip().applyConfig(request);
            } catch (Exception e) {
                quietly(() -> s.eip().abortConfig());
                throw e;
            }
        } catch (Exception e) {
            // A configured device goes back to configured with its previous policy; a factory-default one is
            // left for the session timeout, because End_Config would mark it configured with nothing applied.
            if (before == SecurityClient.Cip.CONFIGURED) {
                quietly(() -> s.cip().endConfig());
            }
            throw e;
        }
        try {
            s.cip().endConfig();
        } catch (IOException e) {
            // --close-existing with a short delay may close this very connection; the session belongs to this
            // host, so another connection can end it.
            try (SecurityCommand.Connection again = parent.connect()) {
                again.security().cip().endConfig();
            }
        }
        out.put("applied", true);
        return "ok: set " + String.join(", ", written) + "; applied; configuration session ended";
    }

    private interface Quiet {
        void run() throws Exception;
    }

    private static void quietly(Quiet q) {
        try {
            q.run();
        } catch (Exception e) {
            // Best effort clean-up after the failure the user is told about.
        }
    }

    private List<Write> writes() throws IOException {
        List<Write> w = new ArrayList<>();
        if (suites != null) {
            List<Integer> ids = new ArrayList<>();
            for (String text : suites) {
                if (!text.isBlank()) {
                    int id = CipherSuite.parse(text.strip()).id();
                    if (!ids.contains(id)) {
                        ids.add(id);
                    }
                }
            }
            CipherSuiteList list = new CipherSuiteList(ids);
            w.add(new Write("allowedSuites", eip -> eip.setAllowedSuites(list)));
        }
        PskList pskList = pskList();
        if (pskList != null) {
            w.add(new Write("psks", eip -> eip.setPsks(pskList)));
        }
        if (activeCert != null) {
            EPathList list = pathList(List.of(activeCert), true);
            w.add(new Write("activeCertificates", eip -> eip.setActiveCertificates(list)));
        }
        if (trustedAuthorities != null) {
            EPathList list = pathList(trustedAuthorities, false);
            w.add(new Write("trustedAuthorities", eip -> eip.setTrustedAuthorities(list)));
        }
        if (crl != null) {
            EPathList list = pathList(List.of(crl), false);
            EPath path = list.paths().isEmpty() ? EPath.EMPTY : list.paths().get(0);
            w.add(new Write("crl", eip -> eip.setCrl(path)));
        }
        if (verifyClient != null) {
            boolean on = onOff(verifyClient, "--verify-client");
            w.add(new Write("verifyClientCertificate", eip -> eip.setVerifyClientCertificate(on)));
        }
        if (sendChain != null) {
            boolean on = onOff(sendChain, "--send-chain");
            w.add(new Write("sendCertificateChain", eip -> eip.setSendCertificateChain(on)));
        }
        if (checkExpiry != null) {
            boolean on = onOff(checkExpiry, "--check-expiry");
            w.add(new Write("checkExpiration", eip -> eip.setCheckExpiration(on)));
        }
        if (trustedIdentities != null) {
            EPathList list = pathList(trustedIdentities, true);
            w.add(new Write("trustedIdentities", eip -> eip.setTrustedIdentities(list)));
        }
        if (dtlsTimeout != null) {
            int t = dtlsTimeout;
            if (t < 1 || t > 3600) {
                throw new IllegalArgumentException("--dtls-timeout must be 1..3600 s: " + t);
            }
            w.add(new Write("dtlsTimeout", eip -> eip.setDtlsTimeout(t)));
        }
        if (checkSan != null) {
            boolean on = onOff(checkSan, "--check-san");
            w.add(new Write("checkSubjectAltName", eip -> eip.setCheckSubjectAltName(on)));
        }
        return w;
    }

    private PskList pskList() throws IOException {
        List<String> specs = new ArrayList<>();
        if (psks != null) {
            specs.addAll(psks);
        }
        if (pskFile != null) {
            Bytes file = SecurityCommand.readLocal(pskFile, "--psk-file");
            for (String line : new String(file.toArray(), StandardCharsets.UTF_8).split("\\R")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    specs.add(l);
                }
            }
        }
        if (noPsks) {
            if (!specs.isEmpty()) {
                throw new IllegalArgumentException("--no-psks with --psk or --psk-file: choose");
            }
            return PskList.empty();
        }
        if (specs.isEmpty()) {
            return null;
        }
        List<String[]> parsed = new ArrayList<>();
        boolean anyUsage = false;
        for (String spec : specs) {
            String[] p = parsePsk(spec);
            anyUsage |= p[2] != null;
            parsed.add(p);
        }
        List<PskEntry> entries = new ArrayList<>();
        for (String[] p : parsed) {
            Bytes identity = Bytes.of(p[0].getBytes(StandardCharsets.UTF_8));
            Bytes key = TlsOptions.parseHexKey(p[1]);
            // The usage byte is all or nothing in attribute 5: once one entry has it, the others say "any".
            OptionalInt usage = p[2] != null ? OptionalInt.of(usage(p[2])) : anyUsage ? OptionalInt.of(PskEntry.ANY) : OptionalInt.empty();
            try {
                entries.add(new PskEntry(identity, key, usage));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--psk " + p[0] + ": " + e.getMessage(), e);
            }
        }
        return new PskList(entries);
    }

    /** IDENTITY:HEXKEY[:USAGE], read from the right so that an identity may contain colons. */
    static String[] parsePsk(String spec) {
        String[] parts = spec.split(":");
        if (parts.length < 2) {
            throw new IllegalArgumentException("--psk wants IDENTITY:HEXKEY[:USAGE], got a value without ':'");
        }
        String usage = null;
        int keyIndex = parts.length - 1;
        if (parts.length >= 3 && isUsage(parts[parts.length - 1])) {
            usage = parts[parts.length - 1];
            keyIndex--;
        }
        String identity = String.join(":", java.util.Arrays.copyOfRange(parts, 0, keyIndex));
        if (identity.isEmpty() || parts[keyIndex].isEmpty()) {
            throw new IllegalArgumentException("--psk wants IDENTITY:HEXKEY[:USAGE] with a non-empty identity and key");
        }
        return new String[] {identity, parts[keyIndex], usage};
    }

    private static boolean isUsage(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "server", "client", "any", "0", "1", "2" -> true;
            default -> false;
        };
    }

    private static int usage(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "server", "0" -> PskEntry.SERVER;
            case "client", "1" -> PskEntry.CLIENT;
            default -> PskEntry.ANY;
        };
    }

    /** Paths from the options; a bare number is a Certificate Management instance when {@code numbersAreCertificates}. */
    static EPathList pathList(List<String> values, boolean numbersAreCertificates) {
        if (values.size() == 1 && values.get(0).strip().equalsIgnoreCase("none")) {
            return EPathList.empty();
        }
        List<EPath> out = new ArrayList<>();
        for (String v : values) {
            String t = v.strip();
            EPath p;
            if (t.matches("\\d+")) {
                if (!numbersAreCertificates) {
                    throw new IllegalArgumentException("give a path such as 0x5F/" + t + " or 0x37/" + t + ": " + t + " alone is ambiguous");
                }
                p = SecurityClient.Certificates.path(Long.parseLong(t));
            } else {
                try {
                    p = EPath.parse(t);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not a path (class/instance, e.g. 0x5F/2): " + t, e);
                }
            }
            if (p.classId() < 0 || p.instanceId() < 0 || p.attributeId() >= 0) {
                throw new IllegalArgumentException("a path names a class and an instance, e.g. 0x5F/2: " + t);
            }
            out.add(p);
        }
        return new EPathList(out);
    }

    static boolean onOff(String v, String option) {
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(option + " takes on or off: " + v);
        };
    }
}
