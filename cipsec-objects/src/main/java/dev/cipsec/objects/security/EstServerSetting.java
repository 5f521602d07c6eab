package dev.cipsec.objects.security;

import dev.cipsec.wire.buf.Bytes;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * The EST server a tool set over CIP for the pull model: vendor-specific attributes 100 and 101 of
 * the EtherNet/IP Security Object (0x5E/1). How a device finds its EST server is not public (reference
 * §8.2, GAP), so we let a commissioning tool write it, like any other security setting, and keep it
 * with the objects' persisted state.
 *
 * @param uri               {@code https://host[:port]/.well-known/est[/label]}, or empty: none set over CIP
 *                          (the device's own configuration, if any, applies)
 * @param trustAnchorSha256 SHA-256 of a certificate in the EST server's TLS chain (the server's own or
 *                          its CA's) that the device trusts for it, or empty: the explicit trust anchors
 *                          of the device's configuration apply
 */
public record EstServerSetting(String uri, Bytes trustAnchorSha256) {
    /** Nothing set over CIP. */
    public static final EstServerSetting NONE = new EstServerSetting("", Bytes.EMPTY);
    /** A device stores what an attacker may write: a URI longer than this is refused. */
    public static final int MAX_URI_LENGTH = 255;
    public static final int FINGERPRINT_LENGTH = 32;
    private static final String WELL_KNOWN = "/.well-known/est";

    public EstServerSetting {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(trustAnchorSha256, "trustAnchorSha256");
        if (!uri.isEmpty()) {
            String problem = uriProblem(uri);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        if (!trustAnchorSha256.isEmpty() && trustAnchorSha256.length() != FINGERPRINT_LENGTH) {
            throw new IllegalArgumentException("a SHA-256 fingerprint is 32 bytes: " + trustAnchorSha256.length());
        }
    }

    public EstServerSetting withUri(String newUri) {
        return new EstServerSetting(newUri, trustAnchorSha256);
    }

    public EstServerSetting withTrustAnchorSha256(Bytes fingerprint) {
        return new EstServerSetting(uri, fingerprint);
    }

    public boolean hasUri() {
        return !uri.isEmpty();
    }

    /**
     * Why {@code uri} cannot name an EST server, or null when it can: an absolute {@code https} URI
     * with a host, no user info, query or fragment, whose path is RFC 7030's {@code /.well-known/est}
     * optionally followed by one CA label; printable ASCII, at most {@value #MAX_URI_LENGTH} characters.
     */
    public static String uriProblem(String uri) {
        if (uri.length() > MAX_URI_LENGTH) {
            return "the EST server URI is longer than " + MAX_URI_LENGTH + " characters";
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return "the EST server URI must be printable ASCII without blanks";
            }
        }
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            return "not a URI: " + e.getMessage();
        }
        if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
            return "the EST server must be an https URI with a host: " + uri;
        }
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            return "the EST server URI takes no user info, query or fragment: " + uri;
        }
        String path = u.getPath() == null ? "" : u.getPath();
        if (!path.equals(WELL_KNOWN) && !path.equals(WELL_KNOWN + "/") && !path.matches("/\\.well-known/est/[^/]+/?")) {
            return "the EST server path must be " + WELL_KNOWN + "[/label]: " + uri;
        }
        return null;
    }
}
