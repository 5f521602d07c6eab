package dev.cipsec.objects.std;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.cip.MessageRouterResponse;
import dev.cipsec.wire.cip.ServiceCodes;
import org.junit.jupiter.api.Test;

import static dev.cipsec.objects.std.ConnectionManagerObject.Counter.CLOSE_REQUESTS;
import static dev.cipsec.objects.std.ConnectionManagerObject.Counter.CONNECTION_TIMEOUTS;
import static dev.cipsec.objects.std.ConnectionManagerObject.Counter.OPEN_REQUESTS;
import static org.assertj.core.api.Assertions.assertThat;

class ConnectionManagerObjectTest {
    private final StandardObjects objects = StdKit.device();
    private final StdKit kit = new StdKit(objects.router());

    @Test
    void countersAreAttributesOneToEight() {
        ConnectionManagerObject cm = objects.connectionManager();
        cm.increment(OPEN_REQUESTS);
        cm.increment(OPEN_REQUESTS);
        cm.increment(CLOSE_REQUESTS);
        cm.increment(CONNECTION_TIMEOUTS);
        assertThat(kit.get("6/1/1")).isEqualTo("0200");
        assertThat(kit.get("6/1/5")).isEqualTo("0100");
        assertThat(kit.get("6/1/8")).isEqualTo("0100");
        assertThat(kit.getAll("6/1")).isEqualTo("0200" + "0000".repeat(3) + "0100" + "0000".repeat(2) + "0100");
        assertThat(kit.set("6/1/1", "0000")).isZero();
        assertThat(cm.get(OPEN_REQUESTS)).isZero();
    }

    @Test
    void countersWrapAtSixtyFiveThousand() {
        ConnectionManagerObject cm = objects.connectionManager();
        assertThat(kit.set("6/1/8", "ffff")).isZero();
        cm.increment(CONNECTION_TIMEOUTS);
        assertThat(cm.get(CONNECTION_TIMEOUTS)).isZero();
    }

    @Test
    void theAdapterRegistersForwardOpenAtRuntime() {
        assertThat(kit.send(ServiceCodes.FORWARD_OPEN, "6/1", "00").generalStatus()).isEqualTo(0x08);
        objects.connectionManager().registerService(ServiceCodes.FORWARD_OPEN, (t, r, c) -> {
            objects.connectionManager().increment(OPEN_REQUESTS);
            return MessageRouterResponse.success(r.service(), Bytes.of((byte) 0xAB));
        });
        assertThat(kit.send(ServiceCodes.FORWARD_OPEN, "6/1", "00").toBytes().toHex()).isEqualTo("d4000000ab");
        assertThat(kit.get("6/1/1")).isEqualTo("0100");
    }
}
