package dev.cipsec.objects.std;

import dev.cipsec.objects.MessageRouter;
import dev.cipsec.objects.RouterLimits;
import dev.cipsec.wire.buf.Bytes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The standard objects of an adapter, assembled into one {@link MessageRouter}: Identity,
 * Message Router, Assembly, Connection Manager, TCP/IP Interface and Ethernet Link. The adapter
 * builds this from its device profile and then registers its own services and classes on the
 * router (Forward_Open on {@link #connectionManager()}, the security objects as new classes).
 */
public final class StandardObjects {
    private final MessageRouter router;
    private final IdentityObject identity;
    private final AssemblyObject assemblies;
    private final ConnectionManagerObject connectionManager;
    private final TcpIpInterfaceObject tcpIp;
    private final EthernetLinkObject ethernetLink;

    private StandardObjects(Builder b) {
        this.router = new MessageRouter(b.limits);
        this.identity = new IdentityObject(b.identity, b.resetHandler, b.resetTypes);
        this.assemblies = new AssemblyObject(b.assemblies);
        this.connectionManager = new ConnectionManagerObject();
        this.tcpIp = new TcpIpInterfaceObject(b.interfaceConfig, b.ports);
        this.ethernetLink = new EthernetLinkObject(b.link);
        router.register(identity.cipClass());
        MessageRouterObject.register(router);
        router.register(assemblies.cipClass());
        router.register(connectionManager.cipClass());
        router.register(tcpIp.cipClass());
        router.register(ethernetLink.cipClass());
    }

    public static Builder builder(DeviceIdentity identity) {
        return new Builder(identity);
    }

    public MessageRouter router() {
        return router;
    }

    public IdentityObject identity() {
        return identity;
    }

    public AssemblyObject assemblies() {
        return assemblies;
    }

    /** Assembly {@code id}, or null. */
    public AssemblyInstance assembly(int id) {
        return assemblies.assembly(id);
    }

    public ConnectionManagerObject connectionManager() {
        return connectionManager;
    }

    public TcpIpInterfaceObject tcpIp() {
        return tcpIp;
    }

    public EthernetLinkObject ethernetLink() {
        return ethernetLink;
    }

    /** Collects a device profile; every option has a default except the identity. */
    public static final class Builder {
        private final DeviceIdentity identity;
        private final List<AssemblyDefinition> assemblies = new ArrayList<>();
        private InterfaceConfig interfaceConfig = InterfaceConfig.of("127.0.0.1", "255.0.0.0", "", "", "", "", "");
        private List<IanaPort> ports = IanaPort.plainDefaults();
        private EthernetLinkObject.LinkConfig link = EthernetLinkObject.LinkConfig.of(Bytes.of(new byte[6]), "");
        private IdentityObject.ResetHandler resetHandler;
        private Set<Integer> resetTypes = Set.of(0, 1);
        private RouterLimits limits = RouterLimits.DEFAULT;

        private Builder(DeviceIdentity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
        }

        public Builder assembly(AssemblyDefinition definition) {
            assemblies.add(Objects.requireNonNull(definition, "definition"));
            return this;
        }

        public Builder assemblies(List<AssemblyDefinition> definitions) {
            definitions.forEach(this::assembly);
            return this;
        }

        /** Default: 127.0.0.1/8 with no gateway, name servers, domain or host name. */
        public Builder interfaceConfig(InterfaceConfig config) {
            this.interfaceConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** TCP/IP attribute 14 entries; default {@link IanaPort#plainDefaults()}. */
        public Builder ports(List<IanaPort> ports) {
            this.ports = List.copyOf(ports);
            return this;
        }

        /** Default: 100 Mbit/s full duplex, MAC 00:00:00:00:00:00, empty label. */
        public Builder ethernetLink(EthernetLinkObject.LinkConfig link) {
            this.link = Objects.requireNonNull(link, "link");
            return this;
        }

        /** Enables Identity Reset for {@code types}; without a handler Reset answers 0x08. */
        public Builder resetHandler(IdentityObject.ResetHandler handler, Set<Integer> types) {
            this.resetHandler = Objects.requireNonNull(handler, "handler");
            this.resetTypes = Set.copyOf(types);
            return this;
        }

        public Builder limits(RouterLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Fails on duplicate assembly ids. */
        public StandardObjects build() {
            Set<Integer> ids = new HashSet<>();
            for (AssemblyDefinition d : assemblies) {
                if (!ids.add(d.instanceId())) {
                    throw new IllegalArgumentException("duplicate assembly instance " + d.instanceId());
                }
            }
            return new StandardObjects(this);
        }
    }
}
