package dev.cipsec.transport.io;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link DatagramPort} that is a plain IPv4 UDP socket: a blocking {@link DatagramChannel} with
 * one platform receive thread at maximum priority.
 *
 * <p>Per datagram, neither direction allocates in steady state. Sending copies into one direct
 * buffer and uses {@link DatagramChannel#send}, which takes the destination as given. Receiving
 * uses {@link DatagramChannel#receive} into one direct buffer, copied into one reused array: the
 * JDK decodes the sender's address into a new {@link InetSocketAddress} only when it differs from
 * the previous datagram's sender (it caches the last one), so a port whose datagrams come from one
 * peer at a time allocates nothing, while datagrams interleaved from several peers cost one
 * address object (about 100 B) at each change of sender. Java offers no way to receive a
 * datagram's source without that object; the alternative, one connected socket per peer on the
 * shared port, is what a per-peer (DTLS) transport would do anyway. The receive thread is a
 * platform thread because a virtual thread parked in a blocking receive allocates on every park.
 *
 * <p>Datagrams longer than the maximum size are dropped and counted, never cut and delivered.
 * Nothing is logged per datagram above TRACE.
 */
public final class UdpDatagramPort implements DatagramPort {
    /** Receive buffer requested from the kernel, bytes (capped by the OS, e.g. net.core.rmem_max). */
    public static final int RECEIVE_BUFFER = 4 << 20;

    /** Largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(UdpDatagramPort.class);

    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    private final int maxDatagramSize;
    private final DatagramReceiver receiver;
    private final ByteBuffer sendBuffer;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Thread receiveThread;
    private final ReceivePacer pacer;
    private final List<MembershipKey> groups = new ArrayList<>();
    private volatile boolean closed;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong droppedOversize = new AtomicLong();
    private final AtomicLong receiverFailures = new AtomicLong();
    private final AtomicLong receiveErrors = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();

    private UdpDatagramPort(DatagramChannel channel, int maxDatagramSize, String name, DatagramReceiver receiver,
                            ReceiveCoalescing coalescing) throws IOException {
        this.channel = channel;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.maxDatagramSize = maxDatagramSize;
        this.receiver = receiver;
        this.sendBuffer = ByteBuffer.allocateDirect(maxDatagramSize);
        this.pacer = coalescing.pacer();
        this.receiveThread = Thread.ofPlatform().daemon().name(name + "-rx-" + localAddress.getPort())
                .unstarted(this::receiveLoop);
        receiveThread.setPriority(Thread.MAX_PRIORITY);
    }

    /**
     * Binds {@code bind} (port 0 picks an ephemeral port) and starts receiving, with
     * {@link ReceiveCoalescing#defaults()}.
     *
     * @param maxDatagramSize largest payload received or sent, 1..{@value #MAX_UDP_PAYLOAD}
     */
    public static UdpDatagramPort open(InetSocketAddress bind, int maxDatagramSize, String name,
                                       DatagramReceiver receiver) throws IOException {
        return open(bind, maxDatagramSize, name, receiver, ReceiveCoalescing.defaults());
    }

    /**
     * Binds {@code bind} (port 0 picks an ephemeral port) and starts receiving.
     *
     * @param maxDatagramSize largest payload received or sent, 1..{@value #MAX_UDP_PAYLOAD}
     * @param coalescing      how the receive thread paces itself under dense traffic
     */
    public static UdpDatagramPort open(InetSocketAddress bind, int maxDatagramSize, String name,
                                       DatagramReceiver receiver, ReceiveCoalescing coalescing) throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(coalescing, "coalescing");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(receiver, "receiver");
        if (maxDatagramSize < 1 || maxDatagramSize > MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("maxDatagramSize must be in 1.." + MAX_UDP_PAYLOAD + ": " + maxDatagramSize);
        }
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        UdpDatagramPort port;
        try {
            // An adapter and a scanner on one host may both use 2222.
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            // Cyclic I/O from hundreds of connections arrives at 100,000 datagrams/s and more: the
            // default receive buffer (about 200 KB) overflows in about 2 ms of receive-thread stall,
            // and every datagram the kernel drops there counts toward a connection timeout. Ask for
            // RECEIVE_BUFFER; Linux caps it at net.core.rmem_max (raise that on a busy scanner).
            channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            channel.bind(bind);
            port = new UdpDatagramPort(channel, maxDatagramSize, name, receiver, coalescing);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        port.receiveThread.start();
        LOG.debug("UDP I/O port on {}", port.localAddress);
        return port;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    @Override
    public void send(byte[] buf, int off, int len, InetSocketAddress to) throws IOException {
        Objects.requireNonNull(to, "to");
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len > maxDatagramSize) {
            throw new IllegalArgumentException("datagram of " + len + " bytes exceeds the maximum of " + maxDatagramSize);
        }
        // An interrupt during a channel operation closes the channel: keep a pending one for later.
        boolean interrupted = Thread.interrupted();
        sendLock.lock();
        try {
            sendBuffer.clear();
            sendBuffer.put(buf, off, len).flip();
            channel.send(sendBuffer, to);
        } catch (IOException e) {
            sendErrors.incrementAndGet();
            throw e;
        } finally {
            sendLock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        sent.incrementAndGet();
    }

    @Override
    public void joinGroup(InetAddress group, InetAddress via) throws IOException {
        NetworkInterface nif = NetworkInterface.getByInetAddress(via);
        if (nif == null) {
            nif = NetworkInterface.getByIndex(0);
        }
        if (nif == null) {
            throw new IOException("no network interface to join " + group.getHostAddress() + " on");
        }
        synchronized (groups) {
            groups.add(channel.join(group, nif));
        }
    }

    @Override
    public DatagramPortStats stats() {
        return new DatagramPortStats(received.get(), droppedOversize.get(), receiverFailures.get(), receiveErrors.get(),
                sent.get(), sendErrors.get(), pacer.pauses());
    }

    private void receiveLoop() {
        DatagramReceiveLoop.run(channel, maxDatagramSize, () -> closed, droppedOversize, receiveErrors, localAddress, pacer,
                (buf, off, len, from) -> {
                    received.incrementAndGet();
                    try {
                        receiver.datagram(buf, off, len, from);
                    } catch (RuntimeException e) {
                        // The first failure is worth a line; after that a peer could make us flood the log.
                        if (receiverFailures.getAndIncrement() == 0) {
                            LOG.debug("receiver on {} failed for {} (later failures at TRACE)", localAddress, from, e);
                        } else {
                            LOG.trace("receiver on {} failed for {}", localAddress, from, e);
                        }
                    }
                });
    }

    /** Closes the socket and waits a few seconds for the receive thread. Idempotent. */
    @Override
    public void close() {
        boolean first = !closed;
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", localAddress, e.toString());
        }
        if (receiveThread != Thread.currentThread()) {
            try {
                receiveThread.join(CLOSE_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (first) {
            LOG.debug("UDP I/O port on {} closed", localAddress);
        }
    }
}
