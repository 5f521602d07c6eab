package dev.cipsec.scanner.io;

import dev.cipsec.transport.io.DatagramPort;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.io.IoFrameView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One local I/O port of an {@link IoRuntime}: sends O->T for every connection bound to it and
 * demultiplexes T->O by connection id on the port's receive thread.
 *
 * <p>The socket underneath is a {@link DatagramPort} from the runtime's {@link DatagramTransport}
 * (plain UDP unless the runtime was built with another), so nothing here or in
 * {@link IoConnection} depends on how the datagrams travel. The connection table is copy-on-write
 * (sorted ids, binary search), so the receive path takes no lock, boxes and allocates nothing.
 */
final class IoEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IoEndpoint.class);
    private static final int MAX_DATAGRAM = 65_507;

    private final DatagramPort port;
    private final Object tableLock = new Object();
    private volatile long[] ids = new long[0];
    private volatile IoConnection[] connections = new IoConnection[0];
    // Receive thread only.
    private final IoFrameView view = new IoFrameView();
    final AtomicLong unknownConnection = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    /** Connections using this endpoint; guarded by the runtime's lock. */
    int references;
    /** Owned by someone else (a {@link DtlsTarget}): runtimes never close it. */
    final boolean external;

    private IoEndpoint(int localPort, String name, DatagramTransport transport, boolean external) throws IOException {
        this.port = transport.open(new InetSocketAddress(localPort), MAX_DATAGRAM, name, this::datagram);
        this.external = external;
    }

    static IoEndpoint open(int port, String name, DatagramTransport transport) throws IOException {
        IoEndpoint e = new IoEndpoint(port, name, transport, false);
        LOG.debug("I/O endpoint on UDP {}", e.port());
        return e;
    }

    /** An endpoint its opener closes, for connections of any runtime (see {@link IoRuntime#acquireExternal}). */
    static IoEndpoint openExternal(int port, String name, DatagramTransport transport) throws IOException {
        return new IoEndpoint(port, name, transport, true);
    }

    int port() {
        return port.localAddress().getPort();
    }

    /** The view of the port that sends to {@code to}; safe from any thread. */
    DatagramPort.Peer peer(InetSocketAddress to) {
        return port.peer(to);
    }

    void joinGroup(InetAddress group, InetAddress via) throws IOException {
        port.joinGroup(group, via);
    }

    void register(long connectionId, IoConnection c) {
        synchronized (tableLock) {
            long[] oldIds = ids;
            int at = Arrays.binarySearch(oldIds, connectionId);
            if (at >= 0) {
                throw new IllegalStateException(String.format("T->O connection id 0x%08X is already in use on UDP %d",
                        connectionId, port()));
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

    private void datagram(byte[] buf, int off, int len, InetSocketAddress from) {
        try {
            view.wrap(buf, off, len, false);
        } catch (WireFormatException e) {
            malformed.incrementAndGet();
            return;
        }
        IoConnection c = lookup(view.connectionId());
        if (c == null) {
            unknownConnection.incrementAndGet();
            return;
        }
        try {
            c.onDatagram(buf, off, len, from, view);
        } catch (RuntimeException e) {
            LOG.debug("I/O consumer on UDP {} failed", port(), e);
        }
    }

    @Override
    public void close() {
        int p = port();
        port.close();
        LOG.debug("I/O endpoint on UDP {} closed", p);
    }
}
