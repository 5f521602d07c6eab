package dev.cipsec.scanner.probe;

import dev.cipsec.scanner.probe.ProbeReport.TransportReport;
import dev.cipsec.scanner.probe.ProbeReport.VersionResult;
import dev.cipsec.transport.dtls.SocketDatagramTransport;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.crypto.TlsCrypto;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Probes DTLS over UDP: DTLS 1.0 and 1.2 each offered alone through Bouncy Castle's
 * {@link DTLSClientProtocol} (which answers a HelloVerifyRequest cookie), the suites of each
 * accepted version, the certificates and the client certificate request. A port that never
 * answers costs one timeout per version.
 */
public final class DtlsProbe {
    static final ProtocolVersion[] VERSIONS = {ProtocolVersion.DTLSv10, ProtocolVersion.DTLSv12};
    /** Large enough for any record a server sends; ours are small ClientHellos. */
    private static final int DATAGRAM_LIMIT = 16384 + 1024;

    private DtlsProbe() {
    }

    /**
     * @param timeout     bounds each handshake (retransmissions included)
     * @param maxAttempts bounds the handshakes
     */
    public static TransportReport run(InetSocketAddress target, Duration timeout, int maxAttempts) {
        TlsCrypto crypto = ProbeCrypto.get();
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Survey survey = new Survey((v, suites, stage) -> attempt(target, crypto, ms, v, suites, stage), crypto, maxAttempts);
        List<VersionResult> versions = new ArrayList<>();
        for (ProtocolVersion v : VERSIONS) {
            versions.add(survey.version(v));
        }
        return new TransportReport("DTLS", target.getPort(), survey.answered(), versions, survey.certificates(),
                survey.attempts(), survey.notes());
    }

    private static Outcome attempt(InetSocketAddress target, TlsCrypto crypto, int ms, ProtocolVersion v,
                                   List<Integer> suites, ProbeClient.Stage stage) {
        ProbeClient client = new ProbeClient(crypto, v, suites, stage, ms);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(target);
            Counting transport = new Counting(socket);
            try {
                DTLSTransport session = new DTLSClientProtocol().connect(client, transport);
                session.close();
                return Outcome.of(client, null, true);
            } catch (IOException e) {
                return Outcome.of(client, e, transport.received > 0);
            }
        } catch (IOException e) {
            return Outcome.of(client, e, false);
        }
    }

    /** Counts datagrams, so that a silent port (unreachable) is told from one that answers and refuses. */
    private static final class Counting extends SocketDatagramTransport {
        volatile int received;

        Counting(DatagramSocket socket) {
            super(socket, DATAGRAM_LIMIT);
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            int n = super.receive(buf, off, len, waitMillis);
            if (n >= 0) {
                received++;
            }
            return n;
        }
    }
}
