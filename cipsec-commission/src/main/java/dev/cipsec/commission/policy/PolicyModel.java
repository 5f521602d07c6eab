package dev.cipsec.commission.policy;

import dev.cipsec.commission.json.JsonException;
import dev.cipsec.commission.json.JsonNode;
import dev.cipsec.commission.json.JsonReader;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.cert.CsrSubject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A policy file as read: zones, devices and conduits with their CIP Security properties and the global
 * settings (the model FactoryTalk Policy Manager users know), plus every problem found in it. A model with
 * errors can still be inspected and validated; only {@link #resolve} needs it error-free.
 */
public final class PolicyModel {
    /** Port of EtherNet/IP over TLS, the default device port. */
    public static final int DEFAULT_PORT = 2221;

    /** Integrity only (NULL suites allowed as well as encrypting ones) or confidentiality (encrypting only). */
    public enum Security {
        INTEGRITY, CONFIDENTIALITY;

        /** The word used in the file. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Global settings.
     *
     * @param organization       O of issued device certificates ("" none)
     * @param organizationalUnit OU
     * @param locality           L
     * @param state              ST
     * @param country            C, two letters or ""
     * @param validityDays       validity of issued device certificates, default 825
     * @param includeDnsName     add {@code DNS:<dnsName>} to a device certificate's SAN, default false
     * @param dtlsTimeoutSeconds DTLS timeout, 1..3600, default 12
     * @param checkExpiration    devices check the peer certificate's expiry, default false
     */
    public record Settings(String organization, String organizationalUnit, String locality, String state,
                           String country, int validityDays, boolean includeDnsName, int dtlsTimeoutSeconds,
                           boolean checkExpiration) {
        public static final Settings DEFAULTS = new Settings("", "", "", "", "", 825, false, 12, false);
    }

    /** What zones and conduits have in common: a security relationship between devices. */
    public sealed interface Relationship permits Zone, Conduit {
        String name();

        Authentication authentication();

        Security security();

        /** The suites listed explicitly, empty when the security level decides. */
        List<CipherSuite> suites();

        List<String> trustedIps();

        boolean hybrid();

        /** {@code zone:<name>} or {@code conduit:<name>}: the PSK's name in the secrets file and its identity on the wire. */
        String pskName();

        /** The suites this relationship allows, explicit ones or those of its level, in preference order. */
        default List<CipherSuite> effectiveSuites() {
            if (!suites().isEmpty()) {
                return sortSuites(suites());
            }
            CipherSuite.KeyExchange kx = authentication() == Authentication.PSK
                    ? CipherSuite.KeyExchange.ECDHE_PSK : CipherSuite.KeyExchange.ECDHE_ECDSA;
            List<CipherSuite> out = new ArrayList<>();
            for (CipherSuite s : CipherSuite.DEFAULTS) {
                if (s.keyExchange() == kx) {
                    out.add(s);
                }
            }
            if (security() == Security.INTEGRITY) {
                out.add(kx == CipherSuite.KeyExchange.ECDHE_PSK
                        ? CipherSuite.TLS_ECDHE_PSK_WITH_NULL_SHA256 : CipherSuite.TLS_ECDHE_ECDSA_WITH_NULL_SHA);
            }
            return sortSuites(out);
        }
    }

    /** A zone: devices that share one security relationship. */
    public record Zone(String name, Authentication authentication, Security security, List<CipherSuite> suites,
                       List<String> trustedIps, boolean hybrid) implements Relationship {
        public Zone {
            suites = List.copyOf(suites);
            trustedIps = List.copyOf(trustedIps);
        }

        @Override
        public String pskName() {
            return "zone:" + name;
        }
    }

    /**
     * A device.
     *
     * @param dnsName     its DNS name, "" for none
     * @param fingerprint SHA-256 of its factory certificate, 64 upper-case hex digits, "" for none
     */
    public record Device(String name, String zone, String address, int port, String dnsName,
                         ExpectedIdentity identity, String fingerprint) {
    }

    /**
     * A conduit between two endpoints, each {@code zone:<name>} or {@code device:<name>}.
     */
    public record Conduit(String name, List<String> between, Authentication authentication, Security security,
                          List<CipherSuite> suites, List<String> trustedIps, boolean hybrid) implements Relationship {
        public Conduit {
            between = List.copyOf(between);
            suites = List.copyOf(suites);
            trustedIps = List.copyOf(trustedIps);
        }

        @Override
        public String pskName() {
            return "conduit:" + name;
        }
    }

    private final String file;
    private final List<Problem> problems;
    private final Settings settings;
    private final List<Zone> zones;
    private final List<Device> devices;
    private final List<Conduit> conduits;

    PolicyModel(String file, List<Problem> problems, Settings settings, List<Zone> zones, List<Device> devices,
                List<Conduit> conduits) {
        this.file = file;
        this.problems = List.copyOf(problems);
        this.settings = settings;
        this.zones = List.copyOf(zones);
        this.devices = List.copyOf(devices);
        this.conduits = List.copyOf(conduits);
    }

    /** Reads a policy from text; {@code file} is the name problems are reported under. */
    public static PolicyModel parse(String file, String text) {
        Objects.requireNonNull(file, "file");
        try {
            return new PolicyParser(file).parse(JsonReader.parse(text));
        } catch (JsonException e) {
            return syntaxError(file, e);
        }
    }

    /** Reads a policy from UTF-8 bytes. */
    public static PolicyModel parse(String file, byte[] utf8) {
        try {
            return new PolicyParser(file).parse(JsonReader.parse(utf8));
        } catch (JsonException e) {
            return syntaxError(file, e);
        }
    }

    static PolicyModel syntaxError(String file, JsonException e) {
        Problem p = new Problem(file, e.line(), e.column(), "", e.detail());
        return new PolicyModel(file, List.of(p), Settings.DEFAULTS, List.of(), List.of(), List.of());
    }

    static PolicyModel of(String file, JsonNode root) {
        return new PolicyParser(file).parse(root);
    }

    /** The file name problems are reported under. */
    public String file() {
        return file;
    }

    /** Every problem found, in file order within each check: errors and warnings. */
    public List<Problem> validate() {
        return problems;
    }

    /** Whether the policy has no errors (warnings allowed). */
    public boolean isValid() {
        return problems.stream().noneMatch(Problem::isError);
    }

    public Settings settings() {
        return settings;
    }

    /** The zones read (only those whose name could be read when the file has errors). */
    public List<Zone> zones() {
        return zones;
    }

    public List<Device> devices() {
        return devices;
    }

    public List<Conduit> conduits() {
        return conduits;
    }

    /** The names of the PSKs the policy needs, zones first then conduits, in file order. */
    public List<String> pskNames() {
        List<String> out = new ArrayList<>();
        for (Zone z : zones) {
            if (z.authentication() == Authentication.PSK) {
                out.add(z.pskName());
            }
        }
        for (Conduit c : conduits) {
            if (c.authentication() == Authentication.PSK) {
                out.add(c.pskName());
            }
        }
        return List.copyOf(out);
    }

    /** The zone and conduits that apply to a device: its zone first, then every conduit naming it or its zone. */
    public List<Relationship> relationships(Device d) {
        List<Relationship> out = new ArrayList<>();
        for (Zone z : zones) {
            if (z.name().equals(d.zone())) {
                out.add(z);
            }
        }
        for (Conduit c : conduits) {
            if (c.between().contains("device:" + d.name()) || c.between().contains("zone:" + d.zone())) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * What each device must end up with, in file order. PSKs the policy needs are taken from the secrets,
     * which generates (and, unless it is a preview, stores) those it lacks.
     *
     * @throws PolicyException when the policy has errors
     * @throws IOException     when the secrets file cannot be written
     */
    public List<DevicePolicy> resolve(PskSecrets secrets) throws IOException, PolicyException {
        if (!isValid()) {
            throw new PolicyException(problems);
        }
        List<DevicePolicy> out = new ArrayList<>(devices.size());
        for (Device d : devices) {
            out.add(resolve(d, secrets));
        }
        return List.copyOf(out);
    }

    private DevicePolicy resolve(Device d, PskSecrets secrets) throws IOException {
        List<Relationship> rels = relationships(d);
        Set<CipherSuite> suites = new LinkedHashSet<>();
        Set<String> trusted = new LinkedHashSet<>();
        List<PskCredential> psks = new ArrayList<>();
        boolean certificate = false;
        boolean hybrid = false;
        for (Relationship r : rels) {
            suites.addAll(r.effectiveSuites());
            trusted.addAll(r.trustedIps());
            hybrid |= r.hybrid();
            if (r.authentication() == Authentication.CERTIFICATE) {
                certificate = true;
            } else {
                psks.add(secrets.getOrCreate(r.pskName()));
            }
        }
        List<Integer> ids = sortSuites(suites).stream().map(CipherSuite::id).toList();
        Authentication auth = certificate ? Authentication.CERTIFICATE : Authentication.PSK;
        List<String> san = new ArrayList<>();
        if (Addresses.isIpLiteral(d.address())) {
            san.add("IP:" + d.address());
        }
        if (settings.includeDnsName() && !d.dnsName().isEmpty()) {
            san.add("DNS:" + d.dnsName());
        }
        CsrSubject subject = new CsrSubject(d.dnsName().isEmpty() ? d.name() : d.dnsName(), settings.organization(),
                settings.organizationalUnit(), settings.locality(), settings.state(), settings.country(), "", "", san);
        return new DevicePolicy(d.name(), d.zone(), d.address(), d.port(), d.identity(), d.fingerprint(), auth, ids,
                psks, subject, settings.validityDays(), auth == Authentication.CERTIFICATE, true,
                settings.checkExpiration(), settings.dtlsTimeoutSeconds(), trusted.isEmpty() && !hybrid,
                List.copyOf(trusted));
    }

    /**
     * Encrypting suites first (AEAD before CBC), then the NULL ones; within a group the order of
     * {@link CipherSuite#DEFAULTS} (AES-128 before AES-256, GCM before ChaCha20), then the enum's.
     */
    static List<CipherSuite> sortSuites(java.util.Collection<CipherSuite> suites) {
        List<CipherSuite> preference = new ArrayList<>(CipherSuite.DEFAULTS);
        for (CipherSuite s : CipherSuite.values()) {
            if (!preference.contains(s)) {
                preference.add(s);
            }
        }
        return suites.stream().distinct()
                .sorted(Comparator.<CipherSuite>comparingInt(s -> switch (s.protection()) {
                    case AEAD -> 0;
                    case CBC -> 1;
                    case NULL -> 2;
                }).thenComparingInt(preference::indexOf))
                .toList();
    }

    @Override
    public String toString() {
        return "PolicyModel[" + file + ": " + zones.size() + " zones, " + devices.size() + " devices, "
                + conduits.size() + " conduits, " + problems.size() + " problems]";
    }
}
