package dev.cipsec.wire.encap;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.CipSecurityItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.cpf.ListServicesItem;
import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.testkit.PcapWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Messages built with our encoders, in the order of {@code fixtures/encap/cipsec-encoded.hex}: the
 * tshark test decodes them and the regression test pins their bytes.
 */
final class EncodedSamples {
    static final int CLIENT_TCP_PORT = 50000;
    static final int CLIENT_UDP_PORT = 50001;
    static final int ENIP_PORT = 44818;
    static final long SESSION = 0x12345678L;

    /** One message and how it travels. */
    record Sample(String name, boolean tcp, boolean toAdapter, EncapsulationPacket packet) {
        PcapWriter.Packet pcapPacket() {
            byte[] b = packet.toBytes().toArray();
            int client = tcp ? CLIENT_TCP_PORT : CLIENT_UDP_PORT;
            int src = toAdapter ? client : ENIP_PORT;
            int dst = toAdapter ? ENIP_PORT : client;
            return tcp ? PcapWriter.Packet.tcp(src, dst, b) : PcapWriter.Packet.udp(src, dst, b);
        }
    }

    static final CipIdentityItem IDENTITY = new CipIdentityItem(1, 2, 44818, 0xC0A8010AL, 0xFFFE, 12, 4242, 1, 7,
            0x0030, 0x00C0FFEEL, "cipsec adapter", 3);
    static final CipSecurityItem SECURITY_5 = new CipSecurityItem(0x0002, 3, 2, 0x0B, OptionalInt.empty());
    static final CipSecurityItem SECURITY_7 = new CipSecurityItem(0x0012, 3, 2, 0x19, OptionalInt.of(0x0002));

    private EncodedSamples() {
    }

    static long context(String eightAscii) {
        return EncapsulationHeader.senderContext(Bytes.of(eightAscii.getBytes(StandardCharsets.US_ASCII)));
    }

    static List<Sample> all() {
        List<Sample> s = new ArrayList<>();
        Bytes gasRequest = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstanceAttribute(1, 1, 7)).toBytes();
        Bytes gasReply = MessageRouterResponse.success(ServiceCodes.GET_ATTRIBUTE_SINGLE,
                Bytes.fromHex("0e6369707365632061646170746572")).toBytes();
        Bytes vendorRequest = new MessageRouterRequest(ServiceCodes.GET_ATTRIBUTE_SINGLE, EPath.classInstanceAttribute(1, 1, 1)).toBytes();
        Bytes vendorReply = MessageRouterResponse.success(ServiceCodes.GET_ATTRIBUTE_SINGLE, Bytes.fromHex("feff")).toBytes();

        s.add(new Sample("register-session-request", true, true, EncapsulationPacket.of(EncapsulationCommand.REGISTER_SESSION,
                0, 0, context("cipsec01"), RegisterSessionData.DEFAULT.toBytes())));
        s.add(new Sample("register-session-reply", true, false, EncapsulationPacket.of(EncapsulationCommand.REGISTER_SESSION,
                SESSION, 0, context("cipsec01"), RegisterSessionData.DEFAULT.toBytes())));
        s.add(new Sample("send-rr-data-get-attribute-single", true, true, EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA,
                SESSION, 0, context("cipsec02"), RrData.unconnected(10, gasRequest).toBytes())));
        s.add(new Sample("send-rr-data-reply", true, false, EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA,
                SESSION, 0, context("cipsec02"), RrData.unconnected(0, gasReply).toBytes())));
        s.add(new Sample("send-unit-data-request", true, true, EncapsulationPacket.of(EncapsulationCommand.SEND_UNIT_DATA,
                SESSION, 0, 0, RrData.connected(0x26E70013L, seq(1, vendorRequest)).toBytes())));
        s.add(new Sample("send-unit-data-reply", true, false, EncapsulationPacket.of(EncapsulationCommand.SEND_UNIT_DATA,
                SESSION, 0, 0, RrData.connected(0x84786CF1L, seq(1, vendorReply)).toBytes())));
        s.add(new Sample("list-identity-request-tcp", true, true, EncapsulationPacket.of(EncapsulationCommand.LIST_IDENTITY,
                0, 0, EncapsulationHeader.listIdentityContext(0), Bytes.EMPTY)));
        s.add(new Sample("list-identity-reply-tcp-security-5", true, false, EncapsulationPacket.of(EncapsulationCommand.LIST_IDENTITY,
                0, 0, EncapsulationHeader.listIdentityContext(0), CpfPacket.of(IDENTITY, SECURITY_5).toBytes())));
        s.add(new Sample("list-identity-request-udp", false, true, EncapsulationPacket.of(EncapsulationCommand.LIST_IDENTITY,
                0, 0, EncapsulationHeader.listIdentityContext(500), Bytes.EMPTY)));
        s.add(new Sample("list-identity-reply-udp-security-7", false, false, EncapsulationPacket.of(EncapsulationCommand.LIST_IDENTITY,
                0, 0, EncapsulationHeader.listIdentityContext(500), CpfPacket.of(IDENTITY, SECURITY_7).toBytes())));
        s.add(new Sample("list-services-request", false, true, EncapsulationPacket.of(EncapsulationCommand.LIST_SERVICES,
                0, 0, context("cipsec03"), Bytes.EMPTY)));
        s.add(new Sample("list-services-reply", false, false, EncapsulationPacket.of(EncapsulationCommand.LIST_SERVICES,
                0, 0, context("cipsec03"), CpfPacket.of(ListServicesItem.communications(
                        ListServicesItem.CAP_CIP_TCP | ListServicesItem.CAP_CIP_UDP_CLASS01)).toBytes())));
        s.add(new Sample("unknown-command-reply", true, false, EncapsulationPacket.of(0x00FE,
                SESSION, EncapsulationStatus.INVALID_COMMAND, context("cipsec04"), Bytes.EMPTY)));
        s.add(new Sample("invalid-session-reply", true, false, EncapsulationPacket.of(EncapsulationCommand.SEND_RR_DATA,
                0x5A5A0000L, EncapsulationStatus.INVALID_SESSION_HANDLE, context("cipsec05"), Bytes.EMPTY)));
        s.add(new Sample("unsupported-version-reply", true, false, EncapsulationPacket.of(EncapsulationCommand.REGISTER_SESSION,
                0, EncapsulationStatus.UNSUPPORTED_PROTOCOL_VERSION, context("cipsec06"), RegisterSessionData.DEFAULT.toBytes())));
        s.add(new Sample("unregister-session", true, true, EncapsulationPacket.of(EncapsulationCommand.UNREGISTER_SESSION,
                SESSION, 0, context("cipsec07"), Bytes.EMPTY)));
        return s;
    }

    /** Class 3 connected data: sequence count UINT, then the MR PDU (reference §2.11). */
    private static Bytes seq(int sequenceCount, Bytes mr) {
        byte[] b = new byte[2 + mr.length()];
        b[0] = (byte) sequenceCount;
        b[1] = (byte) (sequenceCount >>> 8);
        mr.copyTo(b, 2);
        return Bytes.of(b);
    }
}
