package dev.cipsec.transport.tls.cert;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

/** The key types CIP Security credentials use: RSA for the RSA suites, EC P-256/P-384 for ECDHE-ECDSA. */
public enum KeyType {
    RSA,
    EC_P256,
    EC_P384;

    /** Whether this key can serve ECDHE-ECDSA suites (else RSA suites). */
    public boolean isEc() {
        return this != RSA;
    }

    /**
     * The type of {@code key}.
     *
     * @throws IllegalArgumentException for other algorithms, EC curves other than P-256/P-384, or RSA
     *                                  keys shorter than 2048 bits
     */
    public static KeyType of(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("RSA key of " + rsa.getModulus().bitLength() + " bits: at least 2048 needed");
            }
            return RSA;
        }
        if (key instanceof ECPublicKey ec) {
            // The field size tells P-256 from P-384 among the named curves we accept; the order check
            // rejects other curves of the same size (e.g. brainpoolP256r1).
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            String order = ec.getParams().getOrder().toString(16);
            if (bits == 256 && order.equalsIgnoreCase(P256_ORDER)) {
                return EC_P256;
            }
            if (bits == 384 && order.equalsIgnoreCase(P384_ORDER)) {
                return EC_P384;
            }
            throw new IllegalArgumentException("EC key on an unsupported curve (" + bits + "-bit field): P-256 or P-384 needed");
        }
        throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm() + ": RSA or EC needed");
    }

    private static final String P256_ORDER = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    private static final String P384_ORDER =
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";
}
