package dev.cipsec.cli;

import dev.cipsec.objects.security.EstServerSetting;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.security.FileTransfer;
import dev.cipsec.scanner.security.SecurityClient;
import dev.cipsec.scanner.security.SecurityServiceException;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.PinnedCertificate;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.file.FileDirectory;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CertificateList;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskEntry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cipsec security TARGET ACTION}: commissioning through the CIP Security objects (0x5D, 0x5E,
 * 0x5F) and the File object (0x37). The target and the connection options (TLS credentials, trust,
 * {@code --pin-sha256}) come before the action; each action has its own options after it.
 */
@Command(name = "security", mixinStandardHelpOptions = true,
        description = {"Configure a device's CIP Security: read its security objects, run configuration sessions,",
                "set the TLS policy (suites, PSKs, certificates, trust), issue CSRs, install certificates, move files.",
                "Connection options (e.g. --pin-sha256 or --trust, --psk-identity) go before the action.",
                "A configured device accepts changes only over TLS (host:2221); a session belongs to the host that began it."},
        subcommands = {SecurityCommand.Show.class, SecurityCommand.Begin.class, SecurityCommand.Kick.class,
                SecurityCommand.End.class, SecurityCommand.Abort.class, SecurityCommand.Apply.class, SecuritySetCommand.class,
                SecurityCommand.Reset.class, SecurityCommand.Cleanup.class, SecurityCommand.PlainTcp.class, SecurityCommand.Est.class,
                SecurityCertificateCommands.Csr.class,
                SecurityCertificateCommands.InstallCert.class, SecurityCommand.Create.class, SecurityCommand.Delete.class,
                SecurityCommand.Verify.class, SecurityCommand.Files.class, SecurityCommand.Upload.class,
                SecurityCommand.Download.class})
final class SecurityCommand implements Runnable {
    /** Files written to a device are certificates, CRLs and keys' requests: a few KiB. */
    static final long MAX_FILE = 1 << 20;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = "host (plain EtherNet/IP) or host:2221 (CIP Security, TLS)")
    String target;

    @Mixin
    ClientOptionsMixin common;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "an action is required after TARGET: show, begin, kick, end, abort, apply, set, reset, cleanup, csr, "
                        + "install-cert, create, delete, verify, files, upload, download");
    }

    /** One connection with its setup; closing closes both. */
    record Connection(ClientOptionsMixin.ClientSetup setup, CipClient client, SecurityClient security) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
            setup.close();
        }
    }

    Connection connect() throws IOException {
        ClientOptionsMixin.ClientSetup setup = common.setup(target);
        try {
            CipClient client = CipClient.connect(setup.target(), setup.options());
            return new Connection(setup, client, new SecurityClient(client));
        } catch (IOException | RuntimeException e) {
            setup.close();
            throw e;
        }
    }

    /** What every action shares: the parent's connection, {@code --json} on either level, output. */
    abstract static class Action implements Callable<Integer> {
        @ParentCommand
        SecurityCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Machine-readable JSON output.")
        boolean json;

        @Override
        public final Integer call() throws Exception {
            try (Connection c = parent.connect()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("target", c.client().target().toString());
                String text = run(c, out);
                PrintWriter w = spec.commandLine().getOut();
                if (json || parent.common.json) {
                    w.println(JsonOut.write(out));
                } else {
                    w.println(text);
                }
                w.flush();
                return Main.OK;
            }
        }

        /** Does the work, fills {@code out} for --json and returns the text output. */
        abstract String run(Connection c, Map<String, Object> out) throws Exception;
    }

    // ------------------------------------------------------------------ reading

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Read every attribute of 0x5D, 0x5E and 0x5F (class and each instance).")
    static final class Show extends Action {
        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            SecurityClient s = c.security();
            Map<String, Object> cip = new LinkedHashMap<>();
            cip.put("state", s.cip().state());
            cip.put("securityProfiles", hex16(s.cip().securityProfiles()));
            cip.put("securityProfilesConfigured", hex16(s.cip().securityProfilesConfigured()));
            out.put("cipSecurity", cip);

            SecurityClient.Eip e = s.eip();
            Map<String, Object> eip = new LinkedHashMap<>();
            eip.put("state", e.state());
            eip.put("capabilityFlags", e.capabilityFlags());
            eip.put("availableSuites", suites(e.availableSuites()));
            eip.put("allowedSuites", suites(e.allowedSuites()));
            List<Object> psks = new ArrayList<>();
            for (PskEntry p : e.psks().entries()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("identity", text(p.identity()));
                p.usage().ifPresent(u -> m.put("usage", usageName(u)));
                psks.add(m);
            }
            eip.put("psks", psks);
            eip.put("activeCertificates", paths(e.activeCertificates()));
            eip.put("trustedAuthorities", paths(e.trustedAuthorities()));
            EPath crl = e.crl();
            eip.put("crl", crl.segments().isEmpty() ? "none" : pathText(crl));
            eip.put("verifyClientCertificate", e.verifyClientCertificate());
            eip.put("sendCertificateChain", e.sendCertificateChain());
            eip.put("checkExpiration", e.checkExpiration());
            eip.put("trustedIdentities", paths(e.trustedIdentities()));
            eip.put("pullModelEnabled", e.pullModelEnabled());
            eip.put("pullModelStatus", e.pullModelStatus());
            eip.put("dtlsTimeout", e.dtlsTimeout());
            eip.put("udpOnlyPolicy", e.udpOnlyPolicy());
            eip.put("checkSubjectAltName", e.checkSubjectAltName());
            out.put("eipSecurity", eip);

            SecurityClient.Certificates cm = s.certificates();
            Map<String, Object> certs = new LinkedHashMap<>();
            certs.put("capabilityFlags", cm.capabilityFlags());
            certs.put("encodingsFlag", cm.encodingsFlag());
            List<Object> instances = new ArrayList<>();
            for (CertificateList.Entry entry : cm.list().entries()) {
                long id = entry.path().instanceId();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("instance", id);
                m.put("name", cm.name(id));
                m.put("state", certificateState(cm.state(id)));
                m.put("deviceCertificate", reference(cm.deviceCertificate(id)));
                m.put("caCertificate", reference(cm.caCertificate(id)));
                m.put("encoding", cm.encoding(id) == 1 ? "PKCS#7" : "PEM");
                instances.add(m);
            }
            certs.put("instances", instances);
            out.put("certificateManagement", certs);

            StringBuilder sb = new StringBuilder();
            sb.append(c.client().target()).append('\n');
            sb.append(String.format("CIP Security (0x5D): state %d %s, profiles %s, configured %s%n", cip.get("state"),
                    cipStateName((Integer) cip.get("state")), cip.get("securityProfiles"), cip.get("securityProfilesConfigured")));
            sb.append(String.format("EtherNet/IP Security (0x5E): state %d %s%n", eip.get("state"), eipStateName((Integer) eip.get("state"))));
            for (Map.Entry<String, Object> en : eip.entrySet()) {
                if (!en.getKey().equals("state")) {
                    sb.append(String.format("  %-24s %s%n", en.getKey(), en.getValue()));
                }
            }
            sb.append("Certificate Management (0x5F):\n");
            for (Object o : instances) {
                Map<?, ?> m = (Map<?, ?>) o;
                sb.append(String.format("  [%s] %s: %s, device certificate %s, CA certificate %s%n", m.get("instance"), m.get("name"),
                        m.get("state"), m.get("deviceCertificate"), m.get("caCertificate")));
            }
            return sb.toString().stripTrailing();
        }
    }

    // ------------------------------------------------------------------ sessions

    /** Which object a session service goes to. */
    enum SessionObjects { cip, eip, both }

    @Command(name = "begin", mixinStandardHelpOptions = true,
            description = {"Begin_Config on 0x5D, then 0x5E: open a configuration session (10 s timeout; `kick` extends it).",
                    "Then `set --no-apply`, `apply`, `end` from this host (any connection)."})
    static final class Begin extends Action {
        @Option(names = "--only", paramLabel = "cip|eip", description = "Only 0x5D (cip) or only 0x5E (eip).")
        SessionObjects only = SessionObjects.both;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            if (only != SessionObjects.eip) {
                c.security().cip().beginConfig();
            }
            if (only != SessionObjects.cip) {
                c.security().eip().beginConfig();
            }
            out.put("begun", only.name());
            return "ok: configuration session open (" + sessionObjects(only) + ")";
        }
    }

    @Command(name = "kick", mixinStandardHelpOptions = true, description = "Kick_Timer: restart the configuration session timeout.")
    static final class Kick extends Action {
        @Option(names = "--only", paramLabel = "cip|eip", description = "Only 0x5D (cip) or only 0x5E (eip).")
        SessionObjects only = SessionObjects.both;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            if (only != SessionObjects.eip) {
                c.security().cip().kickTimer();
            }
            if (only != SessionObjects.cip) {
                c.security().eip().kickTimer();
            }
            out.put("kicked", only.name());
            return "ok: session timer restarted (" + sessionObjects(only) + ")";
        }
    }

    @Command(name = "end", mixinStandardHelpOptions = true,
            description = "End_Config on 0x5D: close the session; the device is then configured (changes need TLS from now on).")
    static final class End extends Action {
        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            c.security().cip().endConfig();
            out.put("cipSecurityState", c.security().cip().state());
            return "ok: configuration session ended; 0x5D state " + c.security().cip().state();
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, description = "Abort_Config on 0x5E: drop what was set since Begin_Config.")
    static final class Abort extends Action {
        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            c.security().eip().abortConfig();
            out.put("eipSecurityState", c.security().eip().state());
            return "ok: 0x5E changes dropped; state " + c.security().eip().state();
        }
    }

    /** The Apply_Config options `apply` and `set` share. */
    static final class ApplyOptions {
        @Option(names = "--close-existing",
                description = "Close TLS connections that existed before the apply (after --close-delay), so every peer reconnects under the new policy.")
        boolean closeExisting;

        @Option(names = "--close-delay", paramLabel = "MS",
                description = "Delay before existing connections are closed, in ms (default 1000 with --close-existing: this tool finishes first).")
        Integer closeDelay;

        @Option(names = "--cleanup", description = "Apply_Config flag bit 1: delete objects nothing refers to afterwards.")
        boolean cleanup;

        ApplyConfigRequest request() {
            int delay = closeDelay != null ? closeDelay : closeExisting ? 1000 : 0;
            if (delay < 0 || delay > 0xFFFF) {
                throw new IllegalArgumentException("--close-delay must be 0..65535 ms: " + delay);
            }
            return new ApplyConfigRequest((closeExisting ? ApplyConfigRequest.CLOSE_EXISTING : 0)
                    | (cleanup ? ApplyConfigRequest.OBJECT_CLEANUP : 0), delay);
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Apply_Config on 0x5E: validate what was set and put it in force for new TLS sessions.")
    static final class Apply extends Action {
        @CommandLine.Mixin
        ApplyOptions apply;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            ApplyConfigRequest r = apply.request();
            c.security().eip().applyConfig(r);
            out.put("applied", true);
            out.put("flags", r.flags());
            out.put("closeDelayMillis", r.closeDelayMillis());
            return "ok: configuration applied";
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Reset to factory default: by default the CIP Security Object's Reset (every security object, certificate and file);",
                    "--eip-only resets only the EtherNet/IP Security Object."})
    static final class Reset extends Action {
        @Option(names = "--eip-only", description = "Reset only 0x5E (its TLS policy).")
        boolean eipOnly;

        @Option(names = "--disable-pull-model", description = "With --eip-only: Reset's BOOL 0, the pull model is disabled.")
        boolean disablePull;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            if (disablePull && !eipOnly) {
                throw new IllegalArgumentException("--disable-pull-model applies to --eip-only");
            }
            if (eipOnly) {
                c.security().eip().reset(!disablePull);
            } else {
                c.security().cip().reset();
            }
            out.put("reset", eipOnly ? "eip" : "all");
            return "ok: " + (eipOnly ? "0x5E" : "security objects") + " back to factory default";
        }
    }

    @Command(name = "cleanup", mixinStandardHelpOptions = true,
            description = "Object_Cleanup (0x5D): delete certificate and File instances nothing refers to (0xD0: none found).")
    static final class Cleanup extends Action {
        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            c.security().cip().objectCleanup();
            out.put("cleaned", true);
            return "ok: orphan objects deleted";
        }
    }

    @Command(name = "plain-tcp", mixinStandardHelpOptions = true,
            description = {"Set_Port_Admin_State (TCP/IP 0xF5): close or reopen plain EtherNet/IP on TCP 44818,",
                    "so that the device is reachable only over TLS on 2221 (kept across restarts)."})
    static final class PlainTcp extends Action {
        @Parameters(index = "0", paramLabel = "open|close")
        String state;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            boolean open = switch (state) {
                case "open" -> true;
                case "close" -> false;
                default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(), "expected open or close: " + state);
            };
            c.security().setPlainTcpPort(open);
            out.put("plainTcp", open ? "open" : "closed");
            return "ok: plain EtherNet/IP on TCP 44818 " + (open ? "open" : "closed; the device is reachable only over TLS");
        }
    }

    @Command(name = "est", mixinStandardHelpOptions = true,
            description = {"Show or set where the device enrols in the pull model (EST, RFC 7030): our 0x5E attributes 100",
                    "(EST server URI) and 101 (SHA-256 of a certificate in the EST server's chain, normally the plant CA).",
                    "Set directly, not in a configuration session; takes effect and persists at once; Reset clears it.",
                    "Plain TCP is accepted only while the device is in factory default."})
    static final class Est extends Action {
        @Option(names = "--url", paramLabel = "URI", description = "https://host[:port]/.well-known/est[/label]")
        String url;

        @Option(names = "--server-sha256", paramLabel = "FINGERPRINT",
                description = "SHA-256 of the EST server's certificate or of its CA (hex, colons optional).")
        String fingerprint;

        @Option(names = "--server-ca", paramLabel = "PEM", description = "Take the fingerprint from this certificate (e.g. the plant CA).")
        Path caFile;

        @Option(names = "--clear", description = "Remove both: the device falls back to its own EST configuration, if any.")
        boolean clear;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            if (clear && (url != null || fingerprint != null || caFile != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--clear takes no other option");
            }
            if (fingerprint != null && caFile != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--server-sha256 or --server-ca, not both");
            }
            byte[] pin = null;
            if (fingerprint != null) {
                pin = PinnedCertificate.parse(fingerprint);
            } else if (caFile != null) {
                List<X509Certificate> certs = CredentialFiles.readCertificates(caFile);
                if (certs.size() != 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            caFile + " must hold exactly one certificate, it holds " + certs.size());
                }
                pin = HexFormat.of().parseHex(
                        CredentialFiles.sha256Fingerprint(certs.get(0)).replace(":", ""));
            }
            if (url != null) {
                String problem = EstServerSetting.uriProblem(url);
                if (problem != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), problem);
                }
            }
            // The anchor first: a device given the URI alone would start enrolling before it knows whom to trust.
            if (clear) {
                c.security().eip().setEstTrustAnchorSha256(new byte[0]);
                c.security().eip().setEstServerUri("");
            }
            if (pin != null) {
                c.security().eip().setEstTrustAnchorSha256(pin);
            }
            if (url != null) {
                c.security().eip().setEstServerUri(url);
            }
            String uri = c.security().eip().estServerUri();
            byte[] anchor = c.security().eip().estTrustAnchorSha256();
            int state = c.security().eip().state();
            boolean enabled = c.security().eip().pullModelEnabled();
            int status = c.security().eip().pullModelStatus();
            String anchorText = anchor.length == 0 ? "" : HexFormat.ofDelimiter(":").withUpperCase().formatHex(anchor);
            out.put("estServerUri", uri);
            out.put("estTrustAnchorSha256", anchorText);
            out.put("state", state);
            out.put("pullModelEnabled", enabled);
            out.put("pullModelStatus", String.format("0x%04X", status));
            return String.format("EST server (0x5E/1/100): %s%nTrust anchor SHA-256 (0x5E/1/101): %s%n"
                            + "0x5E state %d, pull model %s, status 0x%04X",
                    uri.isEmpty() ? "(none set over CIP)" : uri, anchorText.isEmpty() ? "(none: the device's own anchors)" : anchorText,
                    state, enabled ? "enabled" : "disabled", status);
        }
    }

    // ------------------------------------------------------------------ certificate instances

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a Certificate Management (0x5F) instance.")
    static final class Create extends Action {
        @Parameters(index = "0", paramLabel = "NAME", description = "instance name, 1..32 characters")
        String name;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            long id = c.security().certificates().create(name);
            out.put("instance", id);
            out.put("name", name);
            return "created 0x5F instance " + id + " '" + name + "'";
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a Certificate Management (0x5F) instance.")
    static final class Delete extends Action {
        @Parameters(index = "0", paramLabel = "INSTANCE", description = "instance number or name")
        String instance;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            long id = certificateInstance(c.security(), instance, false);
            c.security().certificates().delete(id);
            out.put("deleted", id);
            return "deleted 0x5F instance " + id;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify_Certificate: the device checks an instance's certificates against its key and CA (0xD0: they fail).")
    static final class Verify extends Action {
        @Parameters(index = "0", paramLabel = "INSTANCE", description = "instance number or name")
        String instance;

        @Option(names = "--which", paramLabel = "all|device|ca", description = "Which certificate (default: ${DEFAULT-VALUE}).")
        String which = "all";

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            long id = certificateInstance(c.security(), instance, false);
            int w = switch (which) {
                case "all" -> SecurityClient.Certificates.VERIFY_ALL;
                case "device" -> SecurityClient.Certificates.VERIFY_DEVICE;
                case "ca" -> SecurityClient.Certificates.VERIFY_CA;
                default -> throw new IllegalArgumentException("--which must be all, device or ca: " + which);
            };
            c.security().certificates().verify(id, w);
            String state = certificateState(c.security().certificates().state(id));
            out.put("instance", id);
            out.put("state", state);
            return "0x5F instance " + id + ": " + state;
        }
    }

    // ------------------------------------------------------------------ files

    @Command(name = "files", mixinStandardHelpOptions = true, description = "List the File object's (0x37) instances.")
    static final class Files extends Action {
        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            FileTransfer files = c.security().files();
            List<Object> list = new ArrayList<>();
            StringBuilder sb = new StringBuilder();
            for (FileDirectory.Entry e : files.directory().entries()) {
                FileTransfer.FileInfo info = files.info(e.instanceId());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("instance", info.instance());
                m.put("name", info.name());
                m.put("fileName", e.fileName().text());
                m.put("state", info.state());
                m.put("size", info.size());
                m.put("checksum", hex16(info.checksum()));
                m.put("readOnly", info.readOnly());
                m.put("encoding", info.encoding());
                list.add(m);
                sb.append(String.format("[%d] %s (%s): %d bytes, encoding %d%s%n", info.instance(), info.name(),
                        e.fileName().text().isEmpty() ? "no file" : e.fileName().text(), info.size(), info.encoding(),
                        info.readOnly() ? ", read-only" : ""));
            }
            out.put("files", list);
            return sb.toString().stripTrailing();
        }
    }

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Read a file from the device (File object upload: Initiate_Upload, Upload_Transfer) into a local file.")
    static final class Upload extends Action {
        @Parameters(index = "0", paramLabel = "INSTANCE", description = "File instance number")
        long instance;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the file.")
        Path outFile;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            Bytes data = c.security().files().upload(instance);
            java.nio.file.Files.write(outFile, data.toArray());
            out.put("instance", instance);
            out.put("size", data.length());
            out.put("file", outFile.toString());
            return "read " + data.length() + " bytes of File instance " + instance + " into " + outFile;
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Write a local file to the device (File object download: Initiate_Download, Download_Transfer).")
    static final class Download extends Action {
        @Parameters(index = "0", paramLabel = "FILE", description = "the local file")
        Path file;

        @Option(names = "--instance", paramLabel = "N", description = "An existing File instance.")
        Long instance;

        @Option(names = "--create", paramLabel = "NAME", description = "Create a File instance with this name first.")
        String create;

        @Option(names = "--encoding", paramLabel = "N",
                description = "File encoding for --create: 0 binary, 2 PEM certificate, 3 PKCS#7 certificate, 4 PEM CRL, 5 PKCS#7 CRL (default ${DEFAULT-VALUE}).")
        int encoding = FileTransfer.ENCODING_BINARY;

        @Override
        String run(Connection c, Map<String, Object> out) throws Exception {
            if ((instance == null) == (create == null)) {
                throw new IllegalArgumentException("give --instance N or --create NAME");
            }
            Bytes data = readLocal(file, "FILE");
            long id = instance != null ? instance : c.security().files().create(create, encoding);
            c.security().files().download(id, file.getFileName().toString(), data);
            out.put("instance", id);
            out.put("size", data.length());
            return "wrote " + data.length() + " bytes to File instance " + id;
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A certificate instance by number, or by name (created when {@code create} and not found). */
    static long certificateInstance(SecurityClient s, String text, boolean create) throws IOException, SecurityServiceException {
        String t = text.strip();
        if (t.matches("\\d+")) {
            return Long.parseLong(t);
        }
        for (CertificateList.Entry e : s.certificates().list().entries()) {
            if (e.name().equals(t)) {
                return e.path().instanceId();
            }
        }
        if (!create) {
            throw new IllegalArgumentException("no Certificate Management instance is named '" + t + "'");
        }
        return s.certificates().create(t);
    }

    static Bytes readLocal(Path file, String option) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + ": no such file: " + file);
        }
        if (java.nio.file.Files.size(file) > MAX_FILE) {
            throw new IllegalArgumentException(option + ": " + file + " is larger than " + MAX_FILE + " bytes");
        }
        byte[] data = java.nio.file.Files.readAllBytes(file);
        if (data.length == 0) {
            throw new IllegalArgumentException(option + ": " + file + " is empty");
        }
        return Bytes.of(data);
    }

    static String sessionObjects(SessionObjects only) {
        return switch (only) {
            case cip -> "0x5D";
            case eip -> "0x5E";
            case both -> "0x5D and 0x5E";
        };
    }

    static String hex16(int v) {
        return String.format("0x%04X", v);
    }

    static List<String> suites(CipherSuiteList l) {
        List<String> out = new ArrayList<>();
        for (int id : l.ids()) {
            out.add(CipherSuite.byId(id).map(s -> String.format("0x%04X %s", id, s.name())).orElse(String.format("0x%04X", id)));
        }
        return out;
    }

    static List<String> paths(EPathList l) {
        return l.paths().stream().map(SecurityCommand::pathText).toList();
    }

    /** "0x5F/2" for a class/instance path, as the options take it. */
    static String pathText(EPath p) {
        if (p.classId() >= 0 && p.instanceId() >= 0 && p.segments().size() == 2) {
            return String.format("0x%02X/%d", p.classId(), p.instanceId());
        }
        return p.toString();
    }

    static Map<String, Object> reference(CertificateReference r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", switch (r.status()) {
            case CertificateReference.NOT_VERIFIED -> "not verified";
            case CertificateReference.VERIFIED -> "verified";
            case CertificateReference.INVALID -> "invalid";
            default -> "status " + r.status();
        });
        m.put("path", r.path().segments().isEmpty() ? "none" : pathText(r.path()));
        return m;
    }

    static String text(Bytes b) {
        byte[] a = b.toArray();
        for (byte x : a) {
            if (x < 0x20 || x > 0x7E) {
                return "0x" + b.toHex();
            }
        }
        return new String(a, StandardCharsets.US_ASCII);
    }

    static String usageName(int u) {
        return switch (u) {
            case PskEntry.SERVER -> "server";
            case PskEntry.CLIENT -> "client";
            case PskEntry.ANY -> "any";
            default -> Integer.toString(u);
        };
    }

    static String certificateState(int s) {
        return switch (s) {
            case SecurityClient.Certificates.CREATED -> "created";
            case SecurityClient.Certificates.CONFIGURING -> "configuring";
            case SecurityClient.Certificates.VERIFIED -> "verified";
            case SecurityClient.Certificates.INVALID -> "invalid";
            default -> "state " + s;
        };
    }

    static String cipStateName(int s) {
        return switch (s) {
            case 0 -> "(factory default)";
            case 1 -> "(configuration in progress)";
            case 2 -> "(configured)";
            case 3 -> "(incomplete configuration)";
            default -> "";
        };
    }

    static String eipStateName(int s) {
        return switch (s) {
            case 0 -> "(factory default)";
            case 1 -> "(configuration in progress)";
            case 2 -> "(configured)";
            case 3 -> "(pull model in progress)";
            case 4 -> "(pull model completed)";
            case 5 -> "(pull model disabled)";
            default -> "";
        };
    }
}
