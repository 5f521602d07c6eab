package dev.cipsec.objects.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CsrRequest;

/**
 * What the security objects need from the device that hosts them: the objects keep the
 * configuration, the device turns it into a live (D)TLS policy, holds the private keys and makes
 * every change durable. Calls arrive under the objects' lock, one at a time.
 */
public interface SecurityHooks {

    /**
     * Checks a configuration before Apply_Config takes it: 0 when it can be applied, else one of
     * the Apply_Config failure codes of {@link EipSecurityObject} (no PSK, no certificate, no suite for
     * the key type, no suite).
     */
    int validate(EipSecurityConfig config, SecurityObjects objects);

    /**
     * Makes the objects' new state durable and, when {@code policyChanged}, swaps the live policy to
     * {@code objects.eip().applied()}. Throwing refuses the change: the caller restores the previous
     * in-memory state, so nothing is half-applied.
     *
     * @param apply the Apply_Config request when the change came from one (close delay, flags), else null
     */
    void commit(SecurityObjects objects, boolean policyChanged, ApplyConfigRequest apply) throws CipServiceException;

    /**
     * A PKCS#10 request (PEM) for Certificate Management instance {@code instance}, signed with that
     * instance's private key (created on first use and kept by the device).
     */
    Bytes createCsr(long instance, CsrRequest request) throws CipServiceException;

    /**
     * Checks a certificate held for Certificate Management instance {@code instance}: that it parses,
     * that a device certificate belongs to the instance's key and, when {@code caCertificate} is
     * given, that it was issued by that CA. Returns null when it is good, else why not.
     *
     * @param deviceCertificate the device certificate file's contents, or null when only the CA is checked
     * @param caCertificate     the CA certificate file's contents, or null
     */
    String verify(long instance, Bytes deviceCertificate, Bytes caCertificate);

    /** Forgets the private key of a deleted Certificate Management instance. */
    void instanceDeleted(long instance);
}
