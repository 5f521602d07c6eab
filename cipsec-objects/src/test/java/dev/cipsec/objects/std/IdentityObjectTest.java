package dev.cipsec.objects.std;

import dev.cipsec.objects.RequestContext;
import dev.cipsec.wire.cip.MessageRouterResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentityObjectTest {
    private final List<Integer> resets = new ArrayList<>();
    private final StandardObjects objects = StandardObjects.builder(
                    DeviceIdentity.of(1, 12, 65001, 2, 3, 0x075BCD15L, "OpENer PC"))
            .resetHandler(resets::add, Set.of(0, 1)).build();
    private final StdKit kit = new StdKit(objects.router());

    @Test
    void attributesOneToTen() {
        assertThat(kit.get("1/1/1")).isEqualTo("0100");
        assertThat(kit.get("1/1/2")).isEqualTo("0c00");
        assertThat(kit.get("1/1/3")).isEqualTo("e9fd");
        assertThat(kit.get("1/1/4")).isEqualTo("0203");
        assertThat(kit.get("1/1/5")).isEqualTo("0000");
        assertThat(kit.get("1/1/6")).isEqualTo("15cd5b07");
        assertThat(kit.get("1/1/7")).isEqualTo("094f70454e6572205043");
        assertThat(kit.get("1/1/8")).isEqualTo("03");
        assertThat(kit.get("1/1/9")).isEqualTo("0000");
        assertThat(kit.get("1/1/10")).isEqualTo("00");
        assertThat(kit.set("1/1/10", "05")).isZero();
        assertThat(kit.get("1/1/10")).isEqualTo("05");
        assertThat(kit.set("1/1/1", "0200")).isEqualTo(0x0E);
        assertThat(kit.send(0x0E, "1/1/11", "").generalStatus()).isEqualTo(0x14);
    }

    @Test
    void getAttributesAllIsAttributesOneToSevenLikeOpener() {
        assertThat(kit.getAll("1/1")).isEqualTo("01000c00e9fd0203000015cd5b07094f70454e6572205043");
    }

    @Test
    void statusAndStateUpdatesShowInAttributesAndIdentity() {
        objects.identity().updateStatus(s -> s | IdentityObject.STATUS_OWNED | IdentityObject.STATUS_CONFIGURED);
        objects.identity().setState(4);
        assertThat(kit.get("1/1/5")).isEqualTo("0500");
        assertThat(kit.get("1/1/8")).isEqualTo("04");
        assertThat(objects.identity().identity().status()).isEqualTo(5);
    }

    @Test
    void resetRunsItsHandlerOnlyAfterTheReply() {
        MessageRouterResponse r = kit.send(0x05, "1/1", "01");
        assertThat(r.toBytes().toHex()).isEqualTo("85000000");
        assertThat(resets).as("nothing happens before the reply is sent").isEmpty();
        kit.ctx.afterReply().runAll();
        assertThat(resets).containsExactly(1);
    }

    @Test
    void resetWithoutTypeIsTypeZero() {
        RequestContext ctx = kit.ctx;
        assertThat(kit.send(0x05, "1/1", "").generalStatus()).isZero();
        ctx.afterReply().runAll();
        assertThat(resets).containsExactly(0);
    }

    @Test
    void badResetRequests() {
        assertThat(kit.send(0x05, "1/1", "02").generalStatus()).as("unsupported type").isEqualTo(0x20);
        assertThat(kit.send(0x05, "1/1", "03").generalStatus()).isEqualTo(0x20);
        assertThat(kit.send(0x05, "1/1", "0100").generalStatus()).isEqualTo(0x15);
        assertThat(kit.send(0x05, "1/0", "").generalStatus()).as("class-level reset").isEqualTo(0x08);
        assertThat(kit.ctx.afterReply().isEmpty()).isTrue();
    }

    @Test
    void withoutAHandlerResetIsNotSupported() {
        StdKit plain = new StdKit(StdKit.device().router());
        assertThat(plain.send(0x05, "1/1", "").generalStatus()).isEqualTo(0x08);
    }

    @Test
    void identityValidation() {
        assertThatThrownBy(() -> DeviceIdentity.of(70000, 1, 1, 1, 0, 1, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceIdentity.of(1, 1, 1, 0, 0, 1, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceIdentity.of(1, 1, 1, 1, 0, 1, "x".repeat(33))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceIdentity.of(1, 1, 1, 1, 0, -1, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IdentityObject(DeviceIdentity.of(1, 1, 1, 1, 0, 1, "x"), t -> { }, Set.of(3)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
