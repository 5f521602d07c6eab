package dev.cipsec.scanner;

import java.util.Objects;

/**
 * Where a client connects. {@code "host"} means plain EtherNet/IP on TCP 44818; {@code "host:2221"}
 * means CIP Security (TLS on TCP 2221); any other explicit port is plain EtherNet/IP on that port.
 * IPv6 literals go in brackets: {@code "[::1]:44818"}.
 */
public record Target(String host, int port, boolean secure) {
    public static final int PLAIN_PORT = 44818;
    public static final int SECURE_PORT = 2221;

    public Target {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static Target parse(String text) {
        String t = text.strip();
        String host = t;
        int port = PLAIN_PORT;
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("unclosed '[' in target '" + text + "'");
            }
            host = t.substring(1, end);
            String rest = t.substring(end + 1);
            if (rest.startsWith(":")) {
                port = parsePort(rest.substring(1), text);
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("unexpected '" + rest + "' in target '" + text + "'");
            }
        } else {
            int colon = t.lastIndexOf(':');
            if (colon >= 0 && t.indexOf(':') == colon) {
                host = t.substring(0, colon);
                port = parsePort(t.substring(colon + 1), text);
            }
        }
        return new Target(host, port, port == SECURE_PORT);
    }

    private static int parsePort(String p, String text) {
        try {
            int port = Integer.parseInt(p);
            if (port < 1 || port > 0xFFFF) {
                throw new IllegalArgumentException("port out of range in target '" + text + "'");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in target '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
