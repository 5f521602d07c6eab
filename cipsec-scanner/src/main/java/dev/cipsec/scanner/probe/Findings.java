package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.ListIdentityResult;
import dev.cipsec.scanner.probe.Finding.Code;
import dev.cipsec.scanner.probe.ProbeReport.CertificateInfo;
import dev.cipsec.scanner.probe.ProbeReport.CertificateReport;
import dev.cipsec.scanner.probe.ProbeReport.Extensions;
import dev.cipsec.scanner.probe.ProbeReport.IdentityReport;
import dev.cipsec.scanner.probe.ProbeReport.Preference;
import dev.cipsec.scanner.probe.ProbeReport.SuiteResult;
import dev.cipsec.scanner.probe.ProbeReport.TransportReport;
import dev.cipsec.scanner.probe.ProbeReport.VersionResult;
import dev.cipsec.wire.cpf.CipSecurityItem;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Turns what the probe saw into {@link Finding}s. */
final class Findings {
    /** CIP Security Object state Configured (§4.2); EtherNet/IP Security Object Configured or Pull Model Completed (§5.2). */
    private static final int CIP_CONFIGURED = 2;
    private static final Set<Integer> EIP_CONFIGURED = Set.of(2, 4);

    private Findings() {
    }

    static List<Finding> of(List<TransportReport> transports, Optional<IdentityReport> identity, Instant now) {
        List<Finding> out = new ArrayList<>();
        boolean configured = identity.flatMap(IdentityReport::reply).flatMap(ListIdentityResult::security)
                .map(Findings::configured).orElse(false);
        for (TransportReport t : transports) {
            for (VersionResult v : t.accepted()) {
                Code old = switch (v.version()) {
                    case "SSLv3" -> Code.SSL3_ACCEPTED;
                    case "TLSv1.0" -> Code.TLS10_ACCEPTED;
                    case "TLSv1.1" -> Code.TLS11_ACCEPTED;
                    case "DTLSv1.0" -> Code.DTLS10_ACCEPTED;
                    default -> null;
                };
                if (old != null) {
                    out.add(new Finding(old, t.transport() + " port " + t.port() + " accepts " + v.version()));
                }
                if (v.preference() == Preference.CLIENT) {
                    out.add(new Finding(Code.CLIENT_ORDER, t.transport() + " " + v.version()
                            + ": the server takes the client's order of suites, so a client can talk it down to its weakest"));
                }
                if (!v.version().equals("TLSv1.3") && !v.version().equals("SSLv3")) {
                    v.extensions().ifPresent(e -> extensions(out, t, v, e));
                }
            }
            List<SuiteResult> suites = t.suites();
            names(suites.stream().filter(s -> Suites.isNull(s.id())).toList()).ifPresent(n ->
                    out.add(new Finding(Code.NULL_SUITES, t.transport() + " accepts suites without encryption: " + n)));
            names(suites.stream().filter(s -> Suites.isRsaKeyExchange(s.id())).toList()).ifPresent(n ->
                    out.add(new Finding(Code.RSA_KEY_EXCHANGE, t.transport()
                            + " accepts RSA key transport (no forward secrecy): " + n)));
            certificates(out, t, now, configured);
        }
        return dedupe(out);
    }

    static boolean configured(CipSecurityItem s) {
        return s.cipSecurityState() == CIP_CONFIGURED || EIP_CONFIGURED.contains(s.eipSecurityState());
    }

    private static void extensions(List<Finding> out, TransportReport t, VersionResult v, Extensions e) {
        if (!e.extendedMasterSecret()) {
            out.add(new Finding(Code.NO_EXTENDED_MASTER_SECRET, t.transport() + " " + v.version()
                    + ": no extended master secret (RFC 7627)"));
        }
        if (!e.secureRenegotiation()) {
            out.add(new Finding(Code.NO_SECURE_RENEGOTIATION, t.transport() + " " + v.version()
                    + ": no renegotiation_info (RFC 5746)"));
        }
    }

    private static void certificates(List<Finding> out, TransportReport t, Instant now, boolean configured) {
        for (CertificateReport c : t.certificates()) {
            String where = t.transport() + " " + c.version() + " (" + c.suite().name() + ")";
            if (!c.chain().isEmpty()) {
                CertificateInfo leaf = c.chain().getFirst();
                if (now.isAfter(leaf.notAfter())) {
                    out.add(new Finding(Code.CERTIFICATE_EXPIRED, where + ": certificate " + leaf.subject()
                            + " expired " + leaf.notAfter()));
                } else if (now.isBefore(leaf.notBefore())) {
                    out.add(new Finding(Code.CERTIFICATE_NOT_YET_VALID, where + ": certificate " + leaf.subject()
                            + " is valid only from " + leaf.notBefore()));
                }
                for (CertificateInfo ci : c.chain()) {
                    if (ci.keyType().equals("RSA") && ci.keyBits() < 2048) {
                        out.add(new Finding(Code.WEAK_KEY, where + ": " + ci.subject() + " has a " + ci.keyBits()
                                + "-bit RSA key"));
                    }
                }
                if (leaf.selfSigned() || looksDefault(leaf)) {
                    String what = leaf.selfSigned() ? "self-signed" : "default-looking";
                    out.add(configured
                            ? new Finding(Code.SELF_SIGNED_ON_CONFIGURED_DEVICE, where + ": a " + what + " certificate ("
                            + leaf.subject() + ") while ListIdentity says the device is configured")
                            : new Finding(Code.SELF_SIGNED, where + ": a " + what + " certificate (" + leaf.subject() + ")"));
                }
            }
            c.clientAuth().filter(a -> !a.requested()).ifPresent(a -> out.add(new Finding(
                    Code.CLIENT_CERTIFICATE_NOT_REQUESTED, where + ": the server does not ask for a client certificate")));
        }
    }

    /** Factory-default certificates tend to say so in their names. */
    private static boolean looksDefault(CertificateInfo c) {
        String s = (c.subject() + " " + c.issuer()).toLowerCase(Locale.ROOT);
        return s.contains("default") || s.contains("factory");
    }

    private static Optional<String> names(List<SuiteResult> suites) {
        return suites.isEmpty() ? Optional.empty()
                : Optional.of(suites.stream().map(SuiteResult::name).collect(Collectors.joining(", ")));
    }

    private static List<Finding> dedupe(List<Finding> in) {
        return List.copyOf(new LinkedHashSet<>(in));
    }
}
