package dev.cipsec.scanner.probe;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * What one probing handshake learnt. A suite chosen in the ServerHello means "accepted" whatever
 * happened after it (our abort, or BC refusing something later, e.g. encrypt-then-MAC answered
 * for a NULL suite).
 *
 * @param suite      the suite the server chose, -1 when refused
 * @param extensions the ServerHello's extension types, null when not read
 * @param chain      the server's certificates, empty when not reached
 * @param requestedCas null: no CertificateRequest (meaningful only when {@code flightComplete})
 * @param refusal    why not accepted, or a note on how an accepted handshake ended
 * @param answered   whether the peer sent anything at all (an alert counts; a timeout does not)
 * @param unreachable TCP: the connection itself failed
 */
record Outcome(int suite, String serverVersion, Set<Integer> extensions, List<X509Certificate> chain,
               List<String> requestedCas, boolean flightComplete, String refusal, boolean answered, boolean unreachable) {

    boolean accepted() {
        return suite >= 0;
    }

    static Outcome unreachable(String why) {
        return new Outcome(-1, null, null, List.of(), null, false, why, false, true);
    }

    /** Reads the client's record and the exception the handshake ended with ({@code e} null: it completed). */
    static Outcome of(ProbeClient c, IOException e, boolean answered) {
        String why = "";
        if (!(e instanceof ProbeClient.Abort)) {
            why = reason(c, e);
        }
        boolean anything = answered || c.serverVersion != null || c.alertReceived >= 0;
        return new Outcome(c.selectedSuite, c.serverVersion == null ? null : Suites.versionName(c.serverVersion), c.serverExtensions,
                c.chain, c.requestedCas, c.flightComplete, why, anything, false);
    }

    static String reason(ProbeClient c, IOException e) {
        // BC raises internal_error when its handshake timer runs out: the timeout is the news.
        if (timeout(e)) {
            return "timeout";
        }
        if (c.alertReceived >= 0 || e instanceof TlsFatalAlertReceived) {
            short d = c.alertReceived >= 0 ? c.alertReceived : ((TlsFatalAlertReceived) e).getAlertDescription();
            return "alert " + AlertDescription.getName(d);
        }
        if (c.alertRaised >= 0) {
            return "sent alert " + AlertDescription.getName(c.alertRaised)
                    + (c.alertRaisedMessage == null ? "" : " (" + c.alertRaisedMessage + ")");
        }
        return transportReason(e);
    }

    private static boolean timeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TlsTimeoutException || t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
                return true;
            }
        }
        return false;
    }

    static String transportReason(IOException e) {
        if (e == null) {
            return "";
        }
        if (timeout(e)) {
            return "timeout";
        }
        if (e instanceof EOFException || e.getClass().getSimpleName().equals("TlsNoCloseNotifyException")) {
            return "connection closed";
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException) {
            return "unreachable: " + e.getMessage();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
