package dev.cipsec.scanner.io;

import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.io.IoFrameView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One local UDP port of an {@link IoRuntime}: sends O->T for every connection bound to it and
 * demultiplexes T->O by connection id on one receive thread.
 *
 * <p>A {@link DatagramChannel} rather than the transport's {@code UdpEndpoint}: sending a heap
 * buffer through a channel and receiving from a repeating sender (the JDK caches its address)
 * allocate nothing per datagram, where {@code DatagramSocket.send} needs a packet object each time.
 * The connection table is copy-on-write (sorted ids, binary search), so the receive path takes no
 * lock and boxes nothing.
 */
final class IoEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IoEndpoint.class);
    private static final int MAX_DATAGRAM = 65_507;

    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final Thread receiver;
    private final Object tableLock = new Object();
    private volatile long[] ids = new long[0];
    private volatile IoConnection[] connections = new IoConnection[0];
    private final List<MembershipKey> groups = new ArrayList<>();
    final AtomicLong unknownConnection = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    /** Connections using this endpoint; guarded by the runtime's lock. */
    int references;
    private volatile boolean closed;

    private IoEndpoint(DatagramChannel channel, String name) throws IOException {
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.receiver = Thread.ofPlatform().daemon().name(name + "-rx-" + local.getPort()).unstarted(this::receiveLoop);
        receiver.setPriority(Thread.MAX_PRIORITY);
    }

    static IoEndpoint open(int port, String name) throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            // A scanner and an adapter on one host may both use 2222.
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(port));
            IoEndpoint e = new IoEndpoint(ch, name);
            e.receiver.start();
            LOG.debug("I/O endpoint on UDP {}", e.local.getPort());
            return e;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    int port() {
        return local.getPort();
    }

    /** Sends {@code buf} (position..limit) to {@code to}; safe from any thread. */
    void send(ByteBuffer buf, InetSocketAddress to) throws IOException {
        channel.send(buf, to);
    }

    void joinGroup(InetAddress group, InetAddress via) throws IOException {
        NetworkInterface nif = NetworkInterface.getByInetAddress(via);
        if (nif == null) {
            nif = NetworkInterface.getByIndex(0);
        }
        if (nif == null) {
            throw new IOException("no network interface to join " + group.getHostAddress() + " on");
        }
        synchronized (tableLock) {
            groups.add(channel.join(group, nif));
        }
    }

    void register(long connectionId, IoConnection c) {
        synchronized (tableLock) {
            long[] oldIds = ids;
            int at = Arrays.binarySearch(oldIds, connectionId);
            if (at >= 0) {
                throw new IllegalStateException(String.format("T->O connection id 0x%08X is already in use on UDP %d",
                        connectionId, local.getPort()));
            }
            int ins = -at - 1;
            long[] newIds = new long[oldIds.length + 1];
            IoConnection[] newConns = new IoConnection[oldIds.length + 1];
            System.arraycopy(oldIds, 0, newIds, 0, ins);
            System.arraycopy(connections, 0, newConns, 0, ins);
            newIds[ins] = connectionId;
            newConns[ins] = c;
            System.arraycopy(oldIds, ins, newIds, ins + 1, oldIds.length - ins);
            System.arraycopy(connections, ins, newConns, ins + 1, oldIds.length - ins);
            connections = newConns;
            ids = newIds;
        }
    }

    void unregister(long connectionId, IoConnection c) {
        synchronized (tableLock) {
            long[] oldIds = ids;
            int at = Arrays.binarySearch(oldIds, connectionId);
            if (at < 0 || connections[at] != c) {
                return;
            }
            long[] newIds = new long[oldIds.length - 1];
            IoConnection[] newConns = new IoConnection[oldIds.length - 1];
            System.arraycopy(oldIds, 0, newIds, 0, at);
            System.arraycopy(connections, 0, newConns, 0, at);
            System.arraycopy(oldIds, at + 1, newIds, at, oldIds.length - at - 1);
            System.arraycopy(connections, at + 1, newConns, at, oldIds.length - at - 1);
            connections = newConns;
            ids = newIds;
        }
    }

    private IoConnection lookup(long connectionId) {
        // ids and connections are replaced together under the lock; read connections first so a
        // concurrent swap can only make the index point into a table at least as new.
        IoConnection[] conns = connections;
        long[] table = ids;
        int at = Arrays.binarySearch(table, connectionId);
        return at >= 0 && at < conns.length && conns[at].toConnectionId() == connectionId ? conns[at] : null;
    }

    private void receiveLoop() {
        byte[] buf = new byte[MAX_DATAGRAM + 1];
        ByteBuffer rx = ByteBuffer.wrap(buf);
        IoFrameView view = new IoFrameView();
        while (!closed) {
            SocketAddress from;
            rx.clear();
            try {
                from = channel.receive(rx);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.trace("receive on UDP {} failed: {}", local.getPort(), e.toString());
                continue;
            }
            int len = rx.position();
            try {
                view.wrap(buf, 0, len, false);
            } catch (WireFormatException e) {
                malformed.incrementAndGet();
                continue;
            }
            IoConnection c = lookup(view.connectionId());
            if (c == null) {
                unknownConnection.incrementAndGet();
                continue;
            }
            try {
                c.onDatagram(buf, len, (InetSocketAddress) from, view);
            } catch (RuntimeException e) {
                LOG.debug("I/O consumer on UDP {} failed", local.getPort(), e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing UDP {}: {}", local.getPort(), e.toString());
        }
        try {
            receiver.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("I/O endpoint on UDP {} closed", local.getPort());
    }
}
