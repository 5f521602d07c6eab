package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.KeyType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code nmap --script ssl-enum-ciphers} (issue 6 interop): a scanner nobody here wrote offers every
 * suite it knows, in groups, over every protocol version from SSLv3 to TLS 1.3, and lists what the
 * server chose. It must find exactly the suites the policy allows and can serve, and TLS 1.2 only.
 *
 * <p>nmap cannot complete a PSK handshake, but it does not need to: it reads the suite from the
 * ServerHello, which our server sends before any PSK is checked (the ClientKeyExchange carries the
 * identity). So PSK suites show up too, which is right: they are what the port serves.
 */
class NmapSslEnumCiphersTest {
    static final TestPki PKI = TestPki.create("nmap");
    static Identity ec;
    static Identity rsa;

    @BeforeAll
    static void identities() {
        ec = PKI.issueServer(KeyType.EC_P256, "nmap-ec");
        rsa = PKI.issueServer(KeyType.RSA, "nmap-rsa");
    }

    /** What nmap found: protocol version ("TLSv1.2") to the IANA names of the suites it lists under it. */
    static Map<String, List<String>> scan(TlsEcho echo) throws IOException {
        int port = echo.address().getPort();
        // "+" runs the script although nmap has no reason to think the port speaks TLS; -sT needs no raw sockets.
        try (OpenSslProcess nmap = OpenSslProcess.startTool("nmap", "-Pn", "-n", "-sT", "-p", Integer.toString(port),
                "--script", "+ssl-enum-ciphers", "127.0.0.1")) {
            int exit = nmap.waitFor(Duration.ofMinutes(3));
            List<String> out = nmap.output();
            assertThat(exit).as(String.join("\n", out)).isZero();
            return parse(out);
        }
    }

    private static final Pattern VERSION = Pattern.compile("^\\|\\s+((?:SSLv|TLSv)[\\d.]+):\\s*$");
    private static final Pattern SUITE = Pattern.compile("^\\|_?\\s+(TLS_\\w+)");

    static Map<String, List<String>> parse(List<String> lines) {
        Map<String, List<String>> found = new LinkedHashMap<>();
        List<String> current = null;
        boolean scriptSeen = false;
        for (String line : lines) {
            if (line.startsWith("| ssl-enum-ciphers:")) {
                scriptSeen = true;
                continue;
            }
            Matcher v = VERSION.matcher(line);
            if (v.find()) {
                current = found.computeIfAbsent(v.group(1), k -> new ArrayList<>());
                continue;
            }
            Matcher s = SUITE.matcher(line);
            if (s.find() && current != null) {
                current.add(s.group(1));
            }
        }
        assertThat(scriptSeen).as("ssl-enum-ciphers output in:\n" + String.join("\n", lines)).isTrue();
        return found;
    }

    /** Scans a server with {@code policy} and checks nmap's list against {@link TlsPolicy#serverSuites()}. */
    static List<String> assertNmapListsExactlyTheServerSuites(TlsPolicy policy) throws IOException {
        try (TlsEcho echo = TlsEcho.start(policy)) {
            Map<String, List<String>> found = scan(echo);
            assertThat(found).as("protocol versions nmap found").containsOnlyKeys("TLSv1.2");
            List<String> expected = policy.serverSuites().stream().map(CipherSuite::name).toList();
            List<String> listed = found.get("TLSv1.2");
            assertThat(listed).as("nmap's names are IANA names, ours too").allSatisfy(n ->
                    assertThat(CipherSuite.parse(n).name()).isEqualTo(n));
            assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(echo.sessions()).as("nmap never completes a handshake").isEmpty();
            return listed;
        }
    }

    @Test
    void anEcCertificatePolicyWithTheDefaultSuites() throws IOException {
        TlsPolicy policy = TlsPolicy.builder().identity(ec).build();
        assertThat(assertNmapListsExactlyTheServerSuites(policy)).hasSize(5);
    }

    @Test
    void anRsaPolicyWithTheRsaSuitesIncludingNull() throws IOException {
        TlsPolicy policy = TlsPolicy.builder().identity(rsa).suites(CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256,
                CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256, CipherSuite.TLS_RSA_WITH_NULL_SHA256).build();
        assertThat(assertNmapListsExactlyTheServerSuites(policy)).containsExactlyInAnyOrder(
                "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_NULL_SHA256");
    }

    @Test
    void aPskOnlyPolicy() throws IOException {
        TlsPolicy policy = TlsPolicy.builder().psk(TlsPskTest.PSK).build();
        assertThat(assertNmapListsExactlyTheServerSuites(policy)).containsExactlyInAnyOrder(
                "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256");
    }

    /**
     * Every suite allowed, an EC identity and a PSK: the ECDHE-ECDSA and ECDHE-PSK suites NULL ones
     * included, and no RSA suite, because there is no RSA key to serve them with.
     */
    @Test
    void aMixedPolicyListsWhatItCanServeOnly() throws IOException {
        TlsPolicy policy = TlsPolicy.builder().allSuites().identity(ec).psk(TlsPskTest.PSK).build();
        List<String> listed = assertNmapListsExactlyTheServerSuites(policy);
        assertThat(listed).hasSize(10).noneMatch(n -> n.startsWith("TLS_RSA_"))
                .contains("TLS_ECDHE_ECDSA_WITH_NULL_SHA", "TLS_ECDHE_PSK_WITH_NULL_SHA256");
    }
}
