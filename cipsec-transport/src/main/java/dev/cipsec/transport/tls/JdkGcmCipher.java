package dev.cipsec.transport.tls;

import org.bouncycastle.tls.crypto.impl.TlsAEADCipherImpl;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * AES-GCM for Bouncy Castle's TLS/DTLS record layer ({@code TlsAEADCipher}), on a JDK
 * {@link Cipher} set up with a {@link GCMParameterSpec} per record. The record layer, nonces and
 * additional data stay Bouncy Castle's; this only calls the JDK cipher.
 *
 * <p>Why not Bouncy Castle's own {@code JceAEADCipherImpl}: per record it looks up an
 * {@code AlgorithmParameters} in the provider list, builds the {@code GCMParameterSpec} by
 * reflection and asks the cipher for the output size (which re-checks its state). In a profile of
 * Get_Attribute_Single round trips over TLS that glue cost as much CPU as the AES-GCM itself: about
 * half of what TLS added to a 40 µs round trip.
 *
 * <p>Errors are reported as Bouncy Castle's implementation reports them: an
 * {@link IllegalStateException}, which the record layer turns into a {@code bad_record_mac} alert.
 */
final class JdkGcmCipher implements TlsAEADCipherImpl {
    static final String CIPHER = "AES/GCM/NoPadding";

    private final Cipher cipher;
    private final boolean encrypting;
    private final String algorithm;
    private final int keySize;
    private SecretKey key;
    /** Tag bytes of the last {@link #init}; every TLS GCM suite uses 16. */
    private int macSize = 16;

    JdkGcmCipher(Cipher cipher, String algorithm, int keySize, boolean encrypting) {
        this.cipher = cipher;
        this.algorithm = algorithm;
        this.keySize = keySize;
        this.encrypting = encrypting;
    }

    @Override
    public void setKey(byte[] key, int keyOff, int keyLen) {
        if (keyLen != keySize) {
            throw new IllegalStateException("AES-GCM key of " + keyLen + " bytes, expected " + keySize);
        }
        this.key = new SecretKeySpec(key, keyOff, keyLen, algorithm);
    }

    @Override
    public void init(byte[] nonce, int macSize) {
        this.macSize = macSize;
        try {
            cipher.init(encrypting ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, key, new GCMParameterSpec(macSize * 8, nonce));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** What the JDK's GCM answers for a one-shot operation, without asking it (that re-checks its state). */
    @Override
    public int getOutputSize(int inputLength) {
        return encrypting ? inputLength + macSize : Math.max(0, inputLength - macSize);
    }

    @Override
    public int doFinal(byte[] additionalData, byte[] input, int inputOffset, int inputLength, byte[] output, int outputOffset) {
        try {
            if (additionalData != null && additionalData.length > 0) {
                cipher.updateAAD(additionalData);
            }
            return cipher.doFinal(input, inputOffset, inputLength, output, outputOffset);
        } catch (GeneralSecurityException e) {
            // AEADBadTagException for a forged or damaged record: the caller sends bad_record_mac.
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
