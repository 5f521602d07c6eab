package dev.cipsec.commission.ca;

import dev.cipsec.transport.tls.cert.AtomicFiles;
import dev.cipsec.transport.tls.cert.CredentialFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.cipsec.commission.ca.PlantCaTest.PASSWORD;
import static dev.cipsec.commission.ca.PlantCaTest.deviceCsr;
import static dev.cipsec.commission.ca.PlantCaTest.ecInit;
import static dev.cipsec.commission.ca.PlantCaTest.plc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A kill between any two state writes: the writer fails at write number N of an operation (as if the process
 * died just before that file's rename), then the CA is opened again as after a restart, and must be usable,
 * consistent and never reuse a serial or CRL number.
 */
class PlantCaCrashTest {
    @TempDir
    Path tmp;

    /** Writes through {@link AtomicFiles} until write number {@code failAt} (0-based), which "crashes". */
    static final class CrashingWriter implements PlantCa.StateWriter {
        final int failAt;
        final List<Path> written = new ArrayList<>();
        Path crashedOn;

        CrashingWriter(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public void write(Path file, byte[] data, boolean secret) throws IOException {
            if (written.size() == failAt) {
                crashedOn = file;
                throw new IOException("simulated crash before writing " + file.getFileName());
            }
            AtomicFiles.write(file, data, secret);
            written.add(file);
        }
    }

    private PlantCa openCrashing(Path dir, CrashingWriter w) throws IOException {
        return PlantCa.open(dir, new CaKeyAccess.Pkcs12(PASSWORD), w, new SecureRandom(), Clock.systemUTC());
    }

    private static PlantCa reopen(Path dir) throws IOException {
        return PlantCa.open(dir, new CaKeyAccess.Pkcs12(PASSWORD));
    }

    /** Every index line names a certificate file that is there and holds that serial. */
    private static void assertConsistent(Path dir) throws IOException {
        for (IssuedCertificate e : PlantCa.list(dir)) {
            Path file = dir.resolve("issued").resolve(e.serialHex() + ".pem");
            assertThat(file).exists();
            assertThat(CredentialFiles.readCertificates(file).getFirst().getSerialNumber()).isEqualTo(e.serial());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void issueInterruptedAtEveryWriteLeavesAStateThatNeverReusesTheSerial(int failAt) throws Exception {
        Path dir = tmp.resolve("ca");
        BigInteger before;
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            before = ca.issue(deviceCsr("a"), plc("plc-a"), 30).getSerialNumber();
        }
        BigInteger pending = new BigInteger(Files.readString(dir.resolve("serial")).strip(), 16);
        CrashingWriter w = new CrashingWriter(failAt);
        try (PlantCa ca = openCrashing(dir, w)) {
            assertThatThrownBy(() -> ca.issue(deviceCsr("b"), plc("plc-b"), 30)).isInstanceOf(IOException.class)
                    .hasMessageContaining("simulated crash");
        }
        // The order the brief demands: serial moves on, then the certificate, then the index line naming it.
        List<String> order = new ArrayList<>(w.written.stream().map(p -> p.getFileName().toString()).toList());
        order.add(w.crashedOn.getFileName().toString());
        assertThat(order).containsExactly(List.of("serial", CaIndex.hex(pending) + ".pem", "index.txt").subList(0, failAt + 1)
                .toArray(String[]::new));

        assertConsistent(dir);
        assertThat(PlantCa.list(dir)).extracting(IssuedCertificate::serial).containsExactly(before);
        try (PlantCa ca = reopen(dir)) {
            BigInteger after = ca.issue(deviceCsr("c"), plc("plc-c"), 30).getSerialNumber();
            assertThat(after).isNotEqualTo(before);
            if (failAt > 0) {
                // A certificate with that serial may exist (failAt 2 wrote its file): it must never be reissued.
                assertThat(after).isNotEqualTo(pending);
            }
            assertThat(ca.list()).extracting(IssuedCertificate::serial).containsExactly(before, after);
        }
        assertConsistent(dir);
    }

    @Test
    void aSerialFileRolledBackOntoAnIssuedSerialIsSkipped() throws Exception {
        Path dir = tmp.resolve("ca");
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            BigInteger first = ca.issue(deviceCsr("a"), plc("plc-a"), 30).getSerialNumber();
            AtomicFiles.write(dir.resolve("serial"), (CaIndex.hex(first) + "\n").getBytes(), false);
            assertThat(ca.issue(deviceCsr("b"), plc("plc-b"), 30).getSerialNumber()).isNotEqualTo(first);
            Files.writeString(dir.resolve("serial"), "not hex\n");
            assertThat(ca.issue(deviceCsr("c"), plc("plc-c"), 30).getSerialNumber().signum()).isPositive();
            assertThat(ca.list()).hasSize(3);
        }
    }

    @Test
    void revokeInterruptedLeavesTheCertificateValid() throws Exception {
        Path dir = tmp.resolve("ca");
        BigInteger serial;
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            serial = ca.issue(deviceCsr("a"), plc("plc-a"), 30).getSerialNumber();
        }
        try (PlantCa ca = openCrashing(dir, new CrashingWriter(0))) {
            assertThatThrownBy(() -> ca.revoke(serial, 1)).hasMessageContaining("simulated crash");
        }
        try (PlantCa ca = reopen(dir)) {
            assertThat(ca.list().getFirst().status()).isEqualTo(IssuedCertificate.Status.VALID);
            ca.revoke(serial, 1);
            assertThat(ca.list().getFirst().status()).isEqualTo(IssuedCertificate.Status.REVOKED);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void crlInterruptedNeverReusesACrlNumber(int failAt) throws Exception {
        Path dir = tmp.resolve("ca");
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            ca.crl(Duration.ofDays(1));
        }
        String crlBefore = Files.readString(dir.resolve("crl.pem"));
        try (PlantCa ca = openCrashing(dir, new CrashingWriter(failAt))) {
            assertThatThrownBy(() -> ca.crl(Duration.ofDays(1))).hasMessageContaining("simulated crash");
        }
        // The old CRL stays whole until the new one replaces it.
        assertThat(Files.readString(dir.resolve("crl.pem"))).isEqualTo(crlBefore);
        try (PlantCa ca = reopen(dir)) {
            X509CRL next = ca.crl(Duration.ofDays(1));
            assertThat(PlantCaTest.crlNumber(next)).isEqualTo(BigInteger.valueOf(failAt == 0 ? 2 : 3));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void initInterruptedLeavesNoCaAndCanBeRunAgain(int failAt) throws Exception {
        Path dir = tmp.resolve("ca");
        assertThatThrownBy(() -> PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256), new CrashingWriter(failAt), new SecureRandom(),
                Clock.systemUTC())).hasMessageContaining("simulated crash");
        assertThatThrownBy(() -> reopen(dir)).isInstanceOf(IOException.class).hasMessageContaining("holds no CA");
        try (PlantCa ca = PlantCa.init(dir, ecInit(KeyAlgorithm.EC_P256))) {
            assertThat(ca.issue(deviceCsr("a"), plc("plc-a"), 30)).isNotNull();
        }
        assertConsistent(dir);
    }
}
