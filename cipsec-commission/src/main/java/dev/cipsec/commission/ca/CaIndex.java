package dev.cipsec.commission.ca;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CA database in the text format of {@code openssl ca} ({@code index.txt}): one line per certificate, six
 * tab-separated fields: status (V, R, E), expiry, revocation ("time" or "time,reason"), serial (upper-case
 * hex), file name ("unknown") and subject ({@code /C=../O=../CN=..}). Times are UTCTime
 * ({@code YYMMDDHHMMSSZ}) before 2050 and GeneralizedTime from then on, as openssl writes them. Reasons
 * are openssl's names, so {@code openssl ca -status} and {@code -gencrl} read the file.
 */
final class CaIndex {
    /** The reason codes openssl's index can hold without a hold instruction (RFC 5280 §5.3.1 numbering). */
    private static final Map<Integer, String> REASONS = Map.of(0, "unspecified", 1, "keyCompromise", 2, "CACompromise",
            3, "affiliationChanged", 4, "superseded", 5, "cessationOfOperation");

    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", Locale.ROOT);
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'", Locale.ROOT);
    private static final Instant UTC_TIME_END = Instant.parse("2050-01-01T00:00:00Z");

    /** openssl's short names for the attributes device subjects use; others print as OIDs. */
    private static final Map<ASN1ObjectIdentifier, String> SHORT_NAMES = Map.of(BCStyle.C, "C", BCStyle.ST, "ST",
            BCStyle.L, "L", BCStyle.O, "O", BCStyle.OU, "OU", BCStyle.CN, "CN", BCStyle.SERIALNUMBER, "serialNumber",
            BCStyle.EmailAddress, "emailAddress");

    /** One line of the index. */
    record Entry(IssuedCertificate.Status status, Instant expiry, Instant revoked, int reason, BigInteger serial,
                 String subject) {
        Entry revoke(Instant when, int reasonCode) {
            return new Entry(IssuedCertificate.Status.REVOKED, expiry, when, reasonCode, serial, subject);
        }

        String line() {
            String revocation = revoked == null ? "" : time(revoked) + "," + REASONS.get(reason);
            return status.letter() + "\t" + time(expiry) + "\t" + revocation + "\t" + hex(serial) + "\tunknown\t" + subject;
        }
    }

    private CaIndex() {
    }

    /** Whether openssl's index can record {@code reason} (0..5: unspecified to cessationOfOperation). */
    static boolean knownReason(int reason) {
        return REASONS.containsKey(reason);
    }

    /** The RFC 5280 reason code of openssl's reason name (case-insensitive), or -1. */
    static int reasonCode(String name) {
        for (Map.Entry<Integer, String> e : REASONS.entrySet()) {
            if (e.getValue().equalsIgnoreCase(name)) {
                return e.getKey();
            }
        }
        return -1;
    }

    static String reasonName(int code) {
        return REASONS.getOrDefault(code, Integer.toString(code));
    }

    static List<Entry> parse(byte[] data) throws IOException {
        String text = new String(data, StandardCharsets.UTF_8);
        List<Entry> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                out.add(parseLine(line));
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new IOException("index.txt line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static Entry parseLine(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 6) {
            throw new IllegalArgumentException(f.length + " tab-separated fields, 6 expected");
        }
        IssuedCertificate.Status status = switch (f[0]) {
            case "V" -> IssuedCertificate.Status.VALID;
            case "R" -> IssuedCertificate.Status.REVOKED;
            case "E" -> IssuedCertificate.Status.EXPIRED;
            default -> throw new IllegalArgumentException("status '" + f[0] + "' is not V, R or E");
        };
        Instant expiry = parseTime(f[1]);
        Instant revoked = null;
        int reason = -1;
        if (status == IssuedCertificate.Status.REVOKED) {
            String[] r = f[2].split(",", -1);
            revoked = parseTime(r[0]);
            reason = r.length == 1 ? 0 : reasonCode(r[1]);
            if (r.length > 2 || reason < 0) {
                throw new IllegalArgumentException("revocation '" + f[2] + "' has an unknown reason");
            }
        } else if (!f[2].isEmpty()) {
            throw new IllegalArgumentException("revocation time on a certificate that is not revoked");
        }
        if (!f[3].matches("[0-9A-Fa-f]{2,40}")) {
            throw new IllegalArgumentException("serial '" + f[3] + "' is not hex");
        }
        return new Entry(status, expiry, revoked, reason, new BigInteger(f[3], 16), f[5]);
    }

    static byte[] format(List<Entry> entries) {
        StringBuilder b = new StringBuilder(entries.size() * 128);
        for (Entry e : entries) {
            b.append(e.line()).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String time(Instant t) {
        LocalDateTime utc = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        return (t.isBefore(UTC_TIME_END) ? UTC_TIME : GENERALIZED_TIME).format(utc);
    }

    static Instant parseTime(String s) {
        if (s.length() == 13) {
            LocalDateTime t = LocalDateTime.parse("20" + s, GENERALIZED_TIME);
            // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY.
            return (t.getYear() >= 2050 ? t.minusYears(100) : t).toInstant(ZoneOffset.UTC);
        }
        if (s.length() == 15) {
            return LocalDateTime.parse(s, GENERALIZED_TIME).toInstant(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException("time '" + s + "' is neither YYMMDDHHMMSSZ nor YYYYMMDDHHMMSSZ");
    }

    /** Upper-case hex with an even number of digits, as openssl writes serials. */
    static String hex(BigInteger serial) {
        String h = serial.toString(16).toUpperCase(Locale.ROOT);
        return h.length() % 2 == 0 ? h : "0" + h;
    }

    /** The subject as openssl's {@code X509_NAME_oneline} writes it into the index. */
    static String oneLine(X500Name name) {
        StringBuilder b = new StringBuilder();
        for (RDN rdn : name.getRDNs()) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                String key = SHORT_NAMES.getOrDefault(atv.getType(), atv.getType().getId());
                String value = atv.getValue() instanceof ASN1String str ? str.getString() : IETFUtils.valueToString(atv.getValue());
                b.append('/').append(key).append('=').append(value);
            }
        }
        return b.toString();
    }
}
