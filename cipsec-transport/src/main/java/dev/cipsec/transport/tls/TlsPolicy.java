package dev.cipsec.transport.tls;

import dev.cipsec.transport.tls.CipherSuite.KeyExchange;
import dev.cipsec.transport.tls.cert.Identity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a TLS endpoint accepts and presents: immutable, so a device can swap the policy of its
 * listener atomically (the EtherNet/IP Security Object's Apply_Config) while handshakes in flight
 * keep the one they started with.
 *
 * <p>TLS 1.2 only: CIP Security names TLS 1.2 and no public source mentions TLS 1.3 (reference §7.1,
 * a GAP), and no CIP Security peer would negotiate it; older versions and SSL are refused.
 *
 * <p>The same type serves servers and clients. A suite is used only when the credentials for it
 * exist: PSK suites need a PSK for that end, certificate suites need an identity of the matching
 * key type on a server, and trust on a client ({@link #serverSuites()}, {@link #clientSuites()}).
 *
 * @param suites                   the suites allowed, in order of preference
 * @param psks                     pre-shared keys; a client uses the first one it may use
 * @param identity                 our certificate and key, for certificate suites (server) and client authentication
 * @param peerVerifier             checks the peer's certificate chain
 * @param requireClientCertificate server: request a certificate in certificate suites and refuse a client
 *                                 without one (0x5E attribute 9, Verify Client Certificate)
 * @param sendChain                send our whole chain rather than the leaf only (0x5E attribute 10); on by
 *                                 default because a peer holding only the root can then verify us
 * @param handshakeTimeout         a handshake not complete by then is abandoned and its socket closed
 * @param keyLog                   where to write NSS key log lines, when debugging
 * @param maxHandshakesInFlight    server: handshakes running at once; more connections are closed at once
 * @param sessionCacheSize         sessions kept for resumption (server: by session id; client: by peer)
 * @param checkSubjectAltName      client: the server's certificate must name the address or host name
 *                                 connected to in its subject alternative names (0x5E attribute 17); off by
 *                                 default, as in every source, because devices are often addressed by an IP
 *                                 their certificate does not carry
 */
public record TlsPolicy(List<CipherSuite> suites, List<PskCredential> psks, Optional<Identity> identity,
                        PeerVerifier peerVerifier, boolean requireClientCertificate, boolean sendChain,
                        Duration handshakeTimeout, Optional<KeyLog> keyLog,
                        int maxHandshakesInFlight, int sessionCacheSize, boolean checkSubjectAltName) {
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_HANDSHAKES = 16;
    public static final int DEFAULT_SESSION_CACHE = 256;
    /** Enough for any policy of the 0x5E object (HIL caps its lists at 20). */
    public static final int MAX_PSKS = 16;

    public TlsPolicy {
        suites = List.copyOf(new LinkedHashSet<>(suites));
        psks = List.copyOf(psks);
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(peerVerifier, "peerVerifier");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(keyLog, "keyLog");
        if (suites.isEmpty()) {
            throw new IllegalArgumentException("a TLS policy needs at least one cipher suite");
        }
        if (psks.size() > MAX_PSKS) {
            throw new IllegalArgumentException("at most " + MAX_PSKS + " PSKs: " + psks.size());
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero() || handshakeTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("handshake timeout must be in (0, 10 min]: " + handshakeTimeout);
        }
        if (maxHandshakesInFlight < 1 || maxHandshakesInFlight > 10_000) {
            throw new IllegalArgumentException("max handshakes in flight must be 1..10000: " + maxHandshakesInFlight);
        }
        if (sessionCacheSize < 0 || sessionCacheSize > 100_000) {
            throw new IllegalArgumentException("session cache size must be 0..100000: " + sessionCacheSize);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The allowed suites this policy can serve as a server with its credentials, in preference order. */
    public List<CipherSuite> serverSuites() {
        List<CipherSuite> out = new ArrayList<>();
        for (CipherSuite s : suites) {
            boolean usable = switch (s.keyExchange()) {
                case ECDHE_PSK -> psks.stream().anyMatch(p -> p.usage().allowsServer());
                case ECDHE_ECDSA -> identity.isPresent() && identity.get().keyType().isEc();
                case RSA -> identity.isPresent() && !identity.get().keyType().isEc();
            };
            if (usable) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The allowed suites this policy offers as a client: PSK suites when it has a PSK for a client,
     * certificate suites when its verifier can trust some server.
     */
    public List<CipherSuite> clientSuites() {
        boolean psk = clientPsk().isPresent();
        boolean certs = peerVerifier.canTrustAnything();
        List<CipherSuite> out = new ArrayList<>();
        for (CipherSuite s : suites) {
            if (s.keyExchange() == KeyExchange.ECDHE_PSK ? psk : certs) {
                out.add(s);
            }
        }
        return out;
    }

    /** The PSK a client sends: the first that a client may use. */
    public Optional<PskCredential> clientPsk() {
        return psks.stream().filter(p -> p.usage().allowsClient()).findFirst();
    }

    /** Mutable builder; defaults: {@link CipherSuite#DEFAULTS}, no credentials, trust nothing, 10 s handshake. */
    public static final class Builder {
        private List<CipherSuite> suites = List.copyOf(CipherSuite.DEFAULTS);
        private List<PskCredential> psks = List.of();
        private Optional<Identity> identity = Optional.empty();
        private PeerVerifier peerVerifier = PeerVerifier.none();
        private boolean requireClientCertificate;
        private boolean sendChain = true;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Optional<KeyLog> keyLog = Optional.empty();
        private int maxHandshakesInFlight = DEFAULT_MAX_HANDSHAKES;
        private int sessionCacheSize = DEFAULT_SESSION_CACHE;
        private boolean checkSubjectAltName;

        private Builder() {
        }

        private Builder(TlsPolicy p) {
            suites = p.suites;
            psks = p.psks;
            identity = p.identity;
            peerVerifier = p.peerVerifier;
            requireClientCertificate = p.requireClientCertificate;
            sendChain = p.sendChain;
            handshakeTimeout = p.handshakeTimeout;
            keyLog = p.keyLog;
            maxHandshakesInFlight = p.maxHandshakesInFlight;
            sessionCacheSize = p.sessionCacheSize;
            checkSubjectAltName = p.checkSubjectAltName;
        }

        public Builder suites(Collection<CipherSuite> s) {
            suites = List.copyOf(s);
            return this;
        }

        public Builder suites(CipherSuite... s) {
            return suites(List.of(s));
        }

        /** Every CIP Security suite, NULL and RSA ones included. */
        public Builder allSuites() {
            return suites(EnumSet.allOf(CipherSuite.class));
        }

        public Builder psks(List<PskCredential> p) {
            psks = List.copyOf(p);
            return this;
        }

        public Builder psk(PskCredential p) {
            List<PskCredential> l = new ArrayList<>(psks);
            l.add(p);
            psks = List.copyOf(l);
            return this;
        }

        public Builder identity(Identity id) {
            identity = Optional.of(id);
            return this;
        }

        public Builder noIdentity() {
            identity = Optional.empty();
            return this;
        }

        public Builder peerVerifier(PeerVerifier v) {
            peerVerifier = Objects.requireNonNull(v, "peerVerifier");
            return this;
        }

        public Builder requireClientCertificate(boolean on) {
            requireClientCertificate = on;
            return this;
        }

        public Builder sendChain(boolean on) {
            sendChain = on;
            return this;
        }

        public Builder handshakeTimeout(Duration d) {
            handshakeTimeout = d;
            return this;
        }

        public Builder keyLog(KeyLog log) {
            keyLog = Optional.of(log);
            return this;
        }

        public Builder maxHandshakesInFlight(int n) {
            maxHandshakesInFlight = n;
            return this;
        }

        public Builder sessionCacheSize(int n) {
            sessionCacheSize = n;
            return this;
        }

        /** Client: require the server's certificate to name the host connected to (see the record comment). */
        public Builder checkSubjectAltName(boolean on) {
            checkSubjectAltName = on;
            return this;
        }

        public TlsPolicy build() {
            return new TlsPolicy(suites, psks, identity, peerVerifier, requireClientCertificate, sendChain,
                    handshakeTimeout, keyLog, maxHandshakesInFlight, sessionCacheSize, checkSubjectAltName);
        }
    }

    /** Suites as a set, e.g. for comparing what a scan found with what the policy allows. */
    public Set<CipherSuite> suiteSet() {
        return EnumSet.copyOf(suites);
    }
}
