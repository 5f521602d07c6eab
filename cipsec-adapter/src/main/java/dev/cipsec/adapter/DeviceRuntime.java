package dev.cipsec.adapter;

import dev.cipsec.adapter.io.IoRuntime;
import dev.cipsec.objects.MessageRouter;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.objects.std.ConnectionManagerObject;
import dev.cipsec.objects.std.DeviceIdentity;
import dev.cipsec.objects.std.StandardObjects;
import dev.cipsec.transport.StreamConnection;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.CipSecurityItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.ListServicesItem;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/** The state the device's listeners and services share. Package-private: {@link CipDevice} is the face. */
final class DeviceRuntime {
    private final DeviceProfile profile;
    private final AdapterStats stats = new AdapterStats();
    private final SessionTable sessions;
    private final Class3Table class3;
    private final StandardObjects objects;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Set<StreamConnection> connections = ConcurrentHashMap.newKeySet();
    private final CmCounters cmCounters;
    private volatile int tcpPort;
    private volatile int tlsPort;
    private volatile IoRuntime io;
    private volatile DeviceSecurity security;
    private volatile PortAdmin portAdmin;
    private volatile DtlsListener dtls;

    DeviceRuntime(DeviceProfile profile, StandardObjects objects, ScheduledExecutorService scheduler) {
        this.profile = profile;
        this.objects = objects;
        this.scheduler = scheduler;
        this.sessions = new SessionTable(profile.limits().maxSessions());
        this.class3 = new Class3Table(profile.limits().maxClass3Connections());
        this.cmCounters = new CmCounters(objects.connectionManager());
    }

    DeviceProfile profile() {
        return profile;
    }

    AdapterLimits limits() {
        return profile.limits();
    }

    AdapterStats stats() {
        return stats;
    }

    SessionTable sessions() {
        return sessions;
    }

    Class3Table class3() {
        return class3;
    }

    StandardObjects objects() {
        return objects;
    }

    MessageRouter router() {
        return objects.router();
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    CmCounters cmCounters() {
        return cmCounters;
    }

    /** The class 0/1 runtime, or null when the I/O port is disabled. */
    IoRuntime io() {
        return io;
    }

    void io(IoRuntime runtime) {
        this.io = runtime;
    }

    /** The security objects and their glue, or null on a device without CIP Security. */
    DeviceSecurity security() {
        return security;
    }

    void security(DeviceSecurity s) {
        this.security = s;
    }

    /** CIP Security on UDP (DTLS), or null. */
    DtlsListener dtls() {
        return dtls;
    }

    void dtls(DtlsListener d) {
        this.dtls = d;
    }

    /** Set_Port_Admin_State on a device with TLS, else null. */
    PortAdmin portAdmin() {
        return portAdmin;
    }

    void portAdmin(PortAdmin p) {
        this.portAdmin = p;
    }

    void tlsPort(int port) {
        this.tlsPort = port;
    }

    void tcpPort(int port) {
        this.tcpPort = port;
    }

    private volatile boolean plainTcpOpen;

    /**
     * The plain listener opened or closed: ListIdentity's port flags follow, and its socket address
     * names the TLS port while plain TCP is closed.
     */
    void plainTcp(boolean open, int port) {
        plainTcpOpen = open;
        tcpPort = open ? port : tlsPort;
    }

    boolean plainTcpOpen() {
        return plainTcpOpen;
    }

    /** The live encapsulation inactivity timeout: TCP/IP object attribute 13, settable by clients. */
    Duration idleTimeout() {
        return Duration.ofSeconds(objects.tcpIp().encapsulationInactivityTimeout());
    }

    boolean reservePending(long bytes) {
        long max = profile.limits().maxPendingBytes();
        while (true) {
            long cur = pendingBytes.get();
            if (cur + bytes > max) {
                return false;
            }
            if (pendingBytes.compareAndSet(cur, cur + bytes)) {
                return true;
            }
        }
    }

    void releasePending(long bytes) {
        pendingBytes.addAndGet(-bytes);
    }

    void track(StreamConnection c) {
        connections.add(c);
    }

    void untrack(StreamConnection c) {
        connections.remove(c);
    }

    /** The TCP connections open right now (plain and TLS). */
    java.util.List<StreamConnection> connectionsNow() {
        return java.util.List.copyOf(connections);
    }

    /** Drops every TCP connection (and so every session and class 3 connection), as a reboot would. */
    void dropAllConnections() {
        for (StreamConnection c : connections) {
            c.close();
        }
    }

    /** Decodes and dispatches one Message Router request; malformed bytes get the status their defect maps to. */
    MessageRouterResponse dispatch(Bytes request, RequestContext ctx) {
        return dispatch(WireReader.of(request.toArray()), ctx);
    }

    /** As {@link #dispatch(Bytes, RequestContext)} for a request occupying what remains in {@code request}, read in place. */
    MessageRouterResponse dispatch(WireReader request, RequestContext ctx) {
        int service = 0;
        MessageRouterRequest req;
        try {
            if (request.hasRemaining()) {
                service = request.peekU8(0, "MR service") & 0x7F;
            }
            req = MessageRouterRequest.decode(request);
        } catch (WireFormatException e) {
            stats.malformedRequests.increment();
            return MessageRouter.refusal(service, e);
        }
        return objects.router().handle(req, ctx);
    }

    /**
     * The ListIdentity reply data: the CIP Identity item. The sockaddr carries the address the request
     * came in on when known (TCP), else the configured interface address (OpENer sends 0.0.0.0 there).
     */
    Bytes listIdentityData(InetSocketAddress local) {
        DeviceIdentity id = objects.identity().identity();
        long address = 0;
        if (local != null && local.getAddress() instanceof Inet4Address a && !a.isAnyLocalAddress()) {
            address = toU32(a);
        } else {
            address = toU32(objects.tcpIp().config().ip());
        }
        CipIdentityItem item = new CipIdentityItem(1, 2, tcpPort, address, id.vendorId(), id.deviceType(), id.productCode(),
                id.revisionMajor(), id.revisionMinor(), id.status(), id.serialNumber(), id.productName(), id.state());
        if (!profile.security().enabled()) {
            return CpfPacket.of(item).toBytes();
        }
        return CpfPacket.of(item, securityItem()).toBytes();
    }

    /**
     * The CIP Security item (reference §1.7) of a device with TLS: the Confidentiality profile
     * supported and configured, both security objects Configured, and the ports actually open. The
     * 7-byte form of current editions (OpENer's); readers skip by length, and tshark 4.0 decodes it.
     * The states and configured profiles are the security objects' live values.
     */
    CipSecurityItem securityItem() {
        SecuritySettings sec = profile.security();
        int ports = (plainTcpOpen ? CipSecurityItem.PORT_TCP_44818 : 0)
                | (profile.udpPort() >= 0 ? CipSecurityItem.PORT_UDP_44818 : 0)
                | (profile.io().enabled() ? CipSecurityItem.PORT_UDP_2222 : 0)
                | (sec.enabled() ? CipSecurityItem.PORT_TCP_2221 : 0)
                | (dtls != null ? CipSecurityItem.PORT_UDP_2221 : 0);
        DeviceSecurity s = security;
        if (s == null) {
            return new CipSecurityItem(CONFIDENTIALITY_PROFILE, 0, 0, ports, java.util.OptionalInt.of(0));
        }
        var objects = s.objects();
        return new CipSecurityItem(CONFIDENTIALITY_PROFILE, objects.cipSecurityState(), objects.eipSecurityState(), ports,
                java.util.OptionalInt.of(objects.cip().configuredProfiles()));
    }

    /** Security profile bit 1 (reference §4.3). */
    static final int CONFIDENTIALITY_PROFILE = 0x0002;
    /** CIP Security Object state 2 and EtherNet/IP Security Object state 2 (§4.2, §5.2). */
    static final int STATE_CONFIGURED = 2;

    /** ListServices: CIP over TCP, and class 0/1 over UDP when the I/O port is enabled (0x0120, as OpENer). */
    Bytes listServicesData() {
        int caps = ListServicesItem.CAP_CIP_TCP | (profile.io().enabled() ? ListServicesItem.CAP_CIP_UDP_CLASS01 : 0);
        return CpfPacket.of(ListServicesItem.communications(caps)).toBytes();
    }

    private static long toU32(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xFFL) << 24 | (b[1] & 0xFFL) << 16 | (b[2] & 0xFFL) << 8 | (b[3] & 0xFFL);
    }

    /** Connection Manager object counters (instance attributes 1–8). */
    static final class CmCounters {
        private final ConnectionManagerObject cm;

        CmCounters(ConnectionManagerObject cm) {
            this.cm = cm;
        }

        void openRequest() {
            cm.increment(ConnectionManagerObject.Counter.OPEN_REQUESTS);
        }

        void openFormatReject() {
            cm.increment(ConnectionManagerObject.Counter.OPEN_FORMAT_REJECTS);
        }

        void openResourceReject() {
            cm.increment(ConnectionManagerObject.Counter.OPEN_RESOURCE_REJECTS);
        }

        void openOtherReject() {
            cm.increment(ConnectionManagerObject.Counter.OPEN_OTHER_REJECTS);
        }

        void closeRequest() {
            cm.increment(ConnectionManagerObject.Counter.CLOSE_REQUESTS);
        }

        void closeFormatReject() {
            cm.increment(ConnectionManagerObject.Counter.CLOSE_FORMAT_REQUESTS);
        }

        void closeOtherReject() {
            cm.increment(ConnectionManagerObject.Counter.CLOSE_OTHER_REQUESTS);
        }

        void connectionTimeout() {
            cm.increment(ConnectionManagerObject.Counter.CONNECTION_TIMEOUTS);
        }
    }
}
