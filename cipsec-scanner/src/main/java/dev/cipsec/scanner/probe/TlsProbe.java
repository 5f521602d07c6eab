package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.probe.ProbeReport.Preference;
import dev.cipsec.scanner.probe.ProbeReport.SuiteResult;
import dev.cipsec.scanner.probe.ProbeReport.TransportReport;
import dev.cipsec.scanner.probe.ProbeReport.VersionResult;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.crypto.TlsCrypto;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Probes TLS over TCP: SSL 3.0 (one fixed hello, see {@link Ssl3Hello}), then TLS 1.0 to 1.3 each
 * offered alone through Bouncy Castle's {@link TlsClientProtocol}, the suites of each accepted
 * version, the certificates and the client certificate request.
 */
public final class TlsProbe {
    static final ProtocolVersion[] VERSIONS = {ProtocolVersion.TLSv10, ProtocolVersion.TLSv11, ProtocolVersion.TLSv12,
            ProtocolVersion.TLSv13};

    private TlsProbe() {
    }

    /**
     * @param timeout     bounds each connect and each handshake
     * @param maxAttempts bounds the handshakes (SSL 3.0 hello included)
     */
    public static TransportReport run(InetSocketAddress target, Duration timeout, int maxAttempts) {
        TlsCrypto crypto = ProbeCrypto.get();
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Survey survey = new Survey((v, suites, stage) -> attempt(target, crypto, ms, v, suites, stage), crypto, maxAttempts);
        List<VersionResult> versions = new ArrayList<>();
        Outcome ssl3 = Ssl3Hello.attempt(target, timeout);
        survey.count(ssl3);
        versions.add(ssl3.accepted()
                ? new VersionResult("SSLv3", true, "", List.of(SuiteResult.of(ssl3.suite())), Preference.NOT_APPLICABLE,
                Optional.empty())
                : VersionResult.refused("SSLv3", ssl3.refusal()));
        for (ProtocolVersion v : VERSIONS) {
            versions.add(survey.version(v));
        }
        // Reachable once any connection was made: a connect that fails later does not undo what was seen.
        return new TransportReport("TLS", target.getPort(), survey.answered(), versions,
                survey.certificates(), survey.attempts(), survey.notes());
    }

    private static Outcome attempt(InetSocketAddress target, TlsCrypto crypto, int ms, ProtocolVersion v,
                                   List<Integer> suites, ProbeClient.Stage stage) {
        ProbeClient client = new ProbeClient(crypto, v, suites, stage, ms);
        try (Socket s = new Socket()) {
            try {
                s.connect(target, ms);
            } catch (IOException e) {
                return Outcome.unreachable(Outcome.transportReason(e));
            }
            s.setSoTimeout(ms);
            s.setTcpNoDelay(true);
            TlsClientProtocol protocol = new TlsClientProtocol(s.getInputStream(), s.getOutputStream());
            try {
                protocol.connect(client);
                return Outcome.of(client, null, true);
            } catch (IOException e) {
                return Outcome.of(client, e, true);
            }
        } catch (IOException e) {
            return Outcome.of(client, e, true);
        }
    }
}
