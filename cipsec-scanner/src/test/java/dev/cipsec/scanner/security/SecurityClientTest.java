package dev.cipsec.scanner.security;

import dev.cipsec.adapter.CipDevice;
import dev.cipsec.adapter.DeviceProfile;
import dev.cipsec.adapter.SecuritySettings;
import dev.cipsec.scanner.CipClient;
import dev.cipsec.scanner.ClientOptions;
import dev.cipsec.scanner.Target;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.transport.tls.cert.TrustStore;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CertificateList;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.CsrRequest;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskEntry;
import dev.cipsec.wire.security.PskList;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SecurityClient} and {@link FileTransfer} against a real device with CIP Security on ephemeral ports. */
class SecurityClientTest {
    static final Bytes PSK_KEY = Bytes.fromHex("00112233445566778899aabbccddeeff");

    CipDevice device;

    @BeforeEach
    void start() throws IOException {
        device = CipDevice.start(DeviceProfile.defaults()
                .withSecurity(SecuritySettings.tls(TlsPolicy.builder().build())).onEphemeralPorts());
    }

    @AfterEach
    void stop() {
        device.close();
    }

    CipClient plain() throws IOException {
        return CipClient.connect(new Target("127.0.0.1", device.tcpAddress().getPort(), false), ClientOptions.defaults());
    }

    /** A TLS client that trusts exactly the given certificates (the default one is pinned, as on first use). */
    CipClient tls(X509Certificate... trusted) throws IOException {
        TlsPolicy policy = TlsPolicy.builder()
                .peerVerifier(PeerVerifier.trusting(TrustStore.of(List.of(trusted), List.of(), List.of()), false)).build();
        return CipClient.connect(new Target("127.0.0.1", device.tlsAddress().getPort(), true),
                ClientOptions.defaults().withTls(policy));
    }

    @Test
    void readsEveryAttributeOfAFactoryDefaultDevice() throws Exception {
        try (CipClient c = plain()) {
            SecurityClient s = new SecurityClient(c);
            assertThat(s.cip().state()).isEqualTo(SecurityClient.Cip.FACTORY_DEFAULT);
            assertThat(s.cip().securityProfiles()).isEqualTo(0x0002);
            assertThat(s.cip().securityProfilesConfigured()).isZero();

            SecurityClient.Eip eip = s.eip();
            assertThat(eip.state()).isZero();
            assertThat(eip.capabilityFlags()).isEqualTo(1);
            assertThat(eip.availableSuites().ids()).contains(0xC02B, 0xC023, 0xC037);
            List<Integer> available = eip.availableSuites().ids();
            assertThat(eip.allowedSuites().ids()).isNotEmpty().allMatch(available::contains);
            assertThat(eip.psks().entries()).isEmpty();
            assertThat(eip.activeCertificates()).isEqualTo(EPathList.of(EPath.classInstance(0x5F, 1)));
            assertThat(eip.trustedAuthorities().paths()).isEmpty();
            assertThat(eip.crl()).isEqualTo(EPath.EMPTY);
            assertThat(eip.verifyClientCertificate()).isFalse();
            assertThat(eip.checkExpiration()).isFalse();
            assertThat(eip.trustedIdentities().paths()).isEmpty();
            assertThat(eip.pullModelEnabled()).isTrue();
            assertThat(eip.pullModelStatus()).isZero();
            assertThat(eip.dtlsTimeout()).isPositive();
            assertThat(eip.udpOnlyPolicy()).isZero();
            assertThat(eip.checkSubjectAltName()).isFalse();
            eip.sendCertificateChain();

            SecurityClient.Certificates certs = s.certificates();
            assertThat(certs.capabilityFlags()).isEqualTo(1);
            assertThat(certs.encodingsFlag()).isEqualTo(3);
            assertThat(certs.list()).isEqualTo(CertificateList.of(
                    new CertificateList.Entry("Default Device Certificate", EPath.classInstance(0x5F, 1))));
            assertThat(certs.name(1)).isEqualTo("Default Device Certificate");
            assertThat(certs.state(1)).isEqualTo(SecurityClient.Certificates.VERIFIED);
            CertificateReference dev = certs.deviceCertificate(1);
            assertThat(dev.status()).isEqualTo(CertificateReference.VERIFIED);
            assertThat(dev.path().classId()).isEqualTo(FileTransfer.CLASS_ID);
            assertThat(certs.caCertificate(1).status()).isEqualTo(CertificateReference.VERIFIED);
            assertThat(certs.encoding(1)).isZero();

            // The default certificate file is what the TLS listener presents.
            Bytes pem = s.files().upload(dev.path().instanceId());
            assertThat(pem(device.defaultIdentity().certificate())).isEqualTo(pem);
        }
    }

    @Test
    void aWholeSessionConfiguresTheDeviceAndPlainTcpIsThenRefusedWithTheServiceName() throws Exception {
        try (CipClient c = plain()) {
            SecurityClient s = new SecurityClient(c);
            s.cip().beginConfig();
            s.eip().beginConfig();
            s.cip().kickTimer();
            s.eip().kickTimer();
            PskList psks = PskList.of(new PskEntry(Bytes.of("line-3".getBytes(StandardCharsets.US_ASCII)), PSK_KEY, OptionalInt.of(0)));
            s.eip().setAllowedSuites(CipherSuiteList.of(0xC02B, 0xC037));
            s.eip().setPsks(psks);
            s.eip().setTrustedAuthorities(EPathList.of(EPath.classInstance(0x5F, 1)));
            s.eip().setTrustedIdentities(EPathList.empty());
            s.eip().setActiveCertificates(EPathList.of(EPath.classInstance(0x5F, 1)));
            s.eip().setCrl(EPath.EMPTY);
            s.eip().setVerifyClientCertificate(false);
            s.eip().setSendCertificateChain(true);
            s.eip().setCheckExpiration(true);
            s.eip().setDtlsTimeout(30);
            s.eip().setUdpOnlyPolicy(0);
            s.eip().setCheckSubjectAltName(true);
            // Reads in the session show what was written, the PSK without its key.
            assertThat(s.eip().allowedSuites()).isEqualTo(CipherSuiteList.of(0xC02B, 0xC037));
            assertThat(s.eip().psks()).isEqualTo(psks.redacted());
            assertThat(s.eip().trustedAuthorities()).isEqualTo(EPathList.of(EPath.classInstance(0x5F, 1)));
            assertThat(s.eip().checkExpiration()).isTrue();
            assertThat(s.eip().dtlsTimeout()).isEqualTo(30);
            assertThat(s.eip().checkSubjectAltName()).isTrue();
            assertThat(s.eip().state()).isEqualTo(SecurityClient.Eip.CONFIGURATION_IN_PROGRESS);
            s.eip().applyConfig(new ApplyConfigRequest(0, 0));
            s.cip().endConfig();
            assertThat(s.cip().state()).isEqualTo(SecurityClient.Cip.CONFIGURED);
            assertThat(s.eip().state()).isEqualTo(SecurityClient.Eip.CONFIGURED);
            assertThat(s.cip().securityProfilesConfigured()).isEqualTo(0x0002);
            assertThat(device.security().eip().applied().allowedSuites()).isEqualTo(CipherSuiteList.of(0xC02B, 0xC037));

            assertThatThrownBy(() -> s.cip().beginConfig()).isInstanceOfSatisfying(SecurityServiceException.class, e -> {
                assertThat(e.generalStatus()).isEqualTo(GeneralStatus.PRIVILEGE_VIOLATION);
                assertThat(e.service()).isEqualTo("0x5D Begin_Config");
                assertThat(e.getMessage()).contains("0x5D Begin_Config");
            });
            assertThatThrownBy(() -> s.eip().beginConfig()).isInstanceOfSatisfying(SecurityServiceException.class,
                    e -> assertThat(e.generalStatus()).isEqualTo(GeneralStatus.PRIVILEGE_VIOLATION));
        }
        // Over TLS the configured device accepts a reset, back to factory default.
        try (CipClient c = tls(device.defaultIdentity().certificate())) {
            SecurityClient s = new SecurityClient(c);
            s.cip().reset();
            assertThat(s.cip().state()).isEqualTo(SecurityClient.Cip.FACTORY_DEFAULT);
            assertThat(s.eip().state()).isEqualTo(SecurityClient.Eip.FACTORY_DEFAULT);
            s.eip().reset(true);
            assertThat(s.eip().pullModelEnabled()).isTrue();
        }
    }

    @Test
    void anApplyRefusalCarriesItsFailureCodeAndAbortReturnsToTheStateBefore() throws Exception {
        try (CipClient c = plain()) {
            SecurityClient s = new SecurityClient(c);
            s.eip().beginConfig();
            s.eip().setAllowedSuites(CipherSuiteList.of(0xC037));
            s.eip().setPsks(PskList.empty());
            assertThatThrownBy(() -> s.eip().applyConfig(new ApplyConfigRequest(ApplyConfigRequest.CLOSE_EXISTING, 500)))
                    .isInstanceOfSatisfying(SecurityServiceException.class, e -> {
                        assertThat(e.generalStatus()).isEqualTo(0xD0);
                        assertThat(e.additionalStatus()).containsExactly(0x0001);
                        assertThat(e.service()).isEqualTo("0x5E Apply_Config");
                    });
            assertThatThrownBy(() -> s.eip().setUdpOnlyPolicy(1)).isInstanceOfSatisfying(SecurityServiceException.class, e -> {
                assertThat(e.generalStatus()).isEqualTo(GeneralStatus.INVALID_ATTRIBUTE_VALUE);
                assertThat(e.service()).isEqualTo("0x5E Set_Attribute_Single UDP-only Policy");
            });
            s.eip().abortConfig();
            assertThat(s.eip().state()).isEqualTo(SecurityClient.Eip.FACTORY_DEFAULT);
            assertThatThrownBy(() -> s.eip().setAllowedSuites(CipherSuiteList.of(0xC02B)))
                    .isInstanceOfSatisfying(SecurityServiceException.class,
                            e -> assertThat(e.generalStatus()).isEqualTo(GeneralStatus.OBJECT_STATE_CONFLICT));
            assertThatThrownBy(() -> s.cip().endConfig()).isInstanceOfSatisfying(SecurityServiceException.class,
                    e -> assertThat(e.generalStatus()).isEqualTo(GeneralStatus.OBJECT_STATE_CONFLICT));
            // Nothing to clean up in factory default.
            assertThatThrownBy(() -> s.cip().objectCleanup()).isInstanceOfSatisfying(SecurityServiceException.class, e -> {
                assertThat(e.generalStatus()).isEqualTo(0xD0);
                assertThat(e.service()).isEqualTo("0x5D Object_Cleanup");
            });
        }
    }

    @Test
    void filesGoBothWaysInEveryPacketLayout() throws Exception {
        try (CipClient c = plain()) {
            FileTransfer files = new FileTransfer(c);
            long id = files.create("blob", FileTransfer.ENCODING_BINARY);
            assertThat(files.info(id)).isEqualTo(new FileTransfer.FileInfo(id, FileTransfer.STATE_EMPTY, "blob", 0, 0, false, 0));
            Random random = new Random(7);
            // One byte (first-and-last), exactly one packet, one more than a packet, several packets.
            for (int size : new int[] {1, 255, 256, 1000}) {
                byte[] data = new byte[size];
                random.nextBytes(data);
                files.download(id, "blob.bin", Bytes.of(data));
                assertThat(files.upload(id)).isEqualTo(Bytes.of(data));
                FileTransfer.FileInfo info = files.info(id);
                assertThat(info.state()).isEqualTo(FileTransfer.STATE_LOADED);
                assertThat(info.size()).isEqualTo(size);
            }
            assertThat(files.directory().entries()).anySatisfy(e -> {
                assertThat(e.instanceId()).isEqualTo((int) id);
                assertThat(e.instanceName().text()).isEqualTo("blob");
                assertThat(e.fileName().text()).isEqualTo("blob.bin");
            });
            files.delete(id);
            assertThatThrownBy(() -> files.upload(id)).isInstanceOfSatisfying(SecurityServiceException.class,
                    e -> assertThat(e.service()).isEqualTo("0x37 Initiate_Upload"));
            // An empty file cannot be uploaded: it is not loaded.
            long empty = files.create("nothing", FileTransfer.ENCODING_BINARY);
            assertThatThrownBy(() -> files.upload(empty)).isInstanceOfSatisfying(SecurityServiceException.class,
                    e -> assertThat(e.generalStatus()).isEqualTo(GeneralStatus.OBJECT_STATE_CONFLICT));
            // The default certificate files are read-only.
            assertThatThrownBy(() -> files.download(1, "x.pem", Bytes.of((byte) 1)))
                    .isInstanceOfSatisfying(SecurityServiceException.class,
                            e -> assertThat(e.service()).isEqualTo("0x37 Initiate_Download"));
        }
    }

    @Test
    void anUploadLargerThanTheBoundIsRefusedBeforeTransferring() throws Exception {
        try (CipClient c = plain()) {
            FileTransfer small = new FileTransfer(c, 10);
            assertThatThrownBy(() -> small.upload(1)).isInstanceOf(IOException.class).hasMessageContaining("more than the 10");
        }
    }

    @Test
    void aCertificateIsCommissionedThroughCsrFileDownloadVerifyAndApply() throws Exception {
        TestPki pki = TestPki.create("commissioning");
        X509Certificate defaultCert = device.defaultIdentity().certificate();
        long instance;
        try (CipClient c = tls(defaultCert)) {
            SecurityClient s = new SecurityClient(c);
            SecurityClient.Certificates certs = s.certificates();
            instance = certs.create("plc-7");
            assertThat(instance).isEqualTo(2);
            assertThat(certs.state(instance)).isEqualTo(SecurityClient.Certificates.CREATED);
            assertThat(certs.list().entries()).extracting(CertificateList.Entry::name).containsExactly("Default Device Certificate", "plc-7");
            assertThatThrownBy(() -> certs.create("plc-7")).isInstanceOfSatisfying(SecurityServiceException.class,
                    e -> assertThat(e.service()).isEqualTo("0x5F Create"));

            EPath csrFile = certs.createCsr(instance, new CsrRequest("plc-7.example", "Example", "Line 3", "Lyon", "", "FR",
                    "", "", "DNS:plc-7.example"));
            assertThat(csrFile.classId()).isEqualTo(FileTransfer.CLASS_ID);
            String csrPem = new String(s.files().upload(csrFile.instanceId()).toArray(), StandardCharsets.US_ASCII);
            assertThat(csrPem).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
            X509Certificate issued = sign(csrPem, pki.rootIdentity());
            assertThat(issued.getSubjectX500Principal().getName()).contains("CN=plc-7.example");

            FileTransfer files = s.files();
            long certFile = files.create("plc-7 certificate", FileTransfer.ENCODING_PEM_CERTIFICATE);
            files.download(certFile, "plc-7.pem", pem(issued));
            long caFile = files.create("plc-7 CA", FileTransfer.ENCODING_PEM_CERTIFICATE);
            files.download(caFile, "ca.pem", pem(pki.root()));
            certs.setDeviceCertificate(instance, FileTransfer.path(certFile));
            certs.setCaCertificate(instance, FileTransfer.path(caFile));
            assertThat(certs.deviceCertificate(instance))
                    .isEqualTo(new CertificateReference(CertificateReference.NOT_VERIFIED, FileTransfer.path(certFile)));
            certs.verify(instance, SecurityClient.Certificates.VERIFY_ALL);
            assertThat(certs.state(instance)).isEqualTo(SecurityClient.Certificates.VERIFIED);
            assertThat(certs.deviceCertificate(instance).status()).isEqualTo(CertificateReference.VERIFIED);
            assertThat(certs.caCertificate(instance).status()).isEqualTo(CertificateReference.VERIFIED);
            assertThat(certs.encoding(instance)).isZero();

            s.cip().beginConfig();
            s.eip().beginConfig();
            s.eip().setActiveCertificates(EPathList.of(SecurityClient.Certificates.path(instance)));
            s.eip().applyConfig(new ApplyConfigRequest(0, 0));
            s.cip().endConfig();
            // In use by 0x5E: not deletable.
            assertThatThrownBy(() -> certs.delete(instance)).isInstanceOfSatisfying(SecurityServiceException.class, e -> {
                assertThat(e.generalStatus()).isEqualTo(GeneralStatus.OBJECT_STATE_CONFLICT);
                assertThat(e.service()).isEqualTo("0x5F Delete");
            });
        }
        // New sessions get the CA-signed certificate; the pinned default one no longer matches.
        try (CipClient c = tls(pki.root())) {
            X509Certificate presented = c.tlsSession().orElseThrow().peerCertificates().get(0);
            assertThat(presented.getSubjectX500Principal().getName()).contains("CN=plc-7.example");
        }
        assertThatThrownBy(() -> tls(defaultCert).close()).isInstanceOf(IOException.class);
    }

    @Test
    void verifyingACertificateOfAnotherKeyFailsWithD0AndMarksItInvalid() throws Exception {
        TestPki pki = TestPki.create("wrong key");
        try (CipClient c = tls(device.defaultIdentity().certificate())) {
            SecurityClient s = new SecurityClient(c);
            long instance = s.certificates().create("other");
            s.certificates().createCsr(instance, CsrRequest.deviceDefaults());
            Identity stranger = pki.issueServer(dev.cipsec.transport.tls.cert.KeyType.EC_P256, "stranger");
            long file = s.files().create("stranger", FileTransfer.ENCODING_PEM_CERTIFICATE);
            s.files().download(file, "stranger.pem", pem(stranger.certificate()));
            s.certificates().setDeviceCertificate(instance, FileTransfer.path(file));
            assertThatThrownBy(() -> s.certificates().verify(instance, SecurityClient.Certificates.VERIFY_DEVICE))
                    .isInstanceOfSatisfying(SecurityServiceException.class, e -> {
                        assertThat(e.generalStatus()).isEqualTo(0xD0);
                        assertThat(e.service()).isEqualTo("0x5F Verify_Certificate");
                    });
            assertThat(s.certificates().state(instance)).isEqualTo(SecurityClient.Certificates.INVALID);
            assertThat(s.certificates().deviceCertificate(instance).status()).isEqualTo(CertificateReference.INVALID);
            s.certificates().delete(instance);
            assertThat(s.certificates().list().entries()).hasSize(1);
        }
    }

    static Bytes pem(X509Certificate c) throws Exception {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded());
        return Bytes.of(("-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** What a CA does with the CSR: a certificate for its subject and key, signed by {@code ca}. */
    static X509Certificate sign(String csrPem, Identity ca) throws Exception {
        PKCS10CertificationRequest csr;
        try (PEMParser p = new PEMParser(new StringReader(csrPem))) {
            csr = (PKCS10CertificationRequest) p.readObject();
        }
        JcaPKCS10CertificationRequest jcsr = new JcaPKCS10CertificationRequest(csr);
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(365))), csr.getSubject(), jcsr.getPublicKey());
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
    }
}
