package dev.cipsec.objects.std;

import dev.cipsec.objects.CipClass;
import dev.cipsec.objects.CipDataTypes;
import dev.cipsec.wire.buf.WireReader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** TCP/IP Interface (0xF5), Ethernet Link (0xF6) and Message Router (0x02) attributes. */
class NetworkObjectsTest {
    private final StandardObjects objects = StdKit.device();
    private final StdKit kit = new StdKit(objects.router());

    @Test
    void tcpIpAttributes() {
        assertThat(kit.get("0xF5/1/1")).isEqualTo("01000000");
        assertThat(kit.get("0xF5/1/2")).isEqualTo("00000000");
        assertThat(kit.get("0xF5/1/3")).isEqualTo("00000000");
        assertThat(kit.get("0xF5/1/4")).isEqualTo("0200" + "20f62401");
        // addresses are UDINTs: 192.168.1.10 is 0xC0A8010A, little-endian on the wire
        assertThat(kit.get("0xF5/1/5")).isEqualTo("0a01a8c0" + "00ffffff" + "0101a8c0" + "08080808" + "00000000"
                + "0b00" + "6578616d706c652e636f6d" + "00");
        assertThat(kit.get("0xF5/1/6")).isEqualTo("0800" + "6164617074657231");
        assertThat(kit.get("0xF5/1/8")).isEqualTo("01");
        // host id 10: 239.192.1.0 + 9*32 = 239.192.2.32
        assertThat(kit.get("0xF5/1/9")).isEqualTo("00" + "00" + "2000" + "2002c0ef");
        assertThat(kit.get("0xF5/1/10")).isEqualTo("00");
        assertThat(kit.get("0xF5/1/11")).isEqualTo("00".repeat(35));
        assertThat(kit.get("0xF5/1/13")).isEqualTo("7800");
        assertThat(kit.send(0x0E, "0xF5/1/7", "").generalStatus()).isEqualTo(0x14);
        assertThat(kit.send(0x0E, "0xF5/1/12", "").generalStatus()).isEqualTo(0x14);
    }

    @Test
    void ianaPortAdminListsThePorts() throws Exception {
        String hex = kit.get("0xF5/1/14");
        assertThat(hex).startsWith("03" + "0b" + "45746865724e65742f4950" + "12af" + "06" + "01" + "00");
        List<IanaPort> ports = CipDataTypes.usintCountedList(IanaPort.TYPE)
                .decode(WireReader.of(dev.cipsec.wire.buf.Bytes.fromHex(hex).toArray()));
        assertThat(ports).isEqualTo(IanaPort.plainDefaults());
    }

    @Test
    void tcpIpSettableAttributes() {
        assertThat(kit.set("0xF5/1/13", "100e")).isZero();
        assertThat(objects.tcpIp().encapsulationInactivityTimeout()).isEqualTo(3600);
        assertThat(kit.set("0xF5/1/13", "110e")).isEqualTo(0x09);
        assertThat(kit.set("0xF5/1/13", "0000")).isZero();
        assertThat(kit.set("0xF5/1/13", "00")).isEqualTo(0x13);
        assertThat(kit.set("0xF5/1/13", "000000")).isEqualTo(0x15);
        assertThat(kit.set("0xF5/1/8", "00")).isEqualTo(0x09);
        assertThat(kit.set("0xF5/1/8", "10")).isZero();
        assertThat(objects.tcpIp().ttl()).isEqualTo(16);
        assertThat(kit.set("0xF5/1/10", "02")).isEqualTo(0x09);
        assertThat(kit.set("0xF5/1/10", "01")).isZero();
        assertThat(objects.tcpIp().selectAcd()).isTrue();
        assertThat(kit.set("0xF5/1/5", "00")).isEqualTo(0x0E);
        assertThat(kit.set("0xF5/1/14", "00")).isEqualTo(0x0E);
    }

    @Test
    void tcpIpGetAttributesAllIsOneToThirteen() {
        String all = kit.getAll("0xF5/1");
        String expected = kit.get("0xF5/1/1") + kit.get("0xF5/1/2") + kit.get("0xF5/1/3") + kit.get("0xF5/1/4")
                + kit.get("0xF5/1/5") + kit.get("0xF5/1/6") + "00".repeat(6) + kit.get("0xF5/1/8")
                + kit.get("0xF5/1/9") + kit.get("0xF5/1/10") + kit.get("0xF5/1/11") + "00" + kit.get("0xF5/1/13");
        assertThat(all).isEqualTo(expected);
    }

    @Test
    void ethernetLinkAttributes() {
        assertThat(kit.get("0xF6/1/1")).isEqualTo("64000000");
        assertThat(kit.get("0xF6/1/2")).isEqualTo("0f000000");
        assertThat(kit.get("0xF6/1/3")).isEqualTo("001122334455");
        assertThat(kit.get("0xF6/1/4")).isEqualTo("00".repeat(44));
        assertThat(kit.get("0xF6/1/5")).isEqualTo("00".repeat(48));
        assertThat(kit.get("0xF6/1/6")).isEqualTo("01000000");
        assertThat(kit.get("0xF6/1/7")).isEqualTo("02");
        assertThat(kit.get("0xF6/1/8")).isEqualTo("01");
        assertThat(kit.get("0xF6/1/9")).isEqualTo("01");
        assertThat(kit.get("0xF6/1/10")).isEqualTo("06706f72742031");
        assertThat(kit.get("0xF6/1/11")).isEqualTo("02000000" + "01" + "6400" + "01");
        assertThat(kit.set("0xF6/1/9", "02")).isZero();
        assertThat(objects.ethernetLink().adminState()).isEqualTo(2);
        assertThat(kit.set("0xF6/1/9", "03")).isEqualTo(0x09);
        assertThat(kit.set("0xF6/1/1", "00000000")).isEqualTo(0x0E);
        assertThat(kit.getAll("0xF6/1")).startsWith("64000000" + "0f000000" + "001122334455").endsWith("06706f72742031" + "02000000016400" + "01");
    }

    @Test
    void ethernetLinkCountersComeFromTheSupplier() {
        List<Long> counters = new java.util.ArrayList<>(java.util.Collections.nCopies(11, 0L));
        counters.set(0, 0x01020304L);
        EthernetLinkObject link = new EthernetLinkObject(EthernetLinkObject.LinkConfig.of(
                dev.cipsec.wire.buf.Bytes.of(new byte[6]), ""), () -> counters, () -> java.util.Collections.nCopies(12, 7L));
        dev.cipsec.objects.MessageRouter r = new dev.cipsec.objects.MessageRouter();
        r.register(link.cipClass());
        StdKit k = new StdKit(r);
        assertThat(k.get("0xF6/1/4")).startsWith("04030201");
        assertThat(k.get("0xF6/1/5")).isEqualTo("07000000".repeat(12));
    }

    @Test
    void messageRouterListsRegisteredClasses() {
        assertThat(kit.get("2/1/1")).isEqualTo("0600" + "0100" + "0200" + "0400" + "0600" + "f500" + "f600");
        objects.router().register(CipClass.<Object>builder(0x5D, "CIP Security").build());
        assertThat(kit.get("2/1/1")).isEqualTo("0700" + "0100" + "0200" + "0400" + "0600" + "5d00" + "f500" + "f600");
        assertThat(kit.getAll("2/1")).isEqualTo(kit.get("2/1/1"));
    }
}
