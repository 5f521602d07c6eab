package dev.cipsec.commission.policy;

import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.cert.CsrSubject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What each device would change between two resolved policies, matched by device name (a renamed device is
 * one removed and one added). Changes are named in words; PSK keys are compared but never shown.
 */
public final class PolicyDiff {
    private PolicyDiff() {
    }

    /** The devices of {@code after} in its order (added, changed or unchanged), then those only in {@code before}. */
    public static List<DeviceChange> compare(List<DevicePolicy> before, List<DevicePolicy> after) {
        Map<String, DevicePolicy> old = new LinkedHashMap<>();
        for (DevicePolicy p : before) {
            old.put(p.name(), p);
        }
        List<DeviceChange> out = new ArrayList<>();
        for (DevicePolicy now : after) {
            DevicePolicy was = old.remove(now.name());
            if (was == null) {
                out.add(new DeviceChange(now.name(), DeviceChange.Kind.ADDED, List.of()));
            } else {
                List<String> changes = changes(was, now);
                out.add(new DeviceChange(now.name(), changes.isEmpty() ? DeviceChange.Kind.UNCHANGED
                        : DeviceChange.Kind.CHANGED, changes));
            }
        }
        for (DevicePolicy gone : old.values()) {
            out.add(new DeviceChange(gone.name(), DeviceChange.Kind.REMOVED, List.of()));
        }
        return List.copyOf(out);
    }

    /** The changed fields of one device, in words. */
    static List<String> changes(DevicePolicy a, DevicePolicy b) {
        List<String> c = new ArrayList<>();
        field(c, "zone", a.zone(), b.zone());
        field(c, "address", a.host(), b.host());
        field(c, "TLS port", a.tlsPort(), b.tlsPort());
        field(c, "expected identity", parenthesised(describe(a.expected())), parenthesised(describe(b.expected())));
        field(c, "expected fingerprint", orNone(a.expectFingerprint()), orNone(b.expectFingerprint()));
        field(c, "authentication", a.authentication().name().toLowerCase(Locale.ROOT).replace("psk", "PSK"),
                b.authentication().name().toLowerCase(Locale.ROOT).replace("psk", "PSK"));
        if (!a.allowedSuites().equals(b.allowedSuites())) {
            c.add("allowed suites: " + suites(a.allowedSuites()) + " -> " + suites(b.allowedSuites()));
        }
        psks(c, a.psks(), b.psks());
        field(c, "certificate subject", describe(a.subject()), describe(b.subject()));
        field(c, "certificate alternative names", orNone(String.join(",", a.subject().subjectAltNames())),
                orNone(String.join(",", b.subject().subjectAltNames())));
        field(c, "certificate validity", a.validityDays() + " days", b.validityDays() + " days");
        field(c, "verify client certificate", yesNo(a.verifyClientCertificate()), yesNo(b.verifyClientCertificate()));
        field(c, "send certificate chain", yesNo(a.sendCertificateChain()), yesNo(b.sendCertificateChain()));
        field(c, "check expiration", yesNo(a.checkExpiration()), yesNo(b.checkExpiration()));
        field(c, "DTLS timeout", a.dtlsTimeoutSeconds() + " s", b.dtlsTimeoutSeconds() + " s");
        if (a.closePlainPort() != b.closePlainPort()) {
            c.add("plain port: " + plain(a.closePlainPort()) + " -> " + plain(b.closePlainPort()));
        }
        field(c, "trusted IPs", orNone(String.join(",", a.trustedIps())), orNone(String.join(",", b.trustedIps())));
        return c;
    }

    private static void psks(List<String> c, List<PskCredential> a, List<PskCredential> b) {
        Map<String, PskCredential> was = a.stream().collect(Collectors.toMap(PskCredential::identityText,
                Function.identity(), (x, y) -> x, LinkedHashMap::new));
        for (PskCredential now : b) {
            PskCredential old = was.remove(now.identityText());
            if (old == null) {
                c.add("PSK " + now.identityText() + ": added");
            } else {
                if (!old.key().equals(now.key())) {
                    c.add("PSK " + now.identityText() + ": key rotated");
                }
                if (old.usage() != now.usage()) {
                    c.add("PSK " + now.identityText() + ": usage " + old.usage() + " -> " + now.usage());
                }
            }
        }
        for (PskCredential gone : was.values()) {
            c.add("PSK " + gone.identityText() + ": removed");
        }
    }

    private static void field(List<String> c, String name, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            c.add(name + " " + a + " -> " + b);
        }
    }

    static String suites(List<Integer> ids) {
        return ids.stream().map(i -> String.format(Locale.ROOT, "%04X", i)).collect(Collectors.joining(","));
    }

    private static String parenthesised(String s) {
        return s.equals("any") ? s : "(" + s + ")";
    }

    /** The expected Identity fields in words ({@code vendor 1, product 55, serial 0x00C0FFEE}), or "any". */
    public static String describe(ExpectedIdentity e) {
        if (e.isAny()) {
            return "any";
        }
        List<String> parts = new ArrayList<>();
        if (e.vendorId() != null) {
            parts.add("vendor " + e.vendorId());
        }
        if (e.deviceType() != null) {
            parts.add("type " + e.deviceType());
        }
        if (e.productCode() != null) {
            parts.add("product " + e.productCode());
        }
        if (e.minMajorRevision() != null) {
            parts.add("revision >= " + e.minMajorRevision());
        }
        if (e.serialNumber() != null) {
            parts.add(String.format(Locale.ROOT, "serial 0x%08X", e.serialNumber()));
        }
        return String.join(", ", parts);
    }

    /** The subject as openssl prints it: {@code CN=plc1, O=Acme, C=FR}, empty fields left out. */
    public static String describe(CsrSubject s) {
        List<String> parts = new ArrayList<>();
        add(parts, "CN", s.commonName());
        add(parts, "O", s.organization());
        add(parts, "OU", s.organizationalUnit());
        add(parts, "L", s.locality());
        add(parts, "ST", s.stateOrProvince());
        add(parts, "C", s.country());
        return String.join(", ", parts);
    }

    private static void add(List<String> parts, String k, String v) {
        if (!v.isEmpty()) {
            parts.add(k + "=" + v);
        }
    }

    private static String orNone(String s) {
        return s.isEmpty() ? "none" : s;
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static String plain(boolean close) {
        return close ? "closed" : "stays open";
    }
}
