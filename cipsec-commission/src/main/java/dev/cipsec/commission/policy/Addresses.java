package dev.cipsec.commission.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/** IP literals and host names as the policy accepts them; nothing is ever looked up. */
final class Addresses {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private Addresses() {
    }

    /** A dotted-quad IPv4 address (no leading zeros, which some tools read as octal) or an IPv6 literal. */
    static boolean isIpLiteral(String s) {
        if (IPV4.matcher(s).matches()) {
            return true;
        }
        if (s.indexOf(':') < 0 || !IPV6_CHARS.matcher(s).matches()) {
            return false;
        }
        try {
            // Only hex digits, colons and dots reach here, so this parses and never resolves.
            return InetAddress.getByName(s) instanceof java.net.Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A DNS host name: dot-separated labels of letters, digits and inner hyphens, last label not all digits. */
    static boolean isHostName(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        String[] labels = s.split("\\.", -1);
        for (String l : labels) {
            if (!LABEL.matcher(l).matches()) {
                return false;
            }
        }
        // "10.0.0.256" is a mistyped address, not a host name.
        return !DIGITS.matcher(labels[labels.length - 1]).matches();
    }

    /** The form two spellings of one address share (IPv6 compressed, names lower case). */
    static String canonical(String s) {
        if (isIpLiteral(s) && s.indexOf(':') >= 0) {
            try {
                return InetAddress.getByName(s).getHostAddress();
            } catch (UnknownHostException e) {
                return s;
            }
        }
        return s.toLowerCase(Locale.ROOT);
    }
}
