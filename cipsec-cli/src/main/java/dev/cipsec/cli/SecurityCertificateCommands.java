package dev.cipsec.cli;

import dev.cipsec.scanner.security.FileTransfer;
import dev.cipsec.scanner.security.SecurityClient;
import dev.cipsec.scanner.security.SecurityServiceException;
import dev.cipsec.transport.tls.cert.DeviceCredentials;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.file.FileDirectory;
import dev.cipsec.wire.security.CsrRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The two steps of certificate commissioning: {@code csr} out of the device, {@code install-cert} back into it. */
final class SecurityCertificateCommands {
    private SecurityCertificateCommands() {
    }

    @Command(name = "csr", mixinStandardHelpOptions = true,
            description = {"Have the device generate a key for a Certificate Management (0x5F) instance and a CSR for it:",
                    "creates the instance when NAME is new, calls Create_CSR, reads the CSR file and writes it to --out.",
                    "Empty subject fields take the device's defaults."})
    static final class Csr extends SecurityCommand.Action {
        @Option(names = "--instance", paramLabel = "NAME|N", required = true, description = "The 0x5F instance: number, or name (created when new).")
        String instance;

        @Option(names = "--cn", paramLabel = "TEXT", description = "Common name.")
        String commonName = "";

        @Option(names = "--o", paramLabel = "TEXT", description = "Organization.")
        String organization = "";

        @Option(names = "--ou", paramLabel = "TEXT", description = "Organizational unit.")
        String organizationalUnit = "";

        @Option(names = "--l", paramLabel = "TEXT", description = "Locality.")
        String locality = "";

        @Option(names = "--st", paramLabel = "TEXT", description = "State or province.")
        String state = "";

        @Option(names = "--c", paramLabel = "CC", description = "Country, two letters.")
        String country = "";

        @Option(names = "--email", paramLabel = "ADDRESS", description = "E-mail address.")
        String email = "";

        @Option(names = "--serial", paramLabel = "TEXT", description = "Subject serial number (default: the device's).")
        String serial = "";

        @Option(names = "--san", paramLabel = "LIST",
                description = "Subject alternative names, comma-separated: DNS:name, IP:address, URI:..., email:...")
        String san = "";

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the CSR (PEM).")
        Path outFile;

        @Override
        String run(SecurityCommand.Connection c, Map<String, Object> out) throws Exception {
            CsrRequest request = new CsrRequest(commonName, organization, organizationalUnit, locality, state, country, email,
                    serial, san);
            SecurityClient s = c.security();
            long id = SecurityCommand.certificateInstance(s, instance, true);
            EPath csrFile = s.certificates().createCsr(id, request);
            Bytes csr = s.files().upload(csrFile.instanceId());
            Files.write(outFile, csr.toArray());
            out.put("instance", id);
            out.put("csrFile", SecurityCommand.pathText(csrFile));
            out.put("out", outFile.toString());
            return "0x5F instance " + id + ": CSR in File instance " + csrFile.instanceId() + " written to " + outFile;
        }
    }

    @Command(name = "install-cert", mixinStandardHelpOptions = true,
            description = {"Install a signed certificate for a 0x5F instance: writes --cert (and --ca) into new File instances",
                    "(PEM: encoding 2, PKCS#7: 3), points attributes 3 (and 4) at them and calls Verify_Certificate.",
                    "Then `set --active-cert N` makes the device present it."})
    static final class InstallCert extends SecurityCommand.Action {
        @Option(names = "--instance", paramLabel = "NAME|N", required = true, description = "The 0x5F instance that issued the CSR.")
        String instance;

        @Option(names = "--cert", paramLabel = "FILE", required = true,
                description = "The device certificate: PEM, DER or PKCS#7 (certificate chain allowed).")
        Path cert;

        @Option(names = "--ca", paramLabel = "FILE", description = "The CA certificate that issued it (PEM, DER or PKCS#7).")
        Path ca;

        @Override
        String run(SecurityCommand.Connection c, Map<String, Object> out) throws Exception {
            Encoded device = encoded(cert, "--cert");
            Encoded authority = ca == null ? null : encoded(ca, "--ca");
            SecurityClient s = c.security();
            long id = SecurityCommand.certificateInstance(s, instance, false);
            String name = s.certificates().name(id);
            Set<String> taken = new HashSet<>();
            for (FileDirectory.Entry e : s.files().directory().entries()) {
                taken.add(e.instanceName().text());
            }
            long deviceFile = install(s.files(), taken, name + " certificate", cert, device);
            out.put("deviceCertificateFile", deviceFile);
            s.certificates().setDeviceCertificate(id, FileTransfer.path(deviceFile));
            if (authority != null) {
                long caFile = install(s.files(), taken, name + " CA", ca, authority);
                out.put("caCertificateFile", caFile);
                s.certificates().setCaCertificate(id, FileTransfer.path(caFile));
            }
            s.certificates().verify(id, SecurityClient.Certificates.VERIFY_ALL);
            String state = SecurityCommand.certificateState(s.certificates().state(id));
            out.put("instance", id);
            out.put("state", state);
            return "0x5F instance " + id + " '" + name + "': certificate in File instance " + deviceFile
                    + (authority != null ? ", CA in File instance " + out.get("caCertificateFile") : "") + "; " + state;
        }

        private static long install(FileTransfer files, Set<String> taken, String base, Path file, Encoded e)
                throws IOException, SecurityServiceException {
            String name = base;
            for (int n = 2; taken.contains(name); n++) {
                name = base + " " + n;
            }
            taken.add(name);
            long id = files.create(name, e.encoding());
            files.download(id, file.getFileName().toString(), e.data());
            return id;
        }
    }

    /** File contents and the File object encoding that says what they are. */
    record Encoded(Bytes data, int encoding) {
    }

    /**
     * PEM certificates and PEM PKCS#7 go as they are; DER (a certificate or PKCS#7) is converted to PEM
     * certificates, the form every device reads. Whatever it is, it must parse as certificates here:
     * the device would refuse it later with a less helpful status.
     */
    static Encoded encoded(Path file, String option) throws IOException {
        Bytes data = SecurityCommand.readLocal(file, option);
        List<X509Certificate> certs;
        try {
            certs = DeviceCredentials.parseCertificates(data);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": " + file + ": " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(option + ": " + file + " holds no certificate");
        }
        String text = new String(data.toArray(), StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN PKCS7-----")) {
            return new Encoded(data, FileTransfer.ENCODING_PKCS7_CERTIFICATE);
        }
        if (text.contains("-----BEGIN CERTIFICATE-----")) {
            return new Encoded(data, FileTransfer.ENCODING_PEM_CERTIFICATE);
        }
        return new Encoded(dev.cipsec.transport.tls.cert.CredentialFiles.pem(certs), FileTransfer.ENCODING_PEM_CERTIFICATE);
    }
}
