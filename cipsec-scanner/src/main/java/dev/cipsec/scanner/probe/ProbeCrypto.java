package dev.cipsec.scanner.probe;

import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.security.SecureRandom;

/**
 * Bouncy Castle's lightweight crypto: the probe needs it only to build ClientHellos (key shares)
 * and to check a ServerKeyExchange signature, and it has every group and suite BC can offer
 * without depending on which JCA providers are installed.
 */
final class ProbeCrypto {
    private static final TlsCrypto CRYPTO = new BcTlsCrypto(new SecureRandom());

    private ProbeCrypto() {
    }

    static TlsCrypto get() {
        return CRYPTO;
    }
}
