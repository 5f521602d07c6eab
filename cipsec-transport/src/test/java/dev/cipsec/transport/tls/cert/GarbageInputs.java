package dev.cipsec.transport.tls.cert;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Feeds one file to every reader and expects a refusal that is an IOException, whatever the bytes are. */
final class GarbageInputs {
    private GarbageInputs() {
    }

    static void assertOnlyIOExceptions(Path file) {
        assertThatThrownBy(() -> CredentialFiles.readCertificates(file)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CredentialFiles.readCrls(file)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CredentialFiles.readPrivateKey(file, null)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CredentialFiles.readPrivateKey(file, "pw".toCharArray())).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CredentialFiles.readPkcs12(file, "pw".toCharArray(), null)).isInstanceOf(IOException.class);
    }
}
