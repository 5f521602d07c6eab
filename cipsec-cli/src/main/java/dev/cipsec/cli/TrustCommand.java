package dev.cipsec.cli;

import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.transport.tls.cert.TrustStore.CrlEntry;
import dev.cipsec.transport.tls.cert.TrustStore.Entry;
import dev.cipsec.transport.tls.cert.TrustStore.Folder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code cipsec trust --dir DIR ACTION}: the trust directory that {@code --trust DIR} of the client commands and
 * of {@code cipsec device} reads. Refused peer certificates land in its rejected/ folder; from there an operator
 * accepts them, and can reject, remove or import certificates and CRLs.
 */
@Command(name = "trust", mixinStandardHelpOptions = true,
        description = {"Manage a trust directory: the one `--trust DIR` of the client commands and of",
                "`cipsec device` reads (trusted/, issuers/, rejected/, each with certs/; crls/ beside",
                "trusted/ and issuers/). A refused peer certificate lands in rejected/certs/; accept",
                "it from there. FINGERPRINT: SHA-256, colons optional, any case, or a unique prefix",
                "of at least 8 hex digits."},
        subcommands = {TrustCommand.ListAction.class, TrustCommand.Accept.class, TrustCommand.Reject.class,
                TrustCommand.Remove.class, TrustCommand.Add.class, TrustCommand.AddCrl.class})
final class TrustCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR",
            description = "The trust directory (no default: the same DIR is given to --trust of the other commands).")
    Path dir;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "an action is required after --dir DIR: list, accept, reject, remove, add, add-crl");
    }

    /** The store in DIR; reading actions want it to exist, so a mistyped path is not silently an empty store. */
    TrustStore open(boolean create) throws IOException {
        if (!create && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--dir " + dir + ": no such directory");
        }
        return TrustStore.open(dir);
    }

    /** The command that accepts a rejected certificate, exactly as the user can paste it. */
    static String acceptCommand(Path dir, String fingerprintHex) {
        return "cipsec trust --dir " + shellWord(dir.toString()) + " accept " + fingerprintHex;
    }

    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./:@%+,=-]+");

    static String shellWord(String s) {
        return PLAIN_WORD.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** What the actions share: the parent's directory, {@code --json}, output. */
    abstract static class Action implements Callable<Integer> {
        @ParentCommand
        TrustCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Machine-readable JSON output.")
        boolean json;

        @Override
        public final Integer call() throws Exception {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("directory", parent.dir.toString());
            String text;
            try {
                text = run(out);
            } catch (NoSuchFileException e) {
                // An unknown fingerprint or a missing input file: the argument is wrong, not the disk.
                throw new IllegalArgumentException(e.getReason() != null ? e.getReason() : "no such file: " + e.getFile(), e);
            }
            PrintWriter w = spec.commandLine().getOut();
            w.println(json ? JsonOut.write(out) : text);
            w.flush();
            return Main.OK;
        }

        /** Does the work, fills {@code out} for --json and returns the text output. */
        abstract String run(Map<String, Object> out) throws Exception;

        Path dir() {
            return parent.dir;
        }

        /** A path inside DIR as relative to it, which is how operators think of the folders. */
        String where(Path file) {
            Path d = dir().toAbsolutePath().normalize();
            Path f = file.toAbsolutePath().normalize();
            return f.startsWith(d) ? d.relativize(f).toString() : file.toString();
        }

        Map<String, Object> entry(Entry e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("folder", e.folder().dirName());
            m.put("subject", e.subject());
            m.put("issuer", e.issuer());
            m.put("sha256", e.fingerprint());
            m.put("notBefore", e.notBefore().toString());
            m.put("notAfter", e.notAfter().toString());
            m.put("ca", e.ca());
            m.put("file", where(e.file()));
            return m;
        }

        Map<String, Object> crl(CrlEntry c) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("issuer", c.issuer());
            m.put("thisUpdate", c.thisUpdate().toString());
            m.put("nextUpdate", c.nextUpdate().map(Instant::toString).orElse(null));
            m.put("revoked", c.revokedCount());
            m.put("file", where(c.file()));
            return m;
        }

        /** Several lines per certificate: subjects and fingerprints are too long for a table. */
        String describe(Entry e) {
            StringBuilder sb = new StringBuilder();
            sb.append('[').append(e.folder().dirName()).append("] ").append(e.subject())
                    .append(e.ca() ? " (CA)" : " (end entity)").append(System.lineSeparator());
            line(sb, "issuer", e.issuer());
            line(sb, "sha256", e.fingerprint());
            Instant now = Instant.now();
            String state = now.isAfter(e.notAfter()) ? " (expired)" : now.isBefore(e.notBefore()) ? " (not yet valid)" : "";
            line(sb, "valid", e.notBefore() + " .. " + e.notAfter() + state);
            line(sb, "file", where(e.file()));
            if (e.folder() == Folder.REJECTED) {
                line(sb, "accept", acceptCommand(dir(), e.fingerprintHex()));
            }
            return sb.toString().stripTrailing();
        }

        private static void line(StringBuilder sb, String label, String value) {
            sb.append(String.format("    %-7s %s", label, value)).append(System.lineSeparator());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List every certificate and CRL.",
                    "Certificates with folder, subject, issuer, SHA-256, validity, CA or end entity, file."})
    static final class ListAction extends Action {
        @Override
        String run(Map<String, Object> out) throws Exception {
            TrustStore store = parent.open(false);
            List<Entry> entries = store.entries();
            List<CrlEntry> crls = store.crlEntries();
            List<Object> certs = new ArrayList<>();
            entries.forEach(e -> certs.add(entry(e)));
            List<Object> crlList = new ArrayList<>();
            crls.forEach(c -> crlList.add(crl(c)));
            out.put("certificates", certs);
            out.put("crls", crlList);

            StringBuilder sb = new StringBuilder();
            sb.append(dir()).append(": ").append(count(entries, Folder.TRUSTED)).append(" trusted, ")
                    .append(count(entries, Folder.ISSUERS)).append(" issuers, ")
                    .append(count(entries, Folder.REJECTED)).append(" rejected, ").append(crls.size()).append(" CRLs");
            for (Entry e : entries) {
                sb.append(System.lineSeparator()).append(describe(e));
            }
            for (CrlEntry c : crls) {
                sb.append(System.lineSeparator()).append("[crl] ").append(c.issuer()).append(System.lineSeparator())
                        .append(String.format("    %-7s %s .. %s", "updates", c.thisUpdate(),
                                c.nextUpdate().map(Instant::toString).orElse("(no next update)")))
                        .append(System.lineSeparator())
                        .append(String.format("    %-7s %d", "revoked", c.revokedCount())).append(System.lineSeparator())
                        .append(String.format("    %-7s %s", "file", where(c.file())));
            }
            return sb.toString();
        }

        private static long count(List<Entry> entries, Folder f) {
            return entries.stream().filter(e -> e.folder() == f).count();
        }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true,
            description = {"Move a rejected certificate to trusted/certs/ (trusted from the next connection).",
                    "A running `cipsec device` reads the directory when it starts: restart it."})
    static final class Accept extends Action {
        @Parameters(index = "0", paramLabel = "FINGERPRINT", description = "SHA-256 of a certificate in rejected/ (or a unique prefix, 8+ hex digits).")
        String fingerprint;

        @Override
        String run(Map<String, Object> out) throws Exception {
            Entry e = parent.open(false).accept(fingerprint);
            out.put("accepted", entry(e));
            return "accepted into trusted:" + System.lineSeparator() + describe(e);
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true,
            description = {"Move a trusted or issuer certificate to rejected/certs/ (undoes accept or add).",
                    "`accept` brings it back."})
    static final class Reject extends Action {
        @Parameters(index = "0", paramLabel = "FINGERPRINT", description = "SHA-256 of a certificate in trusted/ or issuers/ (or a unique prefix).")
        String fingerprint;

        @Override
        String run(Map<String, Object> out) throws Exception {
            Entry e = parent.open(false).reject(fingerprint);
            out.put("rejected", entry(e));
            return "moved to rejected:" + System.lineSeparator() + describe(e);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Delete a certificate from every folder holding it.")
    static final class Remove extends Action {
        @Parameters(index = "0", paramLabel = "FINGERPRINT", description = "SHA-256 of a certificate in any folder (or a unique prefix).")
        String fingerprint;

        @Override
        String run(Map<String, Object> out) throws Exception {
            List<Entry> removed = parent.open(false).remove(fingerprint);
            List<Object> list = new ArrayList<>();
            removed.forEach(e -> list.add(entry(e)));
            out.put("removed", list);
            StringBuilder sb = new StringBuilder("removed:");
            removed.forEach(e -> sb.append(System.lineSeparator()).append(describe(e)));
            return sb.toString();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Import the certificates of a PEM or DER file into trusted/certs/.",
                    "trusted/ holds anchors and pinned devices; with --issuer they go to issuers/certs/:",
                    "intermediate CAs that complete paths but are not trusted by themselves.",
                    "Each is stored as DER named by its fingerprint; creates DIR when missing."})
    static final class Add extends Action {
        @Parameters(index = "0", paramLabel = "FILE", description = "Certificate file, PEM (one or more) or DER.")
        Path file;

        @Option(names = "--issuer", description = "Add to issuers/ instead of trusted/ (CA certificates only).")
        boolean issuer;

        @Override
        String run(Map<String, Object> out) throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no such file: " + file);
            }
            List<Entry> added = parent.open(true).add(file, issuer ? Folder.ISSUERS : Folder.TRUSTED);
            List<Object> list = new ArrayList<>();
            added.forEach(e -> list.add(entry(e)));
            out.put("added", list);
            StringBuilder sb = new StringBuilder("added:");
            added.forEach(e -> sb.append(System.lineSeparator()).append(describe(e)));
            return sb.toString();
        }
    }

    @Command(name = "add-crl", mixinStandardHelpOptions = true,
            description = {"Import the CRLs of a PEM or DER file beside the CA in DIR that signed each.",
                    "They go to trusted/crls/ or issuers/crls/; a CRL no CA in DIR signed, or one older",
                    "than the CRL in place, is refused."})
    static final class AddCrl extends Action {
        @Parameters(index = "0", paramLabel = "FILE", description = "CRL file, PEM or DER.")
        Path file;

        @Override
        String run(Map<String, Object> out) throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no such file: " + file);
            }
            List<CrlEntry> added = parent.open(true).addCrl(file);
            List<Object> list = new ArrayList<>();
            added.forEach(c -> list.add(crl(c)));
            out.put("added", list);
            StringBuilder sb = new StringBuilder("added:");
            for (CrlEntry c : added) {
                sb.append(System.lineSeparator()).append("[crl] ").append(c.issuer()).append(", ")
                        .append(c.revokedCount()).append(" revoked, next update ")
                        .append(c.nextUpdate().map(Instant::toString).orElse("none")).append(": ").append(where(c.file()));
            }
            return sb.toString();
        }
    }
}
