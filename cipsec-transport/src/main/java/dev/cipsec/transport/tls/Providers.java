package dev.cipsec.transport.tls;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import java.security.Security;

/** The JCA providers our Bouncy Castle users rely on. */
public final class Providers {
    private Providers() {
    }

    /**
     * Registers Bouncy Castle's provider unless it is there: appended, never first, so that the JDK's providers keep
     * doing AES/GCM/SHA on their intrinsics (java-stack.md, C2). Bouncy Castle's TLS, JSSE and EST code look some of
     * their algorithms up by the provider name "BC", which fails with "no such provider: BC" in a JVM that never
     * registered it.
     */
    public static void bouncyCastleAppended() {
        synchronized (Security.class) {
            if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
                Security.addProvider(new BouncyCastleProvider());
            }
        }
    }
}
