package dev.cipsec.commission.policy;

import dev.cipsec.commission.json.JsonWriter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed policy files never crash validation, every problem points into the file, and a policy that
 * validates always resolves (the DevicePolicy contract's own checks never fire on a valid policy).
 */
class PolicyProperties {
    private static final String EXAMPLE;

    static {
        try {
            EXAMPLE = Files.readString(Path.of("../docs/examples/policy.json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 1500)
    void editedExampleNeverCrashesValidation(@ForAll("edits") String text) throws Exception {
        check(text);
    }

    @Property(tries = 1500)
    void structurallyWrongPoliciesNeverCrashValidation(@ForAll("policies") Object policy) throws Exception {
        boolean valid = check(JsonWriter.write(policy));
        Statistics.label("valid").collect(valid);
        Statistics.label("valid").coverage(c -> c.check(true).count(n -> n > 0));
    }

    /** Returns whether the policy was valid (and then resolved). */
    private static boolean check(String text) throws Exception {
        PolicyModel m = PolicyModel.parse("p.json", text);
        long lines = text.lines().count() + 1;
        for (Problem p : m.validate()) {
            assertThat(p.line()).isBetween(1, (int) lines);
            assertThat(p.column()).isGreaterThanOrEqualTo(1);
            assertThat(p.toString()).startsWith("p.json:" + p.line() + ":" + p.column() + ": ");
        }
        if (m.isValid()) {
            List<DevicePolicy> resolved = m.resolve(PskSecrets.preview(Path.of("/nonexistent/p.json.secrets")));
            assertThat(resolved).hasSameSizeAs(m.devices());
        }
        return m.isValid();
    }

    /** The example with a span deleted, replaced or duplicated: truncations, broken tokens, repeated keys. */
    @Provide
    Arbitrary<String> edits() {
        Arbitrary<Integer> pos = Arbitraries.integers().between(0, EXAMPLE.length());
        Arbitrary<String> insert = Arbitraries.of("", "{", "}", "[", "]", ",", ":", "\"", "0", "-1", "99999999999",
                "null", "true", "\"x\"", "\"zone:\"", "\"device:plc1\"", "\"line1\"", "1.5", "[]", "{}", "\"10.0.1.10\"",
                "\"C02B\"", "\"psk\"", "\"integrity\"", "\"name\": \"plc1\",");
        return Combinators.combine(pos, pos, insert).as((a, b, ins) -> {
            int from = Math.min(a, b);
            int to = Math.max(a, b);
            if (to - from > 40) {
                to = from + 40;
            }
            return EXAMPLE.substring(0, from) + ins + EXAMPLE.substring(to);
        });
    }

    /** Documents with the policy's own keys holding values of any type, so every typed accessor meets surprises. */
    @Provide
    Arbitrary<Object> policies() {
        Arbitrary<Object> leaf = Arbitraries.oneOf(
                Arbitraries.of("line1", "plc1", "zone:line1", "device:plc1", "device:hmi1", "zone:x", "10.0.1.10",
                        "fe80::1", "plc.example", "psk", "certificate", "integrity", "confidentiality", "C02B",
                        "TLS_ECDHE_PSK_WITH_NULL_SHA256", "0x00C0FFEE", "FR", "", "AB".repeat(32)).map(s -> (Object) s),
                Arbitraries.of(0L, 1L, 2221L, 65536L, -1L, 4294967296L, 12L, 3601L).map(l -> (Object) l),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null));
        Arbitrary<String> keys = Arbitraries.of("name", "zone", "address", "port", "dnsName", "identity", "fingerprint",
                "authentication", "security", "suites", "trustedIps", "hybrid", "between", "vendorId",
                "serialNumber", "majorRevision", "certificate", "country", "validityDays", "dtlsTimeoutSeconds", "x");
        Arbitrary<Object> value = Arbitraries.recursive(() -> leaf,
                inner -> Arbitraries.oneOf(inner.list().ofMaxSize(3).map(l -> (Object) l),
                        Arbitraries.maps(keys, inner).ofMaxSize(4).map(m -> (Object) new LinkedHashMap<>(m))), 3);
        Arbitrary<Object> entity = Arbitraries.maps(keys, value).ofMaxSize(6).map(m -> (Object) new LinkedHashMap<>(m));
        Arbitrary<Object> validZone = Arbitraries.of("line1", "line2")
                .map(n -> (Object) new LinkedHashMap<>(Map.of("name", n)));
        Arbitrary<Object> validDevice = Combinators.combine(Arbitraries.of("plc1", "hmi1"), Arbitraries.of("line1", "line2"),
                        Arbitraries.of("10.0.1.10", "10.0.1.11"))
                .as((n, z, a) -> (Object) new LinkedHashMap<String, Object>(Map.of("name", n, "zone", z, "address", a)));
        return Combinators.combine(Arbitraries.oneOf(validZone, entity).list().ofMaxSize(3),
                Arbitraries.oneOf(validDevice, entity).list().ofMaxSize(3),
                Arbitraries.oneOf(entity, value).list().ofMaxSize(2), value).as((zones, devices, conduits, settings) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", 1L);
            m.put("zones", zones);
            m.put("devices", devices);
            m.put("conduits", conduits);
            if (settings instanceof Map) {
                m.put("settings", settings);
            }
            return m;
        });
    }
}
