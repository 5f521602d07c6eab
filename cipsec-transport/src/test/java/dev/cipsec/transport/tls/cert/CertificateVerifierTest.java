package dev.cipsec.transport.tls.cert;

import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TestPki.LeafSpec;
import dev.cipsec.transport.tls.TestPki.Signer;
import dev.cipsec.transport.tls.cert.CertificateRejectedException.Check;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateVerifierTest {
    private static final TestPki PKI = TestPki.create();
    private static final VerifyOptions SERVER = VerifyOptions.of(Purpose.SERVER, true);
    private static final VerifyOptions CLIENT = VerifyOptions.of(Purpose.CLIENT, true);

    private final CertificateVerifier verifier = new CertificateVerifier(PKI.trustStore());

    private static CertificateRejectedException rejected(CertificateVerifier v, List<X509Certificate> chain, VerifyOptions o) {
        try {
            v.verify(chain, o);
        } catch (CertificateRejectedException e) {
            return e;
        }
        throw new AssertionError("chain was accepted: " + chain.getFirst().getSubjectX500Principal());
    }

    // ---- accepted ----

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void serverLeafOfEveryKeyTypeVerifiesToTheRoot(KeyType type) throws Exception {
        Identity server = PKI.issueServer(type, "adapter-" + type);
        assertThat(verifier.verify(server.chain(), SERVER))
                .containsExactly(server.certificate(), PKI.intermediate(), PKI.root());
    }

    @Test
    void clientLeafVerifiesForAClientPeer() throws Exception {
        Identity client = PKI.issueClient(KeyType.EC_P256, "scanner");
        assertThat(verifier.verify(client.chain(), CLIENT)).hasSize(3);
    }

    @Test
    void chainIncludingTheAnchorEndsAtTheStoresAnchor() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "with-root");
        List<X509Certificate> chain = List.of(server.certificate(), PKI.intermediate(), PKI.root());
        TrustStore store = PKI.trustStore();
        List<X509Certificate> path = new CertificateVerifier(store).verify(chain, SERVER);
        assertThat(path).containsExactly(server.certificate(), PKI.intermediate(), PKI.root());
        assertThat(path.getLast()).isSameAs(store.anchors().getFirst());
    }

    @Test
    void chainOutOfOrderBeyondTheLeafIsSortedOut() throws Exception {
        // root -> caA -> caB -> leaf, received as leaf, caA, caB (and also with the root in front of them).
        Identity caA = PKI.issue(LeafSpec.of(KeyType.EC_P256, "ca A").signer(Signer.ROOT).ca());
        Identity caB = PKI.issue(LeafSpec.of(KeyType.EC_P256, "ca B").issuer(caA).ca());
        Identity leaf = PKI.issue(LeafSpec.of(KeyType.EC_P256, "deep").issuer(caB).eku(KeyPurposeId.id_kp_serverAuth));
        assertThat(leaf.chain()).containsExactly(leaf.certificate(), caB.certificate(), caA.certificate());

        List<X509Certificate> shuffled = List.of(leaf.certificate(), caA.certificate(), PKI.root(), caB.certificate());
        assertThat(verifier.verify(shuffled, SERVER))
                .containsExactly(leaf.certificate(), caB.certificate(), caA.certificate(), PKI.root());
    }

    @Test
    void missingIntermediateIsFoundInIssuers() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "leaf-only");
        assertThat(rejected(verifier, List.of(server.certificate()), SERVER).check()).isEqualTo(Check.UNTRUSTED);

        TrustStore withIssuer = TrustStore.of(List.of(PKI.root()), List.of(PKI.intermediate()), List.of());
        assertThat(new CertificateVerifier(withIssuer).verify(List.of(server.certificate()), SERVER))
                .containsExactly(server.certificate(), PKI.intermediate(), PKI.root());
    }

    @Test
    void pinnedSelfSignedLeafIsAcceptedWithoutAPath() throws Exception {
        Identity self = TestPki.selfSigned(KeyType.EC_P256, "pinned");
        TrustStore pinned = TrustStore.of(List.of(self.certificate()), List.of(), List.of());
        assertThat(new CertificateVerifier(pinned).verify(self.chain(), CLIENT)).containsExactly(self.certificate());
        // Not pinned: the self-signed certificate has no anchor.
        assertThat(rejected(verifier, self.chain(), CLIENT).check()).isEqualTo(Check.UNTRUSTED);
    }

    @Test
    void leafWithoutKeyUsageOrEkuIsAccepted() throws Exception {
        Identity plain = PKI.issue(LeafSpec.of(KeyType.EC_P256, "plain").keyUsage(null));
        assertThat(verifier.verify(plain.chain(), SERVER)).hasSize(3);
        assertThat(verifier.verify(plain.chain(), CLIENT)).hasSize(3);
    }

    @Test
    void anyExtendedKeyUsageServesBothRoles() throws Exception {
        Identity any = PKI.issue(LeafSpec.of(KeyType.EC_P256, "any").eku(KeyPurposeId.anyExtendedKeyUsage));
        assertThat(verifier.verify(any.chain(), SERVER)).hasSize(3);
        assertThat(verifier.verify(any.chain(), CLIENT)).hasSize(3);
    }

    @Test
    void rsaLeafWithKeyEnciphermentOnlyIsAccepted() throws Exception {
        Identity rsa = PKI.issue(LeafSpec.of(KeyType.RSA, "rsa-kex").keyUsage(KeyUsage.keyEncipherment));
        assertThat(verifier.verify(rsa.chain(), SERVER)).hasSize(3);
    }

    @Test
    void crlNotListingTheLeafLetsItThrough() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "good");
        Identity other = PKI.issueServer(KeyType.EC_P256, "bad");
        TrustStore store = TrustStore.of(List.of(PKI.root()), List.of(), List.of(PKI.crl(other.certificate())));
        assertThat(new CertificateVerifier(store).verify(server.chain(), SERVER)).hasSize(3);
    }

    // ---- rejected, one check each ----

    @Test
    void malformedWhenMoreThan16CertificatesOrEmpty() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "long");
        List<X509Certificate> chain = new ArrayList<>(server.chain());
        chain.addAll(Collections.nCopies(15, PKI.intermediate()));
        assertThat(chain).hasSize(17);
        CertificateRejectedException e = rejected(verifier, chain, SERVER);
        assertThat(e.check()).isEqualTo(Check.MALFORMED);
        assertThat(e.certificate()).isEqualTo(server.certificate());
        assertThat(verifier.verify(chain.subList(0, 16), SERVER)).hasSize(3);

        assertThat(rejected(verifier, List.of(), SERVER).check()).isEqualTo(Check.MALFORMED);
        assertThat(rejected(verifier, null, SERVER).getMessage()).startsWith("MALFORMED: empty");
    }

    @Test
    void untrustedWhenTheRootIsAnotherOne() {
        TestPki other = TestPki.create("other");
        Identity stranger = other.issueServer(KeyType.EC_P256, "stranger");
        CertificateRejectedException e = rejected(verifier, stranger.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.UNTRUSTED);
        assertThat(e.certificate()).isEqualTo(other.intermediate());
        // Even with its root sent along: a root is only trusted from the store.
        List<X509Certificate> withRoot = List.of(stranger.certificate(), other.intermediate(), other.root());
        assertThat(rejected(verifier, withRoot, SERVER).check()).isEqualTo(Check.UNTRUSTED);
        assertThat(rejected(new CertificateVerifier(TrustStore.empty()), stranger.chain(), SERVER).check())
                .isEqualTo(Check.UNTRUSTED);
    }

    @Test
    void untrustedWhenTheIssuerHasTheRightNameButAnotherKeyId() {
        // Same DN as our intermediate, different key: its AKI names a key we do not have.
        Identity impostorCa = PKI.issue(LeafSpec.of(KeyType.EC_P256, "cipsec test intermediate").signer(Signer.SELF).ca());
        Identity leaf = PKI.issue(LeafSpec.of(KeyType.EC_P256, "victim").issuer(impostorCa));
        List<X509Certificate> chain = List.of(leaf.certificate(), PKI.intermediate());
        assertThat(rejected(verifier, chain, SERVER).check()).isEqualTo(Check.UNTRUSTED);
    }

    @Test
    void signatureWhenTheLeafSignatureIsTampered() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "tampered");
        X509Certificate bad = tamperSignature(server.certificate());
        CertificateRejectedException e = rejected(verifier, List.of(bad, PKI.intermediate()), SERVER);
        assertThat(e.check()).isEqualTo(Check.SIGNATURE);
        assertThat(e.certificate()).isEqualTo(bad);
    }

    @Test
    void chainLoopIsRejected() throws Exception {
        // Two CAs certifying each other, neither an anchor: A <- B <- A ...
        KeyPair a = TestPki.newKeyPair(KeyType.EC_P256);
        KeyPair b = TestPki.newKeyPair(KeyType.EC_P256);
        Identity aSelf = PKI.issue(LeafSpec.of(KeyType.EC_P256, "loop A").signer(Signer.SELF).keyPair(a).ca());
        Identity bSelf = PKI.issue(LeafSpec.of(KeyType.EC_P256, "loop B").signer(Signer.SELF).keyPair(b).ca());
        X509Certificate aByB = PKI.issue(LeafSpec.of(KeyType.EC_P256, "loop A").issuer(bSelf).keyPair(a).ca()).certificate();
        X509Certificate bByA = PKI.issue(LeafSpec.of(KeyType.EC_P256, "loop B").issuer(aSelf).keyPair(b).ca()).certificate();
        Identity leaf = PKI.issue(LeafSpec.of(KeyType.EC_P256, "in loop").issuer(aSelf));
        CertificateRejectedException e = rejected(verifier, List.of(leaf.certificate(), aByB, bByA), SERVER);
        assertThat(e.check()).isEqualTo(Check.CHAIN);
        assertThat(e.getMessage()).contains("loop");
    }

    @Test
    void chainLongerThanTheLimitIsRejected() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "three");
        CertificateRejectedException e = rejected(verifier, server.chain(), SERVER.withMaxChainLength(2));
        assertThat(e.check()).isEqualTo(Check.CHAIN);
        assertThat(e.getMessage()).contains("longer than 2");
        assertThat(verifier.verify(server.chain(), SERVER.withMaxChainLength(3))).hasSize(3);
    }

    @Test
    void unknownCriticalExtensionIsRejectedAndUnknownNonCriticalIgnored() throws Exception {
        ASN1ObjectIdentifier oid = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1");
        Identity critical = PKI.issue(LeafSpec.of(KeyType.EC_P256, "crit").extension(oid, true, new DERUTF8String("x")));
        CertificateRejectedException e = rejected(verifier, critical.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.CHAIN);
        assertThat(e.getMessage()).contains(oid.getId());

        Identity nonCritical = PKI.issue(LeafSpec.of(KeyType.EC_P256, "noncrit").extension(oid, false, new DERUTF8String("x")));
        assertThat(verifier.verify(nonCritical.chain(), SERVER)).hasSize(3);
    }

    @Test
    void basicConstraintsWhenTheIssuerIsNotACa() {
        Identity notCa = PKI.issue(LeafSpec.of(KeyType.EC_P256, "not a ca").signer(Signer.ROOT));
        Identity leaf = PKI.issue(LeafSpec.of(KeyType.EC_P256, "under non-ca").issuer(notCa));
        CertificateRejectedException e = rejected(verifier, leaf.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.BASIC_CONSTRAINTS);
        assertThat(e.certificate()).isEqualTo(notCa.certificate());

        Identity noBc = PKI.issue(LeafSpec.of(KeyType.EC_P256, "no bc").signer(Signer.ROOT).noBasicConstraints()
                .keyUsage(KeyUsage.keyCertSign));
        Identity leaf2 = PKI.issue(LeafSpec.of(KeyType.EC_P256, "under no-bc").issuer(noBc));
        assertThat(rejected(verifier, leaf2.chain(), SERVER).check()).isEqualTo(Check.BASIC_CONSTRAINTS);
    }

    @Test
    void basicConstraintsWhenPathLenIsExceeded() {
        // The intermediate has pathLen 0: a sub-CA under it may not issue.
        Identity subCa = PKI.issue(LeafSpec.of(KeyType.EC_P256, "sub ca").ca());
        Identity leaf = PKI.issue(LeafSpec.of(KeyType.EC_P256, "too deep").issuer(subCa));
        CertificateRejectedException e = rejected(verifier, leaf.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.BASIC_CONSTRAINTS);
        assertThat(e.certificate()).isEqualTo(PKI.intermediate());
        assertThat(e.getMessage()).contains("pathLenConstraint 0");
    }

    @Test
    void keyUsageWhenTheCaLacksKeyCertSign() {
        Identity ca = PKI.issue(LeafSpec.of(KeyType.EC_P256, "signing-only ca").signer(Signer.ROOT).ca()
                .keyUsage(KeyUsage.digitalSignature));
        Identity leaf = PKI.issue(LeafSpec.of(KeyType.EC_P256, "under it").issuer(ca));
        CertificateRejectedException e = rejected(verifier, leaf.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.KEY_USAGE);
        assertThat(e.certificate()).isEqualTo(ca.certificate());
    }

    @Test
    void keyUsageWhenTheLeafCanNeitherSignNorEncipher() {
        Identity leaf = PKI.issue(LeafSpec.of(KeyType.EC_P256, "agreement only").keyUsage(KeyUsage.keyAgreement));
        CertificateRejectedException e = rejected(verifier, leaf.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.KEY_USAGE);
        assertThat(e.certificate()).isEqualTo(leaf.certificate());
    }

    @Test
    void extendedKeyUsageServerCertificateOfferedByAClient() {
        Identity server = PKI.issueServer(KeyType.EC_P256, "server");
        CertificateRejectedException e = rejected(verifier, server.chain(), CLIENT);
        assertThat(e.check()).isEqualTo(Check.EXTENDED_KEY_USAGE);
        assertThat(e.getMessage()).contains("clientAuth");
    }

    @Test
    void extendedKeyUsageClientCertificateOfferedByAServer() {
        Identity client = PKI.issueClient(KeyType.EC_P256, "client");
        CertificateRejectedException e = rejected(verifier, client.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.EXTENDED_KEY_USAGE);
        assertThat(e.getMessage()).contains("serverAuth");
    }

    @Test
    void expiryIsCheckedOnlyWhenAsked() throws Exception {
        Instant now = Instant.now();
        Identity expired = PKI.issue(LeafSpec.of(KeyType.EC_P256, "expired").eku(KeyPurposeId.id_kp_serverAuth)
                .validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))));
        CertificateRejectedException e = rejected(verifier, expired.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.EXPIRY);
        assertThat(e.certificate()).isEqualTo(expired.certificate());

        assertThat(verifier.verify(expired.chain(), VerifyOptions.of(Purpose.SERVER, false))).hasSize(3);
    }

    @Test
    void expiryAppliesToEveryCertificateOnThePathAtTheGivenTime() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "future");
        // Past the leaf (1 year) and intermediate (5 years) but within the root (10 years): the leaf fails first.
        CertificateRejectedException late = rejected(verifier, server.chain(), SERVER.withNow(Instant.now().plus(Duration.ofDays(2000))));
        assertThat(late.check()).isEqualTo(Check.EXPIRY);
        assertThat(late.certificate()).isEqualTo(server.certificate());
        CertificateRejectedException early = rejected(verifier, server.chain(), SERVER.withNow(Instant.now().minus(Duration.ofDays(2))));
        assertThat(early.check()).isEqualTo(Check.EXPIRY);
        assertThat(early.getMessage()).contains("not valid before");
    }

    @Test
    void revokedLeafIsRejected() {
        Identity server = PKI.issueServer(KeyType.EC_P256, "revoked");
        TrustStore store = TrustStore.of(List.of(PKI.root()), List.of(), List.of(PKI.crl(server.certificate())));
        CertificateRejectedException e = rejected(new CertificateVerifier(store), server.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.REVOKED);
        assertThat(e.certificate()).isEqualTo(server.certificate());
    }

    @Test
    void intermediateRevokedByTheRootIsRejected() {
        Identity server = PKI.issueServer(KeyType.EC_P256, "under revoked ca");
        Instant now = Instant.now();
        X509CRL byRoot = TestPki.crl(PKI.rootIdentity(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)),
                PKI.intermediate());
        TrustStore store = TrustStore.of(List.of(PKI.root()), List.of(), List.of(byRoot));
        CertificateRejectedException e = rejected(new CertificateVerifier(store), server.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.REVOKED);
        assertThat(e.certificate()).isEqualTo(PKI.intermediate());
    }

    @Test
    void revocationUnknownWhenTheCrlIsSignedByTheWrongKey() {
        Identity server = PKI.issueServer(KeyType.EC_P256, "crl-forged");
        Identity forger = PKI.issue(LeafSpec.of(KeyType.EC_P256, "cipsec test intermediate").signer(Signer.SELF).ca());
        Instant now = Instant.now();
        X509CRL forged = TestPki.crl(forger, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        assertThat(forged.getIssuerX500Principal()).isEqualTo(PKI.intermediate().getSubjectX500Principal());
        TrustStore store = TrustStore.of(List.of(PKI.root()), List.of(), List.of(forged));
        CertificateRejectedException e = rejected(new CertificateVerifier(store), server.chain(), SERVER);
        assertThat(e.check()).isEqualTo(Check.REVOCATION_UNKNOWN);
        assertThat(e.certificate()).isEqualTo(server.certificate());
    }

    @Test
    void revocationUnknownWhenTheCrlExpiredAndExpiryIsChecked() throws Exception {
        Identity server = PKI.issueServer(KeyType.EC_P256, "stale-crl");
        Instant now = Instant.now();
        X509CRL stale = TestPki.crl(PKI.intermediateIdentity(), now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(3)));
        CertificateVerifier v = new CertificateVerifier(TrustStore.of(List.of(PKI.root()), List.of(), List.of(stale)));
        assertThat(rejected(v, server.chain(), SERVER).check()).isEqualTo(Check.REVOCATION_UNKNOWN);
        assertThat(v.verify(server.chain(), VerifyOptions.of(Purpose.SERVER, false))).hasSize(3);
    }

    @Test
    void messageNamesCheckSubjectIssuerAndFingerprint() {
        Identity client = PKI.issueClient(KeyType.EC_P256, "named peer");
        CertificateRejectedException e = rejected(verifier, client.chain(), SERVER);
        assertThat(e.getMessage())
                .startsWith("EXTENDED_KEY_USAGE: ")
                .contains("; subject=CN=named peer")
                .contains(" issuer=CN=cipsec test intermediate")
                .endsWith(" sha256=" + CredentialFiles.sha256Fingerprint(client.certificate()));
        assertThat(e).isInstanceOf(java.security.cert.CertificateException.class);
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> SERVER.withMaxChainLength(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SERVER.withMaxChainLength(17)).isInstanceOf(IllegalArgumentException.class);
        assertThat(VerifyOptions.of(Purpose.CLIENT, false).maxChainLength()).isEqualTo(8);
    }

    /** Flips a bit in the last byte of the DER encoding, which lies in the signature value. */
    static X509Certificate tamperSignature(X509Certificate c) throws Exception {
        byte[] der = c.getEncoded();
        der[der.length - 1] ^= 0x01;
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
