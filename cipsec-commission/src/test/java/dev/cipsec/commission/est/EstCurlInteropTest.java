package dev.cipsec.commission.est;

import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.wire.testkit.PeerTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A third-party EST client against our server: curl for HTTP and TLS, openssl for keys, CSRs and the PKCS#7
 * answers, as RFC 7030 users do it by hand.
 */
class EstCurlInteropTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out) {
    }

    Run sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "set -o pipefail; " + script).directory(tmp.toFile())
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    void ok(String script) throws IOException, InterruptedException {
        Run r = sh(script);
        assertThat(r.exit()).as(script + "\n" + r.out()).isZero();
    }

    @Test
    void curlAndOpensslEnrolAndReenrol() throws Exception {
        PeerTools.require("curl");
        PeerTools.require("openssl");
        // The device's factory certificate, made by openssl; the inventory pins it.
        ok("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout factory.key -out factory.pem"
                + " -subj /CN=factory-plc1 -days 30 -addext extendedKeyUsage=clientAuth");
        X509Certificate factory = CredentialFiles.readCertificates(tmp.resolve("factory.pem")).getFirst();
        String pin = CredentialFiles.sha256Fingerprint(factory).replace(":", "");
        try (EstPlant plant = EstPlant.start(tmp.resolve("plant"), pin, c -> c)) {
            CredentialFiles.writePem(tmp.resolve("ca.pem"), List.of(plant.ca.certificate()));
            String url = "https://127.0.0.1:" + plant.port() + "/.well-known/est/";

            ok("curl -sS --fail --cacert ca.pem " + url + "cacerts | base64 -d | openssl pkcs7 -inform DER -print_certs -out cacerts.pem");
            assertThat(CredentialFiles.readCertificates(tmp.resolve("cacerts.pem"))).containsExactly(plant.ca.certificate());

            ok("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout dev.key -subj /CN=plc1"
                    + " -outform DER | base64 > csr.b64");
            ok("curl -sS --fail --cacert ca.pem --cert factory.pem --key factory.key -H 'Content-Type: application/pkcs10'"
                    + " --data-binary @csr.b64 " + url + "simpleenroll | base64 -d | openssl pkcs7 -inform DER -print_certs -out dev.pem");
            ok("openssl verify -CAfile ca.pem dev.pem");
            X509Certificate enrolled = CredentialFiles.readCertificates(tmp.resolve("dev.pem")).getFirst();
            assertThat(enrolled.getSubjectX500Principal().getName()).isEqualTo("CN=plc1.line1,O=Acme,C=FR");

            // Re-enrolment with a new key, authenticated by the certificate just enrolled; openssl copies the subject.
            ok("openssl ecparam -name prime256v1 -genkey -noout -out new.key"
                    + " && openssl x509 -x509toreq -in dev.pem -key new.key -out re.pem"
                    + " && openssl req -in re.pem -outform DER | base64 > re.b64");
            ok("curl -sS --fail --cacert ca.pem --cert dev.pem --key dev.key -H 'Content-Type: application/pkcs10'"
                    + " --data-binary @re.b64 " + url + "simplereenroll | base64 -d | openssl pkcs7 -inform DER -print_certs -out renewed.pem");
            ok("openssl verify -CAfile ca.pem renewed.pem");
            ok("cmp <(openssl x509 -in renewed.pem -noout -pubkey) <(openssl pkey -in new.key -pubout)");
            X509Certificate renewed = CredentialFiles.readCertificates(tmp.resolve("renewed.pem")).getFirst();
            assertThat(renewed.getSubjectX500Principal()).isEqualTo(enrolled.getSubjectX500Principal());
            assertThat(renewed.getSerialNumber()).isNotEqualTo(enrolled.getSerialNumber());

            // Without a client certificate curl is told 401; a CSR altered by a byte is 400; nothing issued for either.
            int before = plant.issued().size();
            Run anonymous = sh("curl -sS -o /dev/null -w '%{http_code}' --cacert ca.pem -H 'Content-Type: application/pkcs10'"
                    + " --data-binary @csr.b64 " + url + "simpleenroll");
            assertThat(anonymous.out()).isEqualTo("401");
            // One bit flipped inside the signature.
            ok("base64 -d csr.b64 > csr.der && off=$(( $(stat -c %s csr.der) - 8 ))"
                    + " && b=$(od -An -tu1 -j $off -N1 csr.der | tr -d ' ')"
                    + " && printf \"\\\\x$(printf %02x $(( b ^ 1 )))\" | dd of=csr.der bs=1 seek=$off conv=notrunc 2>/dev/null"
                    + " && ! cmp -s csr.der <(base64 -d csr.b64) && base64 csr.der > bad.b64");
            Run bad = sh("curl -sS -o /dev/null -w '%{http_code}' --cacert ca.pem --cert factory.pem --key factory.key"
                    + " -H 'Content-Type: application/pkcs10' --data-binary @bad.b64 " + url + "simpleenroll");
            assertThat(bad.out()).isEqualTo("400");
            assertThat(plant.issued()).hasSize(before);
        }
    }
}
