package dev.cipsec.cli;

import dev.cipsec.transport.tls.cert.PinnedCertificate;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.KeyLog;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.CertificateRejectedException;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * CIP Security credentials, trust and suites: the options a TLS client command and {@code device --tls}
 * share. Secrets can come from files so they stay out of shell history and {@code ps} listings.
 */
final class TlsOptions {
    private static final Logger log = LoggerFactory.getLogger(TlsOptions.class);
    /** A key or password file is a few lines of text; anything bigger is a wrong path. */
    private static final long MAX_SECRET_FILE = 64 * 1024;

    @Option(names = "--psk-identity", paramLabel = "TEXT", description = "Pre-shared key identity (ECDHE-PSK suites).")
    String pskIdentity;

    @Option(names = "--psk-key", paramLabel = "HEX",
            description = "Pre-shared key in hex (up to 64 bytes; 16 or more for real use). Prefer --psk-key-file: command lines end up in shell history.")
    String pskKey;

    @Option(names = "--psk-key-file", paramLabel = "FILE", description = "File holding the pre-shared key in hex.")
    Path pskKeyFile;

    @Option(names = "--cert", paramLabel = "FILE",
            description = "Our certificate chain, PEM (leaf first, then its issuers) or DER; with --key.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE",
            description = "Private key for --cert: PEM (PKCS#8, encrypted PKCS#8, SEC1 EC or PKCS#1 RSA) or DER PKCS#8.")
    Path key;

    @Option(names = "--key-password-file", paramLabel = "FILE", description = "File holding the password of an encrypted --key.")
    Path keyPasswordFile;

    @Option(names = "--pkcs12", paramLabel = "FILE", description = "Our key and certificate chain as a PKCS#12 store (instead of --cert/--key).")
    Path pkcs12;

    @Option(names = "--pkcs12-password-file", paramLabel = "FILE", description = "File holding the --pkcs12 password.")
    Path pkcs12PasswordFile;

    @Option(names = "--trust", paramLabel = "DIR|FILE",
            description = {"Who we trust: a trust directory (trusted/, issuers/, rejected/, each with certs/; see `cipsec trust`;",
                    "a refused peer certificate lands in rejected/certs/ to be accepted with `cipsec trust --dir DIR accept`),",
                    "or a PEM file of trust anchors (CA certificates or pinned peer certificates)."})
    Path trust;

    @Option(names = "--pin-sha256", paramLabel = "FINGERPRINT",
            description = {"Trust exactly the server certificate with this SHA-256 fingerprint (hex, colons optional),",
                    "as `cipsec device` and `cipsec tls-info` print it: trust on first use of a device's default certificate."})
    String pinSha256;

    @Option(names = "--suites", paramLabel = "LIST", split = ",",
            description = {"Allowed cipher suites, comma-separated, by IANA name, OpenSSL name or id (e.g. 0xC02B,ECDHE-PSK-CHACHA20-POLY1305).",
                    "Default: the encrypting ECDHE-ECDSA and ECDHE-PSK suites, AEAD first; NULL and RSA suites only when named."})
    List<String> suites;

    @Option(names = "--check-san",
            description = "Client: the server's certificate must name the address or host connected to (subject "
                    + "alternative names; 0x5E attribute 17). Needs --trust.")
    boolean checkSan;

    @Option(names = "--check-expiry",
            description = "Refuse peer certificates outside their validity period (off by default: many devices have no clock).")
    boolean checkExpiry;

    @Option(names = "--keylog", paramLabel = "FILE",
            description = {"Append NSS key log lines (CLIENT_RANDOM) to FILE so Wireshark/tshark can decrypt the traffic (-o tls.keylog_file:FILE).",
                    "Anyone who reads FILE can read that traffic: for debugging only."})
    Path keyLog;

    @Option(names = "--tls-timeout", paramLabel = "TIME", defaultValue = "10s",
            description = "TLS handshake timeout, e.g. 10s or 500ms (default: ${DEFAULT-VALUE}).")
    String tlsTimeout;

    /** The certificate the trust directory kept in rejected/ during this run; set on a handshake thread. */
    private final AtomicReference<X509Certificate> rejectedLeaf = new AtomicReference<>();

    /** Whether any credential or trust option was given (a plain target with them is a mistake worth reporting). */
    boolean anyGiven() {
        return pskIdentity != null || pskKey != null || pskKeyFile != null || cert != null || key != null || pkcs12 != null
                || trust != null || pinSha256 != null || suites != null || checkExpiry || checkSan;
    }

    Optional<PskCredential> psk() throws IOException {
        if (pskKey != null && pskKeyFile != null) {
            throw new IllegalArgumentException("give --psk-key or --psk-key-file, not both");
        }
        boolean keyGiven = pskKey != null || pskKeyFile != null;
        if (pskIdentity == null && !keyGiven) {
            return Optional.empty();
        }
        if (pskIdentity == null || !keyGiven) {
            throw new IllegalArgumentException("a pre-shared key needs both --psk-identity and --psk-key (or --psk-key-file)");
        }
        String hex = pskKey != null ? pskKey : readSecret(pskKeyFile, "--psk-key-file");
        return Optional.of(PskCredential.of(pskIdentity, parseHexKey(hex)));
    }

    /** Hex with optional 0x, spaces and colons, as keys are often written. */
    static Bytes parseHexKey(String text) {
        String hex = text.strip().replaceAll("[\\s:]", "");
        if (hex.regionMatches(true, 0, "0x", 0, 2)) {
            hex = hex.substring(2);
        }
        try {
            return Bytes.fromHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the pre-shared key is not hex");
        }
    }

    Optional<Identity> identity() throws IOException {
        if (pkcs12 != null) {
            if (cert != null || key != null) {
                throw new IllegalArgumentException("give --cert/--key or --pkcs12, not both");
            }
            if (pkcs12PasswordFile == null) {
                throw new IllegalArgumentException("--pkcs12 needs --pkcs12-password-file");
            }
            char[] password = readSecret(pkcs12PasswordFile, "--pkcs12-password-file").toCharArray();
            try {
                return Optional.of(reading("--pkcs12", pkcs12, () -> CredentialFiles.readPkcs12(pkcs12, password, null)));
            } finally {
                Arrays.fill(password, '\0');
            }
        }
        if (cert == null && key == null) {
            if (keyPasswordFile != null) {
                throw new IllegalArgumentException("--key-password-file needs --key");
            }
            return Optional.empty();
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException("a certificate needs both --cert and --key");
        }
        char[] password = keyPasswordFile == null ? null : readSecret(keyPasswordFile, "--key-password-file").toCharArray();
        try {
            return Optional.of(reading("--cert/--key", cert, () -> CredentialFiles.readIdentity(cert, key, password)));
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    Optional<TrustStore> trustStore() throws IOException {
        if (trust == null) {
            return Optional.empty();
        }
        if (Files.isDirectory(trust)) {
            return Optional.of(reading("--trust", trust, () -> TrustStore.open(trust)));
        }
        List<X509Certificate> anchors = reading("--trust", trust, () -> CredentialFiles.readCertificates(trust));
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("--trust " + trust + " holds no certificate");
        }
        return Optional.of(TrustStore.of(anchors, List.of(), List.of()));
    }

    List<CipherSuite> suiteList() {
        if (suites == null) {
            return defaultSuites();
        }
        Set<CipherSuite> out = new LinkedHashSet<>();
        for (String s : suites) {
            if (!s.isBlank()) {
                out.add(CipherSuite.parse(s));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--suites names no suite");
        }
        return new ArrayList<>(out);
    }

    /** {@link CipherSuite#DEFAULTS} in its order of preference (AEAD first), which both ends negotiate with. */
    static List<CipherSuite> defaultSuites() {
        return List.copyOf(CipherSuite.DEFAULTS);
    }

    /**
     * The policy these options describe; the caller adds what only one side has (client certificate
     * requirement). The key log, when given, is opened here and belongs to the policy's user.
     */
    TlsPolicy.Builder policy(Optional<Path> keyLogFile) throws IOException {
        TlsPolicy.Builder b = TlsPolicy.builder().suites(suiteList())
                .handshakeTimeout(IoCommand.parseDuration(tlsTimeout, "--tls-timeout"));
        Optional<PskCredential> ownPsk = psk();
        ownPsk.ifPresent(b::psk);
        identity().ifPresent(b::identity);
        Optional<TrustStore> store = trustStore();
        if (pinSha256 != null) {
            if (store.isPresent()) {
                throw new IllegalArgumentException("give --trust or --pin-sha256, not both");
            }
            if (checkSan || checkExpiry) {
                throw new IllegalArgumentException("a pinned certificate is trusted as it is: --check-san and --check-expiry need --trust");
            }
            b.peerVerifier(new PinnedCertificate(PinnedCertificate.parse(pinSha256)));
            return keyLog(b, keyLogFile);
        }
        b.peerVerifier(store.map(t -> verifier(t, ownPsk.isEmpty())).orElse(PeerVerifier.none()));
        b.checkSubjectAltName(checkSan);
        if (checkSan && store.isEmpty()) {
            throw new IllegalArgumentException("--check-san applies to certificates we verify: it needs --trust");
        }
        if (checkExpiry && store.isEmpty()) {
            throw new IllegalArgumentException("--check-expiry applies to certificates we verify: it needs --trust");
        }
        return keyLog(b, keyLogFile);
    }

    /**
     * Verifies against the store; with a trust directory it also notes the peer certificate the store kept in
     * rejected/, so the error the user sees ends with the command that accepts it ({@link #rejectionHint()}).
     *
     * @param certificatesOnly no PSK is configured: then a client offers certificate suites even while the
     *                         directory trusts nothing yet, because the refused handshake is how the device's
     *                         certificate reaches rejected/ to be accepted (still fail closed: nothing passes)
     */
    private PeerVerifier verifier(TrustStore store, boolean certificatesOnly) {
        PeerVerifier trusting = PeerVerifier.trusting(store, checkExpiry);
        if (store.directory().isEmpty()) {
            return trusting;
        }
        return new PeerVerifier() {
            @Override
            public void verify(List<X509Certificate> chain, dev.cipsec.transport.tls.cert.Purpose peerRole)
                    throws java.security.cert.CertificateException {
                try {
                    trusting.verify(chain, peerRole);
                } catch (CertificateRejectedException e) {
                    if (e.check() == CertificateRejectedException.Check.UNTRUSTED) {
                        noteRejected(store, chain);
                    }
                    throw e;
                }
            }

            @Override
            public List<X509Certificate> acceptableIssuers() {
                return trusting.acceptableIssuers();
            }

            @Override
            public boolean canTrustAnything() {
                return trusting.canTrustAnything() || certificatesOnly;
            }
        };
    }

    private void noteRejected(TrustStore store, List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return;
        }
        X509Certificate leaf = chain.getFirst();
        try {
            // Only a certificate the store really kept (refused as untrusted, and written) gets the hint.
            if (store.rejected().contains(leaf)) {
                rejectedLeaf.set(leaf);
                log.info("{}", rejectionHint().orElseThrow());
            }
        } catch (IOException e) {
            log.debug("cannot read {}/rejected: {}", trust, e.toString());
        }
    }

    /**
     * After a refused handshake: where the peer's certificate was kept and the exact command that trusts it,
     * or empty when nothing was kept (no trust directory, or a refusal other than "untrusted").
     */
    Optional<String> rejectionHint() {
        X509Certificate leaf = rejectedLeaf.get();
        if (leaf == null) {
            return Optional.empty();
        }
        String hex = CredentialFiles.sha256Fingerprint(leaf).replace(":", "");
        return Optional.of("the peer's certificate " + CredentialFiles.subject(leaf) + " (issuer "
                + CredentialFiles.issuer(leaf) + ") is kept in " + trust.resolve("rejected") + "; to trust it run: "
                + TrustCommand.acceptCommand(trust, hex));
    }

    /** The {@link TlsOptions} of a command (its own or a mixin's), for the error handler. */
    static Optional<TlsOptions> of(picocli.CommandLine.Model.CommandSpec spec) {
        if (spec.userObject() instanceof TlsOptions t) {
            return Optional.of(t);
        }
        for (picocli.CommandLine.Model.CommandSpec mixin : spec.mixins().values()) {
            Optional<TlsOptions> found = of(mixin);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static TlsPolicy.Builder keyLog(TlsPolicy.Builder b, Optional<Path> keyLogFile) {
        if (keyLogFile.isPresent()) {
            b.keyLog(reading("--keylog", keyLogFile.get(), () -> KeyLog.open(keyLogFile.get())));
        }
        return b;
    }

    interface FileRead<T> {
        T read() throws IOException;
    }

    /**
     * A credential file that cannot be used is a bad argument, not a network failure: exit code 2
     * with the option and the file named, instead of 3.
     */
    static <T> T reading(String option, Path file, FileRead<T> read) {
        try {
            return read.read();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(option + ": no such file: " + e.getFile(), e);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            throw new IllegalArgumentException(option + ": " + (m.contains(file.toString()) ? m : file + ": " + m), e);
        }
    }

    private static String readSecret(Path file, String option) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + ": no such file: " + file);
        }
        if (Files.size(file) > MAX_SECRET_FILE) {
            throw new IllegalArgumentException(option + ": " + file + " is too big for a key or password file");
        }
        String s = Files.readString(file, StandardCharsets.UTF_8);
        // Editors and `echo` add a final newline that is not part of the secret.
        return s.replaceAll("[\r\n]+$", "");
    }
}
