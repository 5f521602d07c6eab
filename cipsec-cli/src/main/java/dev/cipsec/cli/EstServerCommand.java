package dev.cipsec.cli;

import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.commission.est.BasicAuthFile;
import dev.cipsec.commission.est.EstServer;
import dev.cipsec.commission.est.EstServerConfig;
import dev.cipsec.commission.est.PendingRequest;
import dev.cipsec.commission.est.PendingStore;
import dev.cipsec.transport.tls.cert.AtomicFiles;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.TrustStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code cipsec est-server}: the EST server of the pull model ({@link EstServer}), and the operator's decisions
 * on the devices it holds for approval.
 */
@Command(name = "est-server", mixinStandardHelpOptions = true,
        description = {"Run an EST server (RFC 7030) until interrupted: devices get the plant CA (/cacerts) and their",
                "certificates (/simpleenroll, /simplereenroll) with the subject the policy gives them.",
                "Devices not in the inventory wait for approval: see the pending, approve and deny actions."},
        subcommands = {EstServerCommand.Pending.class, EstServerCommand.Approve.class, EstServerCommand.Deny.class,
                EstServerCommand.AddUser.class})
final class EstServerCommand implements Callable<Integer> {
    /**
     * Bouncy Castle's JSSE logs every connection at INFO through java.util.logging; a server would print three
     * lines per device. Held here because java.util.logging keeps its loggers only weakly.
     */
    private static final String MAX_REQUEST_SECONDS = "sun.net.httpserver.maxReqTime";
    private static final java.util.logging.Logger BCJSSE_LOG = java.util.logging.Logger.getLogger("org.bouncycastle.jsse");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--ca", paramLabel = "DIR", description = "The plant CA directory (cipsec ca init).")
    Path caDir;

    @CommandLine.Mixin
    CaCommand.KeyOptions key;

    @Option(names = "--policy", paramLabel = "FILE", description = "The policy model: its devices are the inventory (re-read when it changes).")
    Path policy;

    @Option(names = "--state", paramLabel = "DIR", description = "The server's directory: its TLS key and certificate, the held requests.")
    Path state;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8443", description = "TCP port (default: ${DEFAULT-VALUE}; 0: any free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--vendor-ca", paramLabel = "FILE|DIR",
            description = "Vendor CA certificates (a PEM/DER file, or a trust directory) whose device certificates identify known devices.")
    Path vendorCa;

    @Option(names = "--basic-auth", paramLabel = "FILE",
            description = "Users allowed to enrol with HTTP basic credentials (lines user:pbkdf2-sha256$..., see add-user).")
    Path basicAuth;

    @Option(names = "--san", paramLabel = "NAME", split = ",",
            description = "More names for the server's certificate, e.g. DNS:est.plant3,IP:10.0.0.5 (the bind address, 127.0.0.1 and localhost are always in).")
    List<String> serverNames = new ArrayList<>();

    @Option(names = "--max-pending", paramLabel = "N", defaultValue = "256", description = "Requests held for approval at most (default: ${DEFAULT-VALUE}).")
    int maxPending;

    @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "16", description = "Requests served at once (default: ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--retry-after", paramLabel = "SECONDS", defaultValue = "60", description = "Retry-After of held requests (default: ${DEFAULT-VALUE}).")
    int retryAfter;

    @Override
    public Integer call() throws Exception {
        if (caDir == null || policy == null || state == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "running the server needs --ca DIR, --policy FILE and --state DIR (or an action: pending, approve, deny, add-user)");
        }
        // Refuses a malformed --san before the CA is opened (the names go into the server's certificate).
        new CsrSubject("check", "", "", "", "", "", "", "", serverNames);
        EstServerConfig config;
        PlantCa ca = CaCommand.open(caDir, key);
        try {
            config = EstServerConfig.of(ca, policy, state)
                    .withBind(new InetSocketAddress(InetAddress.getByName(bind), port))
                    .withServerNames(serverNames)
                    .withLimits(EstServerConfig.DEFAULT_MAX_BODY_BYTES, maxConcurrent, maxPending, retryAfter);
            if (vendorCa != null) {
                config = config.withVendorCa(vendorTrust(vendorCa));
            }
            if (basicAuth != null) {
                config = config.withBasicAuth(BasicAuthFile.read(basicAuth));
            }
        } catch (IOException | RuntimeException e) {
            ca.close();
            throw e;
        }
        BCJSSE_LOG.setLevel(java.util.logging.Level.WARNING);
        // The JDK's HTTP server lets a request take forever by default: a client that sends its headers and
        // then stalls would hold one of the --max-concurrent slots for good. Read once, when the first
        // server starts, which in this process is this one.
        if (System.getProperty(MAX_REQUEST_SECONDS) == null) {
            System.setProperty(MAX_REQUEST_SECONDS, "30");
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (ca; EstServer server = EstServer.start(config)) {
            // The JVM exits once shutdown hooks return, so the hook itself closes the server and the CA.
            Thread hook = new Thread(() -> {
                server.close();
                ca.close();
            }, "cipsec-est-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            PrintWriter out = spec.commandLine().getOut();
            out.println("EST server listening on " + server.baseUri() + System.lineSeparator()
                    + "server certificate SHA-256 " + server.serverFingerprint());
            out.flush();
            try {
                stop.await();
            } catch (InterruptedException e) {
                // An embedding thread asked the server to stop: a clean end, not an error.
                Thread.currentThread().interrupt();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running already and closes everything.
                }
            }
        }
        return Main.OK;
    }

    static TrustStore vendorTrust(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return TrustStore.open(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("--vendor-ca: no such file or directory: " + path);
        }
        return TrustStore.of(CredentialFiles.readCertificates(path), List.of(), List.of());
    }

    /** {@code --state} and {@code --json} of the operator's actions. */
    abstract static class Action implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--state", paramLabel = "DIR", required = true, description = "The EST server's state directory.")
        Path state;

        @Option(names = "--json", description = "Machine-readable JSON output.")
        boolean json;

        @Override
        public final Integer call() throws Exception {
            Map<String, Object> out = new LinkedHashMap<>();
            String text = run(PendingStore.existing(state), out);
            PrintWriter w = spec.commandLine().getOut();
            w.println(json ? JsonOut.write(out) : text);
            w.flush();
            return Main.OK;
        }

        abstract String run(PendingStore store, Map<String, Object> out) throws Exception;
    }

    static Map<String, Object> describe(PendingRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("status", r.status().word());
        m.put("created", r.created().toString());
        m.put("peer", r.peer());
        m.put("csrSubject", r.csrSubject());
        m.put("clientSubject", r.clientSubject());
        m.put("clientIssuer", r.clientIssuer());
        m.put("clientFingerprint", r.clientFingerprint());
        m.put("user", r.user());
        m.put("device", r.device());
        return m;
    }

    static String line(PendingRequest r) {
        StringBuilder b = new StringBuilder();
        b.append(r.id()).append("  ").append(r.status().word()).append("  ").append(r.created()).append("  from ").append(r.peer())
                .append(System.lineSeparator()).append("    asks for ").append(r.csrSubject());
        if (!r.clientFingerprint().isEmpty()) {
            b.append(System.lineSeparator()).append("    client certificate ").append(r.clientSubject())
                    .append(" (issuer ").append(r.clientIssuer()).append(") SHA-256 ").append(r.clientFingerprint());
        }
        if (!r.user().isEmpty()) {
            b.append(System.lineSeparator()).append("    user ").append(r.user());
        }
        if (!r.device().isEmpty()) {
            b.append(System.lineSeparator()).append("    approved as device ").append(r.device());
        }
        return b.toString();
    }

    @Command(name = "pending", mixinStandardHelpOptions = true,
            description = "List the enrolment requests held for approval (and those decided but not yet collected).")
    static final class Pending extends Action {
        @Override
        String run(PendingStore store, Map<String, Object> out) throws Exception {
            List<PendingRequest> all = store.list();
            out.put("requests", all.stream().map(EstServerCommand::describe).toList());
            if (all.isEmpty()) {
                return "no requests held";
            }
            List<String> lines = new ArrayList<>();
            for (PendingRequest r : all) {
                lines.add(line(r));
            }
            return String.join(System.lineSeparator(), lines);
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = {"Approve a held request: the device's next attempt gets its certificate, with the subject of the",
                    "policy device given by --device, else of the device its CSR's common name names, else that name alone."})
    static final class Approve extends Action {
        @Parameters(paramLabel = "ID", description = "The request's id (see pending).")
        String id;

        @Option(names = "--device", paramLabel = "NAME", description = "The policy device whose certificate it gets.")
        String device = "";

        @Override
        String run(PendingStore store, Map<String, Object> out) throws Exception {
            PendingRequest r = store.approve(id, device);
            out.put("request", describe(r));
            return "approved " + id + (device.isEmpty() ? "" : " as device " + device) + ": the device gets its certificate at its next attempt";
        }
    }

    @Command(name = "deny", mixinStandardHelpOptions = true, description = "Deny a held request: the device's attempts with it are refused (403).")
    static final class Deny extends Action {
        @Parameters(paramLabel = "ID", description = "The request's id (see pending).")
        String id;

        @Override
        String run(PendingStore store, Map<String, Object> out) throws Exception {
            PendingRequest r = store.deny(id);
            out.put("request", describe(r));
            return "denied " + id;
        }
    }

    @Command(name = "add-user", mixinStandardHelpOptions = true,
            description = {"Add (or replace) a user of --basic-auth FILE: the password, read from --password-file, is stored",
                    "as a PBKDF2-HMAC-SHA256 hash only. The file is created owner-only."})
    static final class AddUser implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--users", paramLabel = "FILE", required = true, description = "The basic-auth file.")
        Path users;

        @Option(names = "--password-file", paramLabel = "FILE", required = true, description = "File holding the user's password.")
        Path passwordFile;

        @Parameters(paramLabel = "USER", description = "The user name.")
        String user;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(passwordFile) || Files.size(passwordFile) > 4096) {
                throw new IllegalArgumentException("--password-file: not a password file: " + passwordFile);
            }
            char[] password = Files.readString(passwordFile, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "").toCharArray();
            try {
                if (password.length == 0) {
                    throw new IllegalArgumentException("--password-file " + passwordFile + " is empty");
                }
                String entry = BasicAuthFile.hashLine(user, password);
                List<String> lines = new ArrayList<>();
                if (Files.exists(users)) {
                    for (String l : new String(AtomicFiles.readBounded(users), StandardCharsets.UTF_8).split("\r?\n")) {
                        if (!l.isEmpty() && !l.startsWith(user + ":")) {
                            lines.add(l);
                        }
                    }
                }
                lines.add(entry);
                AtomicFiles.write(users, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), true);
                BasicAuthFile.read(users);
            } finally {
                Arrays.fill(password, '\0');
            }
            spec.commandLine().getOut().println("user " + user + " set in " + users);
            spec.commandLine().getOut().flush();
            return Main.OK;
        }
    }
}
