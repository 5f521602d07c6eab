package dev.cipsec.adapter;

import dev.cipsec.objects.std.AssemblyDefinition;
import dev.cipsec.objects.std.DeviceIdentity;

import java.io.IOException;
import java.util.List;

/** Device profiles the adapter tests run, always on ephemeral loopback ports. */
final class TestDevices {
    private TestDevices() {
    }

    static DeviceProfile profile(AdapterLimits limits) {
        return DeviceProfile.defaults().onEphemeralPorts().withLimits(limits);
    }

    static CipDevice start(AdapterLimits limits) throws IOException {
        return CipDevice.start(profile(limits));
    }

    static CipDevice start() throws IOException {
        return start(AdapterLimits.defaults());
    }

    /**
     * The OpENer sample application as captured in the fixtures: vendor 1, type 12, product 65001,
     * revision 2.3, serial 0x075BCD15, "OpENer PC", status 0 and state 0 (what its ListIdentity
     * reports), assemblies 100/150/151.
     */
    static DeviceProfile openerLike() {
        DeviceIdentity id = new DeviceIdentity(1, 12, 65001, 2, 3, 0x075BCD15L, "OpENer PC", 0, 0);
        return DeviceProfile.defaults().onEphemeralPorts().withIdentity(id).withAssemblies(List.of(
                AssemblyDefinition.input(100, 32), AssemblyDefinition.output(150, 32), AssemblyDefinition.configuration(151, 10)));
    }

    /** Starts {@link #openerLike()} with its sample application's behaviour: output 150 is mirrored into input 100. */
    static CipDevice startOpenerLike() throws IOException {
        CipDevice device = CipDevice.start(openerLike());
        device.assembly(150).addListener((assembly, data, source) -> device.assembly(100).write(data));
        return device;
    }
}
