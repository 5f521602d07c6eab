package dev.cipsec.wire.file;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static dev.cipsec.wire.buf.WireFormatException.Reason.INVALID_VALUE;

/**
 * STRINGI, the CIP international string (CIP Vol 1 C-4.1): a USINT number of strings, then per
 * string a 3-character ISO 639-2 language, a USINT data type naming the string type that follows
 * (0xDA SHORT_STRING, 0xD0 STRING, 0xD5 STRING2, 0xD9 STRINGN), a UINT IANA MIBenum character set,
 * and the string in that type's encoding.
 *
 * <p>Golden: OpENer's File object instance name is {@code 01 656e67 da 0400 12 "Device
 * Certificate"}, one English SHORT_STRING in ISO-8859-1 (MIBenum 4); tshark 4.0 shows the same
 * fields as {@code cip.stringi.*}. {@link #of(String)} builds exactly that form. An empty STRINGI
 * is the single byte {@code 00}.
 *
 * <p>The characters are kept as raw bytes so every string type re-encodes byte-identical; an
 * unknown data type is {@code INVALID_VALUE}, because its length cannot be known.
 *
 * @param strings at most 255
 */
public record StringI(List<Entry> strings) {
    public static final int SHORT_STRING = 0xDA;
    public static final int STRING = 0xD0;
    public static final int STRING2 = 0xD5;
    public static final int STRINGN = 0xD9;
    /** IANA MIBenum of ISO-8859-1, what OpENer sends. */
    public static final int CHARSET_ISO_8859_1 = 4;
    public static final int CHARSET_UTF_8 = 106;
    public static final int MAX_STRINGS = 0xFF;
    /** Smallest encoded entry: language, type, charset and an empty SHORT_STRING. */
    static final int MIN_ENTRY_SIZE = 3 + 1 + 2 + 1;

    private static final StringI EMPTY = new StringI(List.of());

    /**
     * One language's string.
     *
     * @param language   three ISO-8859-1 characters, e.g. "eng"
     * @param stringType one of the four string type codes
     * @param charSet    IANA MIBenum, 0..0xFFFF
     * @param charSize   bytes per character: 1 for SHORT_STRING and STRING, 2 for STRING2, 1..0xFFFF for STRINGN
     * @param characters the characters, {@code charSize} bytes each
     */
    public record Entry(String language, int stringType, int charSet, int charSize, Bytes characters) {
        public Entry {
            Objects.requireNonNull(language, "language");
            Objects.requireNonNull(characters, "characters");
            if (language.length() != 3 || !language.chars().allMatch(c -> c <= 0xFF)) {
                throw new IllegalArgumentException("language must be 3 ISO-8859-1 characters: " + language);
            }
            if (charSet < 0 || charSet > 0xFFFF) {
                throw new IllegalArgumentException("character set must be a UINT: " + charSet);
            }
            int expectedSize = switch (stringType) {
                case SHORT_STRING, STRING -> 1;
                case STRING2 -> 2;
                case STRINGN -> charSize;
                default -> throw new IllegalArgumentException("unknown STRINGI data type 0x" + Integer.toHexString(stringType));
            };
            if (charSize != expectedSize || charSize < 1 || charSize > 0xFFFF) {
                throw new IllegalArgumentException("character size " + charSize + " does not fit type 0x"
                        + Integer.toHexString(stringType));
            }
            if (characters.length() % charSize != 0) {
                throw new IllegalArgumentException(characters.length() + " bytes are not whole characters of " + charSize);
            }
            int count = characters.length() / charSize;
            if (count > (stringType == SHORT_STRING ? 0xFF : 0xFFFF)) {
                throw new IllegalArgumentException("too many characters: " + count);
            }
        }

        /** An English SHORT_STRING in ISO-8859-1, OpENer's form. */
        public static Entry shortString(String language, String text) {
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) > 0xFF) {
                    throw new IllegalArgumentException("not ISO-8859-1: " + text);
                }
            }
            return new Entry(language, SHORT_STRING, CHARSET_ISO_8859_1, 1,
                    Bytes.of(text.getBytes(StandardCharsets.ISO_8859_1)));
        }

        /** The characters as text: UTF-8 for MIBenum 106, else ISO-8859-1 for 1-byte, UTF-16LE for 2-byte, UTF-32LE for 4-byte characters. */
        public String text() {
            Charset cs = switch (charSize) {
                case 1 -> charSet == CHARSET_UTF_8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
                case 2 -> StandardCharsets.UTF_16LE;
                case 4 -> Charset.forName("UTF-32LE");
                default -> StandardCharsets.ISO_8859_1;
            };
            return new String(characters.toArray(), cs);
        }

        int encodedLength() {
            int header = 3 + 1 + 2;
            return header + switch (stringType) {
                case SHORT_STRING -> 1;
                case STRINGN -> 4;
                default -> 2;
            } + characters.length();
        }

        void encode(WireWriter w) {
            w.ascii(language).u8(stringType).u16(charSet);
            int count = characters.length() / charSize;
            switch (stringType) {
                case SHORT_STRING -> w.u8(count);
                case STRINGN -> w.u16(charSize).u16(count);
                default -> w.u16(count);
            }
            w.bytes(characters);
        }

        static Entry decode(WireReader r) throws WireFormatException {
            String language = r.ascii(3, "STRINGI language");
            int type = r.u8("STRINGI data type");
            int charSet = r.u16("STRINGI character set");
            int charSize;
            int count;
            switch (type) {
                case SHORT_STRING -> {
                    charSize = 1;
                    count = r.u8("SHORT_STRING length");
                }
                case STRING -> {
                    charSize = 1;
                    count = r.u16("STRING length");
                }
                case STRING2 -> {
                    charSize = 2;
                    count = r.u16("STRING2 length");
                }
                case STRINGN -> {
                    charSize = r.u16("STRINGN character size");
                    count = r.u16("STRINGN length");
                    if (charSize == 0) {
                        throw new WireFormatException(INVALID_VALUE, "STRINGN character size 0");
                    }
                }
                default -> throw new WireFormatException(INVALID_VALUE,
                        "STRINGI data type 0x" + Integer.toHexString(type) + " is no string type");
            }
            r.requireCount(count, charSize, "STRINGI characters");
            return new Entry(language, type, charSet, charSize, r.bytes(count * charSize, "STRINGI characters"));
        }
    }

    public StringI {
        strings = List.copyOf(strings);
        if (strings.size() > MAX_STRINGS) {
            throw new IllegalArgumentException("a STRINGI holds at most 255 strings: " + strings.size());
        }
    }

    /** No string at all: the single byte {@code 00}. */
    public static StringI empty() {
        return EMPTY;
    }

    /** One English ISO-8859-1 SHORT_STRING, as OpENer encodes names; "" gives {@link #empty()}. */
    public static StringI of(String text) {
        return text.isEmpty() ? EMPTY : new StringI(List.of(Entry.shortString("eng", text)));
    }

    public boolean isEmpty() {
        return strings.isEmpty();
    }

    /** Whether there is no string or any string has no characters (OpENer refuses such file names). */
    public boolean isBlank() {
        return strings.isEmpty() || strings.stream().anyMatch(e -> e.characters().isEmpty());
    }

    /** The first string's text, or "" when there is none. */
    public String text() {
        return strings.isEmpty() ? "" : strings.get(0).text();
    }

    public int encodedLength() {
        int n = 1;
        for (Entry e : strings) {
            n += e.encodedLength();
        }
        return n;
    }

    public void encode(WireWriter w) {
        w.u8(strings.size());
        for (Entry e : strings) {
            e.encode(w);
        }
    }

    public static StringI decode(WireReader r) throws WireFormatException {
        int count = r.u8("STRINGI number of strings");
        r.requireCount(count, MIN_ENTRY_SIZE, "STRINGI strings");
        List<Entry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(Entry.decode(r));
        }
        return new StringI(out);
    }

    public Bytes toBytes() {
        WireWriter w = WireWriter.ofSize(encodedLength());
        encode(w);
        return Bytes.of(w.array());
    }

    @Override
    public String toString() {
        return strings.size() == 1 ? "StringI[" + strings.get(0).language() + " '" + text() + "']" : "StringI" + strings;
    }
}
