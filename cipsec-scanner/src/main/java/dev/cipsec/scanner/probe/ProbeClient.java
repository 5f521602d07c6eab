package dev.cipsec.scanner.probe;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKIdentity;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKIdentity;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.Vector;

/**
 * Bouncy Castle's client callbacks for one probing handshake: they record what the server sent
 * and abort the handshake with {@link Abort} as soon as the probe knows what it came for, so no
 * key is ever needed (PSK suites are offered with a dummy identity that is never used).
 */
final class ProbeClient extends AbstractTlsClient {
    /** How far one handshake goes. */
    enum Stage {
        /** Up to the ServerHello: version, suite, extensions. */
        HELLO,
        /** Up to the end of the server's first flight: also the chain and the CertificateRequest. */
        FLIGHT
    }

    /** Our own abort; a user_canceled alert tells the server we are leaving on purpose. */
    static final class Abort extends TlsFatalAlert {
        private static final long serialVersionUID = 1L;

        Abort() {
            super(AlertDescription.user_canceled, "probe has what it needs");
        }
    }

    private final ProtocolVersion version;
    private final int[] suites;
    private final Stage stage;
    private final int timeoutMillis;

    ProtocolVersion serverVersion;
    int selectedSuite = -1;
    /** Extension types of the ServerHello (or EncryptedExtensions in TLS 1.3); null until seen. */
    Set<Integer> serverExtensions;
    List<X509Certificate> chain = List.of();
    /** Null: the flight ended without a CertificateRequest (or was not reached). */
    List<String> requestedCas;
    boolean flightComplete;
    short alertReceived = -1;
    short alertRaised = -1;
    String alertRaisedMessage;

    ProbeClient(TlsCrypto crypto, ProtocolVersion version, List<Integer> suites, Stage stage, int timeoutMillis) {
        super(crypto);
        this.timeoutMillis = timeoutMillis;
        this.version = version;
        this.suites = suites.stream().mapToInt(Integer::intValue).toArray();
        this.stage = stage;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return version.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return suites.clone();
    }

    /** Every group BC can do, so that no suite is refused for want of a curve. */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected Vector getSupportedGroups(Vector namedGroupRoles) {
        Vector groups = new Vector();
        TlsUtils.addIfSupported(groups, getCrypto(), new int[]{NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1,
                NamedGroup.secp521r1, NamedGroup.x448, NamedGroup.brainpoolP256r1, NamedGroup.brainpoolP384r1,
                NamedGroup.brainpoolP512r1, NamedGroup.brainpoolP256r1tls13, NamedGroup.brainpoolP384r1tls13,
                NamedGroup.brainpoolP512r1tls13, NamedGroup.ffdhe2048, NamedGroup.ffdhe3072, NamedGroup.ffdhe4096,
                NamedGroup.ffdhe6144, NamedGroup.ffdhe8192});
        return groups;
    }

    /** Encrypt-then-MAC and session tickets are offered so that the ServerHello tells whether the server does them. */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
        Hashtable ext = super.getClientExtensions();
        if (!TlsUtils.isTLSv13(version)) {
            ext.put(ExtensionType.session_ticket, TlsUtils.EMPTY_BYTES);
        }
        return ext;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return timeoutMillis;
    }

    @Override
    public TlsPSKIdentity getPSKIdentity() {
        // Only read by the key exchange after the server's flight, which the probe never reaches.
        return new BasicTlsPSKIdentity("cipsec-probe", new byte[32]);
    }

    @Override
    public void notifyServerVersion(ProtocolVersion serverVersion) throws IOException {
        super.notifyServerVersion(serverVersion);
        this.serverVersion = serverVersion;
    }

    @Override
    public void notifySelectedCipherSuite(int selectedCipherSuite) {
        this.selectedSuite = selectedCipherSuite;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable extensions) throws IOException {
        Set<Integer> types = new TreeSet<>();
        if (extensions != null) {
            for (Object k : extensions.keySet()) {
                types.add((Integer) k);
            }
        }
        serverExtensions = Collections.unmodifiableSet(types);
        if (stage == Stage.HELLO) {
            throw new Abort();
        }
        super.processServerExtensions(extensions);
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                chain = x509(serverCertificate);
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                List<String> cas = new ArrayList<>();
                Vector<?> names = request.getCertificateAuthorities();
                if (names != null) {
                    for (Object n : names) {
                        cas.add(X500Name.getInstance(n).toString());
                    }
                }
                requestedCas = List.copyOf(cas);
                flightComplete = true;
                throw new Abort();
            }
        };
    }

    /** Called once the server's flight is in, whether or not it asked for a certificate (TLS 1.2 and earlier). */
    @Override
    @SuppressWarnings("rawtypes")
    public Vector getClientSupplementalData() throws IOException {
        flightComplete = true;
        throw new Abort();
    }

    /** TLS 1.3 without a CertificateRequest runs to the end; nothing is sent over the session. */
    @Override
    public void notifyHandshakeComplete() throws IOException {
        flightComplete = true;
        throw new Abort();
    }

    @Override
    public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
        if (!(cause instanceof Abort) && alertRaised < 0 && description != AlertDescription.user_canceled) {
            alertRaised = description;
            alertRaisedMessage = message;
        }
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
        if (level == org.bouncycastle.tls.AlertLevel.fatal && alertReceived < 0) {
            alertReceived = description;
        }
    }

    private static List<X509Certificate> x509(TlsServerCertificate sc) throws IOException {
        if (sc == null || sc.getCertificate() == null) {
            return List.of();
        }
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (int i = 0; i < sc.getCertificate().getLength(); i++) {
                byte[] der = sc.getCertificate().getCertificateAt(i).getEncoded();
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
            }
            return List.copyOf(out);
        } catch (CertificateException e) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "unreadable certificate", e);
        }
    }
}
