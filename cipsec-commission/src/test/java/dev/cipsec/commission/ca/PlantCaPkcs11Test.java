package dev.cipsec.commission.ca;

import dev.cipsec.transport.tls.OpenSslCommand;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.wire.testkit.PeerTools;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.cipsec.commission.ca.PlantCaTest.deviceCsr;
import static dev.cipsec.commission.ca.PlantCaTest.plc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CA key generated on a SoftHSM2 token through SunPKCS11: the CA issues and signs CRLs with it, and the
 * key cannot be read off the token.
 *
 * <p>SoftHSM2 reads SOFTHSM2_CONF once, when the library is first loaded into a process, and a JVM cannot set
 * its own environment: the module's surefire configuration points SOFTHSM2_CONF at a file under target/, which
 * this test writes (token directory in a temp dir) before anything loads the library, and softhsm2-util gets
 * the same variable. One token per JVM, so one test method.
 */
class PlantCaPkcs11Test {
    private static final Path[] LIBRARIES = {Path.of("/usr/lib/softhsm/libsofthsm2.so"),
            Path.of("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"), Path.of("/usr/local/lib/softhsm/libsofthsm2.so")};
    private static final char[] PIN = "1234".toCharArray();

    @TempDir
    Path tmp;

    Path config;

    @BeforeEach
    void makeToken() throws Exception {
        Path util = PeerTools.require("softhsm2-util");
        Path library = null;
        for (Path p : LIBRARIES) {
            if (Files.exists(p)) {
                library = p;
            }
        }
        assertThat(library).as("libsofthsm2.so next to %s", util).isNotNull();
        String conf = System.getenv("SOFTHSM2_CONF");
        assertThat(conf).as("SOFTHSM2_CONF from the surefire configuration").isNotBlank();
        Path tokens = tmp.resolve("tokens");
        Files.createDirectories(tokens);
        Files.createDirectories(Path.of(conf).getParent());
        Files.writeString(Path.of(conf), "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        String out = softhsm(util, "--init-token", "--free", "--label", "cipsec-ca", "--pin", "1234", "--so-pin", "5678");
        Matcher m = Pattern.compile("reassigned to slot (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        config = tmp.resolve("softhsm.cfg");
        Files.writeString(config, "name = cipsec-ca-test\nlibrary = " + library + "\nslot = " + m.group(1) + "\n");
    }

    private static String softhsm(Path util, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(util.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void caKeyIsGeneratedOnTheTokenSignsThereAndCannotBeExtracted() throws Exception {
        Path dir = tmp.resolve("ca");
        X509Certificate device;
        try (PlantCa ca = PlantCa.init(dir, new CaInit(KeyAlgorithm.EC_P256, dev.cipsec.transport.tls.cert.CsrSubject.of("Token CA"),
                365, new CaKeyAccess.Pkcs11(config, PIN)))) {
            assertThat(ca.keyOnToken()).isTrue();
            device = ca.issue(deviceCsr("d"), plc("plc-on-token"), 30);
        }
        assertThat(dir.resolve("ca.p12")).doesNotExist();
        assertThat(Files.readString(dir.resolve("token.properties"))).contains("key.alias=cipsec-ca-")
                .contains("sunpkcs11.config=" + config.toAbsolutePath());
        try (PlantCa ca = PlantCa.open(dir, new CaKeyAccess.Pkcs11(null, PIN))) {
            ca.revoke(device.getSerialNumber(), 1);
            ca.crl(Duration.ofDays(7));
            ca.issue(deviceCsr("e"), plc("plc-two"), 30);
        }
        // Closing logged out of the token: a wrong PIN is refused, and never shown.
        assertThatThrownBy(() -> PlantCa.open(dir, new CaKeyAccess.Pkcs11(null, "987654".toCharArray())))
                .isInstanceOf(IOException.class).hasMessageContaining("wrong PIN").message().doesNotContain("987654");
        assertThatThrownBy(() -> PlantCa.open(dir, new CaKeyAccess.Pkcs12("pw".toCharArray())))
                .isInstanceOf(IOException.class).hasMessageContaining("PKCS#11");

        CredentialFiles.writePem(tmp.resolve("device.pem"), List.of(device));
        OpenSslCommand openssl = OpenSslCommand.in(tmp);
        openssl.ok("verify", "-CAfile", dir.resolve("ca.pem").toString(), "device.pem");
        assertThat(openssl.run("verify", "-crl_check", "-CAfile", dir.resolve("ca.pem").toString(),
                "-CRLfile", dir.resolve("crl.pem").toString(), "device.pem").output()).contains("certificate revoked");

        // Straight to the token, as an attacker with the PIN would: the key is there, but sensitive and not extractable.
        Provider p = Security.getProvider("SunPKCS11").configure(config.toString());
        KeyStore ks = KeyStore.getInstance("PKCS11", p);
        ks.load(null, PIN);
        String alias = Files.readAllLines(dir.resolve("token.properties")).stream()
                .filter(l -> l.startsWith("key.alias=")).findFirst().orElseThrow().substring("key.alias=".length());
        PrivateKey key = (PrivateKey) ks.getKey(alias, null);
        assertThat(key.getEncoded()).isNull();
        assertThat(key.toString()).contains("token object").contains("sensitive").contains("unextractable");
        assertThat(PlantCa.tokenConfig(dir)).isEqualTo(config.toAbsolutePath());
        ((java.security.AuthProvider) p).logout();

    }
}
