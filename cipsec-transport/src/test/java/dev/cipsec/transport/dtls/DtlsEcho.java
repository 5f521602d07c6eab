package dev.cipsec.transport.dtls;

import dev.cipsec.transport.io.DatagramReceiver;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PeerVerifier;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TestPki;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.KeyType;
import dev.cipsec.wire.buf.Bytes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A DTLS server port on loopback that sends every datagram back to its sender, and test helpers around it. */
final class DtlsEcho implements AutoCloseable {
    static final PskCredential PSK = PskCredential.of("plant-7", Bytes.fromHex("00112233445566778899aabbccddeeff"));
    static final TestPki PKI = TestPki.create();
    static final Duration WAIT = Duration.ofSeconds(20);
    static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    final DtlsServerPort port;
    final Inbox inbox = new Inbox();
    private volatile InetSocketAddress lastPeer;

    private DtlsEcho(TlsPolicy policy, DtlsLimits limits) throws IOException {
        DtlsServerPort[] self = new DtlsServerPort[1];
        port = DtlsServerPort.open(LOOPBACK, 1400, "echo", policy, limits, (buf, off, len, from) -> {
            lastPeer = from;
            inbox.datagram(buf, off, len, from);
            try {
                self[0].send(buf, off, len, from);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        self[0] = port;
    }

    static DtlsEcho start(TlsPolicy policy) throws IOException {
        return new DtlsEcho(policy, DtlsLimits.defaults());
    }

    static DtlsEcho start(TlsPolicy policy, DtlsLimits limits) throws IOException {
        return new DtlsEcho(policy, limits);
    }

    /** The sender of the last datagram echoed. */
    InetSocketAddress lastPeer() {
        return lastPeer;
    }

    InetSocketAddress address() {
        return port.localAddress();
    }

    static TlsPolicy psk(CipherSuite... suites) {
        return TlsPolicy.builder().psk(PSK).suites(suites).handshakeTimeout(Duration.ofSeconds(15)).build();
    }

    static TlsPolicy certificateServer(CipherSuite... suites) {
        return TlsPolicy.builder().identity(PKI.issueServer(KeyType.EC_P256, "adapter")).suites(suites)
                .peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false)).build();
    }

    static TlsPolicy certificateClient(CipherSuite... suites) {
        return TlsPolicy.builder().suites(suites).peerVerifier(PeerVerifier.trusting(PKI.trustStore(), false)).build();
    }

    static DtlsClientPort client(InetSocketAddress server, TlsPolicy policy, Inbox inbox) throws IOException {
        return DtlsClientPort.connect(LOOPBACK, server, 1400, "client", policy, DtlsLimits.DEFAULT_IDLE_TIMEOUT, inbox);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Waits for {@code condition}, polling; fails after {@link #WAIT}. */
    static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Override
    public void close() {
        port.close();
    }

    /** Received datagrams as ASCII strings. */
    static final class Inbox implements DatagramReceiver {
        private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();

        @Override
        public void datagram(byte[] buf, int off, int len, InetSocketAddress from) {
            queue.add(new String(buf, off, len, StandardCharsets.ISO_8859_1));
        }

        String next() {
            try {
                String s = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (s == null) {
                    throw new AssertionError("no datagram within " + WAIT);
                }
                return s;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        int size() {
            return queue.size();
        }
    }
}
