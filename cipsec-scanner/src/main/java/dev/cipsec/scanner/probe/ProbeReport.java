package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.ListIdentityResult;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one {@code cipsec probe} found: per transport the protocol versions and suites the
 * target accepts, its certificates and whether it asks for ours; its ListIdentity reply; findings.
 *
 * @param tls          empty when TLS was not probed
 * @param dtls         empty when DTLS was not probed
 * @param listIdentity empty when ListIdentity was not asked
 */
public record ProbeReport(String host, Instant started, Duration elapsed, Optional<TransportReport> tls,
                          Optional<TransportReport> dtls, Optional<IdentityReport> listIdentity, List<Finding> findings) {
    public ProbeReport {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(dtls, "dtls");
        Objects.requireNonNull(listIdentity, "listIdentity");
        findings = List.copyOf(findings);
    }

    /** Whether anything answered on any probed transport. */
    public boolean reachable() {
        return tls.map(TransportReport::reachable).orElse(false) || dtls.map(TransportReport::reachable).orElse(false)
                || listIdentity.flatMap(IdentityReport::reply).isPresent();
    }

    /** The worst severity among the findings; empty without findings. */
    public Optional<Finding.Severity> worst() {
        return findings.stream().map(Finding::severity).max(Enum::compareTo);
    }

    /**
     * One transport (TLS over TCP or DTLS over UDP) on one port.
     *
     * @param reachable    false when nothing answered: TCP refused or timed out, or no datagram came back
     * @param versions     every version tried, accepted or not, oldest first
     * @param certificates one per certificate the server showed (one per key type and version)
     * @param attempts     handshakes started (each bounded by the timeout)
     * @param notes        what limited the probe, if anything (attempt budget exhausted, ...)
     */
    public record TransportReport(String transport, int port, boolean reachable, List<VersionResult> versions,
                                  List<CertificateReport> certificates, int attempts, List<String> notes) {
        public TransportReport {
            Objects.requireNonNull(transport, "transport");
            versions = List.copyOf(versions);
            certificates = List.copyOf(certificates);
            notes = List.copyOf(notes);
        }

        public List<VersionResult> accepted() {
            return versions.stream().filter(VersionResult::accepted).toList();
        }

        public Optional<VersionResult> version(String name) {
            return versions.stream().filter(v -> v.version().equals(name)).findFirst();
        }

        /** The suites accepted over any version, each once, in the order first seen. */
        public List<SuiteResult> suites() {
            return versions.stream().flatMap(v -> v.suites().stream()).distinct().toList();
        }
    }

    /** How the server chose among the suites it accepts. */
    public enum Preference {
        /** Its own order: {@link VersionResult#suites()} is the server's preference. */
        SERVER,
        /** The client's: the list is in the order we offered them. */
        CLIENT,
        /** Neither consistently, or the server changed its answer. */
        MIXED,
        /** Fewer than two suites accepted. */
        NOT_APPLICABLE
    }

    /**
     * One protocol version.
     *
     * @param version    "SSLv3", "TLSv1.0" … "TLSv1.3", "DTLSv1.0", "DTLSv1.2"
     * @param refusal    why it was not accepted ("alert handshake_failure", "timeout", "connection closed",
     *                   "not testable: ..."); empty when accepted
     * @param suites     the accepted suites, in the server's order of preference
     * @param extensions what the ServerHello answered; empty when not accepted or not read
     */
    public record VersionResult(String version, boolean accepted, String refusal, List<SuiteResult> suites,
                                Preference preference, Optional<Extensions> extensions) {
        public VersionResult {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(refusal, "refusal");
            suites = List.copyOf(suites);
            Objects.requireNonNull(preference, "preference");
            Objects.requireNonNull(extensions, "extensions");
        }

        static VersionResult refused(String version, String why) {
            return new VersionResult(version, false, why, List.of(), Preference.NOT_APPLICABLE, Optional.empty());
        }
    }

    /** A cipher suite by IANA id and name; {@code cipSecurity}: one of reference §7.1. */
    public record SuiteResult(int id, String name, boolean cipSecurity) {
        public static SuiteResult of(int id) {
            return new SuiteResult(id, Suites.name(id), Suites.isCipSecurity(id));
        }

        public String idHex() {
            return String.format("0x%04X", id);
        }
    }

    /**
     * The ServerHello extensions that matter for security.
     *
     * @param encryptThenMac       answered with a CBC suite (RFC 7366); false when no CBC suite was accepted
     * @param extendedMasterSecret in every ServerHello read (RFC 7627)
     * @param secureRenegotiation  renegotiation_info in every ServerHello read (RFC 5746)
     * @param sessionTicket        session tickets offered (RFC 5077)
     * @param types                every extension type seen, sorted
     */
    public record Extensions(boolean encryptThenMac, boolean extendedMasterSecret, boolean secureRenegotiation,
                             boolean sessionTicket, List<Integer> types) {
        public Extensions {
            types = List.copyOf(types);
        }
    }

    /**
     * A certificate chain the server sent, and whether it then asked for ours.
     *
     * @param clientAuth empty when the handshake ended before the server's flight was complete
     */
    public record CertificateReport(String version, SuiteResult suite, List<CertificateInfo> chain,
                                    Optional<ClientAuth> clientAuth) {
        public CertificateReport {
            chain = List.copyOf(chain);
            Objects.requireNonNull(clientAuth, "clientAuth");
        }
    }

    /** Whether a CertificateRequest came, and the CA names in it (RFC 4514 strings). */
    public record ClientAuth(boolean requested, List<String> certificateAuthorities) {
        public ClientAuth {
            certificateAuthorities = List.copyOf(certificateAuthorities);
        }
    }

    /**
     * One certificate of a chain.
     *
     * @param keyType "EC P-256", "RSA", "Ed25519", ...
     * @param keyBits the key size (the curve's for EC)
     * @param sha256  the fingerprint, upper-case hex with colons, as openssl and {@code cipsec device} print it
     */
    public record CertificateInfo(String subject, String issuer, Instant notBefore, Instant notAfter, String keyType,
                                  int keyBits, String sha256, boolean selfSigned) {
        public boolean validAt(Instant t) {
            return !t.isBefore(notBefore) && !t.isAfter(notAfter);
        }
    }

    /**
     * ListIdentity over plain UDP.
     *
     * @param reply empty when the target did not answer within the timeout (not an error: many secured
     *              devices close 44818)
     */
    public record IdentityReport(int port, Optional<ListIdentityResult> reply) {
        public IdentityReport {
            Objects.requireNonNull(reply, "reply");
        }
    }
}
