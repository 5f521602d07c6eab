package dev.cipsec.commission.est;

import dev.cipsec.commission.ca.CaException;
import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.Identity;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The EST server's own TLS key and certificate, in {@code <state>/server/}: issued by the plant CA on first
 * start (so a device that trusts the plant CA, or got it from /cacerts out of band, can check the server) and
 * reused while it is valid for another week, signed by the same CA and names the same addresses.
 */
final class ServerIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(ServerIdentity.class);
    private static final Duration RENEW_BEFORE = Duration.ofDays(7);
    private static final int VALIDITY_DAYS = 365;

    private ServerIdentity() {
    }

    static Identity loadOrIssue(PlantCa ca, Path stateDir, List<String> names) throws IOException, CaException {
        Path dir = stateDir.resolve("server");
        Path certFile = dir.resolve("server.pem");
        Path keyFile = dir.resolve("server.key");
        X509Certificate caCert = ca.certificate();
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            Identity id = CredentialFiles.readIdentity(certFile, keyFile, null);
            if (usable(id.certificate(), caCert, names)) {
                return id;
            }
            LOG.info("the EST server certificate in {} is expiring, from another CA or for other names: issuing a new one", dir);
        }
        KeyPair keys;
        byte[] csr;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            keys = g.generateKeyPair();
            csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=cipsec EST server"), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make the server key: " + e.getMessage(), e);
        }
        long caDaysLeft = Duration.between(Instant.now(), caCert.getNotAfter().toInstant()).toDays() - 1;
        int days = (int) Math.max(1, Math.min(VALIDITY_DAYS, caDaysLeft));
        X509Certificate cert = ca.issue(csr, new CsrSubject("cipsec EST server", "", "", "", "", "", "", "", names), days);
        // Key first: a certificate file never names a key that is not there.
        CredentialFiles.writePem(keyFile, keys.getPrivate());
        CredentialFiles.writePem(certFile, List.of(cert, caCert));
        LOG.info("issued the EST server certificate {} for {}", CredentialFiles.sha256Fingerprint(cert), names);
        return new Identity(keys.getPrivate(), List.of(cert, caCert));
    }

    /** The names the server's certificate carries: the bind address (or loopback for a wildcard), localhost, extras. */
    static List<String> names(InetAddress bind, List<String> extra) {
        List<String> out = new ArrayList<>();
        if (!bind.isAnyLocalAddress()) {
            out.add("IP:" + bind.getHostAddress());
        }
        if (!out.contains("IP:127.0.0.1")) {
            out.add("IP:127.0.0.1");
        }
        out.add("DNS:localhost");
        for (String n : extra) {
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private static boolean usable(X509Certificate cert, X509Certificate caCert, List<String> names) {
        try {
            cert.verify(caCert.getPublicKey());
            cert.checkValidity(java.util.Date.from(Instant.now().plus(RENEW_BEFORE)));
            return sanStrings(cert).equals(new HashSet<>(names.stream().map(ServerIdentity::canonical).toList()));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Set<String> sanStrings(X509Certificate cert) throws CertificateParsingException {
        Set<String> out = new HashSet<>();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if (type == 7) {
                    out.add(canonical("IP:" + san.get(1)));
                } else if (type == 2) {
                    out.add("DNS:" + san.get(1));
                }
            }
        }
        return out;
    }

    private static String canonical(String name) {
        if (name.startsWith("IP:")) {
            try {
                return "IP:" + InetAddress.getByName(name.substring(3)).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                return name;
            }
        }
        return name;
    }
}
