package dev.cipsec.scanner.probe;

import dev.cipsec.transport.tls.CipherSuite;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the probe offers: every CIP Security suite (NULL ones included) and the common others a
 * device's TLS library may have left enabled, named by IANA name as nmap and Wireshark name them.
 */
final class Suites {
    /** Suites outside CIP Security, most of them from stock OpenSSL, mbedTLS and wolfSSL builds. */
    private static final Map<Integer, String> OTHERS = new LinkedHashMap<>();
    /** The TLS 1.3 suites (RFC 8446 B.4); BC offers them only in a TLS 1.3 ClientHello. */
    private static final Map<Integer, String> TLS13 = new LinkedHashMap<>();
    /** Names only: suites of the fixed SSL 3.0 hello that Bouncy Castle cannot offer. */
    private static final Map<Integer, String> LEGACY = Map.of(0x0005, "TLS_RSA_WITH_RC4_128_SHA",
            0x0004, "TLS_RSA_WITH_RC4_128_MD5", 0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", 0x0001, "TLS_RSA_WITH_NULL_MD5");

    static {
        other(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        other(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        other(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        other(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");
        other(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384");
        other(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
        other(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
        other(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
        other(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA");
        other(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM");
        other(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
        other(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
        other(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
        other(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256");
        other(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256");
        other(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
        other(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA");
        other(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256");
        other(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384");
        other(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA");
        other(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA");
        other(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
        other(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA");
        other(0x0002, "TLS_RSA_WITH_NULL_SHA");
        other(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA");
        other(0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256");
        other(0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256");
        other(0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA");
        other(0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA");
        other(0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384");
        TLS13.put(0x1301, "TLS_AES_128_GCM_SHA256");
        TLS13.put(0x1302, "TLS_AES_256_GCM_SHA384");
        TLS13.put(0x1303, "TLS_CHACHA20_POLY1305_SHA256");
        TLS13.put(0x1304, "TLS_AES_128_CCM_SHA256");
        TLS13.put(0x1305, "TLS_AES_128_CCM_8_SHA256");
    }

    private static void other(int id, String name) {
        OTHERS.put(id, name);
    }

    private Suites() {
    }

    /** The IANA name of a suite the probe offers, or its id in hex. */
    static String name(int id) {
        Optional<CipherSuite> cip = CipherSuite.byId(id);
        if (cip.isPresent()) {
            return cip.get().name();
        }
        String n = OTHERS.getOrDefault(id, TLS13.getOrDefault(id, LEGACY.get(id)));
        return n != null ? n : String.format("0x%04X", id);
    }

    /** "SSLv3", "TLSv1.2", "DTLSv1.0": the names nmap and OpenSSL print. */
    static String versionName(ProtocolVersion v) {
        // BC names them "SSL 3.0", "TLS 1.2", "DTLS 1.0".
        return v.equals(ProtocolVersion.SSLv3) ? "SSLv3" : v.getName().replace(' ', 'v');
    }

    static boolean isCipSecurity(int id) {
        return CipherSuite.byId(id).isPresent();
    }

    /** RSA key transport: no forward secrecy. */
    static boolean isRsaKeyExchange(int id) {
        return name(id).startsWith("TLS_RSA_");
    }

    static boolean isNull(int id) {
        return name(id).contains("_WITH_NULL_");
    }

    static boolean usesPsk(int id) {
        return name(id).contains("PSK");
    }

    /** The key the server's certificate must hold for the suite: "EC", "RSA", or empty for PSK suites and TLS 1.3. */
    static String certificateKey(int id) {
        String n = name(id);
        if (n.contains("_ECDSA_")) {
            return "EC";
        }
        if (n.startsWith("TLS_RSA_") || n.contains("_RSA_")) {
            return "RSA";
        }
        return "";
    }

    /**
     * What a ClientHello of {@code version} offers: the suites BC's crypto can run and that are
     * valid for the version (no SHA-256 suite in TLS 1.0, only TLS 1.3 suites in TLS 1.3), CIP
     * Security's first.
     */
    static List<Integer> offerable(TlsCrypto crypto, ProtocolVersion version) {
        List<Integer> all = new ArrayList<>();
        if (TlsUtils.isTLSv13(version)) {
            all.addAll(TLS13.keySet());
        } else {
            for (CipherSuite s : CipherSuite.values()) {
                all.add(s.id());
            }
            all.addAll(OTHERS.keySet());
        }
        int[] supported = TlsUtils.getSupportedCipherSuites(crypto, all.stream().mapToInt(Integer::intValue).toArray());
        List<Integer> out = new ArrayList<>();
        for (int s : supported) {
            if (TlsUtils.isValidVersionForCipherSuite(s, version)) {
                out.add(s);
            }
        }
        return out;
    }
}
