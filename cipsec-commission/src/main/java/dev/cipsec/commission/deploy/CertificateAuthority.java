package dev.cipsec.commission.deploy;

import dev.cipsec.transport.tls.cert.CsrSubject;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * What a deployment needs of the plant CA: its certificate (the devices' trust anchor), signing a device's
 * CSR with the subject the policy asks for, and the CRL to hand to devices. The plant CA of
 * {@code dev.cipsec.commission.ca} implements it through an adapter; tests may use any CA.
 */
public interface CertificateAuthority {
    X509Certificate certificate();

    /** Signs {@code csr} (PEM or DER) after checking its self-signature; {@code subject} replaces the CSR's subject and SAN. */
    X509Certificate issue(byte[] csr, CsrSubject subject, int validityDays) throws IOException, GeneralSecurityException;

    /** The CRL devices should check client certificates against, if the CA keeps one. */
    Optional<X509CRL> crl() throws IOException;
}
