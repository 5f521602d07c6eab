package dev.cipsec.transport.tls.cert;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a server certificate names the host a client connected to (the EtherNet/IP Security
 * Object's "Check Subject Alternative Name", attribute 17; RFC 6125 rules, simplified):
 * an address literal must equal an iPAddress entry; a host name must equal a dNSName entry, ignoring
 * case, where a wildcard may stand for the whole leftmost label only ({@code *.plant.example}). The
 * subject's common name is never used: devices are addressed by IP, and CN matching is deprecated.
 */
public final class SubjectAltNames {
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private SubjectAltNames() {
    }

    /**
     * @throws CertificateRejectedException ({@code SUBJECT_ALT_NAME}) when {@code leaf} does not name {@code host}
     */
    public static void check(X509Certificate leaf, String host) throws CertificateRejectedException {
        if (!matches(leaf, host)) {
            throw new CertificateRejectedException(CertificateRejectedException.Check.SUBJECT_ALT_NAME,
                    "the certificate's subject alternative names do not include " + host, leaf);
        }
    }

    public static boolean matches(X509Certificate leaf, String host) {
        Collection<List<?>> names;
        try {
            names = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean literal = IPV4.matcher(h).matches() || h.indexOf(':') >= 0;
        for (List<?> entry : names) {
            int type = (Integer) entry.get(0);
            String value = String.valueOf(entry.get(1));
            if (literal && type == IP_ADDRESS && sameAddress(value, h)) {
                return true;
            }
            if (!literal && type == DNS_NAME && dnsMatches(value, h)) {
                return true;
            }
        }
        return false;
    }

    /** Both are literals (no name lookup happens for literals), compared as addresses so IPv6 forms agree. */
    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean dnsMatches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (p.startsWith("*.")) {
            int dot = h.indexOf('.');
            // The wildcard covers exactly one label, and never a whole registered name like "*.com".
            return dot > 0 && p.indexOf('.', 2) > 0 && h.substring(dot).equals(p.substring(1));
        }
        return p.equals(h);
    }
}
