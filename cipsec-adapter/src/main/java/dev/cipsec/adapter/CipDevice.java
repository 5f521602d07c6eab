package dev.cipsec.adapter;

import dev.cipsec.adapter.io.IoListener;
import dev.cipsec.adapter.io.IoRuntime;
import dev.cipsec.objects.MessageRouter;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.objects.security.SecurityObjects;
import dev.cipsec.objects.std.IdentityObject;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.transport.tls.cert.Identity;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.objects.std.AssemblyInstance;
import dev.cipsec.objects.std.StandardObjects;
import dev.cipsec.transport.io.DatagramTransport;
import dev.cipsec.transport.tcp.TcpServer;
import dev.cipsec.transport.tcp.TcpServerLimits;
import dev.cipsec.transport.tcp.TcpServerStats;
import dev.cipsec.transport.tls.TlsServerHandler;
import dev.cipsec.transport.udp.UdpEndpoint;
import dev.cipsec.wire.cip.ServiceCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An EtherNet/IP adapter: the standard objects of a device, an encapsulation listener on TCP
 * (sessions, unconnected and class 3 explicit messaging), a UDP listener for ListIdentity and
 * ListServices (unicast and broadcast) and, unless disabled, class 0/1 I/O on UDP 2222 ({@link IoRuntime}).
 *
 * <pre>{@code
 * try (CipDevice device = CipDevice.start(DeviceProfile.defaults())) {
 *     device.assembly(100).write(Bytes.of(inputs));
 * }
 * }</pre>
 *
 * <p>With CIP Security ({@link SecuritySettings}) the device also hosts the security objects, which
 * drive its TLS listener's policy and persist in the state directory ({@link #security()}).
 */
public final class CipDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CipDevice.class);
    private static final long CLASS3_SWEEP_MILLIS = 100;

    private final DeviceRuntime runtime;
    private final PlainTcpPort tcp;
    private final TcpServer tls;
    private final TlsServerHandler tlsHandler;
    private final UdpEndpoint udp;
    private final ScheduledExecutorService scheduler;
    private final PullModelClient pull;
    private volatile boolean closed;

    private CipDevice(DeviceRuntime runtime, PlainTcpPort tcp, TcpServer tls, TlsServerHandler tlsHandler, UdpEndpoint udp,
                      ScheduledExecutorService scheduler, PullModelClient pull) {
        this.pull = pull;
        this.runtime = runtime;
        this.tcp = tcp;
        this.tls = tls;
        this.tlsHandler = tlsHandler;
        this.udp = udp;
        this.scheduler = scheduler;
    }

    /** Builds the device's objects and starts its listeners. */
    public static CipDevice start(DeviceProfile profile) throws IOException {
        AdapterLimits limits = profile.limits();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("cipsec-device-timer").factory());
        DeviceRuntime[] self = new DeviceRuntime[1];
        boolean secured = profile.security().enabled();
        StandardObjects objects = StandardObjects.builder(profile.identity())
                .assemblies(profile.assemblies())
                .interfaceConfig(profile.interfaceConfig())
                .resetHandler(new ResetHandler(self), secured ? Set.of(0, 1, 2) : Set.of(0, 1))
                .ports(secured ? PortAdmin.ports(profile.security().plainTcp()) : dev.cipsec.objects.std.IanaPort.plainDefaults())
                .build();
        // Attribute 13 counts whole seconds: round up, so that 500 ms becomes 1 s and not 0 (= no timeout).
        Duration idle = limits.idleTimeout();
        long idleSeconds = idle.toSeconds() + (idle.toNanosPart() > 0 ? 1 : 0);
        objects.tcpIp().setEncapsulationInactivityTimeout((int) Math.min(3600, idleSeconds));
        DeviceRuntime runtime = new DeviceRuntime(profile, objects, scheduler);
        self[0] = runtime;

        ConnectionManagerServices cm = new ConnectionManagerServices(runtime);
        objects.connectionManager().registerService(ServiceCodes.FORWARD_OPEN, cm::forwardOpen);
        objects.connectionManager().registerService(ServiceCodes.LARGE_FORWARD_OPEN, cm::forwardOpen);
        objects.connectionManager().registerService(ServiceCodes.FORWARD_CLOSE, cm::forwardClose);
        objects.connectionManager().registerService(ServiceCodes.UNCONNECTED_SEND, cm::unconnectedSend);

        DeviceSecurity security = null;
        if (secured) {
            try {
                security = DeviceSecurity.open(runtime, scheduler);
            } catch (IOException | RuntimeException e) {
                scheduler.shutdownNow();
                throw e;
            }
            security.objects().register(objects.router());
            runtime.security(security);
        }
        PlainTcpPort tcp = null;
        TcpServer tls = null;
        DtlsListener dtls = null;
        TlsServerHandler tlsHandler = null;
        UdpEndpoint udp = null;
        IoRuntime io = null;
        try {
            IoSettings ios = profile.io();
            if (ios.enabled()) {
                io = IoRuntime.start(new IoRuntime.Options(new InetSocketAddress(profile.bindAddress(), ios.port()),
                        ios.inputOnlyHeartbeat(), ios.listenOnlyHeartbeat(), ios.minRpiMicros(), ios.maxRpiMicros(),
                        ios.multicastAddress(), limits.maxIoConnections(), limits.maxIoConnectionsPerOriginator(),
                        limits.maxIoPacketSize()), objects, () -> runtime.cmCounters().connectionTimeout(),
                        DatagramTransport.udp(ios.receiveCoalescing()));
                runtime.io(io);
            }
            TcpServerLimits tcpLimits = TcpServerLimits.DEFAULTS.withMaxConnections(limits.maxTcpConnections())
                    .withMaxConnectionsPerAddress(limits.maxConnectionsPerAddress());
            SecuritySettings settings = profile.security();
            // A tool may have closed plain TCP (Set_Port_Admin_State); the state directory remembers it.
            boolean plainOpen = security == null ? settings.plainTcp() : security.savedPlainTcpOpen().orElse(settings.plainTcp());
            tcp = new PlainTcpPort(runtime, profile.bindAddress(), profile.tcpPort(), tcpLimits);
            if (security != null) {
                objects.tcpIp().setPorts(PortAdmin.ports(plainOpen));
                PortAdmin admin = new PortAdmin(runtime, tcp, settings.plainTcp());
                runtime.portAdmin(admin);
                objects.tcpIp().cipClass().registerInstanceService(PortAdmin.SET_PORT_ADMIN_STATE, admin::handle);
            }
            if (plainOpen) {
                tcp.open();
            }
            if (settings.tls().isPresent()) {
                // The TCP server's per-address limit bounds TLS sessions per peer; the handler bounds
                // handshakes in flight and their duration.
                tlsHandler = new TlsServerHandler(runtime.security().livePolicy(), new EncapsulationHandler(runtime));
                runtime.security().attach(tlsHandler);
                tls = new TcpServer(new InetSocketAddress(profile.bindAddress(), settings.tlsPort()), tcpLimits, tlsHandler)
                        .start();
                runtime.tlsPort(tls.localAddress().getPort());
                if (!tcp.isOpen()) {
                    runtime.plainTcp(false, 0);
                }
            }
            if (settings.dtlsEnabled() && io != null) {
                dtls = DtlsListener.start(runtime, cm, new IoRuntime.Options(new InetSocketAddress(profile.bindAddress(),
                                settings.dtlsPort()), ios.inputOnlyHeartbeat(), ios.listenOnlyHeartbeat(), ios.minRpiMicros(),
                                ios.maxRpiMicros(), ios.multicastAddress(), limits.maxIoConnections(),
                                limits.maxIoConnectionsPerOriginator(), limits.maxIoPacketSize()),
                        runtime.security().livePolicy(), runtime.security().dtlsLimits(), ios.receiveCoalescing(),
                        () -> runtime.cmCounters().connectionTimeout());
                runtime.dtls(dtls);
            }
            if (profile.udpPort() >= 0) {
                DiscoveryResponder responder = new DiscoveryResponder(runtime);
                udp = UdpEndpoint.open(new InetSocketAddress(profile.bindAddress(), profile.udpPort()), 1500, responder);
                responder.attach(udp);
            }
            scheduler.scheduleWithFixedDelay(() -> {
                int n = runtime.class3().expire(System.nanoTime());
                for (int i = 0; i < n; i++) {
                    runtime.cmCounters().connectionTimeout();
                }
            }, CLASS3_SWEEP_MILLIS, CLASS3_SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            if (tcp != null) {
                tcp.close();
            }
            if (tls != null) {
                tls.close();
            }
            if (udp != null) {
                udp.close();
            }
            if (io != null) {
                io.close();
            }
            if (dtls != null) {
                dtls.close();
            }
            if (security != null) {
                security.close();
            }
            scheduler.shutdownNow();
            throw e;
        }
        TcpServer plainServer = tcp.server();
        LOG.info("device '{}' listening on{}{}{}{}", profile.identity().productName(),
                plainServer == null ? "" : " tcp " + plainServer.localAddress(), tls == null ? "" : " tls " + tls.localAddress(),
                udp == null ? "" : ", udp " + udp.localAddress(), io == null ? "" : ", I/O udp " + io.localAddress());
        PullModelClient pull = null;
        if (security != null) {
            // Started last: the TLS listener must exist before a pulled configuration swaps its policy. Without an
            // EST server in the profile it idles until a tool sets one over CIP (0x5E attributes 100/101).
            pull = new PullModelClient(security, profile.security().est().orElse(null));
            pull.start();
        }
        return new CipDevice(runtime, tcp, tls, tlsHandler, udp, scheduler, pull);
    }

    /**
     * The plain encapsulation listener's address (the real port when the profile asked for 0), or
     * null when the device is secure-only.
     */
    public InetSocketAddress tcpAddress() {
        TcpServer s = tcp.server();
        return s == null ? null : s.localAddress();
    }

    /** The TLS (CIP Security) listener's address, or null without TLS. */
    public InetSocketAddress tlsAddress() {
        return tls == null ? null : tls.localAddress();
    }

    /**
     * The TLS listener's handler: its handshake counters, and {@link TlsServerHandler#setPolicy} to
     * apply a new policy to later handshakes. Null without TLS.
     */
    public TlsServerHandler tls() {
        return tlsHandler;
    }

    /** The DTLS (CIP Security, UDP) listener's address, or null without DTLS. */
    public InetSocketAddress dtlsAddress() {
        return runtime.dtls() == null ? null : runtime.dtls().localAddress();
    }

    /** The DTLS listener's port (sessions, counters, cookie stats), or null without DTLS. */
    public dev.cipsec.transport.dtls.DtlsServerPort dtls() {
        return runtime.dtls() == null ? null : runtime.dtls().port();
    }

    /** The DTLS listener's counters (handshakes, cookies, drops, UCMM, I/O), or null without DTLS. */
    public DtlsListenerStats dtlsStats() {
        return runtime.dtls() == null ? null : runtime.dtls().stats();
    }

    /** Class 0/1 I/O over DTLS, or null without DTLS. */
    public IoRuntime dtlsIo() {
        return runtime.dtls() == null ? null : runtime.dtls().io();
    }

    /** The ListIdentity listener's address, or null when UDP is disabled. */
    public InetSocketAddress udpAddress() {
        return udp == null ? null : udp.localAddress();
    }

    public DeviceProfile profile() {
        return runtime.profile();
    }

    /** The device's Message Router, for adding application objects. */
    public MessageRouter router() {
        return runtime.router();
    }

    /** All standard objects (Identity, assemblies, TCP/IP, Ethernet Link, Connection Manager). */
    public StandardObjects objects() {
        return runtime.objects();
    }

    /** The assembly instance {@code id}, or null. */
    public AssemblyInstance assembly(int id) {
        return runtime.objects().assembly(id);
    }

    /** The class 0/1 I/O address (the real port when the profile asked for 0), or null when I/O is disabled. */
    public InetSocketAddress ioAddress() {
        return runtime.io() == null ? null : runtime.io().localAddress();
    }

    /** The class 0/1 I/O runtime (connections, counters, listeners), or null when I/O is disabled. */
    public IoRuntime io() {
        return runtime.io();
    }

    /** Open class 0/1 I/O connections right now (0 when I/O is disabled). */
    public int ioConnectionCount() {
        return runtime.io() == null ? 0 : runtime.io().connectionCount();
    }

    /** Registers for I/O connection events; no-op when I/O is disabled. */
    public void addIoListener(IoListener listener) {
        if (runtime.io() != null) {
            runtime.io().addListener(listener);
        }
    }

    public AdapterStats.Snapshot stats() {
        return runtime.stats().snapshot();
    }

    /** The plain TCP listener's counters (the TLS listener's when the device is secure-only). */
    public TcpServerStats tcpStats() {
        TcpServer s = tcp.server();
        return s != null ? s.stats() : tls.stats();
    }

    /** The TLS listener's connection counters, or null without TLS. */
    public TcpServerStats tlsTcpStats() {
        return tls == null ? null : tls.stats();
    }

    /** Registered encapsulation sessions right now. */
    public int sessionCount() {
        return runtime.sessions().size();
    }

    /** Open class 3 connections right now. */
    public int class3ConnectionCount() {
        return runtime.class3().size();
    }

    /** Stops listening and closes every connection; waits a bounded time for handlers to end. */
    @Override
    public void close() {
        closed = true;
        if (pull != null) {
            pull.close();
        }
        scheduler.shutdownNow();
        if (runtime.io() != null) {
            runtime.io().close();
        }
        if (runtime.dtls() != null) {
            runtime.dtls().close();
        }
        if (udp != null) {
            udp.close();
        }
        if (tls != null) {
            tls.close(Duration.ofSeconds(5));
        }
        tcp.close();
        if (runtime.security() != null) {
            runtime.security().close();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * The security objects (CIP Security, EtherNet/IP Security, Certificate Management, File), or null
     * on a device without CIP Security.
     */
    public SecurityObjects security() {
        return runtime.security() == null ? null : runtime.security().objects();
    }

    /** The TLS policy new sessions get right now (the factory one until a tool applies another), or null without TLS. */
    public TlsPolicy tlsPolicy() {
        return runtime.security() == null ? null : runtime.security().livePolicy();
    }

    /** The device's default identity (its certificate is what a tool pins on first use), or null without TLS. */
    public Identity defaultIdentity() {
        return runtime.security() == null ? null : runtime.security().defaultIdentity();
    }

    /**
     * Identity Reset: types 0 and 1 drop every connection after the reply, as a restart of the
     * device's communications would; types 1 and 2 first return every security object, certificate and
     * file to factory default (reference §8.4; type 2 keeps communication parameters, and the security
     * configuration is not one, a GAP decision). Once the device's security is configured, types 1 and
     * 2 are accepted only over TLS (0x0F), like the security objects' own Reset.
     */
    private record ResetHandler(DeviceRuntime[] runtime) implements IdentityObject.ResetHandler {
        @Override
        public void check(int type, RequestContext ctx) throws CipServiceException {
            DeviceSecurity s = runtime[0].security();
            if (type != 0 && s != null && s.configured() && !ctx.secure()) {
                throw new CipServiceException(GeneralStatus.PRIVILEGE_VIOLATION,
                        "factory reset of a configured device is accepted only over TLS");
            }
        }

        @Override
        public void reset(int type) {
            DeviceSecurity s = runtime[0].security();
            if (type != 0 && s != null) {
                PortAdmin ports = runtime[0].portAdmin();
                try {
                    ports.reset();
                    s.objects().factoryReset();
                } catch (CipServiceException e) {
                    LOG.error("factory reset of the security objects failed: {}", e.getMessage());
                }
                ports.apply();
            }
            if (type != 2) {
                runtime[0].dropAllConnections();
            }
        }
    }
}
