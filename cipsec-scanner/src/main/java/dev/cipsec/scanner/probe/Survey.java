package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.probe.ProbeReport.CertificateReport;
import dev.cipsec.scanner.probe.ProbeReport.ClientAuth;
import dev.cipsec.scanner.probe.ProbeReport.Extensions;
import dev.cipsec.scanner.probe.ProbeReport.Preference;
import dev.cipsec.scanner.probe.ProbeReport.SuiteResult;
import dev.cipsec.scanner.probe.ProbeReport.VersionResult;
import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The probing strategy over one transport, as nmap's ssl-enum-ciphers does it: per version, offer
 * every suite, take out the one the server picks and offer the rest again until it refuses; then
 * offer the accepted ones reversed to tell the server's order from ours; then, per certificate key
 * type, one handshake up to the end of the server's flight for the chain and the CertificateRequest.
 */
final class Survey {
    private final Handshaker handshaker;
    private final TlsCrypto crypto;
    private final int maxAttempts;
    private int attempts;
    private boolean answered;
    private boolean unreachable;
    private String unreachableReason;
    private final List<String> notes = new ArrayList<>();
    private final List<CertificateReport> certificates = new ArrayList<>();

    Survey(Handshaker handshaker, TlsCrypto crypto, int maxAttempts) {
        this.handshaker = handshaker;
        this.crypto = crypto;
        this.maxAttempts = maxAttempts;
    }

    int attempts() {
        return attempts;
    }

    boolean answered() {
        return answered;
    }

    /** TCP only: the port refused the connection, so there is no point in going on. */
    boolean unreachable() {
        return unreachable;
    }

    String unreachableReason() {
        return unreachableReason;
    }

    List<String> notes() {
        return List.copyOf(notes);
    }

    List<CertificateReport> certificates() {
        return List.copyOf(certificates);
    }

    /** Counts an outcome obtained outside {@link Handshaker} (the SSL 3.0 hello). */
    void count(Outcome o) {
        attempts++;
        note(o);
    }

    private Optional<Outcome> attempt(ProtocolVersion v, List<Integer> suites, ProbeClient.Stage stage) {
        if (attempts >= maxAttempts) {
            String n = "attempt budget of " + maxAttempts + " exhausted: results are incomplete";
            if (!notes.contains(n)) {
                notes.add(n);
            }
            return Optional.empty();
        }
        attempts++;
        Outcome o = handshaker.attempt(v, suites, stage);
        note(o);
        return Optional.of(o);
    }

    private void note(Outcome o) {
        answered |= o.answered() || o.accepted();
        if (o.unreachable()) {
            unreachable = true;
            unreachableReason = o.refusal();
        }
    }

    VersionResult version(ProtocolVersion v) {
        String name = Suites.versionName(v);
        if (unreachable) {
            return VersionResult.refused(name, unreachableReason);
        }
        List<Integer> offer = Suites.offerable(crypto, v);
        Optional<Outcome> first = attempt(v, offer, ProbeClient.Stage.HELLO);
        if (first.isEmpty()) {
            return VersionResult.refused(name, "not tried: attempt budget exhausted");
        }
        if (!first.get().accepted()) {
            return VersionResult.refused(name, first.get().refusal());
        }
        List<Integer> order = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        Outcome o = first.get();
        while (true) {
            order.add(o.suite());
            outcomes.add(o);
            List<Integer> rest = new ArrayList<>(offer);
            rest.removeAll(order);
            if (rest.isEmpty()) {
                break;
            }
            Optional<Outcome> next = attempt(v, rest, ProbeClient.Stage.HELLO);
            if (next.isEmpty() || !next.get().accepted() || order.contains(next.get().suite())) {
                break;
            }
            o = next.get();
        }
        Preference preference = Preference.NOT_APPLICABLE;
        if (order.size() >= 2) {
            List<Integer> reversed = new ArrayList<>(order.reversed());
            Optional<Outcome> r = attempt(v, reversed, ProbeClient.Stage.HELLO);
            if (r.isPresent() && r.get().accepted()) {
                outcomes.add(r.get());
                preference = r.get().suite() == order.getFirst() ? Preference.SERVER
                        : r.get().suite() == order.getLast() ? Preference.CLIENT : Preference.MIXED;
            }
        }
        details(v, order);
        return new VersionResult(name, true, "", order.stream().map(SuiteResult::of).toList(), preference,
                extensions(outcomes));
    }

    /** One handshake per certificate key type up to the end of the server's flight. */
    private void details(ProtocolVersion v, List<Integer> accepted) {
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        for (int s : accepted) {
            String key = TlsUtils.isTLSv13(v) ? "any" : Suites.certificateKey(s);
            if (!key.isEmpty()) {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            }
        }
        for (List<Integer> suites : byKey.values()) {
            Optional<Outcome> o = attempt(v, suites, ProbeClient.Stage.FLIGHT);
            if (o.isEmpty() || !o.get().accepted()) {
                continue;
            }
            Outcome out = o.get();
            if (out.chain().isEmpty() && !out.flightComplete()) {
                notes.add(Suites.versionName(v) + " " + Suites.name(out.suite()) + ": the flight was not read to its end: "
                        + out.refusal());
                continue;
            }
            Optional<ClientAuth> auth = out.flightComplete()
                    ? Optional.of(new ClientAuth(out.requestedCas() != null,
                    out.requestedCas() == null ? List.of() : out.requestedCas()))
                    : Optional.empty();
            certificates.add(new CertificateReport(Suites.versionName(v), SuiteResult.of(out.suite()),
                    out.chain().stream().map(Certificates::describe).toList(), auth));
        }
    }

    private static Optional<Extensions> extensions(List<Outcome> outcomes) {
        List<Outcome> read = outcomes.stream().filter(o -> o.extensions() != null).toList();
        if (read.isEmpty()) {
            return Optional.empty();
        }
        Set<Integer> types = new TreeSet<>();
        read.forEach(o -> types.addAll(o.extensions()));
        boolean etm = read.stream().anyMatch(o -> o.extensions().contains(ExtensionType.encrypt_then_mac));
        boolean ems = read.stream().allMatch(o -> o.extensions().contains(ExtensionType.extended_master_secret));
        boolean reneg = read.stream().allMatch(o -> o.extensions().contains(ExtensionType.renegotiation_info));
        boolean ticket = read.stream().anyMatch(o -> o.extensions().contains(ExtensionType.session_ticket));
        return Optional.of(new Extensions(etm, ems, reneg, ticket, List.copyOf(types)));
    }
}
