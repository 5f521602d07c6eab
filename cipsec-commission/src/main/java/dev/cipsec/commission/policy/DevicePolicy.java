package dev.cipsec.commission.policy;

import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.cert.CsrSubject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one device must end up with once the policy model is deployed: the resolved view of its zone, its
 * conduits and the global settings. This is the contract between the policy model (which builds it) and the
 * deployment (which drives the device's security objects to it); it holds secrets (PSK keys) and never
 * prints them.
 *
 * @param name              the device's unique name in the policy file (journal and report key)
 * @param zone              the zone the device belongs to
 * @param host              address of the device (IP literal or host name)
 * @param tlsPort           its EtherNet/IP over TLS port (2221)
 * @param expected          Identity fields the device must show ({@link ExpectedIdentity#ANY} for none)
 * @param expectFingerprint SHA-256 of its default (factory) certificate, 64 upper-case hex digits, or empty
 *                          when the inventory pins none (then the vendor CA or an explicit operator accept is
 *                          needed)
 * @param authentication    certificate or PSK
 * @param allowedSuites     0x5E attribute 4, IANA ids in preference order
 * @param psks              0x5E attribute 5 (empty unless a zone or conduit of the device uses PSK)
 * @param subject           subject and SAN for the device certificate the plant CA issues
 * @param validityDays      validity of that certificate
 * @param verifyClientCertificate 0x5E attribute 9
 * @param sendCertificateChain    0x5E attribute 10
 * @param checkExpiration         0x5E attribute 11
 * @param dtlsTimeoutSeconds      0x5E attribute 15, 1..3600
 * @param closePlainPort    close TCP 44818 (and UDP 2222) after commissioning: true unless a conduit allows
 *                          plain or hybrid traffic to this device
 * @param trustedIps        addresses of non-CIP-Security devices this device talks to in the plain (kept in
 *                          the report: no public CIP attribute carries them)
 */
public record DevicePolicy(String name, String zone, String host, int tlsPort, ExpectedIdentity expected,
                           String expectFingerprint, Authentication authentication, List<Integer> allowedSuites,
                           List<PskCredential> psks, CsrSubject subject, int validityDays,
                           boolean verifyClientCertificate, boolean sendCertificateChain, boolean checkExpiration,
                           int dtlsTimeoutSeconds, boolean closePlainPort, List<String> trustedIps) {
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-F]{64}");

    public DevicePolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(expectFingerprint, "expectFingerprint");
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(subject, "subject");
        if (name.isBlank() || host.isBlank()) {
            throw new IllegalArgumentException("device name and host must not be blank");
        }
        if (tlsPort < 1 || tlsPort > 0xFFFF) {
            throw new IllegalArgumentException("TLS port out of range: " + tlsPort);
        }
        if (!expectFingerprint.isEmpty() && !FINGERPRINT.matcher(expectFingerprint).matches()) {
            throw new IllegalArgumentException("fingerprint must be 64 upper-case hex digits: " + expectFingerprint);
        }
        allowedSuites = List.copyOf(allowedSuites);
        if (allowedSuites.isEmpty() || allowedSuites.size() > 255) {
            throw new IllegalArgumentException("1..255 allowed suites needed: " + allowedSuites.size());
        }
        if (new HashSet<>(allowedSuites).size() != allowedSuites.size()) {
            throw new IllegalArgumentException("allowed suites repeat: " + allowedSuites);
        }
        for (int s : allowedSuites) {
            if (s < 0 || s > 0xFFFF) {
                throw new IllegalArgumentException("suite id out of range: " + s);
            }
        }
        psks = List.copyOf(psks);
        if (authentication == Authentication.PSK && psks.isEmpty()) {
            throw new IllegalArgumentException("PSK authentication without a PSK for device " + name);
        }
        if (validityDays < 1 || validityDays > 36_500) {
            throw new IllegalArgumentException("validity must be 1..36500 days: " + validityDays);
        }
        if (dtlsTimeoutSeconds < 1 || dtlsTimeoutSeconds > 3600) {
            throw new IllegalArgumentException("DTLS timeout must be 1..3600 s: " + dtlsTimeoutSeconds);
        }
        trustedIps = List.copyOf(trustedIps);
    }

    /**
     * SHA-256 over every field that ends up on the device, PSK keys included (so a new key is a change), in a
     * fixed order: differential deployment compares it with the hash the journal recorded at the last
     * successful deployment. Safe to print: it cannot be turned back into a key.
     */
    public String configHash() {
        StringBuilder b = new StringBuilder(256);
        b.append("v1\n").append(host).append('\n').append(tlsPort).append('\n').append(expected).append('\n')
                .append(authentication).append('\n').append(allowedSuites).append('\n');
        for (PskCredential p : psks) {
            b.append(HexFormat.of().formatHex(p.identity().toArray())).append(':')
                    .append(HexFormat.of().formatHex(p.key().toArray())).append(':').append(p.usage()).append('\n');
        }
        b.append(subject).append('\n').append(validityDays).append('\n').append(verifyClientCertificate)
                .append(sendCertificateChain).append(checkExpiration).append('\n').append(dtlsTimeoutSeconds)
                .append('\n').append(closePlainPort).append('\n');
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Never prints the PSK keys. */
    @Override
    public String toString() {
        return "DevicePolicy[" + name + " " + host + ":" + tlsPort + " zone=" + zone + " auth=" + authentication
                + " suites=" + allowedSuites.size() + " psks=" + psks.size() + "]";
    }
}
