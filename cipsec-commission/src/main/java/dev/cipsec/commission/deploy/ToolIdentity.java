package dev.cipsec.commission.deploy;

import dev.cipsec.transport.tls.cert.AtomicFiles;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.Identity;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;

/**
 * The commissioning tool's own certificate, issued by the plant CA: once a device verifies client
 * certificates (0x5E attribute 9) the tool must present one to re-deploy or verify it. Kept in the
 * deployment state directory ({@code tool/key.pem}, owner-only, and {@code tool/cert.pem}); made again when
 * missing or when the CA changed.
 */
public final class ToolIdentity {
    static final String COMMON_NAME = "cipsec commissioning tool";
    static final int VALIDITY_DAYS = 825;

    private ToolIdentity() {
    }

    public static Identity loadOrCreate(Path stateDir, CertificateAuthority ca) throws IOException, GeneralSecurityException {
        Path dir = stateDir.resolve("tool");
        Path keyFile = dir.resolve("key.pem");
        Path certFile = dir.resolve("cert.pem");
        if (Files.exists(keyFile) && Files.exists(certFile)) {
            Identity id = CredentialFiles.readIdentity(certFile, keyFile, null);
            if (issuedBy(id.certificate(), ca.certificate())) {
                return new Identity(id.key(), List.of(id.certificate(), ca.certificate()));
            }
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        byte[] csr;
        try {
            csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + COMMON_NAME), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("signing the tool's CSR: " + e.getMessage(), e);
        }
        X509Certificate cert = ca.issue(csr, CsrSubject.of(COMMON_NAME), VALIDITY_DAYS);
        Files.createDirectories(dir);
        // Key before certificate: a certificate on disk always has its key beside it.
        CredentialFiles.writePem(keyFile, pair.getPrivate());
        AtomicFiles.write(certFile, CredentialFiles.pem(List.of(cert)).toArray(), false);
        return new Identity(pair.getPrivate(), List.of(cert, ca.certificate()));
    }

    private static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
        try {
            cert.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
