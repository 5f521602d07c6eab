package dev.cipsec.wire.security.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.security.ApplyConfigRequest;
import dev.cipsec.wire.security.CertificateList;
import dev.cipsec.wire.security.CertificateReference;
import dev.cipsec.wire.security.CipherSuiteList;
import dev.cipsec.wire.security.CsrRequest;
import dev.cipsec.wire.security.EPathList;
import dev.cipsec.wire.security.PskList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One Jazzer target per security attribute decoder: decode or refuse with
 * {@link WireFormatException}, and whatever decodes survives a re-encode. Plain {@code mvn test}
 * replays the seeds under {@code SecurityDecodersFuzzTestInputs/<method>/} (OpENer bytes from
 * {@code opener-cs-security-objects.hex} and hand-built values); {@code JAZZER_FUZZ=1} fuzzes.
 */
class SecurityDecodersFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void cipherSuiteList(byte[] data) {
        try {
            CipherSuiteList v = CipherSuiteList.decode(Bytes.of(data));
            assertEquals(v, CipherSuiteList.decode(v.toBytes()));
        } catch (WireFormatException expected) {
            // refused
        }
    }

    @FuzzTest(maxDuration = "30s")
    void pskList(byte[] data) {
        try {
            PskList v = PskList.decode(Bytes.of(data));
            assertEquals(v, PskList.decode(v.toBytes()));
            assertEquals(v.redacted(), PskList.decode(v.redacted().toBytes()));
        } catch (WireFormatException expected) {
            // refused
        }
    }

    @FuzzTest(maxDuration = "30s")
    void epathList(byte[] data) {
        try {
            EPathList v = EPathList.decode(Bytes.of(data));
            assertEquals(v, EPathList.decode(v.toBytes()));
        } catch (WireFormatException expected) {
            // refused
        }
    }

    @FuzzTest(maxDuration = "30s")
    void applyConfigRequest(byte[] data) {
        try {
            ApplyConfigRequest v = ApplyConfigRequest.decode(Bytes.of(data));
            assertEquals(v, ApplyConfigRequest.decode(v.toBytes()));
        } catch (WireFormatException expected) {
            // refused
        }
    }

    @FuzzTest(maxDuration = "30s")
    void csrRequest(byte[] data) {
        try {
            CsrRequest v = CsrRequest.decode(Bytes.of(data));
            assertEquals(v, CsrRequest.decode(v.toBytes()));
        } catch (WireFormatException expected) {
            // refused
        }
    }

    @FuzzTest(maxDuration = "30s")
    void certificateReference(byte[] data) {
        try {
            CertificateReference v = CertificateReference.decode(Bytes.of(data));
            assertEquals(v, CertificateReference.decode(v.toBytes()));
        } catch (WireFormatException expected) {
            // refused
        }
    }

    @FuzzTest(maxDuration = "30s")
    void certificateList(byte[] data) {
        try {
            CertificateList v = CertificateList.decode(Bytes.of(data));
            assertEquals(v, CertificateList.decode(v.toBytes()));
        } catch (WireFormatException expected) {
            // refused
        }
    }
}
