package dev.cipsec.transport.tls.cert;

import dev.cipsec.wire.buf.Bytes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceCredentialsProperties {
    private static final char[] PW = "pw".toCharArray();
    private static final Bytes P12 = writeOnce();

    private static Bytes writeOnce() {
        try {
            Identity id = DeviceCredentials.generateDefault("dev", "1", new SecureRandom());
            return DeviceCredentials.writePkcs12(Map.of("default", id), Map.of("psk", Bytes.fromHex("01020304")), PW);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 300)
    void arbitraryBytesGiveOnlyIOExceptions(@ForAll byte[] data) {
        assertOnlyIOExceptions(Bytes.of(data));
    }

    @Property(tries = 200)
    void pkcs7ShapedGarbageGivesOnlyIOExceptions(@ForAll("pkcs7ish") byte[] data) {
        assertOnlyIOExceptions(Bytes.of(data));
        String pem = "-----BEGIN PKCS7-----\n" + java.util.Base64.getMimeEncoder().encodeToString(data) + "\n-----END PKCS7-----\n";
        assertOnlyIOExceptions(Bytes.of(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    @Property(tries = 100)
    void aDamagedPkcs12IsAnIOExceptionOrReadsTheSameEntries(@ForAll @IntRange(min = 0, max = 100_000) int where,
                                                             @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] data = P12.toArray();
        data[where % data.length] ^= (byte) xor;
        try {
            DeviceCredentials.Pkcs12Contents c = DeviceCredentials.readPkcs12(Bytes.of(data), PW);
            // Flips in bytes no check covers (e.g. unused length encodings) must not change what is read.
            assertThat(c.secrets()).isEqualTo(Map.of("psk", Bytes.fromHex("01020304")));
        } catch (IOException expected) {
            // Refused, as it should be.
        }
    }

    @Property(tries = 300)
    void anySubjectAltNameIsAcceptedOrRefusedWithIllegalArgument(@ForAll("san") String san) {
        try {
            new CsrSubject("", "", "", "", "", "", "", "", List.of(san));
        } catch (IllegalArgumentException expected) {
            // Refused, as it should be.
        }
    }

    @Provide
    Arbitrary<byte[]> pkcs7ish() {
        // SEQUENCE { OID signedData, [0] { ... garbage } }
        byte[] prefix = {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x07, 0x02};
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(100).map(tail -> {
            byte[] inner = new byte[prefix.length + 2 + tail.length];
            System.arraycopy(prefix, 0, inner, 0, prefix.length);
            inner[prefix.length] = (byte) 0xA0;
            inner[prefix.length + 1] = (byte) tail.length;
            System.arraycopy(tail, 0, inner, prefix.length + 2, tail.length);
            byte[] out = new byte[inner.length + 2];
            out[0] = 0x30;
            out[1] = (byte) inner.length;
            System.arraycopy(inner, 0, out, 2, inner.length);
            return out;
        });
    }

    @Provide
    Arbitrary<String> san() {
        Arbitrary<String> prefix = Arbitraries.of("", "DNS:", "IP:", "URI:", "email:", "dns:", "x:");
        Arbitrary<String> body = Arbitraries.strings().withChars("abz09.-:*@/_ \u00e9").ofMaxLength(40);
        return net.jqwik.api.Combinators.combine(prefix, body).as(String::concat);
    }

    private static void assertOnlyIOExceptions(Bytes data) {
        assertThatThrownBy(() -> DeviceCredentials.parseCertificates(data)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> DeviceCredentials.parseCrls(data)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> DeviceCredentials.readPkcs12(data, PW)).isInstanceOf(IOException.class);
    }
}
