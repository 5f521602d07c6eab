package dev.cipsec.wire.security;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cm.SendRRDataFrames;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpENer (CIPSecurity_develop 155d6cf) replies from {@code ../shared/fixtures/opener-cs-security-objects.hex}
 * decode to the values its README documents, and re-encode byte for byte.
 */
class SecurityGoldenTest {
    static final String FILE = "opener-cs-security-objects.hex";
    static final EPath CMO_1 = EPath.classInstance(0x5F, 1);

    /** The reply data of frame {@code n}, after checking that frame n-1 asked for {@code path}. */
    static Bytes reply(int n, String path) throws Exception {
        MessageRouterRequest req = MessageRouterRequest.decode(
                Bytes.of(SendRRDataFrames.mrPdu(Fixtures.frame(FILE, n - 1).payload())));
        assertThat(req.path()).as("request of frame %d", n).isEqualTo(EPath.parse(path));
        MessageRouterResponse rsp = MessageRouterResponse.decode(
                Bytes.of(SendRRDataFrames.mrPdu(Fixtures.frame(FILE, n).payload())));
        assertThat(rsp.isSuccess()).isTrue();
        return rsp.data();
    }

    @Test
    void availableCipherSuitesHighByteFirst() throws Exception {
        Bytes b = reply(23, "0x5E/1/3");
        CipherSuiteList l = CipherSuiteList.decode(b);
        assertThat(l.ids()).containsExactly(0x003B, 0x003C, 0x003D, 0xC006, 0xC023, 0xC024, 0xC03A, 0xC037);
        assertThat(l.toBytes()).isEqualTo(b);
        assertThat(b).isEqualTo(Bytes.fromHex("08003b003c003dc006c023c024c03ac037"));
    }

    @Test
    void allowedCipherSuites() throws Exception {
        Bytes b = reply(25, "0x5E/1/4");
        assertThat(CipherSuiteList.decode(b)).isEqualTo(CipherSuiteList.of(0xC023, 0xC024));
        assertThat(CipherSuiteList.of(0xC023, 0xC024).toBytes()).isEqualTo(b);
    }

    @Test
    void noPreSharedKeys() throws Exception {
        Bytes b = reply(27, "0x5E/1/5");
        PskList l = PskList.decode(b);
        assertThat(l.entries()).isEmpty();
        assertThat(l.withUsage()).isFalse();
        assertThat(l.toBytes()).isEqualTo(b);
    }

    @Test
    void activeDeviceCertificatesPointAtCertificateManagementInstance1() throws Exception {
        Bytes b = reply(29, "0x5E/1/6");
        EPathList l = EPathList.decode(b);
        assertThat(l).isEqualTo(EPathList.of(CMO_1));
        assertThat(l.paths().get(0).words()).isEqualTo(2);
        assertThat(l.toBytes()).isEqualTo(b).isEqualTo(Bytes.fromHex("0102205f2401"));
    }

    @Test
    void emptyTrustedAuthoritiesCrlAndTrustedIdentities() throws Exception {
        for (var f : List.of(new Object[] {31, "0x5E/1/7"}, new Object[] {33, "0x5E/1/8"}, new Object[] {41, "0x5E/1/12"})) {
            Bytes b = reply((int) f[0], (String) f[1]);
            // Attr 8 is OpENer's single {size 0} form; as a list it reads as the empty list, same byte.
            assertThat(EPathList.decode(b)).isEqualTo(EPathList.empty());
            assertThat(EPathList.empty().toBytes()).isEqualTo(b);
        }
    }

    @Test
    void certificateListOfTheDefaultDeviceCertificate() throws Exception {
        Bytes b = reply(55, "0x5F/0/9");
        CertificateList l = CertificateList.decode(b);
        assertThat(l).isEqualTo(CertificateList.of(new CertificateList.Entry("Default Device Certificate", CMO_1)));
        assertThat(l.entries().get(0).name()).hasSize(26);
        assertThat(l.toBytes()).isEqualTo(b);
    }

    @Test
    void deviceAndCaCertificateReferencePointAtFileInstances() throws Exception {
        Bytes dev = reply(63, "0x5F/1/3");
        Bytes ca = reply(65, "0x5F/1/4");
        assertThat(CertificateReference.decode(dev))
                .isEqualTo(new CertificateReference(CertificateReference.VERIFIED, EPath.classInstance(0x37, 1)));
        assertThat(CertificateReference.decode(ca))
                .isEqualTo(new CertificateReference(CertificateReference.VERIFIED, EPath.classInstance(0x37, 2)));
        assertThat(CertificateReference.decode(dev).toBytes()).isEqualTo(dev);
        assertThat(CertificateReference.decode(ca).toBytes()).isEqualTo(ca);
    }

    /**
     * Frame 51, Get_Attributes_All of 0x5E/1: attributes 1 to 16 back to back (46 bytes). The list
     * decoders must stop exactly at the end of their attribute so the next one can be read.
     */
    @Test
    void getAttributesAllOfEtherNetIpSecurityInstance() throws Exception {
        Bytes b = reply(51, "0x5E/1");
        assertThat(b.length()).isEqualTo(46);
        WireReader r = WireReader.of(b.toArray());
        assertThat(r.u8("state")).isZero();
        assertThat(r.u32("capability flags")).isZero();
        assertThat(CipherSuiteList.decode(r).ids()).hasSize(8).startsWith(0x003B).endsWith(0xC037);
        assertThat(CipherSuiteList.decode(r)).isEqualTo(CipherSuiteList.of(0xC023, 0xC024));
        assertThat(PskList.decode(r, false)).isEqualTo(PskList.empty());
        assertThat(EPathList.decode(r)).isEqualTo(EPathList.of(CMO_1));
        assertThat(EPathList.decode(r)).isEqualTo(EPathList.empty()); // 7 trusted authorities
        assertThat(EPathList.decode(r)).isEqualTo(EPathList.empty()); // 8 CRL
        assertThat(r.u8("verify client cert")).isZero();
        assertThat(r.u8("send cert chain")).isZero();
        assertThat(r.u8("check expiration")).isZero();
        assertThat(EPathList.decode(r)).isEqualTo(EPathList.empty()); // 12 trusted identities
        assertThat(r.u8("pull model enable")).isEqualTo(1);
        assertThat(r.u16("pull model status")).isZero();
        assertThat(r.u16("DTLS timeout")).isEqualTo(12);
        assertThat(r.u8("UDP-only policy")).isZero();
        assertThat(r.hasRemaining()).isFalse();
    }
}
