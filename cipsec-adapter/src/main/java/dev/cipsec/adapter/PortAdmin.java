package dev.cipsec.adapter;

import dev.cipsec.objects.CipInstance;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.objects.std.IanaPort;
import dev.cipsec.objects.std.TcpIpInterfaceObject;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.buf.WireWriter;
import dev.cipsec.wire.cip.CipServiceException;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * TCP/IP Interface Set_Port_Admin_State (service 0x4C, reference §3.5), the way a commissioning tool
 * closes plain EtherNet/IP once a device speaks TLS, and attribute 14 that reports it.
 *
 * <p>Only plain TCP 44818 is configurable, and only on a device with TLS (closing it elsewhere would
 * leave no way in). UDP 44818 stays open so the device can be discovered; UDP 2222 (plain I/O) stays
 * until DTLS for I/O exists. A change is persisted with the security state before the reply and
 * applied after it, so the reply still leaves on the connection it closes; once the device's security
 * is configured the service is accepted only over TLS (0x0F), like every security change.
 */
final class PortAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(PortAdmin.class);
    static final int SET_PORT_ADMIN_STATE = 0x4C;
    static final int PLAIN_PORT = 44818;

    private final DeviceRuntime runtime;
    private final PlainTcpPort plain;
    private final boolean factoryOpen;

    PortAdmin(DeviceRuntime runtime, PlainTcpPort plain, boolean factoryOpen) {
        this.runtime = runtime;
        this.plain = plain;
        this.factoryOpen = factoryOpen;
    }

    /** Attribute 14 of a device with TLS: the plain TCP port configurable, the others fixed. */
    static List<IanaPort> ports(boolean plainOpen) {
        return List.of(new IanaPort("EtherNet/IP", PLAIN_PORT, IanaPort.TCP, plainOpen, IanaPort.CONFIGURABLE),
                new IanaPort("EtherNet/IP", PLAIN_PORT, IanaPort.UDP, true, 0),
                new IanaPort("EtherNet/IP IO", 2222, IanaPort.UDP, true, 0),
                new IanaPort("CIP Security", 2221, IanaPort.TCP, true, 0));
    }

    static boolean plainOpen(List<IanaPort> ports) {
        return ports.stream().filter(p -> p.port() == PLAIN_PORT && p.protocol() == IanaPort.TCP)
                .findFirst().map(IanaPort::open).orElse(true);
    }

    /** The persisted form: USINT count + {UINT port, USINT protocol, BOOL open}. */
    static Bytes encode(List<IanaPort> ports) {
        WireWriter w = WireWriter.ofSize(1 + 4 * ports.size());
        w.u8(ports.size());
        for (IanaPort p : ports) {
            w.u16(p.port()).u8(p.protocol()).u8(p.open() ? 1 : 0);
        }
        return Bytes.of(w.array());
    }

    /** Whether the persisted ports leave plain TCP open; empty when nothing was persisted. */
    static Optional<Boolean> decodePlainOpen(Bytes data) throws WireFormatException {
        WireReader r = WireReader.of(data.toArray());
        int n = r.u8("port count");
        r.requireCount(n, 4, "ports");
        Optional<Boolean> open = Optional.empty();
        for (int i = 0; i < n; i++) {
            int port = r.u16("port");
            int protocol = r.u8("protocol");
            boolean on = r.u8("admin state") != 0;
            if (port == PLAIN_PORT && protocol == IanaPort.TCP) {
                open = Optional.of(on);
            }
        }
        r.expectEnd("ports");
        return open;
    }

    MessageRouterResponse handle(CipInstance<?> target, MessageRouterRequest req, RequestContext ctx) throws CipServiceException {
        List<int[]> changes = new ArrayList<>();
        try {
            WireReader r = WireReader.of(req.data().toArray());
            int n = r.u8("port count");
            r.requireCount(n, 4, "ports");
            for (int i = 0; i < n; i++) {
                int port = r.u16("port");
                int protocol = r.u8("protocol");
                int state = r.u8("admin state");
                if (state > 1) {
                    throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "admin state must be 0 or 1: " + state);
                }
                changes.add(new int[] {port, protocol, state});
            }
            r.expectEnd("Set_Port_Admin_State");
        } catch (WireFormatException e) {
            throw new CipServiceException(e.reason().generalStatus(), "Set_Port_Admin_State: " + e.getMessage());
        }
        if (changes.isEmpty()) {
            throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "Set_Port_Admin_State names no port");
        }
        DeviceSecurity security = runtime.security();
        TcpIpInterfaceObject tcpIp = runtime.objects().tcpIp();
        return security.objects().locked(() -> {
            if (security.configured() && !ctx.secure()) {
                throw new CipServiceException(GeneralStatus.PRIVILEGE_VIOLATION,
                        "the device is configured; port changes are accepted only over TLS");
            }
            List<IanaPort> before = tcpIp.ports();
            List<IanaPort> after = new ArrayList<>(before);
            for (int[] c : changes) {
                int at = indexOf(after, c[0], c[1]);
                if (at < 0) {
                    throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, "no port " + c[0] + "/" + c[1]);
                }
                IanaPort p = after.get(at);
                boolean open = c[2] == 1;
                if (p.open() != open && (p.capability() & IanaPort.CONFIGURABLE) == 0) {
                    throw new CipServiceException(GeneralStatus.INVALID_PARAMETER, p.name() + " " + p.port() + " is not configurable");
                }
                after.set(at, new IanaPort(p.name(), p.port(), p.protocol(), open, p.capability()));
            }
            tcpIp.setPorts(after);
            try {
                security.persistNow();
            } catch (CipServiceException e) {
                tcpIp.setPorts(before);
                throw e;
            }
            ctx.runAfterReply(this::apply);
            return MessageRouterResponse.success(req.service(), Bytes.EMPTY);
        });
    }

    /** Factory reset: plain TCP back to what the profile says; the caller commits and then calls {@link #apply}. */
    void reset() {
        runtime.objects().tcpIp().setPorts(ports(factoryOpen));
    }

    /** Opens or closes the listener as attribute 14 says. */
    void apply() {
        boolean open = plainOpen(runtime.objects().tcpIp().ports());
        try {
            if (open) {
                plain.open();
            } else {
                plain.close();
            }
            LOG.info("plain EtherNet/IP on TCP is {}", open ? "open" : "closed: the device is reachable only over TLS");
        } catch (IOException e) {
            LOG.error("cannot reopen plain EtherNet/IP on TCP: {}", e.getMessage());
        }
    }

    private static int indexOf(List<IanaPort> ports, int port, int protocol) {
        for (int i = 0; i < ports.size(); i++) {
            if (ports.get(i).port() == port && ports.get(i).protocol() == protocol) {
                return i;
            }
        }
        return -1;
    }
}
