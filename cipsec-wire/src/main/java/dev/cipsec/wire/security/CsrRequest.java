package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.util.List;

/**
 * Request data of Certificate Management Object (0x5F) service 0x4B Create_CSR (reference §6.3,
 * §12.7): a sequence of SHORT_STRINGs in this order; an empty string means "use the device
 * default".
 *
 * <p>Editions disagree on how many strings there are: Wireshark master reads 7 + 1 optional, OpENer
 * 9, Hilscher 8 distinguished-name fields + 1 SAN. So the decoder takes everything that remains:
 * the first {@link #MIN_FIELDS} are mandatory ({@code TRUNCATED} when missing), the serial number
 * and the subject alternative name are read when present ("" otherwise), and anything after the
 * {@link #MAX_FIELDS}th string is {@code TOO_MUCH_DATA}. The encoder always writes all nine.
 *
 * <p>Country is not checked here; the object answers 0x20 when it is neither empty nor 2 letters.
 *
 * @param commonName         1st string
 * @param organization       2nd
 * @param organizationalUnit 3rd
 * @param locality           4th
 * @param stateOrProvince    5th
 * @param country            6th (2 letters or empty per Vol 8)
 * @param email              7th, the last mandatory one
 * @param serialNumber       8th, optional on the wire
 * @param subjectAltName     9th (class revision 2), optional on the wire
 */
public record CsrRequest(String commonName, String organization, String organizationalUnit, String locality,
                         String stateOrProvince, String country, String email, String serialNumber,
                         String subjectAltName) {
    public static final int MIN_FIELDS = 7;
    public static final int MAX_FIELDS = 9;

    private static final String[] NAMES = {"common name", "organization", "organizational unit", "locality",
            "state or province", "country", "e-mail", "serial number", "subject alternative name"};

    public CsrRequest {
        Fields.checkShortString(commonName, NAMES[0]);
        Fields.checkShortString(organization, NAMES[1]);
        Fields.checkShortString(organizationalUnit, NAMES[2]);
        Fields.checkShortString(locality, NAMES[3]);
        Fields.checkShortString(stateOrProvince, NAMES[4]);
        Fields.checkShortString(country, NAMES[5]);
        Fields.checkShortString(email, NAMES[6]);
        Fields.checkShortString(serialNumber, NAMES[7]);
        Fields.checkShortString(subjectAltName, NAMES[8]);
    }

    /** Every field "": the device picks all of them. */
    public static CsrRequest deviceDefaults() {
        return new CsrRequest("", "", "", "", "", "", "", "", "");
    }

    /** The nine fields in wire order. */
    public List<String> fields() {
        return List.of(commonName, organization, organizationalUnit, locality, stateOrProvince, country, email,
                serialNumber, subjectAltName);
    }

    public int encodedLength() {
        int n = 0;
        for (String f : fields()) {
            n += 1 + f.length();
        }
        return n;
    }

    public void encode(WireWriter w) {
        for (String f : fields()) {
            Fields.writeShortString(w, f);
        }
    }

    public Bytes toBytes() {
        return Fields.toBytes(encodedLength(), this::encode);
    }

    /** Decodes the whole rest of {@code r} (service data has no length of its own). */
    public static CsrRequest decode(WireReader r) throws WireFormatException {
        String[] f = new String[MAX_FIELDS];
        for (int i = 0; i < MAX_FIELDS; i++) {
            f[i] = i < MIN_FIELDS || r.hasRemaining() ? Fields.readShortString(r, NAMES[i]) : "";
        }
        r.expectEnd("Create_CSR request after " + MAX_FIELDS + " strings");
        return new CsrRequest(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
    }

    public static CsrRequest decode(Bytes data) throws WireFormatException {
        return decode(Fields.reader(data));
    }
}
