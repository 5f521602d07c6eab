package dev.cipsec.objects.std;

import dev.cipsec.wire.buf.Bytes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AssemblyObjectTest {
    private static final String DATA32 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    private final StandardObjects objects = StdKit.device();
    private final StdKit kit = new StdKit(objects.router());

    @Test
    void dataAndSize() {
        assertThat(kit.get("4/100/3")).isEqualTo("00".repeat(32));
        assertThat(kit.get("4/100/4")).isEqualTo("2000");
        assertThat(kit.get("4/151/4")).isEqualTo("0a00");
        assertThat(kit.get("4/0/1")).isEqualTo("0200");
        assertThat(kit.get("4/0/2")).isEqualTo("9700");
        assertThat(kit.get("4/0/3")).isEqualTo("0300");
    }

    @Test
    void outputAndConfigurationAreSettableInputIsNot() {
        assertThat(kit.set("4/150/3", DATA32)).isZero();
        assertThat(kit.get("4/150/3")).isEqualTo(DATA32);
        assertThat(kit.set("4/151/3", "00112233445566778899")).isZero();
        assertThat(kit.set("4/100/3", DATA32)).isEqualTo(0x0E);
        assertThat(kit.set("4/150/4", "2000")).isEqualTo(0x0E);
    }

    @Test
    void wrongSizeIsNotEnoughOrTooMuchData() {
        assertThat(kit.set("4/150/3", DATA32.substring(2))).isEqualTo(0x13);
        assertThat(kit.set("4/150/3", DATA32 + "20")).isEqualTo(0x15);
        assertThat(kit.set("4/150/3", "")).isEqualTo(0x13);
        assertThat(objects.assembly(150).data()).isEqualTo(Bytes.of(new byte[32]));
    }

    @Test
    void ownedAssembliesRefuseExplicitWrites() {
        objects.assembly(150).setOwnedByConnection(true);
        assertThat(kit.set("4/150/3", DATA32)).isEqualTo(0x10);
        objects.assembly(150).setOwnedByConnection(false);
        assertThat(kit.set("4/150/3", DATA32)).isZero();
    }

    @Test
    void listenersSeeEveryWriteWithItsSource() {
        List<String> seen = new ArrayList<>();
        AssemblyInstance out = objects.assembly(150);
        AssemblyInstance.Listener l = (a, d, s) -> seen.add(a.id() + ":" + s + ":" + d.get(0));
        out.addListener(l);
        kit.set("4/150/3", DATA32);
        out.writeFromConnection(Bytes.of(new byte[32]));
        byte[] app = new byte[32];
        app[0] = 9;
        out.write(Bytes.of(app));
        out.removeListener(l);
        out.write(Bytes.of(new byte[32]));
        assertThat(seen).containsExactly("150:EXPLICIT:0", "150:CONNECTION:0", "150:APPLICATION:9");
    }

    @Test
    void applicationWritesMustHaveTheSize() {
        assertThatThrownBy(() -> objects.assembly(100).write(Bytes.of(new byte[31]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StandardObjects.builder(DeviceIdentity.of(1, 1, 1, 1, 0, 1, "x"))
                .assembly(AssemblyDefinition.input(5, 1)).assembly(AssemblyDefinition.output(5, 1)).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readersNeverSeeATornBlock() throws Exception {
        AssemblyInstance in = objects.assembly(100);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<Boolean> writer = pool.submit(() -> {
                for (int i = 0; i < 5000; i++) {
                    byte[] b = new byte[32];
                    java.util.Arrays.fill(b, (byte) i);
                    in.write(Bytes.of(b));
                }
                return true;
            });
            List<Future<Boolean>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    byte[] dst = new byte[32];
                    for (int i = 0; i < 5000; i++) {
                        in.copyTo(dst, 0);
                        for (byte x : dst) {
                            if (x != dst[0]) {
                                return false;
                            }
                        }
                        String hex = kit.get("4/100/3");
                        if (!hex.equals(hex.substring(0, 2).repeat(32))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            assertThat(writer.get()).isTrue();
            for (Future<Boolean> f : readers) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
