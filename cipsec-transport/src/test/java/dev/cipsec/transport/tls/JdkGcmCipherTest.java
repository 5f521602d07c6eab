package dev.cipsec.transport.tls;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import java.security.SecureRandom;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Our AES-GCM glue against Bouncy Castle's pure-Java GCM (no JDK code in the reference). */
class JdkGcmCipherTest {
    private final SecureRandom random = new SecureRandom();

    private static JdkGcmCipher gcm(byte[] key, boolean encrypting) throws Exception {
        JdkGcmCipher c = new JdkGcmCipher(Cipher.getInstance(JdkGcmCipher.CIPHER), "AES", key.length, encrypting);
        c.setKey(key, 0, key.length);
        return c;
    }

    private static byte[] reference(boolean encrypt, byte[] key, byte[] nonce, byte[] aad, byte[] input)
            throws InvalidCipherTextException {
        GCMBlockCipher ref = (GCMBlockCipher) GCMBlockCipher.newInstance(AESEngine.newInstance());
        ref.init(encrypt, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
        byte[] out = new byte[ref.getOutputSize(input.length)];
        int n = ref.processBytes(input, 0, input.length, out, 0);
        n += ref.doFinal(out, n);
        return Arrays.copyOf(out, n);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 64, 1500, 16_384})
    void encryptsAndDecryptsAsAnIndependentGcmDoesForManyRecordsOnOneKey(int size) throws Exception {
        for (int keySize : new int[] {16, 32}) {
            byte[] key = new byte[keySize];
            random.nextBytes(key);
            JdkGcmCipher enc = gcm(key, true);
            JdkGcmCipher dec = gcm(key, false);
            for (int record = 0; record < 3; record++) {
                byte[] nonce = new byte[12];
                random.nextBytes(nonce);
                byte[] aad = new byte[13];
                random.nextBytes(aad);
                byte[] plain = new byte[size];
                random.nextBytes(plain);

                enc.init(nonce, 16);
                byte[] sealed = new byte[enc.getOutputSize(size)];
                int n = enc.doFinal(aad, plain, 0, size, sealed, 0);
                assertThat(n).isEqualTo(size + 16).isEqualTo(sealed.length);
                assertThat(sealed).isEqualTo(reference(true, key, nonce, aad, plain));

                // In place, at an offset, as the record layer decrypts.
                byte[] buf = new byte[5 + n];
                System.arraycopy(sealed, 0, buf, 5, n);
                dec.init(nonce, 16);
                assertThat(dec.getOutputSize(n)).isEqualTo(size);
                int m = dec.doFinal(aad, buf, 5, n, buf, 5);
                assertThat(m).isEqualTo(size);
                assertThat(Arrays.copyOfRange(buf, 5, 5 + m)).isEqualTo(plain);
            }
        }
    }

    @Test
    void aDamagedRecordOrWrongAdditionalDataIsRefusedAsTheRecordLayerExpects() throws Exception {
        byte[] key = new byte[16];
        random.nextBytes(key);
        byte[] nonce = new byte[12];
        byte[] aad = {23, 3, 3, 0, 64};
        byte[] sealed = reference(true, key, nonce, aad, new byte[64]);
        JdkGcmCipher dec = gcm(key, false);

        byte[] flipped = sealed.clone();
        flipped[10] ^= 1;
        dec.init(nonce, 16);
        assertThatThrownBy(() -> dec.doFinal(aad, flipped, 0, flipped.length, new byte[80], 0))
                .isInstanceOf(IllegalStateException.class);

        byte[] otherAad = {23, 3, 3, 0, 65};
        dec.init(nonce, 16);
        assertThatThrownBy(() -> dec.doFinal(otherAad, sealed, 0, sealed.length, new byte[80], 0))
                .isInstanceOf(IllegalStateException.class);

        // The cipher is usable again after a refusal.
        dec.init(nonce, 16);
        assertThat(dec.doFinal(aad, sealed, 0, sealed.length, new byte[80], 0)).isEqualTo(64);
        assertThat(dec.getOutputSize(3)).isZero();
    }

    @Test
    void aKeyOfTheWrongSizeIsRefused() throws Exception {
        JdkGcmCipher c = new JdkGcmCipher(Cipher.getInstance(JdkGcmCipher.CIPHER), "AES", 16, true);
        assertThatThrownBy(() -> c.setKey(new byte[32], 0, 32)).isInstanceOf(IllegalStateException.class);
    }
}
