package dev.cipsec.commission.ca;

import dev.cipsec.transport.tls.OpenSslCommand;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import dev.cipsec.transport.tls.cert.CsrSubject;
import dev.cipsec.transport.tls.cert.DeviceCredentials;
import dev.cipsec.transport.tls.cert.Identity;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlantCaTest {
    static final char[] PASSWORD = "correct horse battery".toCharArray();
    static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path tmp;

    static CaInit ecInit(KeyAlgorithm alg) {
        return new CaInit(alg, new CsrSubject("Plant CA", "ACME Plant", "OT", "", "", "de", "", "", List.of()), 3650,
                new CaKeyAccess.Pkcs12(PASSWORD));
    }

    static byte[] deviceCsr(String cn) throws IOException {
        Identity device = DeviceCredentials.generateDefault(cn, "SN-" + cn, RANDOM);
        return DeviceCredentials.createCsrPem(device, CsrSubject.of(cn));
    }

    static CsrSubject plc(String cn, String... sans) {
        return new CsrSubject(cn, "ACME Plant", "Line 1", "", "", "DE", "", "", List.of(sans));
    }

    static Path pem(Path dir, String name, X509Certificate cert) throws IOException {
        Path file = dir.resolve(name);
        CredentialFiles.writePem(file, List.of(cert));
        return file;
    }

    @Test
    void initWritesTheOpensslCaLayoutWithAKeyStoreOnlyTheOwnerReads() throws Exception {
        Path dir = tmp.resolve("ca");
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            X509Certificate c = ca.certificate();
            assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=Plant CA,OU=OT,O=ACME Plant,C=DE");
            assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
            assertThat(c.getBasicConstraints()).isZero();
            assertThat(c.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
            // keyCertSign (5) and cRLSign (6) only.
            assertThat(c.getKeyUsage()).containsExactly(false, false, false, false, false, true, true, false, false);
            assertThat(c.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
            assertThat(c.getSigAlgName()).isEqualTo("SHA256withECDSA");
            c.verify(c.getPublicKey());
            assertThat(ca.list()).isEmpty();
            assertThat(ca.keyOnToken()).isFalse();
        }
        assertThat(Files.readString(dir.resolve("index.txt"))).isEmpty();
        assertThat(Files.readString(dir.resolve("serial")).strip()).matches("[0-9A-F]{32}");
        assertThat(Files.readString(dir.resolve("crlnumber")).strip()).isEqualTo("01");
        assertThat(Files.isDirectory(dir.resolve("issued"))).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.p12")))).isEqualTo("rw-------");
        // The key store opens in openssl with the password: no homemade format.
        Path pass = tmp.resolve("pass");
        Files.writeString(pass, new String(PASSWORD));
        String info = OpenSslCommand.in(dir).ok("pkcs12", "-in", "ca.p12", "-passin", "file:" + pass, "-info", "-noout");
        assertThat(info).contains("AES-256-CBC");
        OpenSslCommand.in(dir).ok("x509", "-in", "ca.pem", "-noout", "-text");
    }

    @Test
    void initRefusesADirectoryThatHoldsACa() throws Exception {
        Path dir = tmp.resolve("ca");
        PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256)).close();
        assertThatThrownBy(() -> PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256)))
                .isInstanceOf(IOException.class).hasMessageContaining("already holds a CA");
    }

    @Test
    void issuedDeviceCertificateVerifiesInOpensslAndCarriesTheEndEntityProfile() throws Exception {
        Path dir = tmp.resolve("ca");
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            X509Certificate cert = ca.issue(deviceCsr("factory-name"), plc("plc1", "IP:10.0.0.5", "DNS:plc1.plant.example"), 365);
            // The policy's subject and names, not the CSR's.
            assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=plc1,OU=Line 1,O=ACME Plant,C=DE");
            assertThat(cert.getSubjectAlternativeNames()).extracting(l -> (Object) l.get(1))
                    .containsExactly("10.0.0.5", "plc1.plant.example");
            assertThat(cert.getBasicConstraints()).isEqualTo(-1);
            assertThat(cert.getKeyUsage()).containsExactly(true, false, false, false, false, false, false, false, false);
            assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
            assertThat(JcaX509ExtensionUtils.parseExtensionValue(cert.getExtensionValue(Extension.authorityKeyIdentifier.getId())))
                    .isNotNull();
            assertThat(cert.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
            assertThat(cert.getSerialNumber().signum()).isPositive();
            assertThat(cert.getSerialNumber().toByteArray().length).isLessThanOrEqualTo(20);
            assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays()).isEqualTo(365);
            cert.verify(ca.certificate().getPublicKey());

            pem(tmp, "plc1.pem", cert);
            String out = OpenSslCommand.in(tmp).ok("verify", "-CAfile", dir.resolve("ca.pem").toString(),
                    "-purpose", "sslserver", "plc1.pem");
            assertThat(out).contains("plc1.pem: OK");
            OpenSslCommand.in(tmp).ok("verify", "-CAfile", dir.resolve("ca.pem").toString(), "-purpose", "sslclient", "plc1.pem");

            String serial = CaIndex.hex(cert.getSerialNumber());
            assertThat(Files.readString(dir.resolve("issued").resolve(serial + ".pem")))
                    .isEqualTo(new String(CredentialFiles.pem(List.of(cert)).toArray(), StandardCharsets.US_ASCII));
            assertThat(Files.readString(dir.resolve("index.txt")))
                    .matches("V\t\\d{12}Z\t\t" + serial + "\tunknown\t/C=DE/O=ACME Plant/OU=Line 1/CN=plc1\n");
            assertThat(Files.readString(dir.resolve("serial")).strip()).isNotEqualTo(serial);

            List<IssuedCertificate> list = ca.list();
            assertThat(list).singleElement().satisfies(e -> {
                assertThat(e.serial()).isEqualTo(cert.getSerialNumber());
                assertThat(e.status()).isEqualTo(IssuedCertificate.Status.VALID);
                assertThat(e.notBefore()).isEqualTo(cert.getNotBefore().toInstant());
                assertThat(e.notAfter()).isEqualTo(cert.getNotAfter().toInstant());
                assertThat(e.fingerprint()).isEqualTo(CredentialFiles.sha256Fingerprint(cert));
                assertThat(e.revocationDate()).isNull();
            });
        }
    }

    @Test
    void revokedCertificateIsRefusedByOpensslWithTheCrlAndOthersStillPass() throws Exception {
        Path dir = tmp.resolve("ca");
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            X509Certificate bad = ca.issue(deviceCsr("a"), plc("plc-bad"), 30);
            X509Certificate good = ca.issue(deviceCsr("b"), plc("plc-good"), 30);
            ca.revoke(bad.getSerialNumber(), CRLReason.keyCompromise);
            X509CRL crl = ca.crl(Duration.ofDays(7));

            crl.verify(ca.certificate().getPublicKey());
            assertThat(crl.isRevoked(bad)).isTrue();
            assertThat(crl.isRevoked(good)).isFalse();
            assertThat(Duration.between(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant())).isEqualTo(Duration.ofDays(7));
            assertThat(crl.getExtensionValue(Extension.authorityKeyIdentifier.getId())).isNotNull();

            pem(tmp, "bad.pem", bad);
            pem(tmp, "good.pem", good);
            String caPem = dir.resolve("ca.pem").toString();
            String crlPem = dir.resolve("crl.pem").toString();
            OpenSslCommand.Result refused = OpenSslCommand.in(tmp).run("verify", "-crl_check", "-CAfile", caPem, "-CRLfile", crlPem, "bad.pem");
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.output()).contains("certificate revoked");
            assertThat(OpenSslCommand.in(tmp).ok("verify", "-crl_check", "-CAfile", caPem, "-CRLfile", crlPem, "good.pem"))
                    .contains("good.pem: OK");
            String text = OpenSslCommand.in(tmp).ok("crl", "-in", crlPem, "-noout", "-text");
            assertThat(text).contains("X509v3 CRL Number: \n                1\n").contains("Key Compromise")
                    .contains("Serial Number: " + CaIndex.hex(bad.getSerialNumber()));

            // Each CRL takes the next number.
            X509CRL second = ca.crl(Duration.ofHours(12));
            assertThat(crlNumber(second)).isEqualTo(BigInteger.TWO);

            assertThat(ca.list()).extracting(IssuedCertificate::status)
                    .containsExactly(IssuedCertificate.Status.REVOKED, IssuedCertificate.Status.VALID);
            assertThat(ca.list().getFirst().revocationReason()).isEqualTo(CRLReason.keyCompromise);
            assertThat(ca.list().getFirst().revocationDate()).isNotNull();
        }
    }

    static BigInteger crlNumber(X509CRL crl) throws IOException {
        return org.bouncycastle.asn1.x509.CRLNumber.getInstance(
                JcaX509ExtensionUtils.parseExtensionValue(crl.getExtensionValue(Extension.cRLNumber.getId()))).getCRLNumber();
    }

    @Test
    void opensslCaReadsTheIndex() throws Exception {
        Path dir = tmp.resolve("ca");
        BigInteger revoked;
        BigInteger valid;
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            revoked = ca.issue(deviceCsr("a"), plc("plc-a", "IP:10.1.1.1"), 30).getSerialNumber();
            valid = ca.issue(deviceCsr("b"), plc("plc-b"), 30).getSerialNumber();
            ca.revoke(revoked, CRLReason.superseded);
        }
        Path config = tmp.resolve("openssl.cnf");
        Files.writeString(config, """
                [ ca ]
                default_ca = plant
                [ plant ]
                dir = %s
                database = $dir/index.txt
                serial = $dir/serial
                crlnumber = $dir/crlnumber
                certificate = $dir/ca.pem
                new_certs_dir = $dir/issued
                default_md = sha256
                policy = any
                [ any ]
                commonName = supplied
                """.formatted(dir));
        assertThat(OpenSslCommand.in(tmp).run("ca", "-config", config.toString(), "-status", CaIndex.hex(revoked)).output())
                .contains(CaIndex.hex(revoked) + "=Revoked");
        assertThat(OpenSslCommand.in(tmp).run("ca", "-config", config.toString(), "-status", CaIndex.hex(valid)).output())
                .contains(CaIndex.hex(valid) + "=Valid");
    }

    @Test
    void csrFromOpensslReqIsIssuedForEcAndRsaKeys() throws Exception {
        Path dir = tmp.resolve("ca");
        OpenSslCommand openssl = OpenSslCommand.in(tmp);
        openssl.ok("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=from-openssl",
                "-addext", "subjectAltName=DNS:ignored.example", "-keyout", "ec.key", "-out", "ec.csr");
        openssl.ok("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=rsa-device", "-keyout", "rsa.key",
                "-outform", "DER", "-out", "rsa.der");
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P384))) {
            assertThat(ca.certificate().getSigAlgName()).isEqualTo("SHA384withECDSA");
            X509Certificate ec = ca.issue(Files.readAllBytes(tmp.resolve("ec.csr")), plc("plc-ec", "DNS:plc-ec.plant"), 100);
            X509Certificate rsa = ca.issue(Files.readAllBytes(tmp.resolve("rsa.der")), plc("plc-rsa"), 100);
            assertThat(ec.getSigAlgName()).isEqualTo("SHA384withECDSA");
            assertThat(ec.getSubjectAlternativeNames()).extracting(l -> (Object) l.get(1)).containsExactly("plc-ec.plant");
            // digitalSignature + keyEncipherment for the RSA key exchange suites.
            assertThat(rsa.getKeyUsage()).containsExactly(true, false, true, false, false, false, false, false, false);
            pem(tmp, "ec.pem", ec);
            pem(tmp, "rsa.pem", rsa);
            openssl.ok("verify", "-CAfile", dir.resolve("ca.pem").toString(), "ec.pem", "rsa.pem");
            // The certificate carries the key of the CSR: the openssl key signs for it.
            openssl.ok("x509", "-in", "rsa.pem", "-noout", "-checkend", "0");
            String certKey = openssl.ok("x509", "-in", "ec.pem", "-noout", "-pubkey");
            String csrKey = openssl.ok("pkey", "-in", "ec.key", "-pubout");
            assertThat(certKey).isEqualTo(csrKey);

            assertThat(PlantCa.requestedSubject(Files.readAllBytes(tmp.resolve("ec.csr"))))
                    .isEqualTo(new CsrSubject("from-openssl", "", "", "", "", "", "", "", List.of("DNS:ignored.example")));
        }
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void everyCaKeyTypeSignsWhatOpensslAccepts(KeyAlgorithm alg) throws Exception {
        Path dir = tmp.resolve("ca");
        try (PlantCa ca = PlantCa.init(dir, ecInit(alg))) {
            assertThat(ca.certificate().getSigAlgName()).isEqualTo(alg.signatureAlgorithm());
            pem(tmp, "dev.pem", ca.issue(deviceCsr("d"), plc("dev"), 10));
            ca.crl(Duration.ofDays(1));
        }
        OpenSslCommand.in(tmp).ok("verify", "-crl_check", "-CAfile", dir.resolve("ca.pem").toString(),
                "-CRLfile", dir.resolve("crl.pem").toString(), "dev.pem");
    }

    @Test
    void csrWithABrokenSignatureOrNoCsrAtAllIsRefused() throws Exception {
        try (PlantCa ca = PlantCa.init(tmp.resolve("ca"), ecInit(KeyAlgorithm.EC_P256))) {
            byte[] der = derOf(deviceCsr("x"));
            // The last byte is inside the signature's BIT STRING.
            der[der.length - 1] ^= 0x01;
            assertThatThrownBy(() -> ca.issue(der, plc("x"), 10)).isInstanceOf(CaException.class)
                    .hasMessageContaining("signature");
            byte[] garbage = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n".getBytes(StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> ca.issue(garbage, plc("x"), 10)).isInstanceOf(CaException.class);
            assertThatThrownBy(() -> ca.issue(new byte[] {0x30, 0x03, 1, 2, 3}, plc("x"), 10)).isInstanceOf(CaException.class);
            assertThatThrownBy(() -> ca.issue(new byte[PlantCa.MAX_CSR_BYTES + 1], plc("x"), 10))
                    .isInstanceOf(CaException.class).hasMessageContaining("at most");
            assertThatThrownBy(() -> ca.issue(deviceCsr("x"), plc(""), 10)).isInstanceOf(CaException.class)
                    .hasMessageContaining("common name");
            assertThatThrownBy(() -> ca.issue(deviceCsr("x"), plc("x"), 3651)).isInstanceOf(CaException.class)
                    .hasMessageContaining("after the CA certificate");
            assertThat(ca.list()).isEmpty();
            assertThat(Files.list(tmp.resolve("ca/issued"))).isEmpty();
        }
    }

    static byte[] derOf(byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(text);
    }

    @Test
    void revokeRefusesUnknownSerialsRepeatsAndReasonsOpensslCannotRecord() throws Exception {
        try (PlantCa ca = PlantCa.init(tmp.resolve("ca"), ecInit(KeyAlgorithm.EC_P256))) {
            BigInteger serial = ca.issue(deviceCsr("x"), plc("x"), 10).getSerialNumber();
            assertThatThrownBy(() -> ca.revoke(serial.add(BigInteger.ONE), 0)).isInstanceOf(CaException.class)
                    .hasMessageContaining("not issued by this CA");
            assertThatThrownBy(() -> ca.revoke(serial, CRLReason.privilegeWithdrawn)).isInstanceOf(CaException.class)
                    .hasMessageContaining("cannot be recorded");
            ca.revoke(serial, CRLReason.unspecified);
            assertThatThrownBy(() -> ca.revoke(serial, CRLReason.keyCompromise)).isInstanceOf(CaException.class)
                    .hasMessageContaining("already revoked");
            assertThat(Files.readString(tmp.resolve("ca/index.txt"))).contains("Z,unspecified\t" + CaIndex.hex(serial));
            // RFC 5280 §5.3.1: no reasonCode extension for "unspecified".
            X509CRL crl = ca.crl(Duration.ofDays(1));
            assertThat(crl.getRevokedCertificate(serial).getExtensionValue(Extension.reasonCode.getId())).isNull();
        }
    }

    @Test
    void aSecondOpenIsRefusedWhileTheFirstHoldsTheCa() throws Exception {
        Path dir = tmp.resolve("ca");
        try (PlantCa first = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            assertThatThrownBy(() -> PlantCa.open(dir, new CaKeyAccess.Pkcs12(PASSWORD)))
                    .isInstanceOf(IOException.class).hasMessageContaining("already open");
            assertThat(first.list()).isEmpty();
        }
        try (PlantCa again = PlantCa.open(dir, new CaKeyAccess.Pkcs12(PASSWORD))) {
            assertThat(again.certificate()).isEqualTo(CredentialFiles.readCertificates(dir.resolve("ca.pem")).getFirst());
        }
    }

    @Test
    void aSecondProcessIsRefusedTheLock() throws Exception {
        Path dir = tmp.resolve("ca");
        PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256)).close();
        // flock from util-linux holds the same kind of lock FileChannel.tryLock takes (fcntl/OFD on Linux),
        // so use a second JVM: it is what an operator running two cipsec commands does.
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path holder = tmp.resolve("Hold.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE)) {
                            System.out.println(ch.tryLock() != null ? "locked" : "busy");
                            System.out.flush();
                            System.in.read();
                        }
                    }
                }
                """);
        Process p = new ProcessBuilder(java, holder.toString(), dir.resolve(".lock").toString()).redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertThat(line).isEqualTo("locked");
            assertThatThrownBy(() -> PlantCa.open(dir, new CaKeyAccess.Pkcs12(PASSWORD)))
                    .isInstanceOf(IOException.class).hasMessageContaining("in use by another process");
        } finally {
            p.getOutputStream().close();
            p.waitFor();
        }
        PlantCa.open(dir, new CaKeyAccess.Pkcs12(PASSWORD)).close();
    }

    @Test
    void wrongPasswordAndMissingCaAreClearErrorsWithoutTheSecret() throws Exception {
        Path dir = tmp.resolve("ca");
        PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256)).close();
        assertThatThrownBy(() -> PlantCa.open(dir, new CaKeyAccess.Pkcs12("wrong-password".toCharArray())))
                .isInstanceOf(IOException.class).message().doesNotContain("wrong-password");
        assertThatThrownBy(() -> PlantCa.open(tmp.resolve("nothing"), new CaKeyAccess.Pkcs12(PASSWORD)))
                .isInstanceOf(IOException.class).hasMessageContaining("holds no CA");
        assertThatThrownBy(() -> PlantCa.open(dir, new CaKeyAccess.Pkcs11(tmp.resolve("p11.cfg"), "1234".toCharArray())))
                .isInstanceOf(IOException.class).hasMessageContaining("no token.properties");
        assertThat(new CaKeyAccess.Pkcs12(PASSWORD).toString()).doesNotContain(new String(PASSWORD));
        assertThat(new CaKeyAccess.Pkcs11(null, "1234".toCharArray()).toString()).doesNotContain("1234");
        // The lock was released by the failed opens.
        PlantCa.open(dir, new CaKeyAccess.Pkcs12(PASSWORD)).close();
    }
}
