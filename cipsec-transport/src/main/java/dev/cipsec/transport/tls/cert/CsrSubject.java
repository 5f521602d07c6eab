package dev.cipsec.transport.tls.cert;

import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.util.IPAddress;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a Certificate Management Object Create_CSR request asks for (reference §6.3): the subject's fields and
 * subject alternative names. An empty string means "the device default" (see
 * {@link DeviceCredentials#createCsrPem}).
 *
 * <p>Field lengths are X.520's upper bounds (RFC 5280 Appendix A): common name, organization and unit 64,
 * locality and state 128, serial number 64, e-mail 255. The country is empty or exactly two ASCII letters
 * (encoded upper case); the serial number is a PrintableString and the e-mail an IA5String, so both are
 * restricted to those character sets. No field may hold control characters.
 *
 * <p>Subject alternative names are written {@code DNS:name}, {@code IP:address}, {@code URI:uri} or
 * {@code email:address} (prefix case-insensitive, as openssl's {@code subjectAltName} syntax); a bare value is
 * an IP address when it is an IPv4/IPv6 literal and a DNS name when it is a host name. Nothing is ever looked
 * up. Anything else is refused.
 *
 * @throws IllegalArgumentException from the constructor for any field or name that breaks these rules; the
 *                                  Certificate Management Object answers such a request with 0x20
 */
public record CsrSubject(String commonName, String organization, String organizationalUnit, String locality,
                         String stateOrProvince, String country, String email, String serialNumber,
                         List<String> subjectAltNames) {
    /** Most subject alternative names in one request. */
    public static final int MAX_SUBJECT_ALT_NAMES = 32;

    private static final Pattern COUNTRY = Pattern.compile("[A-Za-z]{2}");
    private static final Pattern PRINTABLE = Pattern.compile("[A-Za-z0-9 '()+,\\-./:=?]*");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern EMAIL = Pattern.compile("[\\x21-\\x3F\\x41-\\x7E]+@[\\x21-\\x3F\\x41-\\x7E]+");

    public CsrSubject {
        commonName = field("common name", commonName, 64);
        organization = field("organization", organization, 64);
        organizationalUnit = field("organizational unit", organizationalUnit, 64);
        locality = field("locality", locality, 128);
        stateOrProvince = field("state or province", stateOrProvince, 128);
        country = field("country", country, 2);
        email = field("e-mail", email, 255);
        serialNumber = field("serial number", serialNumber, 64);
        if (!country.isEmpty() && !COUNTRY.matcher(country).matches()) {
            throw new IllegalArgumentException("country must be two letters or empty: '" + country + "'");
        }
        if (!PRINTABLE.matcher(serialNumber).matches()) {
            throw new IllegalArgumentException("serial number must be PrintableString characters: '" + serialNumber + "'");
        }
        if (!email.isEmpty() && !EMAIL.matcher(email).matches()) {
            throw new IllegalArgumentException("not an e-mail address: '" + email + "'");
        }
        subjectAltNames = List.copyOf(subjectAltNames);
        if (subjectAltNames.size() > MAX_SUBJECT_ALT_NAMES) {
            throw new IllegalArgumentException(subjectAltNames.size() + " subject alternative names, at most "
                    + MAX_SUBJECT_ALT_NAMES);
        }
        for (String san : subjectAltNames) {
            generalName(san);
        }
    }

    /** Only a common name; every other field the device default, no subject alternative names. */
    public static CsrSubject of(String commonName) {
        return new CsrSubject(commonName, "", "", "", "", "", "", "", List.of());
    }

    /**
     * The Create_CSR request's single subject-alternative-name string as a list: comma-separated entries
     * ({@code "DNS:plc1.example, IP:10.0.0.5"}), blanks around entries dropped; an empty string gives none.
     */
    public static List<String> splitSubjectAltNames(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String p = part.strip();
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /** Whether {@code country} is acceptable: empty or exactly two ASCII letters. */
    public static boolean validCountry(String country) {
        return country.isEmpty() || COUNTRY.matcher(country).matches();
    }

    /** The subject alternative names as Bouncy Castle general names, in order (for certificate builders). */
    public List<GeneralName> generalNames() {
        return subjectAltNames.stream().map(CsrSubject::generalName).toList();
    }

    static GeneralName generalName(String san) {
        Objects.requireNonNull(san, "subject alternative name");
        int colon = san.indexOf(':');
        String prefix = colon > 0 ? san.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        String value = colon > 0 ? san.substring(colon + 1) : san;
        switch (prefix) {
            case "dns" -> {
                String host = value.startsWith("*.") ? value.substring(2) : value;
                if (!isHostName(host)) {
                    throw new IllegalArgumentException("not a DNS name: '" + value + "'");
                }
                return new GeneralName(GeneralName.dNSName, value);
            }
            case "ip" -> {
                return ipAddress(value);
            }
            case "uri" -> {
                if (!isAbsoluteUri(value)) {
                    throw new IllegalArgumentException("not an absolute ASCII URI: '" + value + "'");
                }
                return new GeneralName(GeneralName.uniformResourceIdentifier, value);
            }
            case "email" -> {
                if (!EMAIL.matcher(value).matches()) {
                    throw new IllegalArgumentException("not an e-mail address: '" + value + "'");
                }
                return new GeneralName(GeneralName.rfc822Name, value);
            }
            default -> {
                // No known prefix: the whole string is a bare value (an IPv6 literal contains colons too).
                if (IPAddress.isValid(san)) {
                    return ipAddress(san);
                }
                if (isHostName(san)) {
                    return new GeneralName(GeneralName.dNSName, san);
                }
                throw new IllegalArgumentException("subject alternative name '" + san
                        + "' is neither DNS:, IP:, URI:, email: nor a bare host name or address");
            }
        }
    }

    /**
     * The address as the JDK parses the literal: Bouncy Castle's own IPv6 parser accepts some strings its
     * validator passed and then fails on them with an index error (found by DeviceCredentialsProperties).
     */
    private static GeneralName ipAddress(String value) {
        if (!IPAddress.isValid(value) || !IP_LITERAL.matcher(value).matches()) {
            throw new IllegalArgumentException("not an IP address literal: '" + value + "'");
        }
        try {
            // A literal of these characters only is parsed, never looked up.
            byte[] address = java.net.InetAddress.getByName(value).getAddress();
            return new GeneralName(GeneralName.iPAddress, new org.bouncycastle.asn1.DEROctetString(address));
        } catch (java.net.UnknownHostException | RuntimeException e) {
            throw new IllegalArgumentException("not an IP address literal: '" + value + "'");
        }
    }

    private static final java.util.regex.Pattern IP_LITERAL = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private static boolean isHostName(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        String[] labels = s.split("\\.", -1);
        for (String l : labels) {
            if (!LABEL.matcher(l).matches()) {
                return false;
            }
        }
        // An all-digit last label would make "10.0.0.256" a host name rather than a mistyped address.
        return !DIGITS.matcher(labels[labels.length - 1]).matches();
    }

    private static boolean isAbsoluteUri(String s) {
        if (s.isEmpty() || !s.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            return false;
        }
        try {
            return new URI(s).isAbsolute();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String field(String name, String value, int max) {
        Objects.requireNonNull(value, name);
        if (value.length() > max) {
            throw new IllegalArgumentException(name + " longer than " + max + " characters");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new IllegalArgumentException(name + " contains control characters");
        }
        return value;
    }
}
