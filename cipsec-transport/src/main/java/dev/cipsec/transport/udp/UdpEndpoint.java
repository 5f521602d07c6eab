package dev.cipsec.transport.udp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bound UDP socket with one receive loop on a virtual thread that hands each datagram to a
 * {@link DatagramHandler} in a reused buffer, and a thread-safe {@link #send}.
 *
 * <p>Datagrams longer than the maximum datagram size are dropped and counted, never truncated
 * and delivered. Nothing is logged per datagram above TRACE.
 *
 * <p>{@link #send} allocates nothing: it copies into one direct buffer and sends it with
 * {@link DatagramChannel#send}, whereas {@code DatagramSocket.send} allocates a socket address per
 * datagram (40 B, even with a reused packet) on top of the packet itself. The price is that the
 * socket is an ordinary (interruptible) channel: {@link #send} clears a pending interrupt of the
 * calling thread for its duration and restores it, but a thread interrupted by another during the
 * few microseconds of a send closes the endpoint, as with any NIO channel. Cyclic I/O sends from the
 * scheduler thread, which nobody interrupts.
 */
public final class UdpEndpoint implements AutoCloseable {
    /** Largest UDP payload over IPv4; the default maximum datagram size. */
    public static final int MAX_UDP_PAYLOAD = 65_507;
    /** How long {@link #close()} waits for the receive thread. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(UdpEndpoint.class);

    private final DatagramChannel channel;
    /** The channel's socket adaptor: options and the receive loop, as before the channel. */
    private final DatagramSocket socket;
    private final ByteBuffer sendBuffer;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final int maxDatagramSize;
    private final DatagramHandler handler;
    private final InetSocketAddress localAddress;
    private final Thread receiveThread;
    private volatile boolean closed;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong droppedOversize = new AtomicLong();
    private final AtomicLong handlerFailures = new AtomicLong();
    private final AtomicLong receiveErrors = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();

    private UdpEndpoint(DatagramChannel channel, int maxDatagramSize, DatagramHandler handler) {
        this.channel = channel;
        this.socket = channel.socket();
        this.sendBuffer = ByteBuffer.allocateDirect(maxDatagramSize);
        this.maxDatagramSize = maxDatagramSize;
        this.handler = handler;
        this.localAddress = (InetSocketAddress) socket.getLocalSocketAddress();
        this.receiveThread = Thread.ofVirtual()
                .name("cipsec-udp-" + localAddress.getPort())
                .unstarted(this::receiveLoop);
    }

    /**
     * Binds {@code bindAddress} (port 0 picks an ephemeral port) and starts receiving.
     *
     * @param maxDatagramSize largest payload received or sent, 1..{@value #MAX_UDP_PAYLOAD}
     */
    public static UdpEndpoint open(InetSocketAddress bindAddress, int maxDatagramSize,
                                   DatagramHandler handler) throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(handler, "handler");
        if (maxDatagramSize < 1 || maxDatagramSize > MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("maxDatagramSize must be in 1.." + MAX_UDP_PAYLOAD
                    + ": " + maxDatagramSize);
        }
        DatagramChannel channel = DatagramChannel.open();
        DatagramSocket socket = channel.socket();
        UdpEndpoint endpoint;
        try {
            // Several endpoints (e.g. adapter and scanner on one host) may share 2222/44818.
            socket.setReuseAddress(true);
            // java.net turns SO_BROADCAST on for every DatagramSocket; broadcasting is opt-in here.
            socket.setBroadcast(false);
            socket.bind(bindAddress);
            endpoint = new UdpEndpoint(channel, maxDatagramSize, handler);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        endpoint.receiveThread.start();
        log.info("UDP endpoint on {}", endpoint.localAddress);
        return endpoint;
    }

    /** The bound address, with the actual port when bound to port 0. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    /** Allows or forbids sending to broadcast addresses (SO_BROADCAST; off by default). */
    public void enableBroadcast(boolean on) throws SocketException {
        socket.setBroadcast(on);
    }

    public boolean broadcastEnabled() throws SocketException {
        return socket.getBroadcast();
    }

    /**
     * Sends {@code buf[off, off+len)} to {@code to}. Thread-safe; allocates nothing.
     *
     * @throws IllegalArgumentException if {@code len} exceeds the maximum datagram size
     */
    public void send(byte[] buf, int off, int len, InetSocketAddress to) throws IOException {
        Objects.requireNonNull(to, "to");
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len > maxDatagramSize) {
            throw new IllegalArgumentException(
                    "datagram of " + len + " bytes exceeds the maximum of " + maxDatagramSize);
        }
        boolean interrupted = Thread.interrupted();
        sendLock.lock();
        try {
            sendBuffer.clear();
            sendBuffer.put(buf, off, len).flip();
            channel.send(sendBuffer, to);
        } finally {
            sendLock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        sent.incrementAndGet();
        if (log.isTraceEnabled()) {
            log.trace("sent {} bytes to {}", len, to);
        }
    }

    public UdpStats stats() {
        return new UdpStats(received.get(), droppedOversize.get(), handlerFailures.get(),
                receiveErrors.get(), sent.get());
    }

    private void receiveLoop() {
        // One byte more than the maximum, so an oversize datagram shows instead of being cut.
        byte[] buf = new byte[maxDatagramSize + 1];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        while (!closed) {
            packet.setLength(buf.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (closed || socket.isClosed()) {
                    return;
                }
                // E.g. ICMP port unreachable reported for an earlier send; the socket still works.
                receiveErrors.incrementAndGet();
                log.trace("receive on {} failed: {}", localAddress, e.toString());
                continue;
            }
            int len = packet.getLength();
            InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
            if (len > maxDatagramSize) {
                droppedOversize.incrementAndGet();
                log.trace("dropped datagram over {} bytes from {}", maxDatagramSize, from);
                continue;
            }
            received.incrementAndGet();
            if (log.isTraceEnabled()) {
                log.trace("received {} bytes from {}", len, from);
            }
            try {
                handler.datagram(buf, len, from);
            } catch (RuntimeException e) {
                // The first failure is worth a line; after that a peer could make us flood the log.
                if (handlerFailures.getAndIncrement() == 0) {
                    log.debug("datagram handler on {} failed for {} (later failures at TRACE)",
                            localAddress, from, e);
                } else {
                    log.trace("datagram handler on {} failed for {}", localAddress, from, e);
                }
            }
        }
    }

    /** Closes the socket and waits up to {@link #CLOSE_WAIT} for the receive thread. Idempotent. */
    @Override
    public void close() {
        close(CLOSE_WAIT);
    }

    /** @return whether the receive thread ended within {@code wait} */
    public boolean close(Duration wait) {
        boolean first = !closed;
        closed = true;
        socket.close();
        boolean ended;
        try {
            ended = receiveThread == Thread.currentThread() || receiveThread.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = !receiveThread.isAlive();
        }
        if (first) {
            log.info("UDP endpoint on {} closed", localAddress);
        }
        return ended;
    }
}
