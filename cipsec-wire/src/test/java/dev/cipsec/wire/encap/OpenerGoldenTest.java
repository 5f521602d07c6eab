package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cip.GeneralStatus;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.ListServicesItem;
import dev.cipsec.wire.cpf.NullAddressItem;
import dev.cipsec.wire.cpf.UnconnectedDataItem;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.testkit.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every encapsulation frame of the conforming OpENer captures (../shared/fixtures, README tables)
 * decodes strictly, its data decodes by command, and both re-encode to the captured bytes.
 */
class OpenerGoldenTest {

    static final CipIdentityItem OPENER_IDENTITY =
            new CipIdentityItem(1, 2, 44818, 0, 1, 12, 65001, 2, 3, 0, 0x075BCD15L, "OpENer PC", 0);

    /** Decodes a frame and its data by command; asserts byte-identical re-encoding at both levels. */
    static Decoded decodeFrame(Fixtures.Frame f) throws WireFormatException {
        Bytes wire = Bytes.of(f.payload());
        assertThat(EncapsulationPacket.frameLength(f.payload(), 0)).isEqualTo(f.payload().length);
        EncapsulationPacket p = EncapsulationPacket.decode(WireReader.of(f.payload()));
        assertThat(p.toBytes()).as("frame %d re-encodes", f.number()).isEqualTo(wire);
        assertThat(p.encodedLength()).isEqualTo(f.payload().length);
        EncapsulationHeader h = p.header();
        Object body;
        if (h.length() == 0) {
            body = null;
        } else {
            body = switch (h.command()) {
                case EncapsulationCommand.REGISTER_SESSION -> RegisterSessionData.decode(p.data());
                case EncapsulationCommand.SEND_RR_DATA, EncapsulationCommand.SEND_UNIT_DATA -> RrData.decode(p.data());
                case EncapsulationCommand.LIST_IDENTITY, EncapsulationCommand.LIST_SERVICES -> CpfPacket.decode(p.data());
                default -> throw new AssertionError("frame " + f.number() + ": unexpected data for " + h);
            };
            Bytes reencoded = switch (body) {
                case RegisterSessionData d -> d.toBytes();
                case RrData d -> d.toBytes();
                case CpfPacket d -> d.toBytes();
                default -> throw new AssertionError();
            };
            assertThat(reencoded).as("frame %d data re-encodes", f.number()).isEqualTo(p.data());
        }
        if (body instanceof RrData rr) {
            assertThat(rr.interfaceHandle()).isEqualTo(RrData.CIP_INTERFACE);
            assertThat(rr.cpf().items()).hasSize(2);
            assertThat(rr.cpf().get(0)).isEqualTo(NullAddressItem.INSTANCE);
            Bytes mr = rr.cpf().first(UnconnectedDataItem.class).orElseThrow().data();
            // The MR PDU inside must itself decode and round-trip in the direction it travels.
            Bytes mrAgain = f.toAdapter() ? MessageRouterRequest.decode(mr).toBytes() : MessageRouterResponse.decode(mr).toBytes();
            assertThat(mrAgain).isEqualTo(mr);
        }
        return new Decoded(f, p, body);
    }

    record Decoded(Fixtures.Frame frame, EncapsulationPacket packet, Object body) {
        EncapsulationHeader header() {
            return packet.header();
        }
    }

    static Map<Integer, Decoded> decodeAll(String file) throws WireFormatException {
        Map<Integer, Decoded> out = new HashMap<>();
        long lastRequestContext = -1;
        for (Fixtures.Frame f : Fixtures.load(file)) {
            Decoded d = decodeFrame(f);
            assertThat(d.header().options()).isZero();
            if (f.toAdapter()) {
                lastRequestContext = d.header().senderContext();
            } else {
                assertThat(d.header().senderContext()).as("frame %d echoes the context", f.number()).isEqualTo(lastRequestContext);
            }
            out.put(f.number(), d);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"opener-listidentity-udp.hex", "opener-listidentity-tcp.hex", "opener-explicit.hex",
            "opener-encap-errors.hex", "opener-cs-security-objects.hex"})
    void everyFrameDecodesAndReEncodesIdentically(String file) throws Exception {
        assertThat(decodeAll(file)).isNotEmpty();
    }

    @Test
    void listIdentityOverUdp() throws Exception {
        Map<Integer, Decoded> d = decodeAll("opener-listidentity-udp.hex");
        EncapsulationHeader req = d.get(1).header();
        assertThat(req.command()).isEqualTo(EncapsulationCommand.LIST_IDENTITY);
        assertThat(req.length()).isZero();
        assertThat(req.maxResponseDelayMillis()).isEqualTo(500);
        assertThat(req.senderContextBytes()).isEqualTo(Bytes.fromHex("f40166786c693031"));
        EncapsulationHeader reply = d.get(2).header();
        assertThat(reply.sessionHandle()).isZero();
        assertThat(reply.status()).isEqualTo(EncapsulationStatus.SUCCESS);
        CpfPacket cpf = (CpfPacket) d.get(2).body();
        assertThat(cpf.items()).containsExactly(OPENER_IDENTITY);
    }

    @Test
    void listIdentityAndListServicesOverTcp() throws Exception {
        Map<Integer, Decoded> d = decodeAll("opener-listidentity-tcp.hex");
        assertThat(d.get(4).header().maxResponseDelayMillis()).isZero();
        assertThat(((CpfPacket) d.get(6).body()).items()).containsExactly(OPENER_IDENTITY);
        assertThat(d.get(8).header().command()).isEqualTo(EncapsulationCommand.LIST_SERVICES);
        assertThat(d.get(8).body()).isNull();
        ListServicesItem svc = ((CpfPacket) d.get(9).body()).first(ListServicesItem.class).orElseThrow();
        assertThat(svc).isEqualTo(new ListServicesItem(0x0100, 1, 0x0120, "Communications"));
        assertThat(svc.supports(ListServicesItem.CAP_CIP_TCP | ListServicesItem.CAP_CIP_UDP_CLASS01)).isTrue();
    }

    @Test
    void explicitSession() throws Exception {
        Map<Integer, Decoded> d = decodeAll("opener-explicit.hex");
        assertThat(d.get(4).body()).isEqualTo(RegisterSessionData.DEFAULT);
        assertThat(d.get(4).header().sessionHandle()).isZero();
        assertThat(d.get(6).body()).isEqualTo(RegisterSessionData.DEFAULT);
        assertThat(d.get(6).header().sessionHandle()).isEqualTo(1);
        assertThat(d.get(8).header().senderContextBytes()).isEqualTo(Bytes.of("fx000002".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));

        RrData gas = (RrData) d.get(8).body();
        assertThat(gas.timeout()).isZero();
        MessageRouterRequest req = MessageRouterRequest.decode(gas.cpf().first(UnconnectedDataItem.class).orElseThrow().data());
        assertThat(req.service()).isEqualTo(ServiceCodes.GET_ATTRIBUTE_SINGLE);
        assertThat(req.path()).isEqualTo(EPath.classInstanceAttribute(1, 1, 1));
        assertThat(gas).isEqualTo(RrData.unconnected(0, req.toBytes()));
        MessageRouterResponse rsp = MessageRouterResponse.decode(
                ((RrData) d.get(9).body()).cpf().first(UnconnectedDataItem.class).orElseThrow().data());
        assertThat(rsp.isSuccess()).isTrue();
        assertThat(rsp.data()).isEqualTo(Bytes.fromHex("0100"));

        for (int[] frameAndStatus : new int[][]{{33, GeneralStatus.PATH_DESTINATION_UNKNOWN},
                {35, GeneralStatus.ATTRIBUTE_NOT_SUPPORTED}, {37, GeneralStatus.SERVICE_NOT_SUPPORTED}}) {
            RrData rr = (RrData) d.get(frameAndStatus[0]).body();
            MessageRouterResponse err = MessageRouterResponse.decode(rr.cpf().first(UnconnectedDataItem.class).orElseThrow().data());
            assertThat(err.generalStatus()).as("frame %d", frameAndStatus[0]).isEqualTo(frameAndStatus[1]);
        }
        Decoded unregister = d.get(38);
        assertThat(unregister.header().command()).isEqualTo(EncapsulationCommand.UNREGISTER_SESSION);
        assertThat(unregister.header().length()).isZero();
        assertThat(unregister.header().sessionHandle()).isEqualTo(1);
    }

    @Test
    void encapsulationErrors() throws Exception {
        Map<Integer, Decoded> d = decodeAll("opener-encap-errors.hex");
        EncapsulationHeader unknown = d.get(9).header();
        assertThat(unknown.command()).isEqualTo(0x00FE);
        assertThat(EncapsulationCommand.isKnown(unknown.command())).isFalse();
        assertThat(unknown.status()).isEqualTo(EncapsulationStatus.INVALID_COMMAND);
        assertThat(unknown.sessionHandle()).isEqualTo(1);
        assertThat(unknown.length()).isZero();

        EncapsulationHeader badSession = d.get(11).header();
        assertThat(badSession.command()).isEqualTo(EncapsulationCommand.SEND_RR_DATA);
        assertThat(badSession.sessionHandle()).isEqualTo(0x5A5A0000L);
        assertThat(badSession.status()).isEqualTo(EncapsulationStatus.INVALID_SESSION_HANDLE);
        assertThat(d.get(11).body()).isNull();
        assertThat(d.get(13).header().status()).isEqualTo(EncapsulationStatus.SUCCESS);

        assertThat(d.get(21).body()).isEqualTo(new RegisterSessionData(2, 0));
        assertThat(((RegisterSessionData) d.get(21).body()).isSupported()).isFalse();
        EncapsulationHeader refused = d.get(23).header();
        assertThat(refused.status()).isEqualTo(EncapsulationStatus.UNSUPPORTED_PROTOCOL_VERSION);
        assertThat(refused.sessionHandle()).isZero();
        assertThat(d.get(23).body()).isEqualTo(RegisterSessionData.DEFAULT);
    }

    @Test
    void securityObjectReadsAreOrdinaryUnconnectedMessages() throws Exception {
        Map<Integer, Decoded> d = decodeAll("opener-cs-security-objects.hex");
        long sendRr = d.values().stream().filter(x -> x.header().command() == EncapsulationCommand.SEND_RR_DATA).count();
        assertThat(sendRr).isEqualTo(d.size() - 3L); // RegisterSession request/reply and UnRegisterSession
        assertThat(d.values()).allSatisfy(x -> assertThat(x.header().status()).isZero());
    }

    @Test
    void headerOnlyFramesOfEveryFileHaveNoData() throws Exception {
        for (String file : List.of("opener-explicit.hex", "opener-encap-errors.hex")) {
            for (Decoded x : decodeAll(file).values()) {
                if (x.header().length() == 0) {
                    assertThat(x.packet().data().isEmpty()).isTrue();
                    assertThat(x.frame().payload()).hasSize(EncapsulationHeader.SIZE);
                }
            }
        }
    }
}
