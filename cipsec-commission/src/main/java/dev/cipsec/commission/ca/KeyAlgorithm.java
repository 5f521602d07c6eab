package dev.cipsec.commission.ca;

import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;

/** The CA key types: the curves and RSA sizes CIP Security suites use, each with the signature it makes. */
public enum KeyAlgorithm {
    EC_P256("EC", "SHA256withECDSA"),
    EC_P384("EC", "SHA384withECDSA"),
    RSA_2048("RSA", "SHA256withRSA"),
    RSA_3072("RSA", "SHA256withRSA");

    private final String keyAlgorithm;
    private final String signatureAlgorithm;

    KeyAlgorithm(String keyAlgorithm, String signatureAlgorithm) {
        this.keyAlgorithm = keyAlgorithm;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** The JCA key pair generator name ("EC" or "RSA"). */
    public String keyAlgorithm() {
        return keyAlgorithm;
    }

    /** The JCA signature the CA signs certificates and CRLs with (P-384 pairs with SHA-384). */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    AlgorithmParameterSpec parameters() {
        return switch (this) {
            case EC_P256 -> new ECGenParameterSpec("secp256r1");
            case EC_P384 -> new ECGenParameterSpec("secp384r1");
            case RSA_2048 -> new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4);
            case RSA_3072 -> new RSAKeyGenParameterSpec(3072, RSAKeyGenParameterSpec.F4);
        };
    }

    /** The command-line spelling: {@code ec-p256}, {@code ec-p384}, {@code rsa-2048}, {@code rsa-3072}. */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #cliName()} (case-insensitive). */
    public static KeyAlgorithm parse(String text) {
        for (KeyAlgorithm a : values()) {
            if (a.cliName().equalsIgnoreCase(text.strip())) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown key algorithm '" + text + "': ec-p256, ec-p384, rsa-2048 or rsa-3072");
    }
}
