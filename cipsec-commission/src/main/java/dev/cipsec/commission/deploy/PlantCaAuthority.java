package dev.cipsec.commission.deploy;

import dev.cipsec.commission.ca.CaException;
import dev.cipsec.commission.ca.PlantCa;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The plant CA as a deployment sees it. Devices get the CRL the CA last published ({@code ca crl} writes
 * {@code crl.pem}); a deployment never publishes one by itself, so that what devices hold is what the operator
 * issued.
 */
public final class PlantCaAuthority implements CertificateAuthority {
    private final PlantCa ca;

    public PlantCaAuthority(PlantCa ca) {
        this.ca = ca;
    }

    @Override
    public X509Certificate certificate() {
        return ca.certificate();
    }

    @Override
    public X509Certificate issue(byte[] csr, CsrSubject subject, int validityDays) throws IOException, GeneralSecurityException {
        try {
            return ca.issue(csr, subject, validityDays);
        } catch (CaException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    @Override
    public Optional<X509CRL> crl() throws IOException {
        Path file = ca.directory().resolve("crl.pem");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        List<X509CRL> crls = CredentialFiles.readCrls(file);
        return crls.isEmpty() ? Optional.empty() : Optional.of(crls.getFirst());
    }
}
