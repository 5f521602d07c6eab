package dev.cipsec.adapter;

import dev.cipsec.objects.CipClass;
import dev.cipsec.transport.StreamConnection;
import dev.cipsec.transport.tcp.TcpConnector;
import dev.cipsec.transport.tls.CipherSuite;
import dev.cipsec.transport.tls.PskCredential;
import dev.cipsec.transport.tls.TlsConnector;
import dev.cipsec.transport.tls.TlsPolicy;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.encap.EncapsulationCommand;
import dev.cipsec.wire.encap.EncapsulationPacket;
import dev.cipsec.wire.encap.RegisterSessionData;
import dev.cipsec.wire.encap.RrData;
import dev.cipsec.wire.epath.EPath;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The objects learn whether an unconnected request came over TLS: a configured device accepts
 * security configuration only then (0x0F otherwise), so a TLS request reported as plain would lock
 * every tool out of a commissioned device.
 */
class SecureRequestContextTest {
    static final int PROBE_CLASS = 0x64;
    static final int PROBE_SERVICE = 0x4B;
    static final PskCredential PSK = PskCredential.of("probe", Bytes.fromHex("000102030405060708090a0b0c0d0e0f"));
    static final TlsPolicy POLICY = TlsPolicy.builder().psk(PSK).suites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).build();

    @Test
    void unconnectedRequestsOverTlsAreSecureAndOverTcpAreNot() throws Exception {
        try (CipDevice d = CipDevice.start(DeviceProfile.defaults().withSecurity(SecuritySettings.tls(POLICY)).onEphemeralPorts())) {
            d.router().register(CipClass.<Object>builder(PROBE_CLASS, "probe")
                    .instanceService(PROBE_SERVICE, (target, req, ctx) -> MessageRouterResponse.success(req.service(),
                            Bytes.of((byte) (ctx.secure() ? 1 : 0))))
                    .instance(1, new Object()).build());
            try (StreamConnection tls = new TlsConnector(POLICY).connect(d.tlsAddress(), Duration.ofSeconds(5))) {
                assertThat(probe(tls)).isEqualTo(Bytes.of((byte) 1));
            }
            try (StreamConnection tcp = TcpConnector.connect("127.0.0.1", d.tcpAddress().getPort(), Duration.ofSeconds(5))) {
                assertThat(probe(tcp)).isEqualTo(Bytes.of((byte) 0));
            }
        }
    }

    private static Bytes probe(StreamConnection c) throws Exception {
        c.setReadTimeout(Duration.ofSeconds(5));
        write(c, EncapsulationPacket.of(EncapsulationCommand.REGISTER_SESSION, 0, 0, 1, new RegisterSessionData(1, 0).toBytes()));
        long session = read(c).header().sessionHandle();
        MessageRouterRequest req = new MessageRouterRequest(PROBE_SERVICE, EPath.classInstance(PROBE_CLASS, 1));
        RrData rr = new RrData(RrData.CIP_INTERFACE, 5,
                new CpfPacket(List.of(NullAddressItem.INSTANCE, new UnconnectedDataItem(req.toBytes()))));
        write(c, EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA, session, 0, 2, rr.toBytes()));
        CpfPacket cpf = RrData.decode(read(c).data()).cpf();
        MessageRouterResponse r = MessageRouterResponse.decode(
                WireReader.of(cpf.first(UnconnectedDataItem.class).orElseThrow().data().toArray()));
        assertThat(r.isSuccess()).as("%s", r).isTrue();
        return r.data();
    }

    private static void write(StreamConnection c, EncapsulationPacket p) throws IOException {
        c.out().write(p.toBytes().toArray());
        c.out().flush();
    }

    private static EncapsulationPacket read(StreamConnection c) throws Exception {
        byte[] header = c.in().readNBytes(24);
        int length = (header[2] & 0xFF) | (header[3] & 0xFF) << 8;
        byte[] frame = new byte[24 + length];
        System.arraycopy(header, 0, frame, 0, 24);
        System.arraycopy(c.in().readNBytes(length), 0, frame, 24, length);
        return EncapsulationPacket.decode(frame);
    }
}
