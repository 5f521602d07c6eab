package dev.cipsec.cli;

import dev.cipsec.commission.ca.CaInit;
import dev.cipsec.commission.ca.CaKeyAccess;
import dev.cipsec.commission.ca.IssuedCertificate;
import dev.cipsec.commission.ca.KeyAlgorithm;
import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.transport.tls.cert.AtomicFiles;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cipsec ca ACTION --dir DIR}: the plant certificate authority (see {@link PlantCa}). Passwords and
 * PINs come from files or the environment, never from the command line, and are never printed.
 */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = {"The plant certificate authority: create it, issue device certificates from CSRs, revoke them,",
                "publish CRLs, list what was issued. The CA directory is openssl-ca compatible (index.txt, serial, crlnumber).",
                "The key password comes from --password-file or CIPSEC_CA_PASSWORD; a PKCS#11 PIN from --pin-file or CIPSEC_CA_PIN."},
        subcommands = {CaCommand.Init.class, CaCommand.Issue.class, CaCommand.Revoke.class, CaCommand.Crl.class,
                CaCommand.ListIssued.class})
final class CaCommand implements Runnable {
    static final String PASSWORD_ENV = "CIPSEC_CA_PASSWORD";
    static final String PIN_ENV = "CIPSEC_CA_PIN";
    /** A password or PIN file is one line; anything bigger is a wrong path. */
    private static final long MAX_SECRET_FILE = 4096;
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,6})([dhm])");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "an action is required: init, issue, revoke, crl, list");
    }

    /** {@code --dir}, {@code --json} and output, shared by every action. */
    abstract static class Action implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", required = true, description = "The CA directory.")
        Path dir;

        @Option(names = "--json", description = "Machine-readable JSON output.")
        boolean json;

        @Override
        public final Integer call() throws Exception {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("dir", dir.toString());
            String text = run(out);
            PrintWriter w = spec.commandLine().getOut();
            w.println(json ? JsonOut.write(out) : text);
            w.flush();
            return Main.OK;
        }

        /** Does the work, fills {@code out} for --json and returns the text output. */
        abstract String run(Map<String, Object> out) throws Exception;
    }

    /** Where the key's secret comes from; used by every action that signs or changes the CA. */
    static final class KeyOptions {
        @Option(names = "--password-file", paramLabel = "FILE",
                description = "File holding the password of ca.p12 (default: environment variable " + PASSWORD_ENV + ").")
        Path passwordFile;

        @Option(names = "--pin-file", paramLabel = "FILE",
                description = "File holding the PKCS#11 token's user PIN (default: environment variable " + PIN_ENV + ").")
        Path pinFile;

        @Option(names = "--pkcs11-config", paramLabel = "FILE",
                description = "SunPKCS11 configuration (library, slot): the CA key is generated on and used from that token."
                        + " After init, the one recorded in token.properties is used unless this is given.")
        Path pkcs11Config;

        /** For init: PKCS#11 when --pkcs11-config is given, else PKCS#12. */
        CaKeyAccess forInit() throws IOException {
            if (pkcs11Config != null) {
                return new CaKeyAccess.Pkcs11(pkcs11Config, secret(pinFile, "--pin-file", PIN_ENV));
            }
            requireNoPin();
            return new CaKeyAccess.Pkcs12(secret(passwordFile, "--password-file", PASSWORD_ENV));
        }

        /** For an existing CA: what its directory says the key is. */
        CaKeyAccess forOpen(Path dir) throws IOException {
            if (PlantCa.tokenConfig(dir) != null) {
                return new CaKeyAccess.Pkcs11(pkcs11Config, secret(pinFile, "--pin-file", PIN_ENV));
            }
            if (pkcs11Config != null) {
                throw new IllegalArgumentException("--pkcs11-config: the CA in " + dir + " keeps its key in ca.p12");
            }
            requireNoPin();
            return new CaKeyAccess.Pkcs12(secret(passwordFile, "--password-file", PASSWORD_ENV));
        }

        private void requireNoPin() {
            if (pinFile != null) {
                throw new IllegalArgumentException("--pin-file is for a key on a PKCS#11 token (--pkcs11-config)");
            }
        }
    }

    static PlantCa open(Path dir, KeyOptions key) throws IOException {
        CaKeyAccess access = key.forOpen(dir);
        try {
            return PlantCa.open(dir, access);
        } finally {
            clear(access);
        }
    }

    static void clear(CaKeyAccess access) {
        switch (access) {
            case CaKeyAccess.Pkcs12 p -> Arrays.fill(p.password(), '\0');
            case CaKeyAccess.Pkcs11 p -> Arrays.fill(p.pin(), '\0');
        }
    }

    private static char[] secret(Path file, String option, String env) throws IOException {
        String value;
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(option + ": no such file: " + file);
            }
            if (Files.size(file) > MAX_SECRET_FILE) {
                throw new IllegalArgumentException(option + ": " + file + " is too big for a password or PIN file");
            }
            // Editors and `echo` add a final newline that is not part of the secret.
            value = Files.readString(file, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
        } else {
            value = System.getenv(env);
            if (value == null) {
                throw new IllegalArgumentException("the CA key needs a secret: give " + option + " or set " + env);
            }
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException((file != null ? option + " " + file : env) + " is empty");
        }
        return value.toCharArray();
    }

    // ------------------------------------------------------------------ init

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create a CA in DIR: a new key (in DIR/ca.p12, or generated on a PKCS#11 token that it never leaves)",
                    "and its self-signed certificate DIR/ca.pem. Refused when DIR already holds a CA."})
    static final class Init extends Action {
        @Option(names = "--algorithm", paramLabel = "ALG", defaultValue = "ec-p256",
                description = "ec-p256 (default), ec-p384, rsa-2048 or rsa-3072.")
        String algorithm;

        @Option(names = "--cn", paramLabel = "TEXT", defaultValue = "cipsec plant CA", description = "Common name (default: ${DEFAULT-VALUE}).")
        String commonName;

        @Option(names = "--o", paramLabel = "TEXT", description = "Organization.")
        String organization = "";

        @Option(names = "--ou", paramLabel = "TEXT", description = "Organizational unit.")
        String organizationalUnit = "";

        @Option(names = "--c", paramLabel = "CC", description = "Country, two letters.")
        String country = "";

        @Option(names = "--validity-days", paramLabel = "N", defaultValue = "3650", description = "Validity in days (default: ${DEFAULT-VALUE}).")
        int validityDays;

        @CommandLine.Mixin
        KeyOptions key;

        @Override
        String run(Map<String, Object> out) throws Exception {
            KeyAlgorithm alg = KeyAlgorithm.parse(algorithm);
            CsrSubject subject = new CsrSubject(commonName, organization, organizationalUnit, "", "", country, "", "", List.of());
            CaKeyAccess access = key.forInit();
            try (PlantCa ca = PlantCa.init(dir, new CaInit(alg, subject, validityDays, access))) {
                X509Certificate c = ca.certificate();
                out.put("subject", CredentialFiles.subject(c));
                out.put("algorithm", alg.cliName());
                out.put("notAfter", c.getNotAfter().toInstant().toString());
                out.put("sha256", CredentialFiles.sha256Fingerprint(c));
                out.put("key", ca.keyOnToken() ? "pkcs11" : "pkcs12");
                out.put("certificate", dir.resolve("ca.pem").toString());
                return "CA created in " + dir + ": " + CredentialFiles.subject(c) + " (" + alg.cliName() + ", key "
                        + (ca.keyOnToken() ? "on the PKCS#11 token" : "in " + dir.resolve("ca.p12")) + ")\n"
                        + "  valid until " + c.getNotAfter().toInstant() + "\n  sha256 " + CredentialFiles.sha256Fingerprint(c);
            } finally {
                clear(access);
            }
        }
    }

    // ------------------------------------------------------------------ issue

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = {"Issue a device certificate for a CSR (PEM or DER) after checking its signature.",
                    "Subject fields and names given here replace the CSR's; those not given are taken from the CSR."})
    static final class Issue extends Action {
        @Option(names = "--csr", paramLabel = "FILE", required = true, description = "The certificate signing request.")
        Path csr;

        @Option(names = "--cn", paramLabel = "TEXT", description = "Common name.")
        String commonName;

        @Option(names = "--o", paramLabel = "TEXT", description = "Organization.")
        String organization;

        @Option(names = "--ou", paramLabel = "TEXT", description = "Organizational unit.")
        String organizationalUnit;

        @Option(names = "--c", paramLabel = "CC", description = "Country, two letters.")
        String country;

        @Option(names = "--san", paramLabel = "LIST",
                description = "Subject alternative names, comma-separated: DNS:name, IP:address, URI:..., email:...")
        String san;

        @Option(names = "--days", paramLabel = "N", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}).")
        int days;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the certificate (PEM).")
        Path outFile;

        @CommandLine.Mixin
        KeyOptions key;

        @Override
        String run(Map<String, Object> out) throws Exception {
            byte[] request = readBounded(csr, "--csr");
            CsrSubject asked = PlantCa.requestedSubject(request);
            CsrSubject subject = new CsrSubject(or(commonName, asked.commonName()), or(organization, asked.organization()),
                    or(organizationalUnit, asked.organizationalUnit()), asked.locality(), asked.stateOrProvince(),
                    or(country, asked.country()), asked.email(), asked.serialNumber(),
                    san != null ? CsrSubject.splitSubjectAltNames(san) : asked.subjectAltNames());
            X509Certificate cert;
            try (PlantCa ca = open(dir, key)) {
                cert = ca.issue(request, subject, days);
            }
            CredentialFiles.writePem(outFile, List.of(cert));
            String serial = serialHex(cert.getSerialNumber());
            out.put("serial", serial);
            out.put("subject", CredentialFiles.subject(cert));
            out.put("subjectAltNames", subject.subjectAltNames());
            out.put("notAfter", cert.getNotAfter().toInstant().toString());
            out.put("sha256", CredentialFiles.sha256Fingerprint(cert));
            out.put("out", outFile.toString());
            return "issued serial " + serial + " to " + CredentialFiles.subject(cert)
                    + (subject.subjectAltNames().isEmpty() ? "" : " " + subject.subjectAltNames())
                    + ", valid until " + cert.getNotAfter().toInstant() + ": written to " + outFile;
        }

        private static String or(String given, String fromCsr) {
            return given != null ? given : fromCsr;
        }
    }

    // ------------------------------------------------------------------ revoke

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Mark an issued certificate revoked; the next `ca crl` lists it."})
    static final class Revoke extends Action {
        @Option(names = "--serial", paramLabel = "HEX", required = true, description = "The certificate's serial number (hex, as `ca list` shows it).")
        String serial;

        @Option(names = "--reason", paramLabel = "REASON", defaultValue = "unspecified",
                description = "unspecified (default), keyCompromise, CACompromise, affiliationChanged, superseded, cessationOfOperation.")
        String reason;

        @CommandLine.Mixin
        KeyOptions key;

        @Override
        String run(Map<String, Object> out) throws Exception {
            BigInteger number = parseSerial(serial);
            int code = PlantCa.reasonCode(reason);
            try (PlantCa ca = open(dir, key)) {
                ca.revoke(number, code);
            }
            out.put("serial", serialHex(number));
            out.put("reason", PlantCa.reasonName(code));
            return "revoked serial " + serialHex(number) + " (" + PlantCa.reasonName(code) + "); publish it with `cipsec ca crl`";
        }
    }

    // ------------------------------------------------------------------ crl

    @Command(name = "crl", mixinStandardHelpOptions = true,
            description = {"Sign a new CRL of every revoked certificate into DIR/crl.pem (and --out)."})
    static final class Crl extends Action {
        @Option(names = "--next-update", paramLabel = "DURATION", defaultValue = "7d",
                description = "When the next CRL is due: 7d, 12h, 30m or ISO-8601 (P7D) (default: ${DEFAULT-VALUE}).")
        String nextUpdate;

        @Option(names = "--out", paramLabel = "FILE", description = "Also write the CRL (PEM) here.")
        Path outFile;

        @CommandLine.Mixin
        KeyOptions key;

        @Override
        String run(Map<String, Object> out) throws Exception {
            Duration next = parseDuration(nextUpdate);
            X509CRL crl;
            try (PlantCa ca = open(dir, key)) {
                crl = ca.crl(next);
            }
            if (outFile != null) {
                AtomicFiles.write(outFile, AtomicFiles.readBounded(dir.resolve("crl.pem")), false);
            }
            int revoked = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
            out.put("revoked", revoked);
            out.put("thisUpdate", crl.getThisUpdate().toInstant().toString());
            out.put("nextUpdate", crl.getNextUpdate().toInstant().toString());
            out.put("crl", dir.resolve("crl.pem").toString());
            if (outFile != null) {
                out.put("out", outFile.toString());
            }
            return "CRL with " + revoked + " revoked certificate" + (revoked == 1 ? "" : "s") + ", next update "
                    + crl.getNextUpdate().toInstant() + ": written to " + dir.resolve("crl.pem")
                    + (outFile != null ? " and " + outFile : "");
        }
    }

    // ------------------------------------------------------------------ list

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List every certificate the CA issued: serial, status (V valid, R revoked, E expired), expiry, subject.",
                    "Needs no password."})
    static final class ListIssued extends Action {
        @Override
        String run(Map<String, Object> out) throws Exception {
            List<IssuedCertificate> all = PlantCa.list(dir);
            List<Object> rows = new ArrayList<>();
            StringWriter text = new StringWriter();
            PrintWriter w = new PrintWriter(text);
            w.printf("%-34s %-2s %-20s %s%n", "SERIAL", "ST", "NOT AFTER", "SUBJECT");
            for (IssuedCertificate c : all) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("serial", c.serialHex());
                row.put("status", String.valueOf(c.status().letter()));
                row.put("subject", c.subject());
                row.put("notBefore", c.notBefore() == null ? null : c.notBefore().toString());
                row.put("notAfter", c.notAfter().toString());
                row.put("sha256", c.fingerprint());
                if (c.revocationDate() != null) {
                    row.put("revoked", c.revocationDate().toString());
                    row.put("reason", PlantCa.reasonName(c.revocationReason()));
                }
                rows.add(row);
                w.printf("%-34s %-2s %-20s %s%s%n", c.serialHex(), c.status().letter(), c.notAfter(), c.subject(),
                        c.revocationDate() == null ? "" : "  (revoked " + c.revocationDate() + ", "
                                + PlantCa.reasonName(c.revocationReason()) + ")");
            }
            w.printf("%d certificate%s", all.size(), all.size() == 1 ? "" : "s");
            w.flush();
            out.put("certificates", rows);
            return text.toString();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] readBounded(Path file, String option) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + ": no such file: " + file);
        }
        if (Files.size(file) > PlantCa.MAX_CSR_BYTES) {
            throw new IllegalArgumentException(option + ": " + file + " is too big for a CSR");
        }
        return Files.readAllBytes(file);
    }

    static BigInteger parseSerial(String hex) {
        String h = hex.strip().replace(":", "");
        if (h.startsWith("0x") || h.startsWith("0X")) {
            h = h.substring(2);
        }
        if (!h.matches("[0-9A-Fa-f]{1,40}")) {
            throw new IllegalArgumentException("--serial: '" + hex + "' is not a hex serial number");
        }
        return new BigInteger(h, 16);
    }

    static String serialHex(BigInteger serial) {
        String h = serial.toString(16).toUpperCase(Locale.ROOT);
        return h.length() % 2 == 0 ? h : "0" + h;
    }

    static Duration parseDuration(String text) {
        Matcher m = SHORT_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofMinutes(n);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--next-update: '" + text + "' is not a duration like 7d, 12h, 30m or P7D");
        }
    }
}
