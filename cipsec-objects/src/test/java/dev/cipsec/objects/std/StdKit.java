package dev.cipsec.objects.std;

import dev.cipsec.objects.MessageRouter;
import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterRequest;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.epath.EPath;

import static org.assertj.core.api.Assertions.assertThat;

/** Sends requests to a router and unpacks replies, for the standard object tests. */
final class StdKit {
    private final MessageRouter router;
    final RequestContext ctx = RequestContext.forTest();

    StdKit(MessageRouter router) {
        this.router = router;
    }

    MessageRouterResponse send(int service, String path, String dataHex) {
        return router.handle(new MessageRouterRequest(service, EPath.parse(path), Bytes.fromHex(dataHex)), ctx);
    }

    /** Get_Attribute_Single data as hex, asserting success. */
    String get(String path) {
        MessageRouterResponse r = send(0x0E, path, "");
        assertThat(r.generalStatus()).as("%s -> %s", path, r).isZero();
        return r.data().toHex();
    }

    /** Get_Attributes_All data as hex, asserting success. */
    String getAll(String path) {
        MessageRouterResponse r = send(0x01, path, "");
        assertThat(r.generalStatus()).as("%s -> %s", path, r).isZero();
        return r.data().toHex();
    }

    int set(String path, String dataHex) {
        return send(0x10, path, dataHex).generalStatus();
    }

    static StandardObjects device() {
        return StandardObjects.builder(DeviceIdentity.of(1, 12, 65001, 2, 3, 0x075BCD15L, "OpENer PC"))
                .assembly(AssemblyDefinition.input(100, 32))
                .assembly(AssemblyDefinition.output(150, 32))
                .assembly(AssemblyDefinition.configuration(151, 10))
                .interfaceConfig(InterfaceConfig.of("192.168.1.10", "255.255.255.0", "192.168.1.1", "8.8.8.8", "",
                        "example.com", "adapter1"))
                .ethernetLink(EthernetLinkObject.LinkConfig.of(Bytes.fromHex("001122334455"), "port 1"))
                .build();
    }
}
