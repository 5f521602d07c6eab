package dev.cipsec.cli;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.transport.tls.TlsSessionInfo;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.KeyType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "tls-info", mixinStandardHelpOptions = true,
        description = {"Complete a TLS handshake with a CIP Security target and print what was negotiated:",
                "version, cipher suite, resumption, extensions, and the PSK identity or the peer's certificate chain",
                "(subject, issuer, validity, SHA-256 fingerprint, key type). No EtherNet/IP session is registered."})
final class TlsInfoCommand implements Callable<Integer> {
    /** Output goes through the command line's writers, so tests and embedding code can capture it. */
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = "host (port 2221) or host:port; always reached over TLS")
    String target;

    @Mixin
    ClientOptionsMixin common;

    @Override
    public Integer call() throws Exception {
        try (ClientOptionsMixin.ClientSetup setup = common.setup(target, true);
             CipClient client = CipClient.open(setup.target(), setup.options())) {
            TlsSessionInfo info = client.tlsSession().orElseThrow(() -> new IllegalStateException("no TLS session"));
            Map<String, Object> out = render(info);
            out.put("target", client.target().toString());
            PrintWriter w = spec.commandLine().getOut();
            if (common.json) {
                w.println(JsonOut.write(out));
            } else {
                print(w, client.target().toString(), info);
            }
            return Main.OK;
        }
    }

    static Map<String, Object> render(TlsSessionInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", info.version());
        m.put("suite", info.suite().name());
        m.put("suiteId", String.format("0x%04X", info.suite().id()));
        m.put("resumed", info.resumed());
        m.put("extendedMasterSecret", info.extendedMasterSecret());
        m.put("encryptThenMac", info.encryptThenMac());
        m.put("secureRenegotiation", info.secureRenegotiation());
        info.pskIdentity().ifPresent(p -> m.put("pskIdentity", p));
        List<Object> chain = new ArrayList<>();
        for (X509Certificate c : info.peerCertificates()) {
            chain.add(certificate(c));
        }
        m.put("peerCertificates", chain);
        return m;
    }

    static Map<String, Object> certificate(X509Certificate c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subject", dev.cipsec.transport.tls.cert.CredentialFiles.subject(c));
        m.put("issuer", CredentialFiles.issuer(c));
        m.put("notBefore", c.getNotBefore().toInstant().toString());
        m.put("notAfter", c.getNotAfter().toInstant().toString());
        m.put("sha256", CredentialFiles.sha256Fingerprint(c));
        m.put("keyType", keyType(c.getPublicKey()));
        return m;
    }

    /** "EC P-256", "RSA 2048"; other keys (a peer may send anything) by their algorithm name. */
    static String keyType(PublicKey key) {
        try {
            return switch (KeyType.of(key)) {
                case EC_P256 -> "EC P-256";
                case EC_P384 -> "EC P-384";
                case RSA -> "RSA " + ((RSAPublicKey) key).getModulus().bitLength();
            };
        } catch (IllegalArgumentException e) {
            return key.getAlgorithm();
        }
    }

    private static void print(PrintWriter w, String target, TlsSessionInfo info) {
        w.printf("%s: %s %s (0x%04X)%n", target, info.version(), info.suite().name(), info.suite().id());
        w.printf("  %-23s %s%n", "resumed", yesNo(info.resumed()));
        w.printf("  %-23s %s%n", "extended master secret", yesNo(info.extendedMasterSecret()));
        w.printf("  %-23s %s%n", "encrypt-then-MAC", yesNo(info.encryptThenMac()));
        w.printf("  %-23s %s%n", "secure renegotiation", yesNo(info.secureRenegotiation()));
        info.pskIdentity().ifPresent(p -> w.printf("  %-23s %s%n", "PSK identity", p));
        List<X509Certificate> chain = info.peerCertificates();
        for (int i = 0; i < chain.size(); i++) {
            Map<String, Object> c = certificate(chain.get(i));
            w.printf("  certificate [%d]%n", i);
            w.printf("    %-9s %s%n", "subject", c.get("subject"));
            w.printf("    %-9s %s%n", "issuer", c.get("issuer"));
            w.printf("    %-9s %s .. %s%n", "valid", c.get("notBefore"), c.get("notAfter"));
            w.printf("    %-9s %s%n", "sha256", c.get("sha256"));
            w.printf("    %-9s %s%n", "key", c.get("keyType"));
        }
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
