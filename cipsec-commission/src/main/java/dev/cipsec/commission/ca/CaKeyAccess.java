package dev.cipsec.commission.ca;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the CA's private key lives and the secret that unlocks it. The caller owns the char arrays (and
 * clears them when done); {@code toString} never shows them.
 */
public sealed interface CaKeyAccess {
    /** The key in {@code ca.p12}, protected by {@code password}. */
    record Pkcs12(char[] password) implements CaKeyAccess {
        public Pkcs12 {
            Objects.requireNonNull(password, "password");
            if (password.length == 0) {
                throw new IllegalArgumentException("the CA key store needs a non-empty password");
            }
        }

        @Override
        public String toString() {
            return "Pkcs12[password hidden]";
        }
    }

    /**
     * The key on a PKCS#11 token reached through the JDK's SunPKCS11 provider.
     *
     * @param sunPkcs11Config the provider configuration file (library, slot); on {@link PlantCa#open} it may be
     *                        null to use the one {@code token.properties} recorded at init
     * @param pin             the token's user PIN
     */
    record Pkcs11(Path sunPkcs11Config, char[] pin) implements CaKeyAccess {
        public Pkcs11 {
            Objects.requireNonNull(pin, "pin");
        }

        @Override
        public String toString() {
            return "Pkcs11[" + sunPkcs11Config + ", pin hidden]";
        }
    }
}
