package dev.cipsec.transport.tls.cert;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A private key with its certificate chain, leaf first: what an endpoint presents in TLS.
 *
 * <p>The key may live on a token (PKCS#11) and not be extractable; only its algorithm is read here.
 * The leaf's public key type decides which suites the identity can serve ({@link #keyType()}).
 */
public record Identity(PrivateKey key, List<X509Certificate> chain) {
    public Identity {
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an identity needs at least its own certificate");
        }
        KeyType type = KeyType.of(chain.getFirst().getPublicKey());
        String expected = type == KeyType.RSA ? "RSA" : "EC";
        if (!key.getAlgorithm().equalsIgnoreCase(expected) && !(type.isEc() && key.getAlgorithm().equalsIgnoreCase("ECDSA"))) {
            throw new IllegalArgumentException("private key is " + key.getAlgorithm() + " but the certificate holds an "
                    + expected + " key");
        }
    }

    /** The identity's own certificate. */
    public X509Certificate certificate() {
        return chain.getFirst();
    }

    public KeyType keyType() {
        return KeyType.of(certificate().getPublicKey());
    }
}
