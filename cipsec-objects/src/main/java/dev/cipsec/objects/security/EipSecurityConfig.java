package dev.cipsec.objects.security;

import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskList;

import java.util.Objects;

/**
 * The settable attributes of an EtherNet/IP Security Object instance (reference §5.3) as one
 * immutable value: what a configuration session edits, what Apply_Config validates and hands to
 * the device as its new (D)TLS policy, and what the device persists.
 *
 * @param allowedSuites           attr 4
 * @param psks                    attr 5, keys included (only reads redact them)
 * @param activeCertificates      attr 6: paths to Certificate Management instances
 * @param trustedAuthorities      attr 7: paths to Certificate Management or File instances holding CA certificates
 * @param crls                    attr 8: paths to File instances holding CRLs (list form, see {@link EipSecurityObject})
 * @param verifyClientCertificate attr 9
 * @param sendCertificateChain    attr 10
 * @param checkExpiration         attr 11
 * @param trustedIdentities       attr 12: paths to Certificate Management instances whose device certificate is pinned
 * @param dtlsTimeoutSeconds      attr 15, 1..3600
 * @param udpOnlyPolicy           attr 16
 * @param checkSubjectAltName     attr 17
 */
public record EipSecurityConfig(CipherSuiteList allowedSuites, PskList psks, EPathList activeCertificates,
                                EPathList trustedAuthorities, EPathList crls, boolean verifyClientCertificate,
                                boolean sendCertificateChain, boolean checkExpiration, EPathList trustedIdentities,
                                int dtlsTimeoutSeconds, int udpOnlyPolicy, boolean checkSubjectAltName) {
    public static final int DEFAULT_DTLS_TIMEOUT = 12;
    public static final int MAX_DTLS_TIMEOUT = 3600;

    public EipSecurityConfig {
        Objects.requireNonNull(allowedSuites, "allowedSuites");
        Objects.requireNonNull(psks, "psks");
        Objects.requireNonNull(activeCertificates, "activeCertificates");
        Objects.requireNonNull(trustedAuthorities, "trustedAuthorities");
        Objects.requireNonNull(crls, "crls");
        Objects.requireNonNull(trustedIdentities, "trustedIdentities");
        if (dtlsTimeoutSeconds < 1 || dtlsTimeoutSeconds > MAX_DTLS_TIMEOUT) {
            throw new IllegalArgumentException("DTLS timeout must be 1.." + MAX_DTLS_TIMEOUT + " s: " + dtlsTimeoutSeconds);
        }
        if (udpOnlyPolicy < 0 || udpOnlyPolicy > 0xFF) {
            throw new IllegalArgumentException("UDP-only policy is a USINT: " + udpOnlyPolicy);
        }
    }

    /** Allowed suites and active certificates as given; every other attribute at its factory value. */
    public static EipSecurityConfig of(CipherSuiteList allowed, PskList psks, EPathList activeCertificates) {
        return new EipSecurityConfig(allowed, psks, activeCertificates, EPathList.empty(), EPathList.empty(), false,
                false, false, EPathList.empty(), DEFAULT_DTLS_TIMEOUT, 0, false);
    }

    public EipSecurityConfig withAllowedSuites(CipherSuiteList v) {
        return new EipSecurityConfig(v, psks, activeCertificates, trustedAuthorities, crls, verifyClientCertificate,
                sendCertificateChain, checkExpiration, trustedIdentities, dtlsTimeoutSeconds, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withPsks(PskList v) {
        return new EipSecurityConfig(allowedSuites, v, activeCertificates, trustedAuthorities, crls, verifyClientCertificate,
                sendCertificateChain, checkExpiration, trustedIdentities, dtlsTimeoutSeconds, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withActiveCertificates(EPathList v) {
        return new EipSecurityConfig(allowedSuites, psks, v, trustedAuthorities, crls, verifyClientCertificate,
                sendCertificateChain, checkExpiration, trustedIdentities, dtlsTimeoutSeconds, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withTrustedAuthorities(EPathList v) {
        return new EipSecurityConfig(allowedSuites, psks, activeCertificates, v, crls, verifyClientCertificate,
                sendCertificateChain, checkExpiration, trustedIdentities, dtlsTimeoutSeconds, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withCrls(EPathList v) {
        return new EipSecurityConfig(allowedSuites, psks, activeCertificates, trustedAuthorities, v, verifyClientCertificate,
                sendCertificateChain, checkExpiration, trustedIdentities, dtlsTimeoutSeconds, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withVerifyClientCertificate(boolean v) {
        return new EipSecurityConfig(allowedSuites, psks, activeCertificates, trustedAuthorities, crls, v,
                sendCertificateChain, checkExpiration, trustedIdentities, dtlsTimeoutSeconds, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withSendCertificateChain(boolean v) {
        return new EipSecurityConfig(allowedSuites, psks, activeCertificates, trustedAuthorities, crls, verifyClientCertificate,
                v, checkExpiration, trustedIdentities, dtlsTimeoutSeconds, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withCheckExpiration(boolean v) {
        return new EipSecurityConfig(allowedSuites, psks, activeCertificates, trustedAuthorities, crls, verifyClientCertificate,
                sendCertificateChain, v, trustedIdentities, dtlsTimeoutSeconds, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withTrustedIdentities(EPathList v) {
        return new EipSecurityConfig(allowedSuites, psks, activeCertificates, trustedAuthorities, crls, verifyClientCertificate,
                sendCertificateChain, checkExpiration, v, dtlsTimeoutSeconds, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withDtlsTimeoutSeconds(int v) {
        return new EipSecurityConfig(allowedSuites, psks, activeCertificates, trustedAuthorities, crls, verifyClientCertificate,
                sendCertificateChain, checkExpiration, trustedIdentities, v, udpOnlyPolicy, checkSubjectAltName);
    }

    public EipSecurityConfig withUdpOnlyPolicy(int v) {
        return new EipSecurityConfig(allowedSuites, psks, activeCertificates, trustedAuthorities, crls, verifyClientCertificate,
                sendCertificateChain, checkExpiration, trustedIdentities, dtlsTimeoutSeconds, v, checkSubjectAltName);
    }

    public EipSecurityConfig withCheckSubjectAltName(boolean v) {
        return new EipSecurityConfig(allowedSuites, psks, activeCertificates, trustedAuthorities, crls, verifyClientCertificate,
                sendCertificateChain, checkExpiration, trustedIdentities, dtlsTimeoutSeconds, udpOnlyPolicy, v);
    }

    /** Never prints PSK keys. */
    @Override
    public String toString() {
        return "EipSecurityConfig[allowed=" + allowedSuites.ids().stream().map(i -> String.format("%04X", i)).toList()
                + ", psks=" + psks.entries().size() + ", activeCertificates=" + activeCertificates.paths()
                + ", trustedAuthorities=" + trustedAuthorities.paths() + ", crls=" + crls.paths()
                + ", verifyClient=" + verifyClientCertificate + ", sendChain=" + sendCertificateChain
                + ", checkExpiration=" + checkExpiration + ", trustedIdentities=" + trustedIdentities.paths()
                + ", dtlsTimeout=" + dtlsTimeoutSeconds + " s, udpOnlyPolicy=" + udpOnlyPolicy
                + ", checkSubjectAltName=" + checkSubjectAltName + "]";
    }
}
