package dev.cipsec.transport.tls.cert;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

class CredentialFilesProperties {

    @Property(tries = 300)
    void arbitraryBytesGiveOnlyIOExceptions(@ForAll byte[] data) throws Exception {
        check(data);
    }

    @Property(tries = 300)
    void arbitraryPemArmourGivesOnlyIOExceptions(@ForAll("label") String label, @ForAll("body") String body) throws Exception {
        check(("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Provide
    Arbitrary<String> label() {
        return Arbitraries.of("CERTIFICATE", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY",
                "RSA PRIVATE KEY", "X509 CRL", "EC PARAMETERS", "PUBLIC KEY");
    }

    @Provide
    Arbitrary<String> body() {
        // Base64 that decodes to DER-ish bytes: a SEQUENCE tag followed by anything.
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300)
                .map(b -> {
                    byte[] der = new byte[b.length + 1];
                    der[0] = 0x30;
                    System.arraycopy(b, 0, der, 1, b.length);
                    return java.util.Base64.getMimeEncoder().encodeToString(der);
                });
    }

    private static void check(byte[] data) throws Exception {
        Path file = Files.createTempFile("cipsec-garbage", ".bin");
        try {
            Files.write(file, data);
            GarbageInputs.assertOnlyIOExceptions(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
