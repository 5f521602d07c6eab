package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What OpenSSL's client reports about a session with our server: session-id resumption (a saved
 * session is reused), extended master secret, the secure renegotiation indication, TLS 1.2.
 */
class OpenSslSessionInteropTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void opensslResumesOurSessionAndSeesEmsAndSecureRenegotiation(@TempDir Path dir) throws IOException {
        TestPki pki = TestPki.create("session");
        Identity server = pki.issueServer(KeyType.EC_P256, "adapter");
        pki.writeTo(dir);
        Path session = dir.resolve("session.pem");
        TlsPolicy policy = TlsPolicy.builder().identity(server).suites(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
                .build();
        try (TlsEcho echo = TlsEcho.start(policy)) {
            String connect = "127.0.0.1:" + echo.address().getPort();
            List<String> first = run("s_client", "-connect", connect, "-tls1_2", "-CAfile", dir.resolve("root.pem").toString(),
                    "-verify_return_error", "-sess_out", session.toString());
            assertThat(first).anyMatch(l -> l.startsWith("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"));
            assertThat(first).anyMatch(l -> l.contains("Secure Renegotiation IS supported"));
            assertThat(first).anyMatch(l -> l.contains("Extended master secret: yes"));
            assertThat(first).anyMatch(l -> l.contains("Verify return code: 0 (ok)"));
            // The server caches the session only after sending its Finished, so s_client may be gone (and the next
            // one connecting) before the session is there: wait for the server to have completed the handshake.
            TlsPskTest.Await.completed(echo, 1);

            List<String> second = run("s_client", "-connect", connect, "-tls1_2", "-CAfile", dir.resolve("root.pem").toString(),
                    "-sess_in", session.toString());
            assertThat(second).anyMatch(l -> l.startsWith("Reused, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"));
            TlsPskTest.Await.completed(echo, 2);
            assertThat(echo.handler().stats().snapshot().resumed()).isEqualTo(1);
        }
    }

    /** One s_client session: connect, print the session summary, end on stdin EOF. */
    private static List<String> run(String... args) throws IOException {
        try (OpenSslProcess p = OpenSslProcess.start(args)) {
            p.closeStdin();
            assertThat(p.waitFor(WAIT)).as(String.join("\n", p.output())).isZero();
            return p.output();
        }
    }
}
