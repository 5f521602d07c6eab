package dev.cipsec.commission.policy;

import dev.cipsec.commission.json.JsonNode;
import dev.cipsec.commission.json.JsonNode.JsonArray;
import dev.cipsec.commission.json.JsonNode.JsonBool;
import dev.cipsec.commission.json.JsonNode.JsonNumber;
import dev.cipsec.commission.json.JsonNode.JsonObject;
import dev.cipsec.commission.json.JsonNode.JsonString;
import dev.cipsec.commission.json.JsonNode.Location;
import dev.cipsec.commission.json.JsonNode.Member;
import dev.cipsec.commission.policy.PolicyModel.Conduit;
import dev.cipsec.commission.policy.PolicyModel.Device;
import dev.cipsec.commission.policy.PolicyModel.Security;
import dev.cipsec.commission.policy.PolicyModel.Settings;
import dev.cipsec.commission.policy.PolicyModel.Zone;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.cert.CsrSubject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Walks the JSON tree of a policy file, building the model from what is usable and collecting every problem
 * with its location rather than stopping at the first.
 */
final class PolicyParser {
    /** Names of zones, devices and conduits: short, ASCII, usable in a PSK identity and a certificate CN. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-Fa-f]{64}");
    private static final Pattern HEX_SERIAL = Pattern.compile("0[xX][0-9A-Fa-f]{1,8}");

    private static final Set<String> ROOT_KEYS = Set.of("version", "settings", "zones", "devices", "conduits");
    private static final Set<String> SETTINGS_KEYS = Set.of("certificate", "dtlsTimeoutSeconds", "checkExpiration");
    private static final Set<String> CERTIFICATE_KEYS = Set.of("organization", "organizationalUnit", "locality", "state",
            "country", "validityDays", "includeDnsName");
    private static final Set<String> ZONE_KEYS = Set.of("name", "authentication", "security", "suites", "trustedIps", "hybrid");
    private static final Set<String> DEVICE_KEYS = Set.of("name", "zone", "address", "port", "dnsName", "identity", "fingerprint");
    private static final Set<String> IDENTITY_KEYS = Set.of("vendorId", "deviceType", "productCode", "majorRevision",
            "serialNumber");
    private static final Set<String> CONDUIT_KEYS = Set.of("name", "between", "authentication", "security", "suites",
            "trustedIps", "hybrid");

    private final String file;
    private final List<Problem> problems = new ArrayList<>();

    PolicyParser(String file) {
        this.file = file;
    }

    PolicyModel parse(JsonNode root) {
        Settings settings = Settings.DEFAULTS;
        List<Zone> zones = new ArrayList<>();
        List<Device> devices = new ArrayList<>();
        List<Conduit> conduits = new ArrayList<>();
        if (!(root instanceof JsonObject o)) {
            error(root.location(), "", "the policy must be a JSON object, found " + article(root));
            return new PolicyModel(file, problems, settings, zones, devices, conduits);
        }
        checkKeys(o, "", ROOT_KEYS);
        JsonNode version = o.get("version").orElse(null);
        if (version == null) {
            error(o.location(), "", "missing required key 'version' (1)");
        } else if (!(version instanceof JsonNumber n && n.isLong() && n.longValue() == 1)) {
            error(version.location(), "version", "unsupported version " + text(version) + ", expected 1");
        }
        if (o.get("settings").isPresent()) {
            settings = settings(o.get("settings").get());
        }
        Map<String, Location> zoneNames = new LinkedHashMap<>();
        Map<String, Integer> zoneIndex = new HashMap<>();
        JsonArray zoneArray = requiredArray(o, "", "zones");
        if (zoneArray != null) {
            for (int k = 0; k < zoneArray.elements().size(); k++) {
                String path = "zones[" + k + "]";
                Zone z = zone(zoneArray.elements().get(k), path, zoneNames);
                if (z != null) {
                    zoneIndex.put(z.name(), k);
                    zones.add(z);
                }
            }
        }
        Map<String, Location> deviceNames = new LinkedHashMap<>();
        Map<String, String> deviceZones = new HashMap<>();
        Map<String, String> addresses = new HashMap<>();
        JsonArray deviceArray = requiredArray(o, "", "devices");
        if (deviceArray != null) {
            for (int k = 0; k < deviceArray.elements().size(); k++) {
                Device d = device(deviceArray.elements().get(k), "devices[" + k + "]", zoneNames, deviceNames, addresses);
                if (d != null) {
                    devices.add(d);
                    deviceZones.put(d.name(), d.zone());
                }
            }
        }
        JsonNode conduitNode = o.get("conduits").orElse(null);
        if (conduitNode != null) {
            JsonArray conduitArray = array(conduitNode, "conduits");
            if (conduitArray != null) {
                Map<String, Location> conduitNames = new HashMap<>();
                Map<Set<String>, String> pairs = new HashMap<>();
                for (int k = 0; k < conduitArray.elements().size(); k++) {
                    Conduit c = conduit(conduitArray.elements().get(k), "conduits[" + k + "]", zoneNames, deviceNames,
                            conduitNames, pairs);
                    if (c != null) {
                        conduits.add(c);
                    }
                }
            }
        }
        if (zoneArray != null) {
            for (Zone z : zones) {
                if (!deviceZones.containsValue(z.name())) {
                    int k = zoneIndex.get(z.name());
                    warning(zoneArray.elements().get(k).location(), "zones[" + k + "]",
                            "zone '" + z.name() + "' has no devices");
                }
            }
        }
        problems.sort(java.util.Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
        return new PolicyModel(file, problems, settings, zones, devices, conduits);
    }

    private Settings settings(JsonNode node) {
        Settings d = Settings.DEFAULTS;
        JsonObject o = object(node, "settings");
        if (o == null) {
            return d;
        }
        checkKeys(o, "settings", SETTINGS_KEYS);
        String org = d.organization();
        String ou = d.organizationalUnit();
        String locality = d.locality();
        String state = d.state();
        String country = d.country();
        int validity = d.validityDays();
        boolean dns = d.includeDnsName();
        JsonNode certNode = o.get("certificate").orElse(null);
        if (certNode != null) {
            JsonObject c = object(certNode, "settings.certificate");
            if (c != null) {
                String p = "settings.certificate";
                checkKeys(c, p, CERTIFICATE_KEYS);
                org = subjectField(c, p, "organization", 64, org);
                ou = subjectField(c, p, "organizationalUnit", 64, ou);
                locality = subjectField(c, p, "locality", 128, locality);
                state = subjectField(c, p, "state", 128, state);
                country = subjectField(c, p, "country", 2, country);
                JsonNode cn = c.get("country").orElse(null);
                if (cn instanceof JsonString s && !CsrSubject.validCountry(s.value())) {
                    error(cn.location(), p + ".country", "country must be a two-letter code (ISO 3166), found '"
                            + s.value() + "'");
                    country = d.country();
                } else if (!CsrSubject.validCountry(country)) {
                    country = d.country();
                }
                validity = intField(c, p, "validityDays", 1, 36_500, validity);
                dns = boolField(c, p, "includeDnsName", dns);
            }
        }
        int dtls = intField(o, "settings", "dtlsTimeoutSeconds", 1, 3600, d.dtlsTimeoutSeconds());
        boolean expiry = boolField(o, "settings", "checkExpiration", d.checkExpiration());
        return new Settings(org, ou, locality, state, country.toUpperCase(Locale.ROOT), validity, dns, dtls, expiry);
    }

    private String subjectField(JsonObject o, String path, String key, int max, String dflt) {
        JsonString s = string(o, path, key, false);
        if (s == null) {
            return dflt;
        }
        String v = s.value();
        if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            error(s.location(), path + "." + key, key + " contains control characters");
            return dflt;
        }
        if (v.length() > max && !key.equals("country")) {
            error(s.location(), path + "." + key, key + " longer than " + max + " characters (" + v.length() + ")");
            return dflt;
        }
        return v;
    }

    private Zone zone(JsonNode node, String path, Map<String, Location> zoneNames) {
        JsonObject o = object(node, path);
        if (o == null) {
            return null;
        }
        checkKeys(o, path, ZONE_KEYS);
        String name = name(o, path, "zone", zoneNames);
        Authentication auth = authentication(o, path);
        Security security = security(o, path);
        List<CipherSuite> suites = suites(o, path, auth, "zone");
        List<String> trusted = trustedIps(o, path);
        boolean hybrid = boolField(o, path, "hybrid", false);
        return name == null ? null : new Zone(name, auth, security, suites, trusted, hybrid);
    }

    private Device device(JsonNode node, String path, Map<String, Location> zoneNames, Map<String, Location> deviceNames,
                          Map<String, String> addresses) {
        JsonObject o = object(node, path);
        if (o == null) {
            return null;
        }
        checkKeys(o, path, DEVICE_KEYS);
        String name = name(o, path, "device", deviceNames);
        String zone = null;
        JsonString z = string(o, path, "zone", true);
        if (z != null) {
            if (zoneNames.containsKey(z.value())) {
                zone = z.value();
            } else {
                error(z.location(), path + ".zone", "unknown zone '" + z.value() + "'" + suggestion(z.value(), zoneNames.keySet()));
            }
        }
        int port = intField(o, path, "port", 1, 0xFFFF, PolicyModel.DEFAULT_PORT);
        String address = null;
        JsonString a = string(o, path, "address", true);
        if (a != null) {
            String v = a.value();
            if (!Addresses.isIpLiteral(v) && !Addresses.isHostName(v)) {
                error(a.location(), path + ".address", "'" + v + "' is neither an IP address nor a host name");
            } else {
                address = v;
                String key = Addresses.canonical(v) + " " + port;
                String other = addresses.putIfAbsent(key, name == null ? "?" : name);
                if (other != null) {
                    error(a.location(), path + ".address", "address " + v + ":" + port + " already used by device '"
                            + other + "'");
                }
            }
        }
        String dnsName = "";
        JsonString dn = string(o, path, "dnsName", false);
        if (dn != null) {
            if (!Addresses.isHostName(dn.value())) {
                error(dn.location(), path + ".dnsName", "'" + dn.value() + "' is not a DNS host name");
            } else if (dn.value().length() > 64) {
                error(dn.location(), path + ".dnsName", "DNS name longer than 64 characters: it becomes the"
                        + " certificate's common name, which X.520 limits to 64");
            } else {
                dnsName = dn.value();
            }
        }
        ExpectedIdentity identity = ExpectedIdentity.ANY;
        JsonNode idNode = o.get("identity").orElse(null);
        if (idNode != null) {
            identity = identity(idNode, path + ".identity");
        }
        String fingerprint = "";
        JsonString fp = string(o, path, "fingerprint", false);
        if (fp != null) {
            String v = fp.value().replace(":", "");
            if (FINGERPRINT.matcher(v).matches()) {
                fingerprint = v.toUpperCase(Locale.ROOT);
            } else {
                error(fp.location(), path + ".fingerprint", "fingerprint must be a SHA-256: 64 hex digits, colons"
                        + " allowed (found " + v.length() + " characters without colons)");
            }
        }
        if (name == null || zone == null || address == null) {
            return null;
        }
        return new Device(name, zone, address, port, dnsName, identity, fingerprint);
    }

    private ExpectedIdentity identity(JsonNode node, String path) {
        JsonObject o = object(node, path);
        if (o == null) {
            return ExpectedIdentity.ANY;
        }
        checkKeys(o, path, IDENTITY_KEYS);
        Integer vendor = optionalInt(o, path, "vendorId", 0, 0xFFFF);
        Integer type = optionalInt(o, path, "deviceType", 0, 0xFFFF);
        Integer product = optionalInt(o, path, "productCode", 0, 0xFFFF);
        Integer major = optionalInt(o, path, "majorRevision", 0, 0xFF);
        Long serial = null;
        JsonNode s = o.get("serialNumber").orElse(null);
        if (s instanceof JsonNumber n) {
            if (n.isLong() && n.longValue() >= 0 && n.longValue() <= 0xFFFF_FFFFL) {
                serial = n.longValue();
            } else {
                error(s.location(), path + ".serialNumber", "serial number must be 0..4294967295, found " + n.text());
            }
        } else if (s instanceof JsonString str) {
            if (HEX_SERIAL.matcher(str.value()).matches()) {
                serial = Long.parseLong(str.value().substring(2), 16);
            } else {
                error(s.location(), path + ".serialNumber", "serial number must be a number or a \"0x\" hex string"
                        + " of up to 8 digits, found '" + str.value() + "'");
            }
        } else if (s != null) {
            error(s.location(), path + ".serialNumber", "expected a number or a \"0x\" hex string, found " + article(s));
        }
        return new ExpectedIdentity(vendor, type, product, major, serial);
    }

    private Conduit conduit(JsonNode node, String path, Map<String, Location> zoneNames, Map<String, Location> deviceNames,
                            Map<String, Location> conduitNames, Map<Set<String>, String> pairs) {
        JsonObject o = object(node, path);
        if (o == null) {
            return null;
        }
        checkKeys(o, path, CONDUIT_KEYS);
        String name = name(o, path, "conduit", conduitNames);
        List<String> between = null;
        JsonArray b = requiredArray(o, path, "between");
        if (b != null) {
            String bp = path + ".between";
            if (b.elements().size() != 2) {
                error(b.location(), bp, "a conduit is between exactly 2 endpoints, found " + b.elements().size());
            } else {
                List<String> ends = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    String end = endpoint(b.elements().get(k), bp + "[" + k + "]", zoneNames, deviceNames);
                    if (end != null) {
                        ends.add(end);
                    }
                }
                if (ends.size() == 2) {
                    if (ends.get(0).equals(ends.get(1))) {
                        error(b.location(), bp, "both endpoints are " + ends.get(0));
                    } else {
                        String other = pairs.putIfAbsent(Set.copyOf(ends), name == null ? "?" : name);
                        if (other != null) {
                            error(b.location(), bp, "conduit '" + other + "' already connects " + ends.get(0)
                                    + " and " + ends.get(1));
                        } else {
                            between = ends;
                        }
                    }
                }
            }
        }
        Authentication auth = authentication(o, path);
        Security security = security(o, path);
        List<CipherSuite> suites = suites(o, path, auth, "conduit");
        List<String> trusted = trustedIps(o, path);
        boolean hybrid = boolField(o, path, "hybrid", false);
        if (name == null || between == null) {
            return null;
        }
        return new Conduit(name, between, auth, security, suites, trusted, hybrid);
    }

    private String endpoint(JsonNode node, String path, Map<String, Location> zoneNames, Map<String, Location> deviceNames) {
        if (!(node instanceof JsonString s)) {
            error(node.location(), path, "expected a string \"zone:<name>\" or \"device:<name>\", found " + article(node));
            return null;
        }
        String v = s.value();
        if (v.startsWith("zone:")) {
            String n = v.substring(5);
            if (zoneNames.containsKey(n)) {
                return v;
            }
            error(s.location(), path, "unknown zone '" + n + "'" + suggestion(n, zoneNames.keySet()));
        } else if (v.startsWith("device:")) {
            String n = v.substring(7);
            if (deviceNames.containsKey(n)) {
                return v;
            }
            error(s.location(), path, "unknown device '" + n + "'" + suggestion(n, deviceNames.keySet()));
        } else {
            error(s.location(), path, "an endpoint is \"zone:<name>\" or \"device:<name>\", found '" + v + "'");
        }
        return null;
    }

    private String name(JsonObject o, String path, String what, Map<String, Location> seen) {
        JsonString s = string(o, path, "name", true);
        if (s == null) {
            return null;
        }
        String v = s.value();
        if (!NAME.matcher(v).matches()) {
            error(s.location(), path + ".name", what + " name '" + v + "' must be 1..64 letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit");
            return null;
        }
        Location first = seen.putIfAbsent(v, s.location());
        if (first != null) {
            error(s.location(), path + ".name", "duplicate " + what + " name '" + v + "' (first at " + first + ")");
            return null;
        }
        return v;
    }

    private Authentication authentication(JsonObject o, String path) {
        JsonString s = string(o, path, "authentication", false);
        if (s == null) {
            return Authentication.CERTIFICATE;
        }
        return switch (s.value()) {
            case "certificate" -> Authentication.CERTIFICATE;
            case "psk" -> Authentication.PSK;
            default -> {
                error(s.location(), path + ".authentication", "authentication must be \"certificate\" or \"psk\", found '"
                        + s.value() + "'");
                yield Authentication.CERTIFICATE;
            }
        };
    }

    private Security security(JsonObject o, String path) {
        JsonString s = string(o, path, "security", false);
        if (s == null) {
            return Security.CONFIDENTIALITY;
        }
        return switch (s.value()) {
            case "integrity" -> Security.INTEGRITY;
            case "confidentiality" -> Security.CONFIDENTIALITY;
            default -> {
                error(s.location(), path + ".security", "security must be \"integrity\" or \"confidentiality\", found '"
                        + s.value() + "'");
                yield Security.CONFIDENTIALITY;
            }
        };
    }

    private List<CipherSuite> suites(JsonObject o, String path, Authentication auth, String what) {
        JsonNode node = o.get("suites").orElse(null);
        if (node == null) {
            return List.of();
        }
        String sp = path + ".suites";
        JsonArray a = array(node, sp);
        if (a == null) {
            return List.of();
        }
        if (a.elements().isEmpty()) {
            error(a.location(), sp, "an explicit suite list needs at least one suite (leave it out to use the security level)");
        }
        List<CipherSuite> out = new ArrayList<>();
        for (int k = 0; k < a.elements().size(); k++) {
            JsonNode e = a.elements().get(k);
            String ep = sp + "[" + k + "]";
            if (!(e instanceof JsonString s)) {
                error(e.location(), ep, "expected a suite name or hex id as a string, found " + article(e));
                continue;
            }
            CipherSuite suite;
            try {
                suite = CipherSuite.parse(s.value());
            } catch (IllegalArgumentException ex) {
                error(e.location(), ep, "'" + s.value() + "' is not a CIP Security cipher suite");
                continue;
            }
            boolean psk = suite.keyExchange() == CipherSuite.KeyExchange.ECDHE_PSK;
            if (psk && auth == Authentication.CERTIFICATE) {
                error(e.location(), ep, suite.name() + " is a PSK suite, but this " + what + " authenticates with certificates");
            } else if (!psk && auth == Authentication.PSK) {
                error(e.location(), ep, suite.name() + " needs certificates, but this " + what + " authenticates with a PSK");
            } else if (out.contains(suite)) {
                error(e.location(), ep, suite.name() + " is listed twice");
            } else {
                out.add(suite);
            }
        }
        return out;
    }

    private List<String> trustedIps(JsonObject o, String path) {
        JsonNode node = o.get("trustedIps").orElse(null);
        if (node == null) {
            return List.of();
        }
        JsonArray a = array(node, path + ".trustedIps");
        if (a == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int k = 0; k < a.elements().size(); k++) {
            JsonNode e = a.elements().get(k);
            String ep = path + ".trustedIps[" + k + "]";
            if (!(e instanceof JsonString s)) {
                error(e.location(), ep, "expected an IP address as a string, found " + article(e));
            } else if (!Addresses.isIpLiteral(s.value())) {
                error(e.location(), ep, "'" + s.value() + "' is not an IP address");
            } else if (out.contains(s.value())) {
                error(e.location(), ep, s.value() + " is listed twice");
            } else {
                out.add(s.value());
            }
        }
        return out;
    }

    // --- typed access: each reports a wrong type or a missing required key and returns null ---

    private void checkKeys(JsonObject o, String path, Set<String> allowed) {
        for (Member m : o.members()) {
            if (!allowed.contains(m.key())) {
                error(m.keyLocation(), join(path, m.key()), "unknown key '" + m.key() + "'"
                        + suggestion(m.key(), allowed));
            }
        }
    }

    private JsonObject object(JsonNode node, String path) {
        if (node instanceof JsonObject o) {
            return o;
        }
        error(node.location(), path, "expected an object, found " + article(node));
        return null;
    }

    private JsonArray array(JsonNode node, String path) {
        if (node instanceof JsonArray a) {
            return a;
        }
        error(node.location(), path, "expected an array, found " + article(node));
        return null;
    }

    private JsonArray requiredArray(JsonObject o, String path, String key) {
        JsonNode n = o.get(key).orElse(null);
        if (n == null) {
            error(o.location(), path, "missing required key '" + key + "'");
            return null;
        }
        return array(n, join(path, key));
    }

    private JsonString string(JsonObject o, String path, String key, boolean required) {
        JsonNode n = o.get(key).orElse(null);
        if (n == null) {
            if (required) {
                error(o.location(), path, "missing required key '" + key + "'");
            }
            return null;
        }
        if (n instanceof JsonString s) {
            return s;
        }
        error(n.location(), join(path, key), "expected a string, found " + article(n));
        return null;
    }

    private Integer optionalInt(JsonObject o, String path, String key, long min, long max) {
        JsonNode n = o.get(key).orElse(null);
        if (n == null) {
            return null;
        }
        if (n instanceof JsonNumber num && num.isLong()) {
            long v = num.longValue();
            if (v >= min && v <= max) {
                return (int) v;
            }
            error(n.location(), join(path, key), key + " must be " + min + ".." + max + ", found " + v);
            return null;
        }
        error(n.location(), join(path, key), "expected a whole number, found " + article(n));
        return null;
    }

    private int intField(JsonObject o, String path, String key, long min, long max, int dflt) {
        Integer v = optionalInt(o, path, key, min, max);
        return v == null ? dflt : v;
    }

    private boolean boolField(JsonObject o, String path, String key, boolean dflt) {
        JsonNode n = o.get(key).orElse(null);
        if (n == null) {
            return dflt;
        }
        if (n instanceof JsonBool b) {
            return b.value();
        }
        error(n.location(), join(path, key), "expected true or false, found " + article(n));
        return dflt;
    }

    // --- messages ---

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String article(JsonNode n) {
        return switch (n) {
            case JsonNode.JsonObject o -> "an object";
            case JsonNode.JsonArray a -> "an array";
            case JsonNode.JsonString s -> "a string";
            case JsonNode.JsonNumber num -> "a number";
            case JsonNode.JsonBool b -> "a boolean";
            case JsonNode.JsonNull nul -> "null";
        };
    }

    private static String text(JsonNode n) {
        return switch (n) {
            case JsonNode.JsonNumber num -> num.text();
            case JsonNode.JsonString s -> "\"" + s.value() + "\"";
            default -> article(n);
        };
    }

    /** ", did you mean 'x'?" for a near miss (edit distance at most 2), else "". */
    static String suggestion(String given, java.util.Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(given.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best == null ? "" : ", did you mean '" + best + "'?";
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2 || a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private void error(Location at, String path, String message) {
        problems.add(new Problem(file, at.line(), at.column(), path, message, Problem.Severity.ERROR));
    }

    private void warning(Location at, String path, String message) {
        problems.add(new Problem(file, at.line(), at.column(), path, message, Problem.Severity.WARNING));
    }
}
