package dev.cipsec.scanner.io;

import dev.cipsec.scanner.CipClient;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.transport.sched.DeadlineScheduler;
import dev.cipsec.transport.sched.LatenessStats;
import dev.cipsec.wire.cip.CipServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What the I/O connections of an originator share: one {@link DeadlineScheduler} thread that
 * produces every O->T packet and checks every timeout, one UDP endpoint (socket and receive
 * thread) per local I/O port, and one event thread for {@link IoListener} callbacks.
 *
 * <p>One runtime per process is the intended use: {@link #shared()} returns it, creating it on
 * first use and closing it when its last connection closes, so a process that stops doing I/O
 * keeps no threads. {@link #create} makes a private runtime (tests, benchmarks, isolation) that
 * lives until {@link #close()}. Endpoints are opened when the first connection on their port opens
 * and closed with the last one; local port 0 means one ephemeral port shared by all connections
 * that ask for port 0.
 */
public final class IoRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IoRuntime.class);
    private static final Object SHARED_LOCK = new Object();
    private static IoRuntime shared;

    private final String name;
    private final boolean closeWhenIdle;
    private final DatagramTransport transport;
    private final DeadlineScheduler scheduler;
    private final ExecutorService events;
    private final Map<Integer, IoEndpoint> endpoints = new HashMap<>();
    private int connections;
    private boolean closed;

    private IoRuntime(String name, boolean closeWhenIdle, DatagramTransport transport) {
        this.name = name;
        this.closeWhenIdle = closeWhenIdle;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.scheduler = DeadlineScheduler.start(name + "-sched");
        this.events = Executors.newSingleThreadExecutor(Thread.ofVirtual().name(name + "-events").factory());
    }

    /** A private runtime; close it when done (closing it ends its connections without Forward_Close). */
    public static IoRuntime create(String name) {
        return create(name, DatagramTransport.udp());
    }

    /**
     * A private runtime whose ports come from {@code transport} (plain UDP, or a protected one);
     * connections work the same over any transport.
     */
    public static IoRuntime create(String name, DatagramTransport transport) {
        return new IoRuntime(name, false, transport);
    }

    /** The process-wide runtime, alive while it has connections. */
    public static IoRuntime shared() {
        synchronized (SHARED_LOCK) {
            if (shared == null || shared.isClosed()) {
                shared = new IoRuntime("cipsec-io", true, DatagramTransport.udp());
            }
            return shared;
        }
    }

    /** Opens an I/O connection over {@code client}'s session; see {@link IoConnection}. */
    public IoConnection open(CipClient client, IoSettings settings, InputHandler onInput, IoListener listener)
            throws IOException, CipServiceException {
        return IoConnection.open(this, client, settings, onInput, listener);
    }

    /**
     * Opens an I/O connection inside {@code target}'s DTLS session (Forward_Open in item 0x8003, then
     * the I/O); several connections may share one target's session.
     */
    public IoConnection open(DtlsTarget target, IoSettings settings, InputHandler onInput, IoListener listener)
            throws IOException, CipServiceException {
        return IoConnection.openOver(this, target, settings, onInput, listener);
    }

    /** Lateness of every task on the scheduler (O->T production and timeout checks). */
    public LatenessStats lateness() {
        return scheduler.latenessSnapshot();
    }

    /** Starts a new lateness window: {@link #lateness()} counts from here. */
    public void resetLateness() {
        scheduler.resetLateness();
    }

    /** Datagrams on this runtime's ports that did not parse as I/O frames, or named no open connection. */
    public long droppedUnknown() {
        synchronized (this) {
            return endpoints.values().stream().mapToLong(e -> e.unknownConnection.get() + e.malformed.get()).sum();
        }
    }

    DeadlineScheduler scheduler() {
        return scheduler;
    }

    void post(Runnable event) {
        try {
            events.execute(() -> {
                try {
                    event.run();
                } catch (RuntimeException e) {
                    LOG.warn("I/O listener failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("runtime {} closed; event dropped", name);
        }
    }

    /** Reserves the endpoint for {@code port} (0 = the shared ephemeral one) for a new connection. */
    synchronized IoEndpoint acquire(int port) throws IOException {
        if (closed) {
            throw new IOException("I/O runtime " + name + " is closed");
        }
        IoEndpoint e = endpoints.get(port);
        if (e == null) {
            e = IoEndpoint.open(port, name, transport);
            endpoints.put(port, e);
        }
        e.references++;
        connections++;
        return e;
    }

    /**
     * Counts a new connection on an endpoint this runtime does not own (a {@link DtlsTarget}'s
     * session): the runtime stays alive for it, and never closes the endpoint.
     */
    synchronized void acquireExternal(IoEndpoint e) throws IOException {
        if (closed) {
            throw new IOException("I/O runtime " + name + " is closed");
        }
        e.references++;
        connections++;
    }

    /** Gives back what {@link #acquire} reserved; the last user of an endpoint closes it. */
    void release(IoEndpoint e) {
        boolean closeRuntime;
        synchronized (this) {
            if (closed) {
                return;
            }
            connections--;
            if (--e.references == 0 && !e.external) {
                endpoints.values().remove(e);
                e.close();
            }
            closeRuntime = closeWhenIdle && connections == 0;
        }
        if (closeRuntime) {
            synchronized (SHARED_LOCK) {
                synchronized (this) {
                    if (connections == 0) {
                        shutdown();
                    }
                }
            }
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    private void shutdown() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.close();
        endpoints.values().forEach(IoEndpoint::close);
        endpoints.clear();
        events.shutdown();
        LOG.debug("I/O runtime {} stopped", name);
    }

    /** Stops the scheduler, the endpoints and the event thread; open connections stop producing silently. */
    @Override
    public void close() {
        synchronized (this) {
            shutdown();
        }
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
